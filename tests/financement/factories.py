"""Small funding records for tests (the demo deliberation is loaded by `demo_deliberation`)."""

import datetime
from decimal import Decimal

from financement import workflow
from financement.enums import TypeActe
from financement.models import (
    AutorisationEngagement,
    Avenant,
    Convention,
    Deliberation,
    EcheanceVersement,
    LigneAnnexe,
    LigneBudgetaire,
    SessionCommissionPermanente,
    SimulationProgrammation,
)


def make_budget_line(code="C02-446A05", *, annee=2026, ae="100000.00", disponible="50000.00"):
    ligne, _ = LigneBudgetaire.objects.get_or_create(
        code_operation=code, defaults={"imputation": "6568/93446", "libelle": f"Ligne {code}"}
    )
    AutorisationEngagement.objects.create(
        ligne_budgetaire=ligne, annee=annee, montant=Decimal(ae), disponible_ouverture=Decimal(disponible)
    )
    return ligne


def make_deliberation(numero="2026-100", *, date=datetime.date(2026, 6, 15), phase=1, adoptee=None):
    session = SessionCommissionPermanente.objects.create(
        date=date, phase=phase, annee_appel=date.year, libelle=f"Réunion du {date:%d/%m/%Y}"
    )
    votes = {}
    if adoptee is not None:
        votes = {"vote_pour": 30, "vote_contre": 0, "vote_abstention": 10, "vote_absents": 4}
    return Deliberation.objects.create(
        session=session, numero=numero, date=date, intitule="Appels à projets – test", adoptee=adoptee, **votes
    )


def make_line(deliberation, structure, territoire, budget_line, *, ordre, montant, thematique="1", operation=1):
    return LigneAnnexe.objects.create(
        deliberation=deliberation,
        ordre=ordre,
        thematique=thematique,
        operation=operation,
        operation_libelle=f"Opération {operation}",
        territoire=territoire,
        structure=structure,
        description=f"Action {ordre}",
        etp=Decimal("1.00"),
        places=70,
        montant=Decimal(montant),
        type_acte=TypeActe.CONVENTION,
        ligne_budgetaire=budget_line,
    )


def make_finance_world(world):
    """A deliberation in preparation with two proposals and one (unpromoted) simulation."""
    budget_line = make_budget_line()
    deliberation = make_deliberation()
    first = make_line(deliberation, world.structure_a, world.territoire_a, budget_line, ordre=1, montant="30000.00")
    second = make_line(deliberation, world.structure_b, world.territoire_b, budget_line, ordre=2, montant="40000.00")
    simulation = SimulationProgrammation.objects.create(deliberation=deliberation, nom="Première structure seule")
    simulation.lignes.set([first])
    convention = Convention.objects.create(
        numero="2026-00001",
        structure=world.structure_a,
        intitule="l'accompagnement de test",
        objet="Accompagnement.",
        date_debut=datetime.date(2026, 1, 1),
        date_fin=datetime.date(2026, 12, 31),
        montant_max=Decimal("30000.00"),
        ligne_annexe=first,
    )
    workflow.acte_transition(acte=convention, code="envoyer", user=None)
    convention = workflow.acte_transition(
        acte=convention,
        code="signer",
        user=None,
        signe_structure_le=datetime.date(2026, 2, 2),
        signe_departement_le=datetime.date(2026, 2, 2),
    )
    avenant = Avenant.objects.create(convention=convention, numero=1, articles_modifies="4", objet="Coût.")
    echeance = EcheanceVersement.objects.create(
        convention=convention, ordre=1, nature="avance", libelle="Avance", montant_prevu=Decimal("10000.00")
    )
    from django.core.files.base import ContentFile

    from financement.models import PieceBilan

    bilan = convention.bilans.get(nature="final")
    piece = PieceBilan(bilan=bilan, titre="Compte rendu du COPIL")
    piece.fichier.save("piece.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    piece.save()
    return type(
        "Finance",
        (),
        {
            "budget_line": budget_line,
            "deliberation": deliberation,
            "lignes": [first, second],
            "simulation": simulation,
            "convention": convention,
            "avenant": avenant,
            "echeance": echeance,
            "bilan": bilan,
            "piece": piece,
        },
    )


def validate_final_bilan(convention, dpid, **chiffres):
    """The convention's final bilan, deposited (figures of the caseload unless given) and validated."""
    from financement import bilans
    from financement.models import Bilan

    bilan = Bilan.objects.get(convention=convention, nature="final", avenant__isnull=True)
    figures = {"file_active": 0, "entrees": 0, "sorties": 0, **chiffres}
    bilan = bilans.deposer(bilan=bilan, chiffres=figures, commentaire="", user=None)
    return bilans.valider(bilan=bilan, user=dpid)
