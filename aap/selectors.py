"""Reads of the calls for projects: instruction queues, counts, and the public selector the
funding domain uses to start from proposed and retained applications."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from aap.enums import DECIDED, EtatCandidature
from aap.models import Candidature


def queue(user, *, appel=None, dispositif=None, territoire=None, etat=""):
    """Submitted applications in the user's scope, filtered, with their opinion counts."""
    candidatures = (
        Candidature.objects.visible_to(user)
        .exclude(etat=EtatCandidature.BROUILLON)
        .select_related("dispositif__appel", "structure", "territoire")
        .annotate(
            avis_demandes=Count("demandes_avis", distinct=True),
            avis_rendus=Count("demandes_avis", filter=Q(demandes_avis__rendu_at__isnull=False), distinct=True),
        )
        .order_by("deposee_at", "pk")
    )
    if appel is not None:
        candidatures = candidatures.filter(dispositif__appel=appel)
    if dispositif is not None:
        candidatures = candidatures.filter(dispositif=dispositif)
    if territoire is not None:
        candidatures = candidatures.filter(territoire=territoire)
    if etat:
        candidatures = candidatures.filter(etat=etat)
    return candidatures


def state_counts(candidatures) -> list[tuple[str, str, int]]:
    """(state, label, count) for the filtered queue, in the workflow's order."""
    # distinct: the queue joins the opinion requests (its opinion counts), one row per request.
    counts = dict(candidatures.order_by().values_list("etat").annotate(n=Count("pk", distinct=True)))
    return [(value, label, counts[value]) for value, label in EtatCandidature.choices if counts.get(value)]


@dataclass
class TerritoryTiming:
    territoire: str
    deposees: int
    decidees: int
    delai_moyen_jours: Decimal | None


def timing_by_territory(candidatures) -> list[TerritoryTiming]:
    """Processing time per territory: days from deposit to decision, for decided applications."""
    rows = candidatures.order_by().values_list("territoire__nom", "etat", "deposee_at", "decision_at")
    by_territory = defaultdict(lambda: {"deposees": 0, "durations": []})
    for nom, etat, deposee_at, decision_at in rows:
        entry = by_territory[nom]
        entry["deposees"] += 1
        if etat in DECIDED and deposee_at and decision_at:
            entry["durations"].append((decision_at - deposee_at).days)
    return [
        TerritoryTiming(
            territoire=nom,
            deposees=entry["deposees"],
            decidees=len(entry["durations"]),
            delai_moyen_jours=(
                (Decimal(sum(entry["durations"])) / len(entry["durations"])).quantize(Decimal("0.1"))
                if entry["durations"]
                else None
            ),
        )
        for nom, entry in sorted(by_territory.items())
    ]


@dataclass(frozen=True)
class Proposal:
    """What the funding domain needs of a proposed or retained application."""

    candidature_id: int
    etat: str
    appel: str
    annee: int
    dispositif_code: str
    dispositif: str
    thematique: int | None
    territoire_id: int
    territoire: str
    structure_id: int
    structure: str
    montant: Decimal
    places: int | None
    etp: Decimal | None
    acte: str
    modele_acte: str
    action: int
    periode_debut: object
    periode_fin: object
    url: str


def proposals(
    *, user=None, appel_id=None, etats=(EtatCandidature.PROPOSEE, EtatCandidature.RETENUE)
) -> list[Proposal]:
    """Proposed and retained applications, for the funding domain (CP lines, conventions, avenants).

    With `user`, limited to what that user may see."""
    candidatures = Candidature.objects.visible_to(user) if user is not None else Candidature.objects.all()
    candidatures = candidatures.filter(etat__in=list(etats)).select_related(
        "dispositif__appel", "dispositif__thematique", "structure", "territoire"
    )
    if appel_id is not None:
        candidatures = candidatures.filter(dispositif__appel_id=appel_id)
    return [
        Proposal(
            candidature_id=c.pk,
            etat=c.etat,
            appel=c.dispositif.appel.titre,
            annee=c.dispositif.appel.annee,
            dispositif_code=c.dispositif.code,
            dispositif=c.dispositif.libelle,
            thematique=c.dispositif.thematique.numero if c.dispositif.thematique else None,
            territoire_id=c.territoire_id,
            territoire=c.territoire.nom,
            structure_id=c.structure_id,
            structure=c.structure.nom,
            montant=c.montant_propose,
            places=c.places_proposees,
            etp=c.etp_propose,
            acte=c.acte_propose,
            modele_acte=c.modele_acte,
            action=c.action,
            periode_debut=c.date_debut,
            periode_fin=c.date_fin,
            url=c.get_absolute_url(),
        )
        for c in candidatures.order_by("dispositif__appel__annee", "dispositif__code", "territoire__nom", "pk")
    ]


def territory_needs(candidature) -> dict | None:
    """The territory's accompaniment needs, shown beside a référent solidarité application."""
    if not candidature.dispositif.validation_slai_requise:
        return None
    from accompagnement.selectors import territory_needs as needs

    return needs(candidature.territoire_id)
