"""Indicators: worked examples (hand-computed), scope, people lists, query bounds, exports."""

import csv
import datetime
import html
import io
import itertools
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from accompagnement import indicateurs
from accompagnement.models import (
    ActiviteHebdomadaire,
    Beneficiaire,
    Cer,
    Entretien,
    Orientation,
    Sortie,
    TypeAccompagnement,
)
from portal.core.formats import format_number
from tests.factories import ReferentFactory, StructureFactory

CAF = itertools.count(5000001)
D = datetime.date


def at(day):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC))


def orient(structure, referent, date_orientation, *, kind="solidarite", date_fin=None, territoire=None, nom="Test"):
    kind = TypeAccompagnement.objects.get(code=kind)
    beneficiaire = Beneficiaire.objects.create(
        numero_caf=str(next(CAF)),
        nom=nom,
        prenom="Personne",
        date_naissance=D(1985, 1, 1),
        sexe="F",
        code_postal="62000",
        commune="Arras",
        territoire=territoire or structure.territoires.first(),
    )
    return Orientation.objects.create(
        beneficiaire=beneficiaire,
        structure=structure,
        type_accompagnement=kind,
        date_orientation=date_orientation,
        referent=referent,
        date_affectation=date_orientation if referent else None,
        date_fin=date_fin,
        source="saisie",
        **kind.date_limits(date_orientation),
    )


def entretien(orientation, day, presence="present", mode="physique", nature="intermediaire"):
    return Entretien.objects.create(orientation=orientation, date=day, mode=mode, nature=nature, presence=presence)


def cer(orientation, signe_le):
    return Cer.objects.create(
        orientation=orientation,
        type="solidarite",
        date_edition=signe_le,
        date_debut=signe_le,
        date_fin=signe_le + datetime.timedelta(days=182),
        remarque="Remarque.",
        signe_le=signe_le,
    )


def sortie(orientation, day, motif):
    orientation.date_fin = day
    orientation.save(update_fields=["date_fin"])
    return Sortie.objects.create(orientation=orientation, date=day, motif=motif)


@pytest.fixture
def structure_c(world):
    """A structure of territory A with one referent, away from the world's people."""
    structure = StructureFactory(nom="Structure C", territoires=[world.territoire_a])
    return structure, ReferentFactory(structure=structure, nom="Delta", prenom="Denis")


def total(structure, du, au, today):
    _, line = indicateurs.tableau(
        Orientation.objects.filter(structure=structure),
        periode=indicateurs.Periode(du, au),
        grouper="referent",
        today=today,
    )
    return line


# --- worked examples -------------------------------------------------------------------------


def test_entries_exits_by_category_file_active_and_monthly_series(structure_c):
    structure, referent = structure_c
    orient(structure, referent, D(2025, 12, 1))  # active at the end, entered before
    o2 = orient(structure, referent, D(2026, 2, 1))
    sortie(o2, D(2026, 5, 31), "cdi")  # emploi durable
    o3 = orient(structure, referent, D(2026, 3, 1))
    sortie(o3, D(2026, 6, 30), "chomage")  # ends on the period's last day: not in the file active
    orient(structure, referent, D(2026, 6, 30))  # enters on the last day
    o5 = orient(structure, referent, D(2025, 6, 1))
    sortie(o5, D(2026, 7, 15), "cdd_court")  # exit after the period: still active at its end
    orient(structure, referent, D(2026, 7, 1))  # after the period

    line = total(structure, D(2026, 1, 1), D(2026, 6, 30), D(2026, 12, 15))
    v = line.valeurs
    assert (v["entrees"], v["sorties"], v["sorties_dynamiques"], v["file_active"]) == (3, 2, 1, 3)
    assert v["sorties_emploi_durable"] == 1
    assert v["sorties_situation_financiere"] == 1
    assert v["sorties_emploi_transition"] == 0

    serie = indicateurs.serie_mensuelle(
        Orientation.objects.filter(structure=structure), indicateurs.Periode(D(2026, 1, 1), D(2026, 6, 30))
    )
    assert [m["file_active"] for m in serie] == [2, 3, 4, 4, 3, 3]
    assert [m["entrees"] for m in serie] == [0, 1, 1, 0, 0, 1]
    assert [m["sorties"] for m in serie] == [0, 0, 0, 0, 1, 1]
    assert serie[0]["libelle"] == "janvier 2026"


