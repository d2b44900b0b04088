"""The funding dashboard: voted, committed, paid and left to pay per budget line, thématique,
territory and structure; what each euro bought, per convention, thématique and territory, with the
people behind each figure; filters, exports of what is shown, bounded queries, the chart files."""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from accompagnement.models import Sortie
from financement import services, workflow
from financement.models import Article, Convention, EcheanceVersement
from tests.factories import StructureFactory
from tests.financement.factories import make_line

pytestmark = pytest.mark.django_db
URL = reverse("financement:tableau_de_bord")


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False):
        yield


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


def signed_convention(numero, structure, budget_line, *, ligne_annexe=None, montant="50000.00"):
    convention = Convention.objects.create(
        numero=numero,
        structure=structure,
        intitule="un test",
        objet="Test.",
        date_debut=datetime.date(2026, 1, 1),
        date_fin=datetime.date(2026, 12, 31),
        montant_max=Decimal(montant),
        ligne_budgetaire=budget_line,
        ligne_annexe=ligne_annexe,
    )
    workflow.acte_transition(acte=convention, code="envoyer", user=None)
    return workflow.acte_transition(
        acte=convention,
        code="signer",
        user=None,
        signe_structure_le=datetime.date(2026, 2, 1),
        signe_departement_le=datetime.date(2026, 2, 1),
    )


@pytest.fixture
def funded(world):
    """Demo-like: the deliberation adopted (article thématique 1: 70 000 €), structure A funded on
    territory A (30 000 €, 10 000 € paid), structure B on territory B (40 000 €, 15 000 € paid);
    of A's two people one left in a CDI (a dynamic exit), B's person is still accompanied."""
    finance = world.finance
    deliberation = finance.deliberation
    deliberation.adoptee, deliberation.vote_pour, deliberation.vote_contre = True, 30, 0
    deliberation.vote_abstention, deliberation.vote_absents = 10, 4
    deliberation.save()
    Article.objects.create(
        deliberation=deliberation,
        numero=1,
        thematique="1",
        thematique_libelle="Accompagnement des BRSA",
        montant_vote=Decimal("70000.00"),
        ligne_budgetaire=finance.budget_line,
    )
    dpid = world.user("dpid")
    pay(finance.convention, 2, "10000.00", datetime.date(2026, 3, 1), dpid)
    convention_b = signed_convention(
        "2026-00002", world.structure_b, None, ligne_annexe=finance.lignes[1], montant="40000.00"
    )
    pay(convention_b, 1, "15000.00", datetime.date(2026, 5, 10), dpid)
    orientation = world.orientation_a
    orientation.date_fin = datetime.date(2026, 11, 15)
    orientation.save(update_fields=["date_fin"])
    Sortie.objects.create(orientation=orientation, date=datetime.date(2026, 11, 15), motif="cdi")
    return convention_b


def rows_by(tableau):
    return {row.libelle: row for row in tableau.lignes}


def test_budget_per_line_thematique_territory_and_structure(client, world, funded):
    client.force_login(world.user("manager"))
    response = client.get(URL, {"annee": 2026})
    assert response.status_code == 200
    tableaux = response.context["tableaux"]
    (line,) = tableaux["lignes"].lignes
    assert (line.ae, line.vote, line.engage, line.paye, line.reste) == (
        Decimal("100000.00"),
        Decimal("70000.00"),
        Decimal("70000.00"),
        Decimal("25000.00"),
        Decimal("45000.00"),
    )
    territories = rows_by(tableaux["territoires"])
    arrageois, calaisis = territories["Arrageois"], territories["Calaisis"]
    assert (arrageois.vote, arrageois.engage, arrageois.paye, arrageois.reste) == (
        Decimal("30000.00"),
        Decimal("30000.00"),
        Decimal("10000.00"),
        Decimal("20000.00"),
    )
    assert (calaisis.vote, calaisis.engage, calaisis.paye, calaisis.reste) == (
        Decimal("40000.00"),
        Decimal("40000.00"),
        Decimal("15000.00"),
        Decimal("25000.00"),
    )
    (thematique,) = tableaux["thematiques"].lignes
    assert thematique.libelle == "1 – Accompagnement des BRSA"
    assert (thematique.vote, thematique.paye) == (Decimal("70000.00"), Decimal("25000.00"))
    assert rows_by(tableaux["structures"])["Structure B"].paye == Decimal("15000.00")
    for tableau in tableaux.values():
        assert tableau.total.paye == Decimal("25000.00")
        assert tableau.total.vote == Decimal("70000.00")
    html = response.content.decode()
    assert "45\u00a0000,00\u00a0€" in html
    # The payments month by month: March and May, the running total.
    serie = response.context["serie"]
    assert [m["montant"] for m in serie[2:5]] == [Decimal("10000.00"), ZERO, Decimal("15000.00")]
    assert serie[-1]["cumul"] == Decimal("25000.00")


