"""Demo data for the funding dashboard: this year's programming of the accompaniment.

The demo caseload (accompagnement) runs over the last twelve months, the real deliberation 2024-587
over 2024–2025: to show what each euro paid this year bought, a fictitious deliberation of this
year funds the structures of the demo caseload on the territories where their people live
(thématique 1, accompagnement équilibré, 70 places each), plus one thématique 3 action without
caseload (its cost per result stays "—"). Each convention is signed and its advance paid; the
intermediate payment follows in September. Every date is in the past (demo data is never in the
future). Idempotent: the deliberation's number is the key.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from financement import services, workflow
from financement.demo import redate_signature
from financement.enums import TypeActe
from financement.models import (
    Article,
    AutorisationEngagement,
    Convention,
    Deliberation,
    EcheanceVersement,
    LigneAnnexe,
    LigneBudgetaire,
    SessionCommissionPermanente,
)
from portal.core.demo import register
from portal.referentiels.models import Structure

PLACES = 70


def _day(year, month, day, today):
    return min(datetime.date(year, month, day), today)


@register("Financement : programmation de l'année (tableau de bord)", order=105)
@transaction.atomic
def load():
    from accompagnement.models import Orientation

    today = timezone.localdate()
    year = today.year
    numero = f"{year}-101"
    if Deliberation.objects.filter(numero=numero).exists():
        return "déjà chargée"
    accompaniment = LigneBudgetaire.objects.filter(code_operation="C02-446A05").first()
    skills = LigneBudgetaire.objects.filter(code_operation="C01-444H02").first()
    if accompaniment is None or skills is None:
        return "lignes budgétaires absentes"
    pairs = list(
        Orientation.objects.filter(beneficiaire__territoire__isnull=False)
        .values("structure", "structure__nom", "beneficiaire__territoire")
        .annotate(n=Count("pk"))
        .order_by("structure__nom", "beneficiaire__territoire")
    )
    if not pairs:
        return "aucune orientation"
    for ligne, ae, disponible in ((accompaniment, "8589450.00", "900000.00"), (skills, "13789480.46", "600000.00")):
        AutorisationEngagement.objects.get_or_create(
            ligne_budgetaire=ligne,
            annee=year,
            defaults={"montant": Decimal(ae), "disponible_ouverture": Decimal(disponible), "source": "démonstration"},
        )
    date = _day(year, 1, 20, today)
    session = SessionCommissionPermanente.objects.create(
        date=date, phase=1, annee_appel=year, libelle=f"Réunion de la Commission Permanente du {date:%d/%m/%Y}"
    )
    deliberation = Deliberation.objects.create(
        session=session,
        numero=numero,
        date=date,
        intitule=f"Programmation {year} de l'accompagnement des bénéficiaires du RSA (démonstration)",
        vote_pour=30,
        vote_contre=0,
        vote_abstention=11,
        vote_absents=3,
        adoptee=True,
        source="démonstration",
    )
    lines = []
    for index, pair in enumerate(pairs, start=1):
        lines.append(
            LigneAnnexe.objects.create(
                deliberation=deliberation,
                ordre=index,
                thematique="1",
                operation=2,
                operation_libelle="Accompagnement équilibré social-professionnel",
                territoire_id=pair["beneficiaire__territoire"],
                structure_id=pair["structure"],
                description="Accompagnement équilibré social-professionnel (démonstration)",
                etp=Decimal("1.00"),
                places=PLACES,
                montant=Decimal(36000 + 1500 * (index % 5)),
                type_acte=TypeActe.CONVENTION,
                date_debut=datetime.date(year, 1, 1),
                date_fin=datetime.date(year, 12, 31),
                ligne_budgetaire=accompaniment,
                source="démonstration",
            )
        )
    # The thématique 3 action: a structure without caseload in the demo, on its own territory.
    caseload = {pair["structure"] for pair in pairs}
    other = Structure.objects.exclude(pk__in=caseload).filter(territoires__isnull=False).order_by("nom").first()
    first = {"structure": other.pk, "beneficiaire__territoire": other.territoires.order_by("nom").first().pk}
    lines.append(
        LigneAnnexe.objects.create(
            deliberation=deliberation,
            ordre=len(pairs) + 1,
            thematique="3",
            operation=1,
            operation_libelle="Développement des compétences",
            territoire_id=first["beneficiaire__territoire"],
            structure_id=first["structure"],
            description="Ateliers de remobilisation vers la formation (démonstration)",
            places=40,
            montant=Decimal("24000.00"),
            type_acte=TypeActe.CONVENTION,
            date_debut=datetime.date(year, 1, 1),
            date_fin=datetime.date(year, 12, 31),
            ligne_budgetaire=skills,
            source="démonstration",
        )
    )
    for number, (thematique, ligne, libelle) in enumerate(
        (
            ("1", accompaniment, "Accompagnement des bénéficiaires du RSA"),
            ("3", skills, "Développement des compétences et accès à l'emploi"),
        ),
        start=1,
    ):
        total = sum((line.montant for line in lines if line.thematique == thematique), Decimal("0.00"))
        Article.objects.create(
            deliberation=deliberation,
            numero=number,
            thematique=thematique,
            thematique_libelle=libelle,
            montant_vote=total,
            ligne_budgetaire=ligne,
            source="démonstration",
        )
    signed = _day(year, 2, 16, today)
    paid = 0
    for index, line in enumerate(lines, start=1):
        convention = Convention.objects.create(
            numero=f"{year}-{900 + index:05d}",
            structure=line.structure,
            intitule=line.operation_libelle.lower(),
            objet=line.description,
            date_debut=line.date_debut,
            date_fin=line.date_fin,
            montant_max=line.montant,
            ligne_budgetaire=line.ligne_budgetaire,
            ligne_annexe=line,
            deliberation=deliberation,
            places_conventionnees=line.places,
        )
        workflow.acte_transition(acte=convention, code="envoyer", user=None)
        convention = workflow.acte_transition(
            acte=convention, code="signer", user=None, signe_structure_le=signed, signe_departement_le=signed
        )
        redate_signature(convention)
        schedule = (
            (1, "avance", "Avance à la signature (50 %)", "0.50", datetime.date(year, 3, 10 + index % 15)),
            (2, "intermediaire", "Paiement intermédiaire (30 %)", "0.30", datetime.date(year, 9, 5 + index % 20)),
            (3, "solde", "Solde sur le bilan final (20 % au plus)", None, datetime.date(year + 1, 3, 31)),
        )
        for ordre, nature, libelle, share, due in schedule:
            amount = (line.montant * Decimal(share)).quantize(Decimal("0.01")) if share else None
            echeance = EcheanceVersement.objects.create(
                convention=convention,
                ordre=ordre,
                nature=nature,
                libelle=libelle,
                montant_prevu=amount,
                date_prevue=due,
            )
            if amount and due <= today:
                services.versement_enregistrer(
                    echeance=echeance,
                    montant=amount,
                    date_versement=due,
                    reference_mandat=f"DEMO-{year}-{index:03d}-{ordre}",
                    user=None,
                )
                paid += 1
    return f"délibération {numero}, {len(lines)} conventions signées, {paid} versement(s)"
