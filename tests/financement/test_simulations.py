"""What-if programmings: compared side by side against the available AE, one promoted."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from financement import services
from financement.models import LigneAnnexe, SimulationProgrammation
from financement.selectors import simulations_comparison
from tests.factories import StructureFactory, TerritoireFactory
from tests.financement.factories import make_budget_line, make_deliberation, make_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals():
    territoire = TerritoireFactory()
    budget_line = make_budget_line(disponible="50000.00")
    deliberation = make_deliberation()
    lignes = [
        make_line(deliberation, StructureFactory(), territoire, budget_line, ordre=1, montant="30000.00"),
        make_line(deliberation, StructureFactory(), territoire, budget_line, ordre=2, montant="40000.00"),
    ]
    return deliberation, budget_line, lignes


def test_simulations_compared_against_the_available_ae(proposals, dpid):
    deliberation, budget_line, (first, second) = proposals
    services.simulation_create(deliberation=deliberation, nom="Tout", lignes=[first, second], user=dpid)
    services.simulation_create(deliberation=deliberation, nom="La première", lignes=[first], user=dpid)
    _lines, available, columns = simulations_comparison(deliberation)
    assert available[budget_line.pk] == Decimal("50000.00")
    assert [(c.simulation.nom, c.total, c.fits) for c in columns] == [
        ("Tout", Decimal("70000.00"), False),
        ("La première", Decimal("30000.00"), True),
    ]


def test_promoting_a_simulation_sets_the_lines_put_to_the_vote(proposals, dpid):
    deliberation, _, (first, second) = proposals
    everything = services.simulation_create(deliberation=deliberation, nom="Tout", lignes=[first, second], user=dpid)
    only_first = services.simulation_create(deliberation=deliberation, nom="La première", lignes=[first], user=dpid)
    services.simulation_promote(simulation=everything, user=dpid)
    services.simulation_promote(simulation=only_first, user=dpid)
    assert list(LigneAnnexe.objects.filter(retenue=True)) == [first]
    assert list(SimulationProgrammation.objects.filter(promue=True)) == [only_first]
    with pytest.raises(services.FinancementError, match="Action déjà effectuée"):
        services.simulation_promote(simulation=only_first, user=dpid)


def test_a_voted_deliberation_keeps_its_programming(dpid):
    deliberation = make_deliberation(numero="2026-200", date=datetime.date(2026, 3, 2), adoptee=True)
    with pytest.raises(services.FinancementError, match="votée"):
        services.simulation_create(deliberation=deliberation, nom="Trop tard", lignes=[], user=dpid)


def test_dpid_creates_a_simulation_from_the_page(client, proposals, dpid):
    deliberation, _, (first, _second) = proposals
    client.force_login(dpid)
    url = reverse("financement:simulation_create", args=[deliberation.numero])
    response = client.post(url, {"nom": "", "lignes": [first.pk]})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    response = client.post(url, {"nom": "Sans la seconde", "lignes": [first.pk]})
    assert response.status_code == 302
    page = client.get(reverse("financement:simulations", args=[deliberation.numero])).content.decode()
    assert "Sans la seconde" in page and "30\u00a0000,00\u00a0€" in page


def test_manager_cannot_promote(client, proposals, manager, dpid):
    deliberation, _, (first, _second) = proposals
    simulation = services.simulation_create(deliberation=deliberation, nom="Une", lignes=[first], user=dpid)
    client.force_login(manager)
    response = client.post(reverse("financement:simulation_promote", args=[simulation.pk]))
    assert response.status_code == 403
    simulation.refresh_from_db()
    assert not simulation.promue


def test_dpid_records_the_vote_and_the_gap_shows(client, proposals, dpid):
    deliberation, budget_line, _lignes = proposals
    client.force_login(dpid)
    url = reverse("financement:deliberation_voter", args=[deliberation.numero])
    form_page = client.get(url).content.decode()
    assert "70\u00a0000,00" in form_page or "70000" in form_page  # the lines' sum as the initial amount
    response = client.post(url, {"date": "2026-06-15", "vote_pour": "", "adoptee": "oui"})
    assert response.status_code == 200 and "Ce champ est obligatoire" in response.content.decode()
    response = client.post(
        url,
        {
            "date": "2026-06-15",
            "vote_pour": 29,
            "vote_contre": 0,
            "vote_abstention": 12,
            "vote_absents": 3,
            "membres_interesses": "Mme A\nM. B",
            "adoptee": "oui",
            "libelle_1": "Accompagnement des bénéficiaires du RSA",
            "montant_1": "70020,00",
        },
    )
    assert response.status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.adoptee and deliberation.membres_interesses_list == ["Mme A", "M. B"]
    article = deliberation.articles.get()
    assert (article.montant_vote, article.ligne_budgetaire) == (Decimal("70020.00"), budget_line)
    page = client.get(deliberation.get_absolute_url()).content.decode()
    assert "Le montant voté diffère de la somme des lignes" in page and "20,00\u00a0€" in page
    # Once voted, the vote page sends back to the deliberation.
    assert client.get(url).status_code == 302
