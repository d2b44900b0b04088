"""Bilans of conventions: when they are due, what the caseload already says, and their states.

Due dates (DOMAIN.md §6):
- intermediate bilan, operations of 24 months: "à l'issue de la première année de l'opération, un
  bilan intermédiaire sera à remettre au plus tard le 31/03/2025" for an operation starting on
  01/01/2024 (seed 003 l. 328), i.e. by the 31 March that follows the end of the first year;
- final bilan, by default "au plus tard au 31 mars de l'année N+1" (seed 000 l. 136, 003 l. 328);
- accompagnement équilibré: "au plus tard 6 mois après la fin de l'opération" (seed 003 l. 470);
- Pas-de-Calais Actif: "dans les 3 mois qui suivent la date de fin effective de la convention"
  (seed 003 l. 935).
The convention says which rule applies (`Convention.regle_bilan`); its effective end is the latest
end set by a signed avenant (article 3).

States: à produire → déposé → validé, or déposé → rendu pour correction (with its reasons, by the
DPID) → déposé again. Every change is logged in `TransitionBilan`.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from financement.enums import EtatActe, EtatBilan, NatureBilan, RegleBilan
from financement.models import Avenant, Bilan, Convention, TransitionBilan
from portal.core.dates import add_months
from portal.core.transitions import apply_transition, record_transition

SIGNED = (EtatActe.SIGNEE, EtatActe.ECHUE, EtatActe.RESILIEE)
ONE_DAY = datetime.timedelta(days=1)

REGLES = {
    RegleBilan.MARS_N1: "Bilan final au plus tard le 31 mars de l'année N+1 (fiche dispositif, seed 000 l. 136)",
    RegleBilan.SIX_MOIS: "Bilan au plus tard 6 mois après la fin de l'opération (accompagnement équilibré)",
    RegleBilan.TROIS_MOIS: "Bilan final dans les 3 mois suivant la fin effective de la convention",
}
REGLE_INTERMEDIAIRE = (
    "Opération de 24 mois : bilan intermédiaire au plus tard le 31 mars qui suit la fin de sa première année"
)

# The figures of a bilan pre-filled from the caseload (model field names).
CHIFFRES = (
    "file_active",
    "entrees",
    "sorties",
    "sorties_dynamiques",
    "reorientations",
    "sorties_autres",
    "entretiens",
)


class BilanError(Exception):
    """An action the bilan's state or data does not allow (shown to the user as is)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# --- due dates ------------------------------------------------------------------------------------


def date_limite_finale(regle: str, fin: datetime.date) -> datetime.date:
    if regle == RegleBilan.SIX_MOIS:
        return add_months(fin, 6)
    if regle == RegleBilan.TROIS_MOIS:
        return add_months(fin, 3)
    return datetime.date(fin.year + 1, 3, 31)


def fin_effective(convention, avenants=None) -> datetime.date:
    """The convention's end, or the later end set by one of its signed avenants."""
    avenants = convention.avenants.all() if avenants is None else avenants
    ends = [a.nouvelle_date_fin for a in avenants if a.etat in SIGNED and a.nouvelle_date_fin]
    return max([convention.date_fin, *ends])


@dataclass(frozen=True)
class BilanPrevu:
    nature: str
    debut: datetime.date
    fin: datetime.date
    date_limite: datetime.date
    regle: str
    avenant: Avenant | None = None


