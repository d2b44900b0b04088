"""Suspension procedures and renewal requests keep their interview's or CER's orientation
(`KeepsParentOrientation`), whichever way they are written, and the SLAI's "À traiter" reads them
by it: the same requests as when the scope went through the interview or the CER."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accompagnement import services
from accompagnement.models import (
    Cer,
    DemandeRenouvellement,
    Entretien,
    Orientation,
    ProcedureSuspension,
)
from accompagnement.services import parcours

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


def signed_cer(orientation, start=datetime.date(2026, 5, 4)):
    return Cer.objects.create(
        orientation=orientation,
        type="solidarite",
        date_edition=start,
        date_debut=start,
        date_fin=datetime.date(2026, 11, 3),
        remarque="Projet professionnel.",
        signe_le=start,
    )


def absence(orientation, day=datetime.date(2026, 10, 1)):
    return Entretien.objects.create(
        orientation=orientation, date=day, mode="physique", nature="intermediaire", presence="absent"
    )


@time_machine.travel(TODAY)
def test_the_services_keep_the_parents_orientation(world):
    entretien = services.entretien_record(
        orientation=world.orientation_b,
        data={
            "date": datetime.date(2026, 11, 20),
            "mode": "physique",
            "nature": "intermediaire",
            "presence": "absent",
        },
        user=world.user("referent"),
    )
    assert entretien.procedure_suspension.orientation == world.orientation_b
    cer = signed_cer(world.orientation_a2)
    demande = parcours.renouvellement_create(cer=cer, argumentaire="Formation en cours.", user=world.user("referent"))
    demande.refresh_from_db()
    assert demande.orientation == world.orientation_a2


def test_save_takes_the_orientation_from_the_parent_given_or_its_key(world):
    by_object = ProcedureSuspension.objects.create(entretien=absence(world.orientation_b), ouverte_le=TODAY.date())
    by_key = ProcedureSuspension.objects.create(entretien_id=absence(world.orientation_a2).pk, ouverte_le=TODAY.date())
    assert (by_object.orientation_id, by_key.orientation_id) == (world.orientation_b.pk, world.orientation_a2.pk)
    demande = DemandeRenouvellement.objects.create(
        cer_id=signed_cer(world.orientation_b).pk, date_demande=TODAY.date(), argumentaire="A"
    )
    assert Orientation.objects.get(demandes_renouvellement=demande) == world.orientation_b


def test_bulk_loads_fill_the_orientation_in_one_query_for_the_keys(world, django_assert_num_queries):
    cers = [signed_cer(world.orientation_a), signed_cer(world.orientation_a2), signed_cer(world.orientation_b)]
    fetched = Cer.objects.get(pk=cers[1].pk)  # its orientation not loaded: read from its column
    demandes = [
        DemandeRenouvellement(cer=cers[0], date_demande=TODAY.date(), argumentaire="A"),  # orientation cached
        DemandeRenouvellement(cer=fetched, date_demande=TODAY.date(), argumentaire="B"),
        DemandeRenouvellement(cer_id=cers[2].pk, date_demande=TODAY.date(), argumentaire="C"),  # the key only
    ]
    with django_assert_num_queries(2):  # the keys' orientations, the INSERT
        DemandeRenouvellement.objects.bulk_create(demandes)
    kept = dict(DemandeRenouvellement.objects.values_list("cer_id", "orientation_id"))
    assert kept == {cer.pk: cer.orientation_id for cer in cers}
    entretiens = [absence(world.orientation_a), absence(world.orientation_b)]
    ProcedureSuspension.objects.bulk_create(
        ProcedureSuspension(entretien_id=entretien.pk, ouverte_le=entretien.date) for entretien in entretiens
    )
    kept = dict(ProcedureSuspension.objects.values_list("entretien_id", "orientation_id"))
    assert kept == {entretien.pk: entretien.orientation_id for entretien in entretiens}


@pytest.mark.parametrize("role", ["slai", "dpid"])
@time_machine.travel(TODAY)
def test_a_traiter_lists_the_same_requests_as_through_the_parent(client_for, world, role):
    """Renewal requests and procedures on orientations of both territories, more than a page:
    the block lists the oldest 20 and counts all, as scoping through the CER or interview did."""
    orientations = [world.orientation_a, world.orientation_a2, world.orientation_b]
    for n in range(24):
        orientation = orientations[n % 3]
        cer = signed_cer(orientation, start=datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
        DemandeRenouvellement.objects.create(
            cer=cer, date_demande=datetime.date(2026, 6, 1) + datetime.timedelta(days=n % 7), argumentaire="A"
        )
        ProcedureSuspension.objects.create(
            entretien=absence(orientation, datetime.date(2026, 10, 1) + datetime.timedelta(days=n % 5)),
            ouverte_le=datetime.date(2026, 10, 1) + datetime.timedelta(days=n % 5),
        )
    page = client_for(role).get(reverse("accompagnement:slai_a_traiter")).context
    scope = Orientation.objects.visible_to(world.user(role)).actives()
    renewals = DemandeRenouvellement.objects.filter(etat="deposee", cer__orientation__in=scope)
    procedures = ProcedureSuspension.objects.filter(traitee_le__isnull=True, entretien__orientation__in=scope)
    for block, former, date in (
        (page["renouvellements"], renewals, "date_demande"),
        (page["suspensions"], procedures, "ouverte_le"),
    ):
        assert block["total"] == former.count() > 0
        assert [row["pk"] for row in block["rows"]] == list(
            former.order_by(date, "pk").values_list("pk", flat=True)[:20]
        )
    if role == "slai":  # territory A only: orientation_b's requests are not there
        assert renewals.count() == 16
    else:
        assert renewals.count() == 24


def test_an_orientation_given_is_replaced_by_the_parents(world):
    """The SLAI's scope of these rows rests on the kept orientation: a wrong one given (a script,
    an import) never reaches the database, one by one or in bulk."""
    wrong = world.orientation_b
    procedure = ProcedureSuspension.objects.create(
        entretien=absence(world.orientation_a), orientation=wrong, ouverte_le=TODAY.date()
    )
    assert ProcedureSuspension.objects.get(pk=procedure.pk).orientation_id == world.orientation_a.pk
    cers = [signed_cer(world.orientation_a), signed_cer(world.orientation_a2)]
    DemandeRenouvellement.objects.bulk_create(
        [
            DemandeRenouvellement(cer=cers[0], orientation=wrong, date_demande=TODAY.date(), argumentaire="A"),
            DemandeRenouvellement(cer_id=cers[1].pk, orientation=wrong, date_demande=TODAY.date(), argumentaire="B"),
        ]
    )
    kept = dict(DemandeRenouvellement.objects.values_list("cer_id", "orientation_id"))
    assert kept == {cers[0].pk: world.orientation_a.pk, cers[1].pk: world.orientation_a2.pk}