def test_contractualisation_raw_and_with_absenteeism(structure_c):
    """12 people entered, 8 with a signed CER; 2 never came and missed an appointment without
    excuse: raw 8/12 = 66,7 %, with absenteeism 8/10 = 80,0 % (target reached)."""
    structure, referent = structure_c
    signed = [orient(structure, referent, D(2026, 2, 1)) for _ in range(8)]
    for person in signed:
        cer(person, D(2026, 2, 15))
    for _ in range(2):  # never came, one unjustified absence: out of the denominator
        entretien(orient(structure, referent, D(2026, 2, 1)), D(2026, 2, 10), presence="absent")
    entretien(orient(structure, referent, D(2026, 2, 1)), D(2026, 2, 10), presence="excuse")  # excused: counted
    late_comer = orient(structure, referent, D(2026, 2, 1))  # absent once, then came: counted
    entretien(late_comer, D(2026, 2, 10), presence="absent")
    entretien(late_comer, D(2026, 2, 20))
    cer(orient(structure, referent, D(2025, 11, 1)), D(2025, 11, 20))  # entered before the period

    line = total(structure, D(2026, 1, 1), D(2026, 6, 30), D(2026, 12, 15))
    assert (line.valeurs["entrees"], line.valeurs["contractualisables"], line.valeurs["cer_signe"]) == (12, 10, 8)
    assert line.taux["taux_contractualisation"] == Decimal("80.0")
    assert line.taux["taux_contractualisation_brut"] == Decimal("66.7")
    cells = {c.code: (value, reached) for c, value, reached in line.cellules(indicateurs.COLONNES)}
    assert cells["taux_contractualisation"] == (Decimal("80.0"), True)
    assert indicateurs.format_valeur(
        indicateurs.COLONNE_PAR_CODE["taux_contractualisation_brut"], Decimal("66.7")
    ) == ("66,7\u00a0%")


def test_people_still_within_their_cer_delay_do_not_lower_the_contractualisation_rate(structure_c):
    """Oriented 1 October 2026 (CER due 1 December), no CER yet on 25 November: not a failure
    to contract yet. 2 people entered in September signed: 2/2 = 100 %, not 2/3."""
    structure, referent = structure_c
    for _ in range(2):
        cer(orient(structure, referent, D(2026, 9, 1)), D(2026, 9, 20))
    orient(structure, referent, D(2026, 10, 1))
    line = total(structure, D(2026, 1, 1), D(2026, 11, 25), D(2026, 11, 25))
    assert (line.valeurs["entrees"], line.valeurs["contractualisables"]) == (3, 2)
    assert line.taux["taux_contractualisation"] == Decimal("100.0")
    # Once the delay has passed without a CER, the person counts against the rate.
    line = total(structure, D(2026, 1, 1), D(2026, 11, 25), D(2026, 12, 2))
    assert line.taux["taux_contractualisation"] == Decimal("66.7")


def test_cer_within_two_months_and_average_delay(structure_c):
    """Oriented 10 January: due 10 March. Signed 10 March is on time, 11 March (2 months and
    1 day) is late; six more signed after 14 days; a ninth person is past the due date without a
    CER: 7/9 = 77,8 % on time; mean delay (59 + 60 + 6 × 14) / 8 = 25,4 days."""
    structure, referent = structure_c
    on_time = orient(structure, referent, D(2026, 1, 10))
    assert on_time.date_limite_cer == D(2026, 3, 10)
    cer(on_time, D(2026, 3, 10))
    cer(orient(structure, referent, D(2026, 1, 10)), D(2026, 3, 11))
    for _ in range(6):
        cer(orient(structure, referent, D(2026, 2, 1)), D(2026, 2, 15))
    orient(structure, referent, D(2026, 2, 1))  # no CER, due 1 April: late
    line = total(structure, D(2026, 1, 1), D(2026, 6, 30), D(2026, 12, 15))
    assert (line.valeurs["cer_dans_delai"], line.valeurs["cer_evaluables"]) == (7, 9)
    assert line.taux["taux_cer_dans_delai"] == Decimal("77.8")
    assert line.taux["delai_cer_jours"] == Decimal("25.4")