def bilans_prevus(convention, avenants=None) -> list[BilanPrevu]:
    """The bilans the convention's period and rule call for."""
    avenants = list(convention.avenants.all()) if avenants is None else avenants
    debut, fin = convention.date_debut, fin_effective(convention, avenants)
    prevus = []
    if add_months(debut, 24) - ONE_DAY <= fin:
        premiere_annee = add_months(debut, 12) - ONE_DAY
        prevus.append(
            BilanPrevu(
                NatureBilan.INTERMEDIAIRE,
                debut,
                premiere_annee,
                datetime.date(premiere_annee.year + 1, 3, 31),
                REGLE_INTERMEDIAIRE,
            )
        )
    regle = REGLES[convention.regle_bilan]
    prevus.append(BilanPrevu(NatureBilan.FINAL, debut, fin, date_limite_finale(convention.regle_bilan, fin), regle))
    # An operation added by a signed avenant that ends before the convention (a yearly
    # dynamisation added to a longer convention) has its own final bilan (product choice).
    for avenant in avenants:
        ligne = avenant.ligne_annexe
        if avenant.etat not in SIGNED or ligne is None or ligne.date_fin is None or ligne.date_fin >= fin:
            continue
        start = avenant.date_debut_supplement or ligne.date_debut or debut
        prevus.append(
            BilanPrevu(
                NatureBilan.FINAL,
                start,
                ligne.date_fin,
                date_limite_finale(convention.regle_bilan, ligne.date_fin),
                f"{regle} – opération de l'avenant n° {avenant.numero}",
                avenant,
            )
        )
    return prevus


@transaction.atomic
def synchroniser(convention) -> list[Bilan]:
    """Create the bilans a signed convention calls for; an open bilan follows a period changed by an
    avenant (a bilan already deposited or validated keeps its dates). Idempotent."""
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    if convention.etat not in SIGNED:
        return []
    avenants = list(convention.avenants.select_related("ligne_annexe"))
    existing = list(Bilan.objects.filter(convention=convention))
    result = []
    for prevu in bilans_prevus(convention, avenants):
        avenant_id = prevu.avenant.pk if prevu.avenant else None
        same = [b for b in existing if b.nature == prevu.nature and b.avenant_id == avenant_id]
        bilan = next((b for b in same if b.periode_fin == prevu.fin), None)
        if bilan is None and prevu.nature == NatureBilan.FINAL:
            bilan = next((b for b in same if b.is_open), None)
        if bilan is None:
            bilan = Bilan.objects.create(
                convention=convention,
                avenant=prevu.avenant,
                nature=prevu.nature,
                periode_debut=prevu.debut,
                periode_fin=prevu.fin,
                date_limite=prevu.date_limite,
                regle=prevu.regle,
            )
        elif bilan.is_open and (bilan.periode_fin, bilan.date_limite) != (prevu.fin, prevu.date_limite):
            bilan.periode_debut, bilan.periode_fin = prevu.debut, prevu.fin
            bilan.date_limite, bilan.regle = prevu.date_limite, prevu.regle
            bilan.save(update_fields=["periode_debut", "periode_fin", "date_limite", "regle"])
        result.append(bilan)
    return result


def bilan_final_valide(convention) -> bool:
    """The balance waits for this: the convention's own final bilan, validated."""
    return Bilan.objects.filter(
        convention=convention, avenant__isnull=True, nature=NatureBilan.FINAL, etat=EtatBilan.VALIDE
    ).exists()


# --- what the caseload already says ----------------------------------------------------------------


def chiffres_accompagnement(bilan, today: datetime.date) -> dict:
    """{field: int or None} for `CHIFFRES`: the structure's caseload over the bilan's period, read
    through the accompaniment's own indicators (one grouped query)."""
    from accompagnement.indicateurs import Periode, tableau
    from accompagnement.models import Orientation

    au = min(bilan.periode_fin, today)
    if au < bilan.periode_debut:
        return dict.fromkeys(CHIFFRES)
    _lignes, total = tableau(
        Orientation.objects.filter(structure_id=bilan.convention.structure_id),
        periode=Periode(du=bilan.periode_debut, au=au),
        grouper="structure",
        today=today,
    )
    v = total.valeurs
    sorties = v.get("sorties") or 0
    dynamiques = v.get("sorties_dynamiques") or 0
    reorientations = v.get("sorties_reorientation") or 0
    return {
        "file_active": v.get("file_active"),
        "entrees": v.get("entrees"),
        "sorties": sorties,
        "sorties_dynamiques": dynamiques,
        "reorientations": reorientations,
        "sorties_autres": max(0, sorties - dynamiques - reorientations),
        "entretiens": v.get("entretiens_physiques"),
    }


