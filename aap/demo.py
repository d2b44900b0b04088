"""Demo data of the calls for projects, from fixtures/pas-de-calais/aap/.

- The 2024 Inclusion Durable call (thématiques 1, 3, 4) with the 31 lines of deliberation
  2024-587's annex 4 (CP of 9 December 2024) as retained applications, so that funding can start
  from them, plus one application not retained and one inadmissible.
- The 2025 "1.1 Référent solidarité" call of seed 000 (window 15/01/2025–14/02/2025) with
  applications retained, proposed, refused by the chef de SLAI, withdrawn, inadmissible and a
  draft never filed.
- A 2027 call open at the loading date, whose référent solidarité dispositif requires the label
  since 1 July 2026: MEMPA (the demo structure, not labelled) has drafts there; other structures'
  applications wait at each step of the instruction.

Nothing is dated after the loading day; every decision follows the rules (chef de SLAI
validation before a référent solidarité proposal, label for the gated dispositif, deposits within
their window). Only the structures and amounts of annex 4 are real; people are fictitious.
"""

import csv
import datetime
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from aap.enums import EtatAppel, EtatCandidature
from aap.models import (
    AppelAProjets,
    Candidature,
    DemandeAvis,
    DemandeCorrection,
    Dispositif,
    FenetreDepot,
    LigneBudget,
    Personnel,
    PieceJointe,
    Thematique,
    TransitionCandidature,
)
from portal.accounts.models import User
from portal.core.demo import register
from portal.referentiels.models import Structure, Territoire

PARIS = ZoneInfo("Europe/Paris")
FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "pas-de-calais" / "aap"
PDF = b"%PDF-1.4\n% document de demonstration\n"
ETP_COST = Decimal("45000.00")  # product choice: yearly cost of a valorised ETP in the demo budgets
E = EtatCandidature

# Path of transitions to reach each state: (transition, from, to)
PATHS = {
    E.DEPOSEE: [("deposer", E.BROUILLON, E.DEPOSEE)],
    E.RECEVABLE: [("deposer", E.BROUILLON, E.DEPOSEE), ("declarer_recevable", E.DEPOSEE, E.RECEVABLE)],
    E.IRRECEVABLE: [("deposer", E.BROUILLON, E.DEPOSEE), ("declarer_irrecevable", E.DEPOSEE, E.IRRECEVABLE)],
    E.EN_INSTRUCTION: [
        ("deposer", E.BROUILLON, E.DEPOSEE),
        ("declarer_recevable", E.DEPOSEE, E.RECEVABLE),
        ("instruire", E.RECEVABLE, E.EN_INSTRUCTION),
    ],
}
PATHS[E.AVIS_RENDU] = [*PATHS[E.EN_INSTRUCTION], ("rendre_avis", E.EN_INSTRUCTION, E.AVIS_RENDU)]
PATHS[E.PROPOSEE] = [*PATHS[E.AVIS_RENDU], ("proposer", E.AVIS_RENDU, E.PROPOSEE)]
PATHS[E.RETENUE] = [*PATHS[E.PROPOSEE], ("retenir", E.PROPOSEE, E.RETENUE)]
PATHS[E.NON_RETENUE] = [*PATHS[E.AVIS_RENDU], ("ne_pas_retenir", E.AVIS_RENDU, E.NON_RETENUE)]
PATHS[E.RETIREE] = [*PATHS[E.RECEVABLE], ("retirer", E.RECEVABLE, E.RETIREE)]
PATHS[E.CORRECTION] = [*PATHS[E.RECEVABLE], ("demander_correction", E.RECEVABLE, E.CORRECTION)]


def _at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def _date(value, today):
    if value is None:
        return None
    if value.startswith("relative:"):
        return today + datetime.timedelta(days=int(value.split(":")[1]))
    return datetime.date.fromisoformat(value)