def test_first_appointment_within_15_days_counts_only_due_or_met(structure_c):
    """Équilibré, oriented 2 November 2026 (due 17 November). Today 10 December."""
    structure, referent = structure_c
    entretien(orient(structure, referent, D(2026, 11, 2), kind="equilibre"), D(2026, 11, 17))  # on time
    entretien(orient(structure, referent, D(2026, 11, 2), kind="equilibre"), D(2026, 11, 18))  # a day late
    orient(structure, referent, D(2026, 11, 2), kind="equilibre")  # never came: late
    orient(structure, referent, D(2026, 11, 30), kind="equilibre")  # due 15 December: not yet counted
    absent_first = orient(structure, referent, D(2026, 11, 3), kind="equilibre")
    entretien(absent_first, D(2026, 11, 5), presence="absent")
    entretien(absent_first, D(2026, 11, 10))  # first attended interview on time
    orient(structure, referent, D(2026, 11, 2))  # référent solidarité: no 15-day rule
    line = total(structure, D(2026, 11, 1), D(2026, 11, 30), D(2026, 12, 10))
    assert (line.valeurs["rdv_dans_delai"], line.valeurs["rdv_evaluables"]) == (2, 4)
    assert line.taux["taux_rdv_dans_delai"] == Decimal("50.0")


def test_physical_interviews_per_place_and_per_year(structure_c):
    """2026: two people all year, one from 2 July (183 days), one until 1 July (182 days): 3
    places on average; 12 physical attended interviews → 4,0 per place and per year (target)."""
    structure, referent = structure_c
    o1 = orient(structure, referent, D(2025, 12, 1))
    o2 = orient(structure, referent, D(2025, 12, 1))
    o3 = orient(structure, referent, D(2026, 7, 2))
    o4 = orient(structure, referent, D(2025, 3, 1), date_fin=D(2026, 7, 2))
    for orientation, count in ((o1, 6), (o2, 3), (o3, 2), (o4, 1)):
        for i in range(count):
            entretien(orientation, D(2026, 7 if orientation == o3 else 1, 10 + i))
    entretien(o1, D(2025, 12, 20))  # before the period
    entretien(o1, D(2026, 3, 3), mode="telephone")  # not physical
    entretien(o1, D(2026, 3, 4), presence="absent")  # not attended
    line = total(structure, D(2026, 1, 1), D(2026, 12, 31), D(2027, 1, 15))
    assert line.valeurs["jours_accompagnement"] == 3 * 365
    assert line.valeurs["entretiens_physiques"] == 12
    assert line.taux["entretiens_par_place"] == Decimal("4.0")
    cells = {c.code: reached for c, _, reached in line.cellules(indicateurs.COLONNES)}
    assert cells["entretiens_par_place"] is True


def test_dynamic_exit_within_12_months(structure_c):
    """2026's cohort: oriented in 2025. An exit on the first anniversary counts, the day after
    does not; a financial exit is not dynamic: 1/4 = 25,0 %."""
    structure, referent = structure_c
    sortie(orient(structure, referent, D(2025, 3, 10)), D(2026, 3, 10), "cdi")
    sortie(orient(structure, referent, D(2025, 3, 10)), D(2026, 3, 11), "formation_qualifiante")
    sortie(orient(structure, referent, D(2025, 5, 1)), D(2025, 9, 1), "aah")
    orient(structure, referent, D(2025, 6, 1))
    sortie(orient(structure, referent, D(2026, 2, 1)), D(2026, 5, 1), "cdi")  # not in the cohort
    line = total(structure, D(2026, 1, 1), D(2026, 12, 31), D(2027, 1, 15))
    assert (line.valeurs["sortie_12_mois"], line.valeurs["cohorte_12_mois"]) == (1, 4)
    assert line.taux["taux_sortie_12_mois"] == Decimal("25.0")