def prefill(bilan, portail: dict) -> None:
    """Fill, in memory, the figures the structure has not confirmed yet."""
    for name in CHIFFRES:
        if getattr(bilan, name) is None and portail.get(name) is not None:
            setattr(bilan, name, portail[name])


# --- states ----------------------------------------------------------------------------------------


# {code: (from-states, to-state)} of the DPID's steps, the shape `apply_transition` reads.
TRANSITIONS = {
    "valider": ({EtatBilan.DEPOSE}, EtatBilan.VALIDE),
    "rendre": ({EtatBilan.DEPOSE}, EtatBilan.A_CORRIGER),
}


def _log(bilan, code, previous, user, motif=""):
    record_transition(
        TransitionBilan,
        owner_field="bilan",
        obj=bilan,
        name=code,
        de=previous,
        vers=bilan.etat,
        user=user,
        motif=motif,
    )


def _apply(bilan, code, user, message, motif=""):
    apply_transition(
        bilan,
        code,
        TRANSITIONS,
        log_model=TransitionBilan,
        owner_field="bilan",
        user=user,
        motif=motif,
        error=BilanError,
        message=message,
    )


def _lock(bilan):
    return Bilan.objects.select_for_update().select_related("convention").get(pk=bilan.pk)


@transaction.atomic
def deposer(*, bilan, chiffres: dict, commentaire: str, user, today=None) -> Bilan:
    """The structure confirms the figures (pre-filled from its caseload), comments, and deposits."""
    today = today or timezone.localdate()
    locked = _lock(bilan)
    if locked.etat == EtatBilan.VALIDE:
        raise BilanError("Le bilan est validé : il ne peut plus être déposé ni modifié.")
    if locked.etat == EtatBilan.DEPOSE:
        raise BilanError("Action déjà effectuée : le bilan est déposé, la DPID l'examine.")
    if locked.periode_debut > today:
        raise BilanError("La période du bilan n'a pas commencé.")
    missing = [name for name in ("file_active", "entrees", "sorties") if chiffres.get(name) is None]
    if missing:
        raise BilanError("Confirmez ce chiffre avant de déposer le bilan.", field=missing[0])
    previous = locked.etat
    for name in CHIFFRES:
        setattr(locked, name, chiffres.get(name))
    locked.commentaire = commentaire.strip()
    locked.donnees_portail = dict(chiffres_accompagnement(locked, today))
    locked.etat = EtatBilan.DEPOSE
    locked.depose_at = timezone.now()
    locked.depose_par = user
    locked.save()
    _log(locked, "deposer", previous, user)
    return locked


@transaction.atomic
def valider(*, bilan, user) -> Bilan:
    locked = _lock(bilan)
    _apply(locked, "valider", user, "Action déjà effectuée, ou impossible : seul un bilan déposé est validé.")
    locked.valide_at = timezone.now()
    locked.valide_par = user
    locked.save(update_fields=["etat", "valide_at", "valide_par"])
    return locked


@transaction.atomic
def rendre_pour_correction(*, bilan, motif: str, user) -> Bilan:
    motif = (motif or "").strip()
    if not motif:
        raise BilanError("Indiquez ce que la structure doit corriger.", field="motif")
    locked = _lock(bilan)
    _apply(
        locked,
        "rendre",
        user,
        "Action déjà effectuée, ou impossible : seul un bilan déposé est rendu pour correction.",
        motif,
    )
    locked.motif_correction = motif
    locked.save(update_fields=["etat", "motif_correction"])
    return locked


@transaction.atomic
def ajouter_piece(*, bilan, titre: str, fichier, user):
    """A document the structure attaches (already checked by `validate_document_upload`)."""
    from financement.models import PieceBilan

    locked = _lock(bilan)
    if not locked.is_open:
        raise BilanError("Les pièces s'ajoutent tant que le bilan est à produire ou à corriger.")
    return PieceBilan.objects.create(bilan=locked, titre=titre.strip(), fichier=fichier, ajoute_par=user)
