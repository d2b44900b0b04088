"""A few hundred fictitious beneficiaries oriented over the last year, so caseload pages show
something. Every name and N° CAF is invented (N° CAF 990xxxx)."""

import datetime
import random

from django.utils import timezone

from accompagnement.enums import SourceOrientation
from accompagnement.models import (
    Beneficiaire,
    Cer,
    CerAction,
    Entretien,
    Orientation,
    ProcedureSuspension,
    TypeAccompagnement,
)
from portal.core.dates import add_months
from portal.core.demo import register
from portal.referentiels.models import Referent, Structure

PRENOMS_F = ["Amandine", "Chloé", "Fatima", "Julie", "Laetitia", "Manon", "Nadia", "Sandrine", "Sophie", "Yasmine"]
PRENOMS_M = ["Alexandre", "Bruno", "David", "Kévin", "Mehdi", "Nicolas", "Olivier", "Rémi", "Sébastien", "Thierry"]
NOMS = [
    "Bacquet",
    "Carpentier",
    "Dequidt",
    "Delattre",
    "Dufour",
    "Flament",
    "Hennebelle",
    "Lecocq",
    "Lemaire",
    "Leroy",
    "Lheureux",
    "Merlin",
    "Noël",
    "Pruvost",
    "Quenneville",
    "Ramet",
    "Sauvage",
    "Vasseur",
    "Wallart",
]
COMMUNES = {
    "arrageois": ("62000", "Arras"),
    "artois": ("62400", "Béthune"),
    "audomarois": ("62500", "Saint-Omer"),
    "boulonnais": ("62200", "Boulogne-sur-Mer"),
    "calaisis": ("62100", "Calais"),
    "henin-carvin": ("62110", "Hénin-Beaumont"),
    "lens-lievin": ("62300", "Lens"),
    "montreuillois": ("62170", "Montreuil-sur-Mer"),
    "ternois": ("62130", "Saint-Pol-sur-Ternoise"),
}
PER_REFERENT = 16


@register("Bénéficiaires et orientations", order=50)
def load():
    if Beneficiaire.objects.filter(numero_caf__startswith="990").exists():
        return "déjà chargé"
    rng = random.Random("accompagnement-demo")
    today = timezone.localdate()
    types = {t.code: t for t in TypeAccompagnement.objects.all()}
    beneficiaires, plans = [], []
    number = 0
    referents = Referent.objects.actifs().filter(type_accompagnement__in=types).select_related("structure")
    for referent in referents.order_by("structure__nom", "nom"):
        territoire = referent.structure.territoires.order_by("nom").first()
        for index in range(PER_REFERENT):
            number += 1
            female = rng.random() < 0.55
            postcode, town = COMMUNES[territoire.code]
            beneficiaires.append(
                Beneficiaire(
                    numero_caf=f"990{number:04d}",
                    nom=rng.choice(NOMS),
                    prenom=rng.choice(PRENOMS_F if female else PRENOMS_M),
                    date_naissance=datetime.date(rng.randint(1962, 2003), rng.randint(1, 12), rng.randint(1, 28)),
                    sexe="F" if female else "M",
                    code_postal=postcode,
                    commune=town,
                    territoire=territoire,
                )
            )
            oriented = today - datetime.timedelta(days=rng.randint(5, 360))
            # The MEMPA's most recent orientations wait for a referent.
            assigned = not (referent.structure.nom == "MEMPA" and index < 2)
            plans.append((referent, types[referent.type_accompagnement], oriented, assigned))
    Beneficiaire.objects.bulk_create(beneficiaires, batch_size=500)
    by_caf = {b.numero_caf: b for b in Beneficiaire.objects.filter(numero_caf__startswith="990")}
    orientations = [
        Orientation(
            beneficiaire=by_caf[beneficiaire.numero_caf],
            structure=referent.structure,
            type_accompagnement=kind,
            date_orientation=oriented,
            referent=referent if assigned else None,
            date_affectation=oriented + datetime.timedelta(days=3) if assigned else None,
            source=SourceOrientation.IMPORT,
            **kind.date_limits(oriented),
        )
        for beneficiaire, (referent, kind, oriented, assigned) in zip(beneficiaires, plans, strict=True)
    ]
    Orientation.objects.bulk_create(orientations, batch_size=500)
    _follow_up(rng, today)
    structures = Structure.objects.filter(orientations__isnull=False).distinct().count()
    return f"{len(beneficiaires)} bénéficiaires orientés vers {structures} structures"


def _follow_up(rng, today):
    """Most followed people had their first interview a week after orientation and a signed CER
    a month later; a few missed an appointment without excuse."""
    interviews, cers = [], []
    followed = Orientation.objects.filter(beneficiaire__numero_caf__startswith="990", referent__isnull=False).order_by(
        "pk"
    )
    for orientation in followed:
        first = orientation.date_orientation + datetime.timedelta(days=7)
        if first < today:
            interviews.append(
                Entretien(orientation=orientation, date=first, mode="physique", nature="premier", presence="present")
            )
        start = orientation.date_orientation + datetime.timedelta(days=30)
        if start < today and rng.random() < 0.85:
            cers.append(
                Cer(
                    orientation=orientation,
                    type="socioprofessionnel"
                    if orientation.type_accompagnement.code != "solidarite"
                    else "solidarite",
                    date_edition=start,
                    date_debut=start,
                    date_fin=add_months(start, 6) - datetime.timedelta(days=1),
                    remarque="Stabiliser la situation puis construire le projet professionnel.",
                    signe_le=start,
                )
            )
        later = orientation.date_orientation + datetime.timedelta(days=60)
        if later < today and rng.random() < 0.12:
            interviews.append(
                Entretien(
                    orientation=orientation, date=later, mode="physique", nature="intermediaire", presence="absent"
                )
            )
    Entretien.objects.bulk_create(interviews, batch_size=500)
    Cer.objects.bulk_create(cers, batch_size=500)
    CerAction.objects.bulk_create(
        [
            CerAction(
                cer=cer,
                intitule=title,
                date_debut=cer.date_debut,
                date_fin=cer.date_fin if index == 0 else cer.date_debut + datetime.timedelta(days=60),
                detail=detail,
                insertion_professionnelle=pro,
            )
            for cer in Cer.objects.filter(orientation__beneficiaire__numero_caf__startswith="990")
            for index, (title, detail, pro) in enumerate(
                [
                    ("Atelier de remobilisation", "Participation hebdomadaire au centre social.", False),
                    ("Inscription à France Travail", "Inscription et création de l'espace personnel.", True),
                    ("Préparation du permis B", "Orientation vers l'auto-école sociale.", False),
                ]
            )
        ],
        batch_size=500,
    )
    ProcedureSuspension.objects.bulk_create(
        ProcedureSuspension(entretien=entretien, ouverte_le=entretien.date)
        for entretien in Entretien.objects.filter(
            presence="absent", orientation__beneficiaire__numero_caf__startswith="990"
        )
    )