ZERO = Decimal("0.00")


def test_cost_per_dynamic_exit_per_thematique_and_territory(client, world, funded):
    """Thématique 1 × Arrageois: 10 000 € for 2 people and 1 dynamic exit; × Calaisis: 15 000 €
    for 1 person and no exit ("—")."""
    client.force_login(world.user("manager"))
    response = client.get(URL, {"annee": 2026})
    couts = {c.libelle_complet: c for c in response.context["couts"]}
    arrageois = couts["1 – Accompagnement des BRSA · Arrageois"]
    calaisis = couts["1 – Accompagnement des BRSA · Calaisis"]
    assert (arrageois.rubrique, arrageois.libelle) == ("1 – Accompagnement des BRSA", "Arrageois")
    assert (arrageois.paye, arrageois.places, arrageois.accompagnes, arrageois.sorties_dynamiques) == (
        Decimal("10000.00"),
        70,
        2,
        1,
    )
    assert arrageois.cout_par_personne == Decimal("5000.00")
    assert arrageois.cout_par_sortie_dynamique == Decimal("10000.00")
    assert (calaisis.accompagnes, calaisis.sorties_dynamiques) == (1, 0)
    assert calaisis.cout_par_personne == Decimal("15000.00")
    assert calaisis.cout_par_sortie_dynamique is None
    total = response.context["total"]
    assert (total.paye, total.accompagnes, total.sorties_dynamiques) == (Decimal("25000.00"), 3, 1)
    assert total.cout_par_sortie_dynamique == Decimal("25000.00")
    html = response.content.decode()
    assert "10\u00a0000,00\u00a0€" in html and "—" in html
    # Each figure opens the people behind it.
    people = client.get(arrageois.liens["accompagnes"]).content.decode()
    assert "Aubert" in people and "Bailly" in people and "Carre" not in people
    exits = client.get(arrageois.liens["sorties_dynamiques"]).content.decode()
    assert "Aubert" in exits and "Bailly" not in exits
    everyone = client.get(total.liens["accompagnes"]).content.decode()
    assert all(name in everyone for name in ("Aubert", "Bailly", "Carre"))


@pytest.mark.parametrize("par", ["convention", "thematique", "territoire", "structure"])
def test_cost_groupings_agree_on_the_totals(client, world, funded, par):
    client.force_login(world.user("dpid"))
    response = client.get(URL, {"annee": 2026, "par": par})
    couts, total = response.context["couts"], response.context["total"]
    assert sum((c.paye for c in couts), ZERO) == total.paye == Decimal("25000.00")
    assert sum(c.accompagnes for c in couts) == total.accompagnes == 3
    if par == "convention":
        assert [c.libelle for c in couts] == ["2026-00001 – Structure A", "2026-00002 – Structure B"]