def test_weeks_of_15_hours(structure_c):
    structure, referent = structure_c
    o1 = orient(structure, referent, D(2026, 1, 5), kind="equilibre")
    o2 = orient(structure, referent, D(2026, 1, 5), kind="equilibre")
    for week, hours in (
        (D(2026, 1, 5), "15"),
        (D(2026, 1, 12), "20"),
        (D(2026, 1, 19), "35"),
        (D(2026, 1, 26), "14.5"),
    ):
        ActiviteHebdomadaire.objects.create(orientation=o1, semaine=week, heures=Decimal(hours))
    ActiviteHebdomadaire.objects.create(orientation=o2, semaine=D(2026, 1, 5), heures=Decimal("10"))
    ActiviteHebdomadaire.objects.create(orientation=o2, semaine=D(2026, 7, 6), heures=Decimal("30"))  # after
    line = total(structure, D(2026, 1, 1), D(2026, 6, 30), D(2026, 12, 15))
    assert (line.valeurs["semaines_15h"], line.valeurs["semaines"]) == (3, 5)
    assert line.taux["taux_semaines_15h"] == Decimal("60.0")


def test_default_period_is_the_last_12_complete_months():
    periode = indicateurs.Periode.douze_derniers_mois(D(2026, 3, 15))
    assert (periode.du, periode.au) == (D(2025, 3, 1), D(2026, 2, 28))
    assert len(periode.mois()) == 12


# --- pages, scope, people lists --------------------------------------------------------------


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def team(world):
    """In structure A, in November 2026: 2 people for the referent user (one with a CER), 1 for
    the colleague; the world's three orientations of 1 October 2026 are there too."""
    cer(world.orientation_a, D(2026, 10, 20))
    mine = orient(world.structure_a, world.referent_a, D(2026, 11, 2), nom="Martin")
    colleague = orient(world.structure_a, world.autre_referent_a, D(2026, 11, 3), nom="Nadal")
    return mine, colleague


@at(D(2026, 12, 15))
def test_referent_sees_only_their_own_line(client_for, world, team):
    response = client_for("referent").get(reverse("accompagnement:indicateurs"))
    assert response.status_code == 200
    body = text(response)
    assert "Anne Alpha" in body
    assert "Bruno Bravo" not in body
    assert "Du 1er décembre 2025 au 30 novembre 2026" in body
    lignes = response.context["lignes"]
    assert [ligne.libelle for ligne, _ in lignes] == ["Anne Alpha"]
    ligne = lignes[0][0]
    assert ligne.valeurs["entrees"] == 2  # Aubert (1 October) and Martin
    assert ligne.taux["taux_contractualisation_brut"] == Decimal("50.0")
    assert 'id="serie-mensuelle"' in body
    assert "js/indicateurs-graphique.js" in body


@at(D(2026, 12, 15))
def test_responsable_sees_its_referents_and_total_slai_its_structures(client_for, world, team):
    response = client_for("responsable").get(reverse("accompagnement:indicateurs"))
    assert [ligne.libelle for ligne, _ in response.context["lignes"]] == ["Anne Alpha", "Bruno Bravo"]
    assert response.context["total"][0]["texte"] == "4"  # entries of structure A
    response = client_for("slai").get(reverse("accompagnement:indicateurs"))
    assert [ligne.libelle for ligne, _ in response.context["lignes"]] == ["Structure A"]
    response = client_for("dpid").get(reverse("accompagnement:indicateurs"), {"grouper": "structure"})
    assert [ligne.libelle for ligne, _ in response.context["lignes"]] == ["Structure A", "Structure B"]


@pytest.mark.parametrize(
    ("role", "grouping"),
    [("referent", "referent"), ("responsable", "referent"), ("slai", "structure"), ("dpid", "territoire")],
)
@at(D(2026, 12, 15))
def test_the_grouping_select_shows_the_grouping_used(client_for, world, team, role, grouping):
    """Without a choice, each role's default grouping is the one selected in the form (the select
    showed "Référent" above a table grouped by territory)."""
    import re

    response = client_for(role).get(reverse("accompagnement:indicateurs"))
    select = re.search(r'<select name="grouper".*?</select>', response.content.decode(), re.S).group(0)
    assert re.findall(r'<option value="(\w+)" selected>', select) == [grouping]


