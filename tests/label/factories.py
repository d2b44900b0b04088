"""Helpers for the label procedure tests: frozen Paris time, CERs in the grade_cer format, training
records and a request driven step by step through label.services."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from label import services
from label.enums import Avis, Evaluateur, NatureFormation
from label.models import (
    CerAnonymise,
    CharteQualite,
    DemandeLabel,
    EvaluationCer,
    FormationReferent,
    Label,
    ModuleFormation,
    Moratoire,
    Recours,
    RetraitLabel,
    TirageCer,
    TransitionDemande,
)
from portal.referentiels.models import Referent

PARIS = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.7\n% attestation de test\n"

MANDATORY = ["pssm", "potentiels", "public-feminin", "secret-professionnel"]
OPTIONAL = ["retraite", "mdph", "agressivite", "sante-cpam", "budget-logement", "enfance-famille"]

# Judgement items: full marks (10/10 with the automatic 4.5 of `cer_data`), or none (4.5/10).
GOOD = {
    "duree_adaptee": Decimal("1"),
    "remarque_situation": Decimal("1"),
    "remarque_positionnement": Decimal("2"),
    "secret_professionnel": Decimal("1.5"),
    "commentaire": "Contrat clair et bien construit.",
}
POOR = {
    "duree_adaptee": Decimal("0"),
    "remarque_situation": Decimal("0"),
    "remarque_positionnement": Decimal("0"),
    "secret_professionnel": Decimal("0"),
    "commentaire": "Remarque trop vague.",
}


def clear_label_records():
    """The shared `world` fixture comes with a label request, a CER and a training record of
    structure A; the procedure tests start from a structure that has none."""
    for model in (
        CharteQualite,
        RetraitLabel,
        Recours,
        Moratoire,
        Label,
        EvaluationCer,
        TirageCer,
        TransitionDemande,
        DemandeLabel,
        CerAnonymise,
        FormationReferent,
    ):
        model.objects.all().delete()


def at(day: datetime.date, hour: int = 10, minute: int = 0):
    """Freeze time on that day, Paris time."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS), tick=False)


def cer_data(numero_caf: str, **overrides) -> dict:
    """A CER in the grade_cer exchange format; 4.5 automatic points (all automatic items met)."""
    data = {
        "numero_caf": numero_caf,
        "type": "solidarite",
        "date_edition": "2025-01-10",
        "date_debut": "2025-01-10",
        "date_fin": "2025-07-09",
        "remarque": "Madame souhaite stabiliser son logement avant de reprendre une formation.",
        "actions": [
            {
                "intitule": "Demande de logement social",
                "date_debut": "2025-01-10",
                "date_fin": "2025-03-31",
                "detail": "Constitution du dossier et dépôt auprès du bailleur.",
                "insertion_professionnelle": False,
            }
        ],
    }
    data.update(overrides)
    return data


def import_cers(structure, user, *, count: int = 6, referents=None) -> dict:
    """Import `count` distinct CERs for each (active) referent of the structure."""
    if referents is None:
        referents = Referent.objects.filter(structure=structure).actifs()
    created = {}
    for referent in referents:
        data = [cer_data(f"{referent.pk:03d}{n:04d}") for n in range(count)]
        created[referent.pk] = services.cers_import(structure=structure, referent=referent, data=data, user=user)
    return created


def draft_ready(
    structure, user, *, count: int = 6, values=GOOD, engagement: bool = True, demande=None, trained: bool = True
):
    """A draft request with CERs imported, drawn and self-graded for every active referent; by
    default every referent is trained (`trained=False`: nobody is)."""
    if trained:
        for referent in Referent.objects.filter(structure=structure).actifs():
            train(referent)
    if demande is None:
        demande = services.demande_create(structure=structure, user=user)
    import_cers(structure, user, count=count)
    for referent in Referent.objects.filter(structure=structure).actifs():
        services.tirage_create(demande=demande, referent=referent, user=user)
    for evaluation in demande.evaluations.filter(evaluateur=Evaluateur.STRUCTURE):
        services.evaluation_save(evaluation=evaluation, values=values, user=user)
    if engagement:
        demande.engagement = True
        demande.save(update_fields=["engagement"])
    return demande


def dpid_control(demande, user, values=GOOD):
    for evaluation in demande.evaluations.filter(evaluateur=Evaluateur.DPID):
        services.evaluation_save(evaluation=evaluation, values=values, user=user)


def submitted(world, **kwargs):
    """A request of structure A, submitted."""
    demande = draft_ready(world.structure_a, world.user("responsable"), **kwargs)
    return services.demande_deposer(demande=demande, user=world.user("responsable"))


def evaluated(world, *, control=GOOD, avis=Avis.FAVORABLE, **kwargs):
    """A request of structure A, controlled by the DPID, with its proposed opinion."""
    demande = submitted(world, **kwargs)
    dpid_control(demande, world.user("dpid"), control)
    return services.demande_evaluer(demande=demande, user=world.user("dpid"), evaluation="Dossier complet.", avis=avis)


def ready_to_decide(world, *, control=GOOD, **kwargs):
    """A request of structure A with the SLAI opinion recorded: the DPID may decide."""
    demande = evaluated(world, control=control, **kwargs)
    return services.demande_avis_slai(
        demande=demande,
        user=world.user("slai"),
        avis=demande.avis_dpid,
        commentaire="Partenaire connu du territoire.",
        revue_conjointe="Revue conjointe du 5 mars." if control is POOR else "",
    )


def train(
    referent,
    *,
    modules=(*MANDATORY, OPTIONAL[0]),
    nature=NatureFormation.SESSION,
    with_piece=True,
    date=datetime.date(2025, 5, 12),
    **extra,
):
    """Training records for a referent (by default: complete, attendance certificates attached)."""
    records = []
    for code in modules:
        records.append(
            FormationReferent.objects.create(
                referent=referent,
                module=ModuleFormation.objects.get(code=code),
                nature=nature,
                date=date,
                piece=SimpleUploadedFile(f"attestation-{code}.pdf", PDF) if with_piece else "",
                **extra,
            )
        )
    return records
