"""Indicators of closed months computed once and kept (accompagnement/gardes.py): the table they
give is the live table's, a write of the structure forgets them, a deadline still open keeps them
for one day only, and the page's query count does not depend on the data."""

import datetime
import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement import gardes, indicateurs
from accompagnement.enums import EtatDemande
from accompagnement.models import (
    ActiviteHebdomadaire,
    DemandeReorientation,
    IndicateurMensuel,
    Orientation,
    TypeAccompagnement,
)
from tests.accompagnement.test_indicateurs import at, cer, entretien, orient, sortie
from tests.factories import ReferentFactory, StructureFactory

D = datetime.date
TODAY = D(2026, 12, 15)
CODES = [c for c in indicateurs.aggregates(indicateurs.Periode(TODAY, TODAY), TODAY) if c not in gardes.NON_ADDITIFS]


@pytest.fixture
def history(world):
    """Two years of accompaniment in structures A and B: entries, exits of every kind, CERs in and
    out of their delay, interviews (one after the exit), weeks of activity, a person of another
    territory, an archived person, a reorientation, people without referent."""
    a, b = world.structure_a, world.structure_b
    ref, other, ref_b = world.referent_a, world.autre_referent_a, world.referent_b
    people = []
    for i, day in enumerate([D(2025, 1, 10), D(2025, 3, 5), D(2025, 6, 20), D(2025, 11, 2), D(2026, 2, 14)]):
        o = orient(a, ref if i % 2 else other, day, nom=f"A{i}")
        cer(o, day + datetime.timedelta(days=30 + 20 * i))
        entretien(o, day + datetime.timedelta(days=10))
        entretien(o, day + datetime.timedelta(days=40), presence="absent")
        entretien(o, day + datetime.timedelta(days=70), mode="telephone")
        people.append(o)
    sortie(people[0], D(2025, 9, 30), "cdi")
    sortie(people[1], D(2026, 4, 15), "chomage")
    entretien(people[1], D(2026, 5, 20))  # after the exit: still counted in its month
    sortie(people[2], D(2026, 1, 31), "cdd_court")
    for week in range(8):
        ActiviteHebdomadaire.objects.create(
            orientation=people[3], semaine=D(2025, 11, 3) + datetime.timedelta(weeks=week), heures=Decimal(12 + week)
        )
    elsewhere = orient(a, ref, D(2025, 8, 1), territoire=world.territoire_b, nom="Ailleurs")
    entretien(elsewhere, D(2025, 8, 20))
    unassigned = orient(a, None, D(2026, 6, 2), nom="Sansreferent")
    entretien(unassigned, D(2026, 6, 30), presence="absent")
    archived = orient(a, ref, D(2025, 2, 2), nom="Archive")
    sortie(archived, D(2025, 12, 20), "aah")
    archived.beneficiaire.archive_le = D(2026, 6, 1)
    archived.beneficiaire.save()
    for i, day in enumerate([D(2025, 4, 1), D(2025, 10, 12), D(2026, 3, 3), D(2026, 9, 9)]):
        o = orient(b, ref_b, day, kind="equilibre" if i % 2 else "solidarite", nom=f"B{i}")
        cer(o, day + datetime.timedelta(days=50))
        entretien(o, day + datetime.timedelta(days=12))
        people.append(o)
    new = orient(b, ref_b, D(2026, 5, 2), kind="equilibre", nom="Reoriente")
    sortie(people[5], D(2026, 5, 1), "reorientation")
    DemandeReorientation.objects.create(
        orientation=people[5],
        date_demande=D(2026, 4, 20),
        type_souhaite=TypeAccompagnement.objects.get(code="equilibre"),
        argumentaire="Projet professionnel.",
        etat=EtatDemande.ACCEPTEE,
        decidee_le=D(2026, 5, 1),
        nouvelle_orientation=new,
    )
    return people


def _live(user, periode, grouper, **filters):
    queryset = Orientation.objects.visible_to(user).filter(**filters)
    return indicateurs.tableau(queryset, periode=periode, grouper=grouper, today=timezone.localdate())


def _shape(lignes, total):
    def one(ligne):
        return (ligne.cle, ligne.libelle, {c: ligne.valeurs[c] or 0 for c in CODES}, ligne.taux)

    return [one(ligne) for ligne in lignes], one(total)


def _page(client, **params):
    response = client.get(reverse("accompagnement:indicateurs"), params)
    assert response.status_code == 200
    return response


