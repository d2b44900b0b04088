"""The person's territory kept on each orientation (`Orientation.territoire`): a SLAI's caseload and
"À traiter" list exactly what the person's own territory gave before (same people, same order,
archived people left out), whichever way the orientation was written, and follow a person who moves."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accompagnement.imports import apply, check_file
from accompagnement.models import (
    Beneficiaire,
    DemandeReorientation,
    Entretien,
    Orientation,
    ProcedureSuspension,
    TypeAccompagnement,
)
from accompagnement.selectors import late_condition, late_first
from portal.accounts.enums import Role
from tests.accompagnement.test_import import line, make_csv
from tests.factories import UserFactory

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


def person(caf, territoire, *, archive_le=None, date_naissance=datetime.date(1980, 1, 1)):
    return Beneficiaire.objects.create(
        numero_caf=caf,
        nom=f"Nom{caf}",
        prenom="P",
        date_naissance=date_naissance,
        sexe="F",
        code_postal="62000",
        commune="Arras",
        territoire=territoire,
        archive_le=archive_le,
    )


def former_caseload(territoire, today):
    """What a SLAI's file active listed when the territory was read through the person."""
    rows = Orientation.objects.filter(
        beneficiaire__territoire=territoire, beneficiaire__archive_le__isnull=True, date_fin__isnull=True
    )
    return list(late_first(rows, today).values_list("pk", flat=True))


def pks(block):
    """The keys of a block of "À traiter", in the page's order."""
    return [row["pk"] for row in block["rows"]]


def listed(client):
    """Every orientation of the caseload, page after page, in the order shown."""
    pks, page = [], 1
    while True:
        response = client.get(reverse("accompagnement:caseload"), {"page": page})
        pks += [orientation.pk for orientation, _ in response.context["rows"]]
        if not response.context["page"].has_next():
            return pks
        page += 1


@pytest.fixture
def department(world):
    """People of both territories written every way the application writes orientations: one by
    one, in bulk without their territory, through the import (a known person of territory B on a
    line saying Arrageois), with an archived person still oriented, a person of territory A oriented
    to territory B's structure, late and on-time people over two pages."""
    kind = TypeAccompagnement.objects.get(code="solidarite")
    slai_b = UserFactory(role=Role.SLAI, territoire=world.territoire_b, email="slai-b@example.test")
    people = [person(f"3{n:06d}", world.territoire_a if n % 3 else world.territoire_b) for n in range(40)]
    oriented = [TODAY.date() - datetime.timedelta(days=9 * n) for n in range(40)]  # the latest on time
    Orientation.objects.bulk_create(
        Orientation(
            beneficiaire_id=beneficiaire.pk,  # without the person: the territory is looked up
            structure=world.structure_a if n % 2 else world.structure_b,
            type_accompagnement=kind,
            date_orientation=oriented[n],
            referent=world.referent_a if n % 4 else None,
            date_affectation=oriented[n] if n % 4 else None,
            source="import",
            **kind.date_limits(oriented[n]),
        )
        for n, beneficiaire in enumerate(people)
    )
    archived = person("3900001", world.territoire_a, archive_le=datetime.date(2026, 6, 1))
    Orientation.objects.create(
        beneficiaire=archived,
        structure=world.structure_a,
        type_accompagnement=kind,
        date_orientation=datetime.date(2026, 2, 1),
        source="saisie",
        **kind.date_limits(datetime.date(2026, 2, 1)),
    )
    known = person("8000008", world.territoire_b, date_naissance=datetime.date(1985, 3, 12))
    result = apply(check_file(make_csv([line(world, numero_caf="8000008")])), user=None)
    assert result.created_orientations == 1
    return {"slai_b": slai_b, "archived": archived, "known": known}