def _load_calls(today):
    calls = json.loads((FIXTURES / "appels.json").read_text(encoding="utf-8"))
    territoires = {t.code: t for t in Territoire.objects.all()}
    made = {}
    for data in calls:
        appel = AppelAProjets.objects.create(
            annee=data["annee"],
            titre=data["titre"],
            presentation=data["presentation"],
            etat=EtatAppel.PUBLIE,
            publie_at=_at(_date(data["publie_le"], today), 9),
        )
        for window in data["fenetres"]:
            FenetreDepot.objects.create(
                appel=appel,
                libelle=window["libelle"],
                ouverture=_date(window["ouverture"], today),
                cloture=_date(window["cloture"], today),
            )
        thematiques = {
            numero: Thematique.objects.create(appel=appel, numero=numero, libelle=libelle)
            for numero, libelle in data["thematiques"]
        }
        dispositifs = {}
        for order, fields in enumerate(data["dispositifs"]):
            fields = dict(fields)
            codes = fields.pop("territoires", [])
            fields["thematique"] = thematiques[fields.pop("thematique")]
            for name in ("periode_debut", "periode_fin", "label_requis_a_partir_du"):
                fields[name] = _date(fields.get(name), today)
            for name in ("indicateurs", "pieces_requises"):
                if isinstance(fields.get(name), list):
                    fields[name] = "\n".join(fields[name])
            for name in ("taux", "part_quantitative", "part_qualitative"):
                if fields.get(name) is not None:
                    fields[name] = Decimal(fields[name])
            dispositif = Dispositif.objects.create(appel=appel, ordre=order, **fields)
            dispositif.territoires.set([territoires[code] for code in codes])
            dispositifs[dispositif.code] = dispositif
        made[data["annee"]] = (appel, dispositifs)
    return made


def _budget(candidature, montant, etp):
    if montant:
        if candidature.dispositif.cofinancement_europeen:
            # Public counterpart of an FSE+ operation outside the bassin minier: 40 % (seed 003 l. 933).
            total = (montant / Decimal("0.40")).quantize(Decimal("0.01"))
            lines = {"64": total, "74_departement": montant, "74_fse": total - montant}
        else:
            lines = {"64": (montant * Decimal("0.85")).quantize(Decimal("0.01")), "74_departement": montant}
            lines["62"] = montant - lines["64"]
    else:
        cost = (ETP_COST * (etp or Decimal(1))).quantize(Decimal("0.01"))
        lines = {"64": cost, "fonds_propres": cost}
    LigneBudget.objects.bulk_create(
        LigneBudget(candidature=candidature, compte=k, montant=v) for k, v in lines.items()
    )


def _walk(candidature, etat, *, start, users, motifs=None):
    """Log the path to `etat`, one step a day from `start` (never after today)."""
    motifs = motifs or {}
    latest = timezone.now() - datetime.timedelta(minutes=5)
    logs, at = [], _at(start)
    for name, de, vers in PATHS.get(etat, []):
        at = min(at, latest)
        actor = users["structure"] if name in ("deposer", "retirer", "corriger") else users.get(name, users["dpid"])
        logs.append(
            TransitionCandidature(
                candidature=candidature,
                transition=name,
                de=de,
                vers=vers,
                motif=motifs.get(name, ""),
                user=actor,
                at=at,
            )
        )
        if name == "deposer":
            candidature.deposee_at = at
        if name == "proposer":
            candidature.proposee_at = at
        if vers in (E.IRRECEVABLE, E.RETENUE, E.NON_RETENUE):
            candidature.decision_at = at
        if name == "rendre_avis":
            candidature.avis_slai_at = at
        at += datetime.timedelta(days=1)
    TransitionCandidature.objects.bulk_create(logs)
    candidature.etat = etat
    candidature.etat_depuis = logs[-1].at if logs else candidature.etat_depuis
    candidature.save()
    return candidature


CP_2024_587 = "Commission Permanente du 9 décembre 2024, délibération 2024-587."


