"""List pages run a bounded number of SQL queries, whatever the number of rows."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from portal.audit.enums import Action
from portal.audit.services import access_record
from tests.factories import ReferentFactory, StructureFactory

MAX_QUERIES = 10
# One query per registered deadline, a few per work-queue panel (and the responsable's
# "Départs de référents" panel), the session.
HOME_MAX_QUERIES = 24  # measured: the responsable and the DPID (issue 11's budget is 25)


@pytest.mark.parametrize("role", ["dpid", "slai", "responsable"])
@pytest.mark.parametrize("rows", [3, 30])
def test_structure_and_referent_lists(client_for, world, django_assert_max_num_queries, role, rows):
    for _ in range(rows):
        structure = StructureFactory(territoires=[world.territoire_a, world.territoire_b])
        ReferentFactory.create_batch(2, structure=structure)
        ReferentFactory(structure=world.structure_a)
    client = client_for(role)
    for name in ("referentiels:structure_list", "referentiels:referent_list", "referentiels:territoire_list"):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(reverse(name))
        assert response.status_code == 200


def test_structure_list_is_paginated(client_for, world):
    StructureFactory.create_batch(30, territoires=[world.territoire_a])
    response = client_for("dpid").get(reverse("referentiels:structure_list"))
    page = response.context["page"]
    assert len(page.object_list) == 25
    assert page.paginator.count == 32
    assert "Page 1 sur 2" in response.content.decode()


@time_machine.travel(datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC))
@pytest.mark.parametrize("role", ["responsable", "slai", "dpid"])
def test_home_page_queries_do_not_grow_with_the_data(client_for, world, role):
    """The home page asks each registered deadline once, whatever the number of items."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.echeances.models import EcheanceManuelle

    client = client_for(role)
    counts = []
    for batch in (3, 30):
        ReferentFactory.create_batch(batch, structure=world.structure_a, date_arrivee="2026-01-05")
        for i in range(batch):
            EcheanceManuelle.objects.create(
                structure=world.structure_a, titre=f"Bilan {batch}-{i}", date_echeance=datetime.date(2026, 12, 1)
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("accounts:home"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= HOME_MAX_QUERIES


def test_audit_list_queries_are_bounded(client_for, world, django_assert_max_num_queries):
    for referent in (world.referent_a, world.autre_referent_a, world.referent_b) * 10:
        access_record(user=world.user("dpid"), obj=referent, action=Action.LECTURE)
    client = client_for("admin")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("audit:entry_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 30