@time_machine.travel(TODAY)
def test_a_slai_lists_the_same_people_in_the_same_order_as_by_the_persons_territory(client, world, department):
    today = TODAY.date()
    client.force_login(world.user("slai"))
    expected_a = former_caseload(world.territoire_a, today)
    assert len(expected_a) > 25  # two pages
    assert Orientation.objects.filter(pk__in=expected_a).filter(late_condition(today)).count() < len(expected_a)
    assert listed(client) == expected_a
    assert department["archived"].orientations.get().pk not in expected_a
    client.force_login(department["slai_b"])
    expected_b = former_caseload(world.territoire_b, today)
    assert listed(client) == expected_b
    # The imported line said Arrageois: the orientation is the known person's, in territory B.
    assert department["known"].orientations.get().pk in expected_b
    client.force_login(world.user("dpid"))  # the DPID sees the archived person too
    assert department["archived"].orientations.get().pk in listed(client)


@time_machine.travel(TODAY)
def test_a_traiter_lists_the_same_decisions_as_by_the_persons_territory(client_for, world, department):
    parcours = world.parcours()
    kind = TypeAccompagnement.objects.get(code="equilibre")
    for orientation in Orientation.objects.filter(date_fin__isnull=True).exclude(pk=world.orientation_a.pk):
        absence = Entretien.objects.create(
            orientation=orientation,
            date=datetime.date(2026, 10, 1),
            mode="physique",
            nature="premier",
            presence="absent",
        )
        ProcedureSuspension.objects.create(entretien=absence, ouverte_le=absence.date)
        DemandeReorientation.objects.create(
            orientation=orientation, date_demande=datetime.date(2026, 10, 2), type_souhaite=kind, argumentaire="A"
        )
    page = client_for("slai").get(reverse("accompagnement:slai_a_traiter")).context
    former = {"orientation__beneficiaire__territoire": world.territoire_a}
    former["orientation__beneficiaire__archive_le__isnull"] = True
    suspensions = ProcedureSuspension.objects.filter(
        traitee_le__isnull=True, **{f"entretien__{key}": value for key, value in former.items()}
    )
    reorientations = DemandeReorientation.objects.filter(etat="deposee", orientation__date_fin__isnull=True, **former)
    assert page["suspensions"]["total"] == suspensions.count() > 20
    assert pks(page["suspensions"]) == list(suspensions.order_by("ouverte_le", "pk").values_list("pk", flat=True)[:20])
    assert page["reorientations"]["total"] == reorientations.count()
    expected = reorientations.order_by("date_demande", "pk").values_list("pk", flat=True)[:20]
    assert pks(page["reorientations"]) == list(expected)
    assert page["renouvellements"]["total"] == 1
    assert pks(page["renouvellements"]) == [parcours.renouvellement.pk]
    archived = department["archived"].orientations.get()
    assert not any(row["orientation_id"] == archived.pk for row in page["suspensions"]["rows"])


@time_machine.travel(TODAY)
def test_a_person_who_moves_takes_their_orientations_to_the_new_territory(client, world):
    parcours = world.parcours()
    slai_b = UserFactory(role=Role.SLAI, territoire=world.territoire_b, email="slai-b@example.test")
    beneficiaire = world.orientation_a.beneficiaire
    beneficiaire.territoire = world.territoire_b
    beneficiaire.save()

    client.force_login(world.user("slai"))
    assert world.orientation_a.pk not in listed(client)
    a_traiter = client.get(reverse("accompagnement:slai_a_traiter")).context
    assert a_traiter["suspensions"]["total"] == a_traiter["renouvellements"]["total"] == 0
    client.force_login(slai_b)
    assert world.orientation_a.pk in listed(client)
    a_traiter = client.get(reverse("accompagnement:slai_a_traiter")).context
    assert pks(a_traiter["suspensions"]) == [parcours.suspension.pk]
    assert pks(a_traiter["renouvellements"]) == [parcours.renouvellement.pk]
    client.force_login(world.user("dpid"))
    filtered = client.get(reverse("accompagnement:slai_a_traiter"), {"territoire": world.territoire_b.pk}).context
    assert pks(filtered["suspensions"]) == [parcours.suspension.pk]