PERIODES = {
    "12 derniers mois": (None, None),
    "année en cours": (D(2026, 1, 1), TODAY),
    "bords partiels": (D(2025, 2, 15), D(2026, 10, 10)),
    "deux ans": (D(2025, 1, 1), D(2026, 11, 30)),
}
FILTRES = {
    "aucun": ({}, {}),
    "type": (
        {"type_accompagnement": "solidarite"},
        {"type_accompagnement__code": "solidarite"},
    ),
}


@pytest.mark.parametrize("role", ["dpid", "manager", "slai", "responsable", "referent"])
@pytest.mark.parametrize("periode", PERIODES)
@at(TODAY)
def test_kept_months_give_the_live_table(client_for, world, history, role, periode):
    du, au = PERIODES[periode]
    client = client_for(role)
    user = world.user(role)
    for grouper in ("referent", "structure", "territoire"):
        for filtre, (form_filter, orm_filter) in FILTRES.items():
            params = {"grouper": grouper, **({"du": du.isoformat(), "au": au.isoformat()} if du else {})}
            if form_filter:
                params["type_accompagnement"] = TypeAccompagnement.objects.get(code="solidarite").pk
            for _ in ("cold", "warm"):
                response = _page(client, **params)
                ctx = response.context
                expected = _shape(*_live(user, ctx["periode"], grouper, **orm_filter))
                got = _shape([ligne for ligne, _ in ctx["lignes"]], ctx["total_ligne"])
                assert got == expected, (role, periode, grouper, filtre)
            live_serie = indicateurs.serie_mensuelle(
                Orientation.objects.visible_to(user).filter(**orm_filter), ctx["periode"]
            )
            assert ctx["serie"] == live_serie
    assert IndicateurMensuel.objects.filter(calcul=True).exists()


def _kept(structure):
    return IndicateurMensuel.objects.filter(calcul=True, structure_id=structure.pk)


def _move(beneficiaire, territoire):
    beneficiaire.territoire = territoire
    beneficiaire.save()


def _archive(beneficiaire):
    beneficiaire.archive_le = TODAY
    beneficiaire.save()


def _assign(world):
    orientation = Orientation.objects.get(beneficiaire__nom="Sansreferent")
    orientation.referent = world.referent_a
    orientation.date_affectation = D(2026, 6, 10)
    orientation.save()


WRITES = {
    "cer": lambda w, p: cer(p[4], D(2026, 3, 1)),
    "entretien": lambda w, p: entretien(p[4], D(2026, 3, 10)),
    "sortie": lambda w, p: sortie(p[3], D(2026, 7, 10), "cdi"),
    "semaine": lambda w, p: ActiviteHebdomadaire.objects.create(
        orientation=p[4], semaine=D(2026, 3, 2), heures=Decimal(20)
    ),
    "orientation": lambda w, p: orient(w.structure_a, w.referent_a, D(2026, 8, 8), nom="Nouveau"),
    "affectation": lambda w, p: _assign(w),
    "territoire": lambda w, p: _move(p[4].beneficiaire, w.territoire_b),
    "archive": lambda w, p: _archive(p[4].beneficiaire),
    "reorientation": lambda w, p: DemandeReorientation.objects.filter(orientation=p[5]).delete(),
    "suppression_entretien": lambda w, p: p[3].entretiens.filter(presence="present").first().delete(),
}
PERIODE = indicateurs.Periode(D(2025, 1, 1), D(2026, 11, 30))


def _state(client_for, world):
    """What the DPID (by referent, by territory) and a manager (no archived person) see."""
    state = []
    for role, grouper in (("dpid", "referent"), ("dpid", "territoire"), ("manager", "referent")):
        params = {"grouper": grouper, "du": PERIODE.du.isoformat(), "au": PERIODE.au.isoformat()}
        got = _shape(*_page_lines(client_for(role), params))
        assert got == _shape(*_live(world.user(role), PERIODE, grouper))
        state.append(got)
    return state


@pytest.mark.parametrize("write", WRITES)
@at(TODAY)
def test_a_write_of_the_structure_forgets_its_kept_months(client_for, world, history, write):
    """Each kind of write through the ORM forgets the structure's kept months (not the other
    structure's), and the next page gives the live figures again."""
    before = _state(client_for, world)
    structure = world.structure_b if write == "reorientation" else world.structure_a
    other = world.structure_a if structure == world.structure_b else world.structure_b
    assert _kept(structure).count() == 23 and _kept(other).count() == 23
    WRITES[write](world, history)
    assert not _kept(structure).exists()
    assert _kept(other).count() == 23
    assert _state(client_for, world) != before  # and equal to the live tables (in `_state`)


def _page_lines(client, params):
    ctx = _page(client, **params).context
    return [ligne for ligne, _ in ctx["lignes"]], ctx["total_ligne"]