def _redate(candidature, transition, at, *, motif=None, **fields):
    """Date a logged transition (and its motif) as the real calendar had it, with the application's
    own dates (`fields`) to match."""
    log = {"at": at} if motif is None else {"at": at, "motif": motif}
    TransitionCandidature.objects.filter(candidature=candidature, transition=transition).update(**log)
    Candidature.objects.filter(pk=candidature.pk).update(**fields)


def _candidature(dispositif, structure, territoire, *, action=1, **fields):
    return Candidature.objects.create(
        dispositif=dispositif, structure=structure, territoire=territoire, action=action, **fields
    )


def _annex_4(appel, dispositifs, structures, territoires, users):
    """The 31 lines of annex 4: deposited in the phase 6 window, retained by the CP of 9 December 2024."""
    with (FIXTURES / "annexe4_2024.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    window_start = appel.fenetres.get().ouverture
    proposed, decided = _at(datetime.date(2024, 11, 18)), _at(datetime.date(2024, 12, 9), 15)
    for row in rows:
        etp = Decimal(row["etp"]) if row["etp"] else None
        montant = Decimal(row["montant"])
        candidature = _candidature(
            dispositifs[row["dispositif"]],
            structures[row["structure"]],
            territoires[row["territoire"]],
            action=int(row["action"]),
            intitule=row["intitule"][:200],
            description=f"Ligne {row['ligne']} de l'annexe 4 de la délibération 2024-587 : {row['intitule']}",
            etp=etp,
            etp_finances=row["etp_finances"] == "oui",
            places=int(row["places"]) if row["places"] else None,
            diagnostics=int(row["diagnostics"]) if row["diagnostics"] else None,
            beneficiaires=int(row["participants"]) if row["participants"] else None,
            date_debut=datetime.date.fromisoformat(row["debut"]),
            date_fin=datetime.date.fromisoformat(row["fin"]),
            indicateurs_proposes="Indicateurs de la fiche dispositif.",
            avis_slai="favorable",
            montant_propose=montant,
            places_proposees=int(row["places"]) if row["places"] else None,
            etp_propose=etp,
            acte_propose=row["acte"],
            modele_acte=row["modele_acte"],
            motif_proposition="Proposition de la phase 6 (annexe 4).",
        )
        _budget(candidature, montant, etp)
        start = window_start + datetime.timedelta(days=int(row["ligne"]))
        _walk(candidature, E.RETENUE, start=start, users=users)
        # The CP voted on 9 December 2024 (seed 003 l. 111): the proposal and the decision carry its dates.
        _redate(candidature, "proposer", proposed, proposee_at=proposed)
        _redate(candidature, "retenir", decided, motif=CP_2024_587, decision_at=decided, etat_depuis=decided)
    return len(rows)


def _simple(
    dispositif,
    structure,
    territoire,
    etat,
    *,
    start,
    users,
    montant=Decimal("0"),
    etp=None,
    places=None,
    motifs=None,
    **fields,
):
    candidature = _candidature(
        dispositif,
        structure,
        territoire,
        intitule=fields.pop("intitule", f"{dispositif.libelle} – {territoire.nom}")[:200],
        description=fields.pop("description", "Action présentée pour la démonstration."),
        etp=etp,
        places=places,
        date_debut=dispositif.periode_debut,
        date_fin=dispositif.periode_fin,
        indicateurs_proposes="Indicateurs de la fiche dispositif.",
        engagement_label=dispositif.validation_slai_requise,
        **fields,
    )
    if etat != E.BROUILLON or montant:
        _budget(candidature, montant, etp)
    return _walk(candidature, etat, start=start, users=users, motifs=motifs)


def _with_files(candidature, *, cv=True):
    personnel = Personnel(candidature=candidature, nom="Claire Morel", fonction="Conseillère", etp=Decimal("1.00"))
    if cv:
        personnel.cv.save("cv.pdf", ContentFile(PDF), save=False)
        personnel.cv_nom = "cv-claire-morel.pdf"
    personnel.save()
    for nature in candidature.dispositif.pieces:
        piece = PieceJointe(candidature=candidature, nature=nature, nom_original="statuts.pdf", taille=len(PDF))
        piece.fichier.save("statuts.pdf", ContentFile(PDF), save=False)
        piece.save()


@register("Appels à projets", order=45)
def load():
    if AppelAProjets.objects.filter(annee=2024, titre__startswith="Appel à projets des politiques").exists():
        return "déjà chargé"
    today = timezone.localdate()
    structures = {s.nom: s for s in Structure.objects.all()}
    territoires = {t.code: t for t in Territoire.objects.all()}
    dpid = User.objects.filter(email="dpid@demo.rsa62.test").first()
    slai = User.objects.filter(email="slai@demo.rsa62.test").first()
    mempa_user = User.objects.filter(email="responsable@demo.rsa62.test").first()
    made = _load_calls(today)

    # 2024: annex 4, plus one refusal and one inadmissible file of the same phase.
    appel, dispositifs = made[2024]
    users = {"structure": None, "dpid": dpid, "rendre_avis": None}
    count = _annex_4(appel, dispositifs, structures, territoires, users)
    phase6 = appel.fenetres.get().ouverture
    _simple(
        dispositifs["3.14"],
        structures["PIF"],
        territoires["calaisis"],
        E.NON_RETENUE,
        start=phase6 + datetime.timedelta(days=20),
        users=users,
        montant=Decimal("25000"),
        beneficiaires=40,
        motifs={"ne_pas_retenir": "Enveloppe de la thématique 3 engagée pour la phase 6."},
    )
    _simple(
        dispositifs["3.16"],
        structures["Impact Oval"],
        territoires["artois"],
        E.IRRECEVABLE,
        start=phase6 + datetime.timedelta(days=25),
        users=users,
        montant=Decimal("18000"),
        beneficiaires=60,
        motifs={"declarer_irrecevable": "Public visé non conforme : l'action ne s'adresse pas à des BRSA."},
    )

    # 2025: référent solidarité, window 15/01/2025–14/02/2025 (seed 000 l. 114), 80 € per place.
    appel, dispositifs = made[2025]
    ref = dispositifs["1.1"]
    opened = appel.fenetres.get().ouverture
    for offset, (nom, code, places, etat) in enumerate(
        [
            ("PBI", "artois", 250, E.RETENUE),
            ("MEILL HC", "lens-lievin", 500, E.RETENUE),
            ("ID formation", "henin-carvin", 200, E.RETENUE),
            ("MIPE", "audomarois", 150, E.PROPOSEE),
        ]
    ):
        montant = Decimal(places) * ref.taux
        candidature = _simple(
            ref,
            structures[nom],
            territoires[code],
            etat,
            start=opened + datetime.timedelta(days=2 + offset),
            users=users,
            montant=montant,
            etp=Decimal(places) / 250,
            places=places,
            validation_slai="validee",
            montant_propose=montant,
            places_proposees=places,
            etp_propose=Decimal(places) / 250,
            acte_propose="convention",
            modele_acte="Convention type",
        )
        # Proposals after the close, a CP decision in March 2025 (product choice: the seed gives no date).
        proposed, decided = _at(datetime.date(2025, 3, 3)), _at(datetime.date(2025, 3, 24), 15)
        _redate(candidature, "proposer", proposed, proposee_at=proposed, etat_depuis=proposed)
        if etat == E.RETENUE:
            _redate(candidature, "retenir", decided, decision_at=decided, etat_depuis=decided)
    _simple(
        ref,
        structures["Tous Parrains"],
        territoires["boulonnais"],
        E.NON_RETENUE,
        start=opened + datetime.timedelta(days=8),
        users=users,
        montant=Decimal("16000"),
        etp=Decimal("0.8"),
        places=200,
        validation_slai="refusee",
        commentaire_slai="Besoins d'accompagnement du territoire couverts par les structures en place.",
        motifs={
            "rendre_avis": "Besoins d'accompagnement du territoire couverts par les structures en place.",
            "ne_pas_retenir": "Validation refusée par le chef de SLAI.",
        },
    )
    _simple(
        ref,
        structures["PIF"],
        territoires["calaisis"],
        E.RETIREE,
        start=opened + datetime.timedelta(days=10),
        users=users,
        montant=Decimal("12000"),
        etp=Decimal("0.6"),
        places=150,
        motifs={"retirer": "Recrutement du référent impossible avant l'été."},
    )
    _simple(
        ref,
        structures["AMIE du Boulonnais"],
        territoires["boulonnais"],
        E.IRRECEVABLE,
        start=opened + datetime.timedelta(days=12),
        users=users,
        montant=Decimal("8000"),
        places=100,
        motifs={"declarer_irrecevable": "Dossier incomplet : statuts et bilan non fournis."},
    )
    _simple(ref, structures["La Fabrique DEFI"], territoires["calaisis"], E.BROUILLON, start=opened, users=users)

    # 2027: open at the loading date; the référent solidarité dispositif requires the label.
    appel, dispositifs = made[2027]
    opened = appel.fenetres.get().ouverture
    ref, innov = dispositifs["1.1"], dispositifs["3.14"]
    users_mempa = {**users, "structure": mempa_user, "rendre_avis": slai}
    _simple(
        ref,
        structures["MEMPA"],
        territoires["arrageois"],
        E.BROUILLON,
        start=opened,
        users=users_mempa,
        places=250,
        etp=Decimal("1"),
        montant=Decimal("20000"),
    )
    _simple(
        innov,
        structures["MEMPA"],
        territoires["arrageois"],
        E.BROUILLON,
        start=opened,
        users=users_mempa,
        intitule="Atelier de remobilisation par le théâtre",
    )
    steps = [
        (ref, "PBI", "arrageois", E.EN_INSTRUCTION, 250),  # the demo SLAI (Arrageois) validates it
        (ref, "MEILL HC", "lens-lievin", E.DEPOSEE, 300),
        (innov, "MIPE", "audomarois", E.CORRECTION, None),
        (innov, "AIFOR", "montreuillois", E.AVIS_RENDU, None),
        (innov, "Les Amis Copeaux", "audomarois", E.RECEVABLE, None),
        (innov, "ADEFI", "ternois", E.DEPOSEE, None),
    ]
    created = {}
    for offset, (dispositif, nom, code, etat, places) in enumerate(steps):
        montant = Decimal(places) * dispositif.taux if places else Decimal("20000")
        start = min(opened + datetime.timedelta(days=1 + offset % 3), today - datetime.timedelta(days=4))
        candidature = _simple(
            dispositif,
            structures[nom],
            territoires[code],
            etat,
            start=max(start, opened),
            users=users,
            montant=montant,
            places=places,
            etp=Decimal(places) / 250 if places else Decimal("1"),
            beneficiaires=None if places else 40,
            avis_slai="favorable" if etat == E.AVIS_RENDU else "",
            motifs={"demander_correction": "Statuts fournis périmés : joindre la version en vigueur."},
        )
        _with_files(candidature, cv=not places)
        created[nom] = candidature
    mipe = created["MIPE"]
    Candidature.objects.filter(pk=mipe.pk).update(sections_ouvertes=["pieces"], etat_avant_correction=E.RECEVABLE)
    DemandeCorrection.objects.create(
        candidature=mipe,
        motif="perime",
        sections=["pieces"],
        message="Statuts fournis périmés : joindre la version en vigueur.",
        demandee_par=dpid,
    )
    if slai is not None and dpid is not None:
        DemandeAvis.objects.create(
            candidature=created["ADEFI"],
            demandee_par=dpid,
            destinataire=slai,
            question="La structure intervient-elle déjà auprès de ce public sur le Ternois ?",
            echeance=today + datetime.timedelta(days=3),
        )
    return f"{count} lignes de l'annexe 4 et {Candidature.objects.count() - count} autres candidatures"
