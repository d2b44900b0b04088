"""Dashboards: per budget line, and the cost per result beside the accompaniment's figures."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from financement import services, workflow
from financement.models import Convention, EcheanceVersement
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


def pay(convention, ordre, montant, date, user):
    echeance = EcheanceVersement.objects.create(
        convention=convention,
        ordre=ordre,
        nature="avance",
        libelle=f"Échéance {ordre}",
        montant_prevu=Decimal(montant),
    )
    return services.versement_enregistrer(
        echeance=echeance,
        montant=Decimal(montant),
        date_versement=date,
        reference_mandat=f"M-{convention.pk}-{ordre}",
        user=user,
    )


def signed_convention(numero, structure, budget_line):
    convention = Convention.objects.create(
        numero=numero,
        structure=structure,
        intitule="un test",
        objet="Test.",
        date_debut=datetime.date(2026, 1, 1),
        date_fin=datetime.date(2026, 12, 31),
        montant_max=Decimal("50000.00"),
        ligne_budgetaire=budget_line,
    )
    workflow.acte_transition(acte=convention, code="envoyer", user=None)
    return workflow.acte_transition(
        acte=convention,
        code="signer",
        user=None,
        signe_structure_le=datetime.date(2026, 2, 1),
        signe_departement_le=datetime.date(2026, 2, 1),
    )


def test_cost_per_person_accompanied_links_to_the_people(client, world):
    """Structure A was paid 10 000 € in 2026 and accompanied its two people (world caseload)."""
    pay(world.finance.convention, 2, "10000.00", datetime.date(2026, 10, 15), world.user("dpid"))
    client.force_login(world.user("manager"))
    response = client.get(reverse("financement:tableau_de_bord") + "?annee=2026")
    html = response.content.decode()
    couts = {c.nom: c for c in response.context["couts"]}
    row = couts["Structure A"]
    assert (row.paye, row.accompagnes, row.cout_par_personne) == (Decimal("10000.00"), 2, Decimal("5000.00"))
    assert row.cout_par_sortie_dynamique is None
    assert "5\u00a0000,00\u00a0€" in html
    people = client.get(row.liens["accompagnes"])
    assert people.status_code == 200
    assert "Aubert" in people.content.decode() and "Bailly" in people.content.decode()


@pytest.mark.parametrize("count", [2, 8])
def test_dashboard_queries_do_not_grow_with_conventions(client, world, count, django_assert_max_num_queries):
    dpid = world.user("dpid")
    for n in range(count):
        convention = signed_convention(f"2026-1{n:04d}", StructureFactory(), world.finance.budget_line)
        pay(convention, 1, "1000.00", datetime.date(2026, 3, 1), dpid)
    client.force_login(world.user("manager"))
    with django_assert_max_num_queries(22):
        response = client.get(reverse("financement:tableau_de_bord") + "?annee=2026")
    assert len(response.context["couts"]) == count
    ligne = response.context["lignes"][0]
    assert ligne.paye == Decimal(count * 1000)
    assert ligne.engage_conventions == count * Decimal("50000.00")


def test_cost_export_xlsx(client, world):
    pay(world.finance.convention, 2, "10000.00", datetime.date(2026, 10, 15), world.user("dpid"))
    client.force_login(world.user("dpid"))
    response = client.get(reverse("financement:tableau_de_bord") + "?annee=2026&format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="cout-par-resultat-2026.csv"'
    assert "Structure A;10000,00;2;" in response.content.decode("utf-8-sig")
