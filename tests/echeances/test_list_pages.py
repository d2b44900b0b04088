"""The deadlines page at a structure's scale: 50 a page, by due date, the same queries on every page."""

import datetime

import time_machine
from django.urls import reverse

from accompagnement.models import Beneficiaire, Orientation, TypeAccompagnement
from portal.echeances.models import EcheanceManuelle

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


def _caseload_without_cer(world, count):
    """`count` people of structure A followed by the referent user, none with a signed CER."""
    kind = TypeAccompagnement.objects.get(code="solidarite")
    people = Beneficiaire.objects.bulk_create(
        Beneficiaire(
            numero_caf=f"55{n:06d}",
            nom=f"Personne{n:03d}",
            prenom="Test",
            date_naissance=datetime.date(1980, 1, 1),
            sexe="F",
            code_postal="62000",
            commune="Arras",
            territoire=world.territoire_a,
        )
        for n in range(count)
    )
    Orientation.objects.bulk_create(
        Orientation(
            beneficiaire=person,
            structure=world.structure_a,
            type_accompagnement=kind,
            date_orientation=datetime.date(2026, 6, 1) + datetime.timedelta(days=n),
            referent=world.referent_a,
            date_affectation=datetime.date(2026, 6, 1) + datetime.timedelta(days=n),
            source="import",
            **kind.date_limits(datetime.date(2026, 6, 1) + datetime.timedelta(days=n)),
        )
        for n, person in enumerate(people)
    )


@time_machine.travel(TODAY)
def test_deadlines_are_listed_fifty_a_page_oldest_first(client_for, world, django_assert_max_num_queries):
    _caseload_without_cer(world, 70)
    EcheanceManuelle.objects.create(
        structure=world.structure_a, titre="Liste des référents", date_echeance=datetime.date(2026, 1, 5)
    )
    client = client_for("responsable")
    # 18 measured: the caseload deadlines read from the orientations are sorted from one query.
    with django_assert_max_num_queries(18) as first:
        page_one = client.get(reverse("echeances:list")).content.decode()
    total = page_one.count("<tr>") - 1  # minus the header row
    assert total == 50
    assert "page 1 sur 2" in page_one
    # Oldest first: the Département's deadline of January, then the CERs due from August on.
    assert page_one.index("Liste des référents") < page_one.index("CER à signer – Test Personne000")
    assert "Personne000" in page_one and "Personne060" not in page_one
    with django_assert_max_num_queries(len(first.captured_queries)):
        page_two = client.get(reverse("echeances:list") + "?page=2").content.decode()
    assert "Personne060" in page_two and "Personne000" not in page_two
    assert "page 2 sur 2" in page_two


@time_machine.travel(TODAY)
def test_a_page_within_a_horizon_holds_what_items_for_lists_first(world):
    """`items_page` with a horizon: the first items of `items_for` (home panels), few loaded in full."""
    from portal.echeances.services import items_for, items_page

    _caseload_without_cer(world, 30)
    user = world.user("responsable")
    expected = [(item.echeance.code, item.obj.pk, item.due_date) for item in items_for(user)]
    page = items_page(user, number=1, per_page=10, horizon_days=30)
    assert page.paginator.count == len(expected)
    assert sorted((i.echeance.code, i.obj.pk, i.due_date) for i in page.object_list) == sorted(
        sorted(expected, key=lambda row: (row[2], row[0], row[1]))[:10]
    )
    assert all(str(item.obj.beneficiaire) in item.label for item in page.object_list if item.echeance.many)


@time_machine.travel(TODAY)
def test_archived_people_leave_the_deadlines_page(world):
    """The caseload deadlines read the scope's orientations without a join on the people
    (`accompagnement.echeances._visible_orientations`): an archived person's open orientation
    stays off the page, for the referent and the responsable, as off the reference list."""
    from portal.accounts.models import User
    from portal.echeances.services import items_for, items_page

    _caseload_without_cer(world, 3)
    archived = Beneficiaire.objects.get(numero_caf="55000001")
    Beneficiaire.objects.filter(pk=archived.pk).update(archive_le=datetime.date(2026, 11, 1))
    for role in ("referent", "responsable"):
        user = User.objects.get(pk=world.user(role).pk)
        page = items_page(user, number=1, per_page=1000)
        shown = [item.label for item in page.object_list]
        assert any("Personne000" in label for label in shown) and any("Personne002" in label for label in shown)
        assert not any("Personne001" in label for label in shown), role
        reference = items_for(User.objects.get(pk=user.pk), horizon_days=None)
        assert sorted(shown) == sorted(item.label for item in reference), role
