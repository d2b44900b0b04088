"""The home panel's figures (`summary_for`) are those of the full list (`items_for`), read without
loading every open deadline: the same queries for 5 or 70 people, only the first few loaded."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.echeances.models import EcheanceManuelle
from portal.echeances.services import items_for, summary_for
from tests.echeances.test_list_pages import _caseload_without_cer

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


@pytest.mark.parametrize("role", ["referent", "responsable", "dpid", "slai"])
@time_machine.travel(TODAY)
def test_summary_matches_the_full_list_with_the_same_queries(world, role):
    user = world.users[role]
    EcheanceManuelle.objects.create(
        structure=world.structure_a, titre="Liste des référents", date_echeance=datetime.date(2026, 11, 1)
    )
    numbers = []
    for count in (5, 70):
        _caseload_without_cer(world, count) if not numbers else _more(world, count)
        items = items_for(user)
        with CaptureQueriesContext(connection) as captured:
            summary = summary_for(user, first=5)
        numbers.append(len(captured))
        overdue = sum(1 for item in items if item.is_overdue)
        assert (summary.overdue, summary.upcoming) == (overdue, len(items) - overdue)
        assert [(i.due_date, i.label) for i in summary.first] == [(i.due_date, i.label) for i in items[:5]]
    assert numbers[0] == numbers[1], numbers


def _more(world, count):
    from accompagnement.models import Beneficiaire, Orientation, TypeAccompagnement

    kind = TypeAccompagnement.objects.get(code="solidarite")
    start = datetime.date(2026, 9, 1)
    for n in range(count):
        person = Beneficiaire.objects.create(
            numero_caf=f"56{n:06d}",
            nom=f"Autre{n:03d}",
            prenom="Test",
            date_naissance=datetime.date(1980, 1, 1),
            sexe="F",
            code_postal="62000",
            commune="Arras",
            territoire=world.territoire_a,
        )
        day = start + datetime.timedelta(days=n % 80)
        Orientation.objects.create(
            beneficiaire=person,
            structure=world.structure_a,
            type_accompagnement=kind,
            date_orientation=day,
            referent=world.referent_a if n % 4 else None,
            date_affectation=day if n % 4 else None,
            source="import",
            **kind.date_limits(day),
        )
