"""The first dates stored on the orientation (first signed CER, first attended interview, first
attended "premier" appointment) stay what the CERs and interviews say, whatever path writes them:
the services, a correction, a deletion, the imports, the bulk loaders and the data migration."""

import datetime
import importlib

import time_machine
from django.apps import apps

from accompagnement import services
from accompagnement.models import Cer, Diagnostic, Entretien, Orientation
from accompagnement.services.cer import cer_sign

D = datetime.date
TODAY = D(2026, 11, 25)


def _dates(orientation):
    orientation = Orientation.objects.get(pk=orientation.pk)
    return orientation.premier_cer_le, orientation.premier_present_le, orientation.premier_rdv_le


def _interview(world, day, *, nature="intermediaire", presence="present"):
    return services.entretien_record(
        orientation=world.orientation_a,
        data={"date": day, "mode": "physique", "nature": nature, "presence": presence},
        user=world.users["referent"],
    )


@time_machine.travel(TODAY)
def test_signing_a_cer_stores_the_first_signature_and_deleting_it_clears_it(world):
    assert _dates(world.orientation_a)[0] is None
    cer_sign(cer=world.cer_a, signe_le=D(2026, 10, 20), user=world.users["referent"])
    assert _dates(world.orientation_a)[0] == D(2026, 10, 20)
    # A later signature keeps the first one; an earlier one takes its place.
    later = Cer.objects.create(
        orientation=world.orientation_a,
        type="solidarite",
        date_edition=D(2026, 11, 1),
        date_debut=D(2027, 4, 1),
        date_fin=D(2027, 9, 30),
        remarque="Renouvellement.",
        signe_le=D(2026, 11, 2),
    )
    assert _dates(world.orientation_a)[0] == D(2026, 10, 20)
    Cer.objects.get(pk=world.cer_a.pk).delete()  # the first contract cancelled
    assert _dates(world.orientation_a)[0] == D(2026, 11, 2)
    later.signe_le = None  # a signature withdrawn (corrected)
    later.save()
    assert _dates(world.orientation_a)[0] is None


@time_machine.travel(TODAY)
def test_an_unsigned_cer_changes_nothing(world, django_assert_num_queries):
    orientation = world.orientation_a
    Cer.objects.create(
        orientation=orientation,
        type="solidarite",
        date_edition=D(2026, 11, 1),
        date_debut=D(2027, 4, 1),
        date_fin=D(2027, 9, 30),
        remarque="Brouillon.",
    )
    assert _dates(orientation)[0] is None


@time_machine.travel(TODAY)
def test_an_attended_interview_then_marked_absent(world):
    assert _dates(world.orientation_a)[1:] == (None, None)
    _interview(world, D(2026, 10, 5), presence="absent")
    assert _dates(world.orientation_a)[1:] == (None, None)
    _interview(world, D(2026, 10, 20))  # an intermediate interview attended: not the "premier" one
    assert _dates(world.orientation_a)[1:] == (D(2026, 10, 20), None)
    first = _interview(world, D(2026, 10, 12), nature="premier")
    assert _dates(world.orientation_a)[1:] == (D(2026, 10, 12), D(2026, 10, 12))
    # Corrected: the person did not come after all.
    first.presence = "absent"
    first.save()
    assert _dates(world.orientation_a)[1:] == (D(2026, 10, 20), None)
    Entretien.objects.filter(orientation=world.orientation_a, presence="present").get().delete()
    assert _dates(world.orientation_a)[1:] == (None, None)


@time_machine.travel(TODAY)
def test_the_deadlines_and_the_late_order_follow_the_stored_dates(world):
    from accompagnement.echeances import CerApresOrientation, PremierRendezVous

    cer_kind, rdv_kind = CerApresOrientation(), PremierRendezVous()
    referent = world.users["referent"]
    assert world.orientation_a.pk in set(cer_kind.visible(referent, TODAY).values_list("pk", flat=True))
    cer_sign(cer=world.cer_a, signe_le=D(2026, 10, 20), user=referent)
    assert world.orientation_a.pk not in set(cer_kind.visible(referent, TODAY).values_list("pk", flat=True))
    assert cer_kind.is_met(Orientation.objects.get(pk=world.orientation_a.pk))
    if world.orientation_a.date_limite_premier_rdv:
        _interview(world, D(2026, 10, 12), nature="premier")
        assert world.orientation_a.pk not in set(rdv_kind.visible(referent, TODAY).values_list("pk", flat=True))
        assert rdv_kind.is_met(Orientation.objects.get(pk=world.orientation_a.pk))