def test_a_month_whose_deadline_is_open_is_computed_again_the_next_day(client_for, world):
    """Entered on 1 October 2026, CER due by 1 December: on 30 November the person is not yet
    counted among the CERs to assess for October; on 2 December they are (without a CER)."""
    structure = StructureFactory(nom="Structure C", territoires=[world.territoire_a])
    orient(structure, ReferentFactory(structure=structure), D(2026, 10, 1), nom="Echeance")
    params = {"du": "2026-10-01", "au": "2026-10-31", "structure": structure.pk, "grouper": "structure"}
    with at(D(2026, 11, 30)):
        first = _page(client_for("dpid"), **params).context["total_ligne"].valeurs["cer_evaluables"]
        assert first == 0
        kept = _kept(structure).get(mois=D(2026, 10, 1))
        assert kept.echeance is not None
    with at(D(2026, 12, 2)):
        again = _page(client_for("dpid"), **params).context["total_ligne"].valeurs["cer_evaluables"]
        assert _kept(structure).get(mois=D(2026, 10, 1)).jour_calcul == D(2026, 12, 2)
    assert again == 1
    # Every deadline of October has now passed: the month computed on 2 December holds later.
    with at(D(2026, 12, 20)):
        assert _page(client_for("dpid"), **params).context["total_ligne"].valeurs["cer_evaluables"] == again
        assert _kept(structure).get(mois=D(2026, 10, 1)).jour_calcul == D(2026, 12, 2)


@at(TODAY)
def test_the_page_tells_when_the_closed_months_were_computed(client_for, world, history):
    body = html.unescape(_page(client_for("dpid")).content.decode())
    assert "Mois clos : chiffres calculés le 15 décembre 2026 à 11:00" in body
    assert "recalculés dès qu'un dossier de la structure change" in body
    body = html.unescape(_page(client_for("dpid"), du="2026-01-01", au=TODAY.isoformat()).content.decode())
    assert "mois en cours ou partiels : en temps réel" in body


@pytest.mark.parametrize("role", ["dpid", "responsable"])
@at(TODAY)
def test_query_count_does_not_depend_on_the_months_or_the_data(
    client_for, world, history, role, django_assert_max_num_queries
):
    client = client_for(role)
    params = {"du": "2022-01-01", "au": "2026-12-10", "grouper": "referent"}  # 59 months, edges live
    with django_assert_max_num_queries(15):  # cold: every month computed in one query, kept in two
        _page(client, **params)
    with django_assert_max_num_queries(12):  # warm: the edges live (one query, one for the chart)
        _page(client, **params)
    with django_assert_max_num_queries(10):
        _page(client)  # 12 closed months, all kept: no live query


@at(TODAY)
def test_nightly_precomputation_spares_the_first_visitor(client_for, world, history, django_assert_max_num_queries):
    assert gardes.precalculer(TODAY) >= 2 * 12  # structures A and B at least, 12 months each
    assert gardes.precalculer(TODAY) == 0
    client = client_for("dpid")
    with django_assert_max_num_queries(10):  # nothing left to compute
        _page(client)


@at(TODAY)
def test_bulk_writes_forget_the_kept_months(client_for, world, history):
    """The orientation import (bulk_create, no signal) and the retention run (UPDATE, bulk
    DELETE) forget the kept months of the structures concerned: the next page is the live one."""
    from accompagnement import retention
    from accompagnement.imports import apply
    from tests.accompagnement.test_import import check_file, line, make_csv

    state = _state(client_for, world)
    apply(check_file(make_csv([line(world, numero_caf="7700001", date_orientation="15/03/2026")])), user=None)
    assert not _kept(world.structure_a).exists()
    assert _state(client_for, world) != state  # one more entry in March 2026
    state = _state(client_for, world)
    # The person who left in September 2025 is archived 24 months later, then purged at 60.
    retention.retention_apply(today=D(2027, 10, 1))
    assert not _kept(world.structure_a).exists()
    with at(D(2027, 10, 1)):
        assert _state(client_for, world) != state  # the manager no longer sees them
    retention.retention_apply(today=D(2030, 10, 1))
    assert not _kept(world.structure_a).exists()
    with at(D(2030, 10, 1)):
        _state(client_for, world)  # equal to the live tables


@at(TODAY)
def test_nightly_task(world, history):
    from accompagnement.tasks import indicateurs_precalcul

    assert indicateurs_precalcul.delay().get()["mois_calcules"] >= 24
    assert indicateurs_precalcul.delay().get()["mois_calcules"] == 0