@at(D(2026, 12, 15))
def test_sort_by_column_and_filters(client_for, world, team):
    client = client_for("dpid")
    url = reverse("accompagnement:indicateurs")
    orient(world.structure_b, world.referent_b, D(2026, 11, 5))
    orient(world.structure_b, world.referent_b, D(2026, 11, 6))
    ascending = client.get(url, {"grouper": "structure", "tri": "entrees"})
    assert [ligne.libelle for ligne, _ in ascending.context["lignes"]] == ["Structure B", "Structure A"]  # 3 < 4
    descending = client.get(url, {"grouper": "structure", "tri": "-entrees"})
    assert [ligne.libelle for ligne, _ in descending.context["lignes"]] == ["Structure A", "Structure B"]
    assert 'aria-sort="descending"' in descending.content.decode()
    filtered = client.get(url, {"grouper": "structure", "territoire": world.territoire_b.pk})
    assert [ligne.libelle for ligne, _ in filtered.context["lignes"]] == ["Structure B"]
    equilibre = TypeAccompagnement.objects.get(code="equilibre")
    assert client.get(url, {"type_accompagnement": equilibre.pk}).context["lignes"] == []


@at(D(2026, 12, 15))
def test_invalid_period_shows_an_error(client_for, world):
    response = client_for("dpid").get(reverse("accompagnement:indicateurs"), {"du": "2026-06-01", "au": "2026-01-01"})
    assert response.status_code == 200
    assert "La fin de la période doit suivre son début." in text(response)
    assert "lignes" not in response.context


@at(D(2026, 12, 15))
def test_each_figure_links_to_its_people_within_scope(client_for, world, team):
    mine, _colleague = team
    client = client_for("referent")
    response = client.get(reverse("accompagnement:indicateurs"))
    _, cells = response.context["lignes"][0]
    entrees = next(cell for cell in cells if cell["colonne"].code == "entrees")
    people = client.get(entrees["url"])
    assert people.status_code == 200
    body = text(people)
    assert "Aubert" in body and "Martin" in body
    assert "Nadal" not in body and "Bailly" not in body
    assert reverse("accompagnement:beneficiaire_detail", args=[mine.beneficiaire_id]) in body
    # The rate's population says who is in the numerator.
    assert "CER signé" in body
    rows = people.context["page"].object_list
    assert {o.beneficiaire.nom: o.au_numerateur for o in rows} == {"Aubert": True, "Martin": False}


@at(D(2026, 12, 15))
def test_people_list_refuses_a_group_out_of_scope(client_for, world, team):
    url = reverse("accompagnement:indicateurs_personnes")
    params = {"population": "entrees", "grouper": "referent", "groupe": world.autre_referent_a.pk}
    assert client_for("referent").get(url, params).status_code == 404
    assert client_for("responsable").get(url, params).status_code == 200
    other = {"population": "entrees", "grouper": "structure", "groupe": world.structure_b.pk}
    assert client_for("slai").get(url, other).status_code == 404
    assert client_for("responsable").get(url, {"population": "inconnue"}).status_code == 404
    # Without a group: the whole scope, still the referent's own people only.
    body = text(client_for("referent").get(url, {"population": "file_active"}))
    assert "Aubert" in body and "Bailly" not in body