@time_machine.travel(TODAY)
def test_imports_and_the_data_migration(world):
    """Imported orientations start without first dates; an imported CER is unsigned; the data
    migration computes the dates of orientations that existed before the columns."""
    from accompagnement import imports

    cer_sign(cer=world.cer_a, signe_le=D(2026, 10, 20), user=world.users["referent"])
    _interview(world, D(2026, 10, 12), nature="premier")
    expected = _dates(world.orientation_a)
    Orientation.objects.update(premier_cer_le=None, premier_present_le=None, premier_rdv_le=None)
    migration = importlib.import_module("accompagnement.migrations.0010_premieres_dates")
    migration.backfill(apps, None)
    assert _dates(world.orientation_a) == expected
    assert _dates(world.orientation_b) == (None, None, None)
    # The Département's file: a new orientation, nothing held yet; then its first appointment.
    from tests.accompagnement.test_import import line, make_csv

    report = imports.check_file(make_csv([line(world, numero_caf="7654321", date_orientation="20/11/2026")]))
    assert imports.apply(report, user=world.user("dpid")).created_orientations == 1
    imported = Orientation.objects.get(beneficiaire__numero_caf="7654321")
    assert _dates(imported) == (None, None, None)
    services.entretien_record(
        orientation=imported,
        data={"date": D(2026, 11, 24), "mode": "physique", "nature": "premier", "presence": "present"},
        user=world.users["dpid"],
    )
    assert _dates(imported) == (None, D(2026, 11, 24), D(2026, 11, 24))


def _late(orientation, day):
    from accompagnement.selectors import late_condition

    return Orientation.objects.filter(late_condition(day), pk=orientation.pk).exists()


def _awaited(orientation):
    return Orientation.objects.get(pk=orientation.pk).renouvellement_attendu_depuis


def test_a_cer_awaiting_its_renewal_request_makes_the_person_late_after_five_months(world):
    """cer_a starts on 15 October 2026: its renewal is asked from 15 March 2027 and is late from the
    16th. Requesting it, renewing the CER or closing it ends the wait, whatever path writes it; the
    data migration finds the waiting CERs of the orientations that existed before the column."""
    from accompagnement.services.parcours import renouvellement_create

    referent = world.users["referent"]
    orientation = world.orientation_a
    with time_machine.travel(TODAY):
        _interview(world, D(2026, 10, 16), nature="premier")
        assert _awaited(orientation) is None  # not signed yet
        cer_sign(cer=world.cer_a, signe_le=D(2026, 10, 20), user=referent)
    assert _awaited(orientation) == D(2026, 10, 15)
    assert not _late(orientation, D(2027, 3, 15))
    assert _late(orientation, D(2027, 3, 16))
    # The data migration computes the same thing.
    Orientation.objects.update(renouvellement_attendu_depuis=None)
    importlib.import_module("accompagnement.migrations.0013_renouvellement_attendu").backfill(apps, None)
    assert _awaited(orientation) == D(2026, 10, 15)
    with time_machine.travel(D(2027, 3, 20)):
        demande = renouvellement_create(
            cer=Cer.objects.get(pk=world.cer_a.pk), argumentaire="Le projet avance.", user=referent
        )
    assert _awaited(orientation) is None
    assert not _late(orientation, D(2027, 3, 20))
    demande.delete()  # withdrawn: awaited again
    assert _awaited(orientation) == D(2026, 10, 15)
    renewal = Cer.objects.create(  # the next CER, not signed yet: the first one no longer waits
        orientation=orientation,
        type="solidarite",
        date_edition=D(2027, 4, 1),
        date_debut=D(2027, 4, 15),
        date_fin=D(2027, 10, 14),
        remarque="Renouvellement.",
        renouvelle=world.cer_a,
    )
    assert _awaited(orientation) is None
    renewal.signe_le = D(2027, 4, 10)
    renewal.save()
    assert _awaited(orientation) == D(2027, 4, 15)  # the new one waits for its own request
    renewal.cloture_le = D(2027, 5, 1)  # closed: nothing waits any more
    renewal.diagnostic_cloture = Diagnostic.objects.create(
        orientation=orientation, date=D(2027, 5, 1), moment="intermediaire", synthese="Clôture."
    )
    renewal.save(update_fields=["cloture_le", "diagnostic_cloture"])
    assert _awaited(orientation) is None