def test_filters_apply_to_tables_and_exports(client, world, funded):
    client.force_login(world.user("manager"))
    params = {"annee": 2026, "territoire": world.territoire_b.pk}
    response = client.get(URL, params)
    assert [row.libelle for row in response.context["tableaux"]["territoires"].lignes] == ["Calaisis"]
    assert response.context["tableaux"]["lignes"].total.paye == Decimal("15000.00")
    # With a territory filter, what is voted is the sum of the territory's annex lines.
    assert response.context["tableaux"]["lignes"].total.vote == Decimal("40000.00")
    shown = [(c.libelle_complet, c.paye) for c in response.context["couts"]]
    assert shown == [("1 – Accompagnement des BRSA · Calaisis", Decimal("15000.00"))]
    exported = client.get(URL, {**params, "tableau": "couts", "format": "csv"})
    assert exported["Content-Disposition"] == 'attachment; filename="financement-cout-par-resultat-2026.csv"'
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[1][:2] == ["1 – Accompagnement des BRSA · Calaisis", "15000,00"]
    assert lines[-1][0] == "Total" and len(lines) == 3
    assert lines[1][-1] == ""  # no dynamic exit: nothing to divide
    workbook = client.get(URL, {**params, "tableau": "territoires", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[2][:4] == ("Calaisis", 40000, 40000, 15000)
    # Every download link of the page keeps the filters.
    html = response.content.decode()
    assert f"territoire={world.territoire_b.pk}&amp;tableau=couts&amp;format=xlsx" in html


def test_a_wrong_filter_is_reported_and_ignored(client, world, funded):
    client.force_login(world.user("manager"))
    response = client.get(URL, {"annee": 2026, "territoire": "999999"})
    assert response.status_code == 200
    assert response.context["form"].errors["territoire"]
    assert response.context["tableaux"]["lignes"].total.paye == Decimal("25000.00")


@pytest.mark.parametrize("count", [2, 9])
def test_dashboard_queries_do_not_grow_with_conventions(client, world, count, django_assert_max_num_queries):
    dpid = world.user("dpid")
    for n in range(count):
        structure = StructureFactory(territoires=[world.territoire_a])
        line = make_line(
            world.finance.deliberation,
            structure,
            world.territoire_a if n % 2 else world.territoire_b,
            world.finance.budget_line,
            ordre=10 + n,
            montant="1000.00",
            thematique=str(1 + n % 3),
        )
        convention = signed_convention(f"2026-1{n:04d}", structure, world.finance.budget_line, ligne_annexe=line)
        pay(convention, 1, "1000.00", datetime.date(2026, 3, 1), dpid)
    client.force_login(world.user("manager"))
    for par in ("thematique_territoire", "convention"):
        with django_assert_max_num_queries(15):
            response = client.get(URL, {"annee": 2026, "par": par})
        assert response.context["tableaux"]["lignes"].total.paye == Decimal(count * 1000)
    assert len(response.context["couts"]) == count + 1  # and the world's own convention
    with django_assert_max_num_queries(15):
        client.get(URL, {"annee": 2026, "tableau": "couts", "format": "xlsx"})


def test_structures_and_slai_never_see_the_dashboard(client, world, funded):
    for role in ("responsable", "referent", "slai"):
        client.force_login(world.user(role))
        assert client.get(URL).status_code == 403
        assert client.get(reverse("financement:tableau_de_bord_personnes")).status_code == 403


def test_charts_are_served_from_static_files_with_a_text_alternative(client, world, funded):
    client.force_login(world.user("manager"))
    html = client.get(URL, {"annee": 2026}).content.decode()
    assert "vendor/chartjs-4.6.2/chart.umd.min.js" in html
    assert "js/financement-graphiques.js" in html
    assert finders.find("vendor/chartjs-4.6.2/chart.umd.min.js")
    assert finders.find("js/financement-graphiques.js")
    assert 'id="donnees-lignes"' in html and 'id="donnees-versements"' in html
    for canvas in re.findall(r"<canvas[^>]*>", html):
        assert 'role="img"' in canvas and "aria-label=" in canvas
    assert "<figcaption" in html


def test_no_template_loads_a_script_or_stylesheet_from_elsewhere():
    """Front-end files come from static/ (vendored), never from a CDN."""
    pattern = re.compile(r"<(script|link)[^>]+(src|href)=[\"'](https?:)?//", re.IGNORECASE)
    offenders = [
        str(path)
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize("value", ["2", "", None])
def test_filters_selects_keep_the_markup_of_django_templates(value):
    """The filters' selects are rendered in Python: the same markup as Django's own templates,
    selected option, groups, escaped labels and boolean attributes included."""
    from django import forms

    from portal.core.widgets import Select

    choices = [("", "Toutes"), (1, "Arras & <Lens>"), ('Groupe "A"', [(2, "Béthune"), (3, "Calais")])]
    attrs = {"class": "form-select is-invalid", "id": "id_territoire", "required": True, "disabled": False}
    ours = Select(choices=choices).render("territoire", value, attrs=attrs)
    django = forms.Select(choices=choices).render("territoire", value, attrs=attrs)
    assert ours == django
    assert "&lt;Lens&gt;" in ours and "disabled" not in ours
