"""Training of the referents (seed 001 §5-1): what counts, the new arrival's deadline, the upload
checks of the training form and the reminder sent to the structure."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from label.enums import NatureFormation
from label.forms import FormationForm
from label.models import ModuleFormation
from label.selectors import training_deadline, training_statuses
from portal.core.dates import add_months
from portal.echeances.models import Notification, Rappel
from portal.echeances.services import reminders_send_due
from portal.referentiels.models import Referent
from tests.factories import ReferentFactory
from tests.label.factories import MANDATORY, OPTIONAL, PDF, at, clear_label_records, train

TODAY = datetime.date(2026, 3, 2)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.fixture(autouse=True)
def no_label_records(request):
    """Start from no label records at all, once the `world` (if any) is built."""
    if "db" in request.fixturenames:
        request.getfixturevalue("db")
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
        clear_label_records()


def status_of(referent, today=TODAY):
    (status,) = training_statuses(Referent.objects.filter(pk=referent.pk), today)
    return status


def codes(modules):
    return sorted(module.code for module in modules)


# --- what counts -------------------------------------------------------------------------------


def test_the_catalogue_has_four_mandatory_and_six_optional_modules(db):
    assert codes(ModuleFormation.objects.filter(obligatoire=True)) == sorted(MANDATORY)
    assert codes(ModuleFormation.objects.filter(obligatoire=False)) == sorted(OPTIONAL)


def test_four_mandatory_modules_and_one_optional_make_a_complete_training(world):
    train(world.referent_a, modules=[*MANDATORY, "mdph"])
    status = status_of(world.referent_a)
    assert status.is_complete
    assert status.missing_labels == []
    assert codes(status.done) == sorted([*MANDATORY, "mdph"])


def test_nothing_recorded_lists_every_mandatory_module_and_the_optional_choice(world):
    status = status_of(world.autre_referent_a)
    assert not status.is_complete
    assert codes(status.missing_mandatory) == sorted(MANDATORY)
    assert status.missing_labels[-1] == "1 module facultatif au choix"
    assert len(status.missing_labels) == 5


def test_the_mandatory_modules_without_an_optional_one_are_not_enough(world):
    train(world.referent_a, modules=MANDATORY)
    status = status_of(world.referent_a)
    assert not status.is_complete
    assert status.missing_labels == ["1 module facultatif au choix"]


def test_optional_modules_do_not_replace_a_mandatory_one(world):
    train(world.referent_a, modules=[*MANDATORY[:3], *OPTIONAL])
    status = status_of(world.referent_a)
    assert not status.is_complete
    assert status.missing_labels == ["Secret professionnel"]


def test_a_session_counts_only_with_its_attendance_certificate(world):
    train(world.referent_a, modules=[*MANDATORY[:3], "retraite"])
    train(world.referent_a, modules=["secret-professionnel"], with_piece=False)
    status = status_of(world.referent_a)
    assert not status.is_complete
    assert status.missing_labels == ["Secret professionnel"]


def test_an_equivalence_counts_only_once_the_dpid_accepted_it(world):
    train(world.referent_a, modules=[*MANDATORY[:3], "retraite"])
    (equivalence,) = train(
        world.referent_a, modules=["secret-professionnel"], nature=NatureFormation.EQUIVALENCE, organisme="CNFPT"
    )
    status = status_of(world.referent_a)
    assert not status.is_complete
    assert status.pending_equivalences == [equivalence]

    equivalence.equivalence_acceptee_at = timezone.now()
    equivalence.equivalence_acceptee_par = world.user("dpid")
    equivalence.save()
    status = status_of(world.referent_a)
    assert status.is_complete
    assert status.pending_equivalences == []


def test_an_absence_and_a_planned_session_do_not_count_but_are_listed_as_planned(world):
    train(world.referent_a, modules=[*MANDATORY[:2], "retraite"])
    (absence,) = train(
        world.referent_a,
        modules=["public-feminin"],
        nature=NatureFormation.ABSENCE,
        nouvelle_session=datetime.date(2026, 6, 4),
    )
    (prevue,) = train(
        world.referent_a,
        modules=["secret-professionnel"],
        nature=NatureFormation.PREVUE,
        with_piece=False,
        date=datetime.date(2026, 5, 20),
    )
    status = status_of(world.referent_a)
    assert not status.is_complete
    assert codes(status.missing_mandatory) == ["public-feminin", "secret-professionnel"]
    assert {record.pk for record in status.planned} == {absence.pk, prevue.pk}


def test_statuses_are_per_referent(world):
    train(world.referent_a)
    statuses = training_statuses(Referent.objects.filter(structure=world.structure_a).order_by("nom"), TODAY)
    assert [(s.referent, s.is_complete) for s in statuses] == [
        (world.referent_a, True),
        (world.autre_referent_a, False),
    ]


# --- new arrivals ------------------------------------------------------------------------------


def test_a_new_referent_is_trained_by_the_end_of_the_year_of_arrival_by_default(settings):
    if hasattr(settings, "LABEL_FORMATION_DELAI"):
        del settings.LABEL_FORMATION_DELAI
    assert training_deadline(datetime.date(2026, 2, 2)) == datetime.date(2026, 12, 31)
    assert training_deadline(datetime.date(2026, 12, 31)) == datetime.date(2026, 12, 31)
    settings.LABEL_FORMATION_DELAI = "annee_civile"
    assert training_deadline(datetime.date(2026, 2, 2)) == datetime.date(2026, 12, 31)


def test_the_deadline_can_be_twelve_months_after_the_arrival(settings):
    settings.LABEL_FORMATION_DELAI = "douze_mois"
    assert training_deadline(datetime.date(2026, 2, 2)) == datetime.date(2027, 2, 2)
    assert training_deadline(datetime.date(2026, 12, 31)) == datetime.date(2027, 12, 31)
    # 29 February has no anniversary: the end of February.
    assert training_deadline(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)


def test_the_status_of_a_new_referent_shows_the_deadline(world):
    nouveau = ReferentFactory(structure=world.structure_a, date_arrivee=datetime.date(2026, 2, 2))
    assert status_of(nouveau).deadline == datetime.date(2026, 12, 31)


def test_add_months_keeps_the_day_or_takes_the_end_of_a_shorter_month():
    assert add_months(datetime.date(2026, 1, 15), 6) == datetime.date(2026, 7, 15)
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2027, 8, 31), 6) == datetime.date(2028, 2, 29)
    assert add_months(datetime.date(2028, 2, 29), 12) == datetime.date(2029, 2, 28)
    assert add_months(datetime.date(2026, 10, 31), 2) == datetime.date(2026, 12, 31)
    assert add_months(datetime.date(2026, 12, 31), 2) == datetime.date(2027, 2, 28)


# --- the training form -------------------------------------------------------------------------


def form_for(nature, *, piece=None, date="2026-02-20", nouvelle_session="", module="pssm"):
    data = {
        "module": ModuleFormation.objects.get(code=module).pk,
        "nature": nature,
        "date": date,
        "organisme": "Organisme de formation",
        "nouvelle_session": nouvelle_session,
    }
    return FormationForm(data, {"piece": piece} if piece is not None else {})


@pytest.mark.parametrize(
    ("name", "content"), [("attestation.pdf", PDF), ("attestation.jpg", JPEG), ("attestation.png", PNG)]
)
def test_a_session_with_a_pdf_jpeg_or_png_certificate_is_accepted(db, name, content):
    with at(TODAY):
        form = form_for(NatureFormation.SESSION, piece=SimpleUploadedFile(name, content))
        assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00\x03 executable", b"<html><body>attestation</body></html>", b"PK\x03\x04 docx"],
    ids=["executable", "html", "zip"],
)
def test_a_certificate_is_checked_by_its_content_not_its_name(db, content):
    with at(TODAY):
        form = form_for(NatureFormation.SESSION, piece=SimpleUploadedFile("attestation.pdf", content))
        assert not form.is_valid()
    assert (
        "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été vérifié, pas son nom)."
        in form.errors["piece"]
    )


def test_a_session_requires_its_attendance_certificate(db):
    with at(TODAY):
        form = form_for(NatureFormation.SESSION)
        assert not form.is_valid()
    assert form.errors["piece"] == ["Joignez l'attestation de présence à la session."]


def test_an_absence_requires_the_new_session(db):
    with at(TODAY):
        form = form_for(NatureFormation.ABSENCE, piece=SimpleUploadedFile("arret.pdf", PDF))
        assert not form.is_valid()
    assert form.errors["nouvelle_session"] == ["Indiquez la nouvelle session sur laquelle le référent est positionné."]
    assert "piece" not in form.errors


def test_an_absence_with_its_justification_and_new_session_is_accepted(db):
    with at(TODAY):
        form = form_for(
            NatureFormation.ABSENCE, piece=SimpleUploadedFile("arret.pdf", PDF), nouvelle_session="2026-06-04"
        )
        assert form.is_valid(), form.errors


def test_the_new_session_must_follow_the_missed_one(db):
    with at(TODAY):
        form = form_for(
            NatureFormation.ABSENCE, piece=SimpleUploadedFile("arret.pdf", PDF), nouvelle_session="2026-02-20"
        )
        assert not form.is_valid()
    assert form.errors["nouvelle_session"] == ["La nouvelle session doit suivre la session manquée."]


def test_a_session_attended_cannot_be_dated_in_the_future(db):
    with at(TODAY):
        form = form_for(NatureFormation.SESSION, piece=SimpleUploadedFile("a.pdf", PDF), date="2026-03-03")
        assert not form.is_valid()
    assert form.errors["date"] == ["Une formation suivie ne peut pas être datée dans le futur."]


# --- the reminder for a new arrival ------------------------------------------------------------

ARRIVAL = datetime.date(2026, 2, 2)
DEADLINE = datetime.date(2026, 12, 31)
CODE = "label_formation_nouvel_arrivant"


def run(day, django_capture_on_commit_callbacks):
    with at(day), django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(today=day)
    return list(Rappel.objects.filter(code=CODE).order_by("sent_at", "pk"))


@pytest.fixture
def nouveau(world):
    return ReferentFactory(structure=world.structure_a, nom="Delta", prenom="Dora", date_arrivee=ARRIVAL)


def test_a_new_referent_without_training_reminds_the_responsable_fifteen_days_before(
    world, nouveau, django_capture_on_commit_callbacks
):
    assert run(datetime.date(2026, 10, 31), django_capture_on_commit_callbacks) == []  # J-61
    assert run(datetime.date(2026, 12, 15), django_capture_on_commit_callbacks) != []  # the late J-60 one
    Rappel.objects.filter(code=CODE).delete()
    Notification.objects.filter(rappel__isnull=False).delete()

    rappels = run(DEADLINE - datetime.timedelta(days=15), django_capture_on_commit_callbacks)
    assert [(r.object_id, r.recipient, r.offset_days, r.due_date) for r in rappels] == [
        (nouveau.pk, world.user("responsable"), -15, DEADLINE)
    ]
    notification = Notification.objects.get(rappel=rappels[0])
    assert notification.title == "Échéance dans 15 jours : Formation de Dora Delta (Structure A)"
    assert "31 décembre 2026" in notification.body


def test_only_the_responsable_of_the_structure_is_reminded(world, nouveau, django_capture_on_commit_callbacks):
    rappels = run(datetime.date(2026, 12, 16), django_capture_on_commit_callbacks)
    assert {r.recipient.email for r in rappels} == {"resp-a@example.test"}


def test_no_reminder_once_the_training_is_complete(world, nouveau, django_capture_on_commit_callbacks):
    train(nouveau, modules=[*MANDATORY, "agressivite"], date=datetime.date(2026, 6, 15))
    assert run(datetime.date(2026, 12, 16), django_capture_on_commit_callbacks) == []
    assert run(DEADLINE, django_capture_on_commit_callbacks) == []


def test_an_incomplete_training_still_reminds(world, nouveau, django_capture_on_commit_callbacks):
    train(nouveau, modules=MANDATORY, date=datetime.date(2026, 6, 15))  # no optional module
    rappels = run(datetime.date(2026, 12, 16), django_capture_on_commit_callbacks)
    assert [r.offset_days for r in rappels] == [-15]


def test_the_twelve_months_setting_moves_the_reminder(settings, world, nouveau, django_capture_on_commit_callbacks):
    settings.LABEL_FORMATION_DELAI = "douze_mois"
    assert run(datetime.date(2026, 12, 3), django_capture_on_commit_callbacks) == []  # J-61
    assert run(datetime.date(2026, 12, 16), django_capture_on_commit_callbacks)[0].offset_days == -60
    rappels = run(datetime.date(2027, 1, 18), django_capture_on_commit_callbacks)  # 2 February 2027 − 15 days
    assert [(r.offset_days, r.due_date) for r in rappels] == [
        (-60, datetime.date(2027, 2, 2)),
        (-15, datetime.date(2027, 2, 2)),
    ]