def _make_people(world, count):
    """`count` people entered in March 2026 (bulk inserts: 2 000 people stay quick)."""
    kind = TypeAccompagnement.objects.get(code="solidarite")
    people = Beneficiaire.objects.bulk_create(
        Beneficiaire(
            numero_caf=str(next(CAF)),
            nom="Volume",
            prenom="Personne",
            date_naissance=D(1985, 1, 1),
            sexe="F",
            code_postal="62000",
            commune="Arras",
            territoire=world.territoire_a,
        )
        for _ in range(count)
    )
    orientations = Orientation.objects.bulk_create(
        Orientation(
            beneficiaire=person,
            structure=world.structure_a,
            type_accompagnement=kind,
            date_orientation=D(2026, 3, 1 + i % 28),
            referent=world.referent_a if i % 2 else world.autre_referent_a,
            date_affectation=D(2026, 3, 1 + i % 28),
            date_fin=D(2026, 9, 1) if i % 5 == 0 else None,
            source="saisie",
            **kind.date_limits(D(2026, 3, 1 + i % 28)),
        )
        for i, person in enumerate(people)
    )
    Entretien.objects.bulk_create(
        Entretien(orientation=o, date=D(2026, 3, 10), mode="physique", nature="intermediaire", presence="present")
        for o in orientations
    )
    Cer.objects.bulk_create(
        Cer(
            orientation=o,
            type="solidarite",
            date_edition=D(2026, 4, 1),
            date_debut=D(2026, 4, 1),
            date_fin=D(2026, 9, 30),
            remarque="Remarque.",
            signe_le=D(2026, 4, 1),
        )
        for i, o in enumerate(orientations)
        if i % 3 == 0
    )
    Sortie.objects.bulk_create(
        Sortie(orientation=o, date=D(2026, 9, 1), motif="cdi") for i, o in enumerate(orientations) if i % 5 == 0
    )
    ActiviteHebdomadaire.objects.bulk_create(
        ActiviteHebdomadaire(orientation=o, semaine=D(2026, 3, 2), heures=Decimal("16")) for o in orientations
    )
    Orientation.objects.refresh_premiers()  # bulk_create sends no signal: as the bulk loaders do


@pytest.mark.parametrize("count", [10, 2000])
@at(D(2026, 12, 15))
def test_indicators_page_has_a_bounded_number_of_queries(client_for, world, count, django_assert_max_num_queries):
    _make_people(world, count)
    client = client_for("responsable")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accompagnement:indicateurs"))
    assert response.context["total"][0]["texte"] == format_number(count + 2, 0)
    with django_assert_max_num_queries(8):
        client.get(reverse("accompagnement:indicateurs_personnes"), {"population": "entrees"})
    with django_assert_max_num_queries(7):
        client.get(reverse("accompagnement:indicateurs_export"), {"format": "xlsx"})


# --- exports ---------------------------------------------------------------------------------


@at(D(2026, 12, 15))
def test_csv_export_french_semicolons_bom(client_for, world, team):
    response = client_for("responsable").get(reverse("accompagnement:indicateurs_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="indicateurs_2025-12-01_2026-11-30.csv"' in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[0] == "Référent"
    assert "Taux brut (%)" in header
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"Anne Alpha", "Bruno Bravo", "Total"}
    assert by_name["Total"]["Entrées"] == "4"
    assert by_name["Total"]["Taux brut (%)"] == "25,0"  # 1 signed CER / 4 entries
    assert by_name["Anne Alpha"]["Taux brut (%)"] == "50,0"


@at(D(2026, 12, 15))
def test_xlsx_export_opens_with_numbers(client_for, world, team):
    response = client_for("responsable").get(reverse("accompagnement:indicateurs_export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Indicateurs du 1er décembre 2025 au 30 novembre 2026"
    header = rows[1]
    total_row = dict(zip(header, rows[-1], strict=True))
    assert total_row["Référent"] == "Total"
    assert total_row["Entrées"] == 4
    assert total_row["Taux brut (%)"] == pytest.approx(0.25)
    column = header.index("Taux brut (%)") + 1
    assert sheet.cell(row=sheet.max_row, column=column).number_format == "0.0%"


@at(D(2026, 12, 15))
def test_export_of_an_invalid_period_goes_back_to_the_page(client_for, world):
    params = {"format": "csv", "du": "2026-06-01", "au": "2026-01-01"}
    response = client_for("dpid").get(reverse("accompagnement:indicateurs_export"), params, follow=True)
    body = text(response)
    assert "La période choisie n'est pas valide" in body
    assert "La fin de la période doit suivre son début." in body


@at(D(2026, 12, 15))
def test_export_refuses_an_unknown_format(client_for, world):
    assert client_for("dpid").get(reverse("accompagnement:indicateurs_export"), {"format": "pdf"}).status_code == 404
