"""The accompaniment's deadlines in the shared engine, with time frozen in Paris.

The world's three people were oriented on 1 October 2026 (référent solidarité: CER due on
1 December 2026): orientation_a is followed by the referent user, orientation_a2 by a colleague
without an account, orientation_b by structure B (which has no responsable account).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import (
    Beneficiaire,
    Cer,
    DemandeRenouvellement,
    Entretien,
    Orientation,
    ReportingMensuel,
    TypeAccompagnement,
)
from portal.core.dates import add_months, latest_start_for
from portal.echeances import registry
from portal.echeances.models import Notification, PreferenceNotification, Rappel
from portal.echeances.services import digests_send, items_for, reminders_send_due

PARIS = ZoneInfo("Europe/Paris")
CER = "accompagnement_cer_2_mois"
RDV = "accompagnement_premier_rdv"
RENOUVELLEMENT = "accompagnement_renouvellement"
REFERENT = "accompagnement_referent_a_designer"
REPORTING = "accompagnement_reporting_mensuel"


def at(day, hour=7, minute=0):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS), tick=False)


def run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return reminders_send_due()


def sent(code):
    """(recipient, object id, offset) of the reminders sent for one deadline."""
    return sorted(Rappel.objects.filter(code=code).values_list("recipient__email", "object_id", "offset_days"))


def labels(user, code, **kwargs):
    return [item.label for item in items_for(user, **kwargs) if item.echeance.code == code]


def sign_cer(orientation, debut=datetime.date(2026, 10, 20), **extra):
    return Cer.objects.create(
        orientation=orientation,
        type="solidarite",
        date_edition=debut,
        date_debut=debut,
        date_fin=add_months(debut, 6),
        remarque="Cohérent.",
        signe_le=debut,
        **extra,
    )


def test_latest_start_for_is_exact_at_month_ends():
    """The last start day whose deadline `months` later is still on or before `until`."""
    assert latest_start_for(datetime.date(2027, 2, 28), 5) == datetime.date(2026, 9, 30)
    assert latest_start_for(datetime.date(2027, 2, 27), 5) == datetime.date(2026, 9, 27)
    assert latest_start_for(datetime.date(2026, 8, 31), 5) == datetime.date(2026, 3, 31)
    assert latest_start_for(datetime.date(2026, 8, 30), 5) == datetime.date(2026, 3, 30)
    assert latest_start_for(datetime.date(2028, 2, 29), 24) == datetime.date(2026, 2, 28)
    # Exhaustively: the cutoff qualifies and the next day does not (add_months never decreases).
    first = datetime.date(2025, 1, 1)
    for until in (first + datetime.timedelta(days=n) for n in range(3 * 366)):
        for months in (1, 2, 5, 24, 60):
            cutoff = latest_start_for(until, months)
            assert add_months(cutoff, months) <= until < add_months(cutoff + datetime.timedelta(days=1), months)


def test_cer_reminders_once_to_the_referent_or_the_responsables(world, django_capture_on_commit_callbacks):
    # J-15 of 1 December is 16 November: one minute before, in Paris, nothing.
    with at(datetime.date(2026, 11, 15), 23, 59):
        run(django_capture_on_commit_callbacks)
    assert sent(CER) == []
    with at(datetime.date(2026, 11, 16), 0, 0):
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)  # the beat ran twice
    assert sent(CER) == [
        ("ref-a@example.test", world.orientation_a.pk, -15),  # the referent following the person
        ("resp-a@example.test", world.orientation_a2.pk, -15),  # colleague without an account
    ]
    # The e-mails leave the portal: they do not name the person (the notification in the portal does).
    messages = [m for m in mail.outbox if "CER à signer" in m.subject]
    assert not [m for m in messages if "Aubert" in m.subject + m.body or "1000001" in m.subject + m.body]
    assert "Par confidentialité" in messages[0].body
    from portal.echeances.models import Notification

    assert Notification.objects.filter(title__contains="CER à signer – Test Aubert (N° CAF 1000001)").exists()
    subjects = [m.subject for m in messages]
    assert subjects == [
        "[Portail RSA] Échéance dans 15 jours : CER à signer – une personne que vous accompagnez",
        "[Portail RSA] Échéance dans 15 jours : CER à signer – une personne que vous accompagnez",
    ]
    # Signed meanwhile: no more reminder for that person.
    sign_cer(world.orientation_a)
    with at(datetime.date(2026, 11, 30), 23, 59):
        run(django_capture_on_commit_callbacks)
    with at(datetime.date(2026, 12, 1), 0, 0):
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)
    assert [(pk, offset) for _, pk, offset in sent(CER)] == [
        (world.orientation_a.pk, -15),
        (world.orientation_a2.pk, -15),
        (world.orientation_a2.pk, -3),
        (world.orientation_a2.pk, 0),
    ]


def test_cer_met_between_notification_and_digest_sends_nothing(world, django_capture_on_commit_callbacks):
    """The engine re-checks at send time with a fresh object (no annotation)."""
    PreferenceNotification.objects.create(user=world.user("referent"), resume_quotidien=True)
    with at(datetime.date(2026, 11, 16)):
        run(django_capture_on_commit_callbacks)
    sign_cer(world.orientation_a)
    mail.outbox.clear()
    with at(datetime.date(2026, 11, 17), 7, 30):
        digests_send()
    assert not [m for m in mail.outbox if m.to == ["ref-a@example.test"]]
    assert Notification.objects.filter(recipient=world.user("referent"), rappel__code=CER).count() == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("referent", ["CER à signer – Test Aubert (N° CAF 1000001)"]),  # not the colleague's person
        (
            "responsable",
            ["CER à signer – Test Aubert (N° CAF 1000001)", "CER à signer – Test Bailly (N° CAF 1000002)"],
        ),
        ("slai", []),
        ("dpid", []),
    ],
)
def test_cer_deadline_on_pages_in_scope_only(world, role, expected):
    with at(datetime.date(2026, 11, 20)):
        assert labels(world.user(role), CER) == expected


def test_home_page_shows_own_people_only(client_for, world):
    with at(datetime.date(2026, 11, 20)):
        page = client_for("referent").get(reverse("accounts:home")).content.decode()
        deadlines = client_for("referent").get(reverse("echeances:list")).content.decode()
    assert "CER à signer – Test Aubert" in page and "Bailly" not in page
    assert "CER à signer – Test Aubert" in deadlines and "Bailly" not in deadlines


def _more_people(world, count, *, referent=None, date=datetime.date(2026, 10, 5)):
    kind = TypeAccompagnement.objects.get(code="solidarite")
    start = Beneficiaire.objects.filter(numero_caf__startswith="55").count()
    people = Beneficiaire.objects.bulk_create(
        Beneficiaire(
            numero_caf=f"55{start + n:05d}",
            nom=f"Nom{n}",
            prenom="Test",
            date_naissance=datetime.date(1990, 1, 1),
            sexe="M",
            code_postal="62000",
            commune="Arras",
            territoire=world.territoire_a,
        )
        for n in range(count)
    )
    orientations = Orientation.objects.bulk_create(
        Orientation(
            beneficiaire=person,
            structure=world.structure_a,
            type_accompagnement=kind,
            date_orientation=date,
            referent=referent,
            date_affectation=date if referent else None,
            source="saisie",
            **kind.date_limits(date),
        )
        for person in people
    )
    for orientation in orientations[::2]:
        sign_cer(orientation, debut=datetime.date(2026, 10, 10))
    return orientations


@pytest.mark.parametrize("role", ["responsable", "referent"])
def test_deadline_pages_take_a_bounded_number_of_queries(world, role):
    def queries():
        user = type(world.user(role)).objects.get(pk=world.user(role).pk)
        with CaptureQueriesContext(connection) as context:
            items = items_for(user, today=datetime.date(2027, 3, 1), horizon_days=None)
        return len(context.captured_queries), len(items)

    _more_people(world, 3, referent=world.referent_a)
    small, small_items = queries()
    _more_people(world, 60, referent=world.referent_a, date=datetime.date(2026, 10, 6))
    _more_people(world, 10, date=datetime.date(2026, 10, 7))  # without referent
    large, large_items = queries()
    assert large_items >= small_items + 60
    assert large == small


def test_first_appointment_equilibre(world, django_capture_on_commit_callbacks):
    orientation = world.orientation_a
    orientation.type_accompagnement = TypeAccompagnement.objects.get(code="equilibre")
    orientation.date_limite_premier_rdv = datetime.date(2026, 10, 16)
    orientation.save()
    with at(datetime.date(2026, 10, 10), 23, 59):  # J-5 is 11 October
        run(django_capture_on_commit_callbacks)
    assert sent(RDV) == []
    with at(datetime.date(2026, 10, 11), 0, 0):
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)
    assert sent(RDV) == [("ref-a@example.test", orientation.pk, -5)]
    assert labels(world.user("referent"), RDV, today=datetime.date(2026, 10, 11)) == [
        "Premier rendez-vous – Test Aubert (N° CAF 1000001)"
    ]
    # An absence does not count; an attended first interview does.
    Entretien.objects.create(
        orientation=orientation, date=datetime.date(2026, 10, 12), mode="physique", nature="premier", presence="absent"
    )
    with at(datetime.date(2026, 10, 14)):
        run(django_capture_on_commit_callbacks)
    assert len(sent(RDV)) == 2
    Entretien.objects.create(
        orientation=orientation,
        date=datetime.date(2026, 10, 15),
        mode="physique",
        nature="premier",
        presence="present",
    )
    with at(datetime.date(2026, 10, 16), 0, 0):
        run(django_capture_on_commit_callbacks)
    assert len(sent(RDV)) == 2
    assert labels(world.user("referent"), RDV, today=datetime.date(2026, 10, 16)) == []
    # Kinds without a first-appointment delay (référent solidarité) have no such deadline.
    assert all(pk != world.orientation_a2.pk for _, pk, _ in sent(RDV))


@pytest.mark.parametrize(
    ("debut", "due"),
    [
        (datetime.date(2026, 3, 31), datetime.date(2026, 8, 31)),
        (datetime.date(2026, 9, 29), datetime.date(2027, 2, 28)),
        (datetime.date(2026, 9, 30), datetime.date(2027, 2, 28)),
    ],
)
def test_renewal_request_at_five_months_exact_at_month_ends(world, debut, due):
    cer = sign_cer(world.orientation_a, debut=debut)
    referent = world.user("referent")
    today = debut
    echeance = registry.get(RENOUVELLEMENT)
    assert echeance.due_date(cer) == due
    assert [c.pk for c in echeance.visible(referent, today, until=due)] == [cer.pk]
    assert list(echeance.visible(referent, today, until=due - datetime.timedelta(days=1))) == []
    assert list(echeance.visible(world.user("dpid"), today, until=due)) == []


def test_renewal_reminders_stop_once_requested(world, django_capture_on_commit_callbacks):
    cer = sign_cer(world.orientation_a, debut=datetime.date(2026, 9, 30))  # due 28 February 2027
    with at(datetime.date(2027, 2, 12), 23, 59):
        run(django_capture_on_commit_callbacks)
    assert sent(RENOUVELLEMENT) == []
    with at(datetime.date(2027, 2, 13), 0, 0):
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)
    assert sent(RENOUVELLEMENT) == [("ref-a@example.test", cer.pk, -15)]
    DemandeRenouvellement.objects.create(cer=cer, date_demande=datetime.date(2027, 2, 20), argumentaire="Suite.")
    with at(datetime.date(2027, 2, 28), 0, 0):
        run(django_capture_on_commit_callbacks)
    assert sent(RENOUVELLEMENT) == [("ref-a@example.test", cer.pk, -15)]
    assert labels(world.user("referent"), RENOUVELLEMENT, today=datetime.date(2027, 2, 28)) == []


def test_people_without_referent_in_the_responsables_digest(client_for, world, django_capture_on_commit_callbacks):
    PreferenceNotification.objects.create(user=world.user("responsable"), resume_quotidien=True)
    (orientation,) = _more_people(world, 1, date=datetime.date(2026, 11, 20))  # no referent yet
    with at(datetime.date(2026, 11, 19), 23, 59):
        run(django_capture_on_commit_callbacks)
    assert sent(REFERENT) == []
    with at(datetime.date(2026, 11, 20), 0, 0):  # the day the orientation arrives
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)
    assert sent(REFERENT) == [("resp-a@example.test", orientation.pk, -7)]
    assert not [m for m in mail.outbox if m.to == ["resp-a@example.test"]]  # the digest, not one e-mail each
    with at(datetime.date(2026, 11, 20), 7, 30):
        digests_send()
    digest = next(m for m in mail.outbox if m.to == ["resp-a@example.test"])
    assert "Référent à désigner – une personne que vous accompagnez" in digest.body
    assert "Nom0" not in digest.body and "5500000" not in digest.body
    with at(datetime.date(2026, 11, 21)):
        home = client_for("responsable").get(reverse("accounts:home")).content.decode()
        assert "Référent à désigner – Test Nom0" in home
        assert labels(world.user("referent"), REFERENT) == []
        assert labels(world.user("dpid"), REFERENT) == []
    # Designated: no further reminder, off the page.
    Orientation.objects.filter(pk=orientation.pk).update(
        referent=world.referent_a, date_affectation=datetime.date(2026, 11, 22)
    )
    with at(datetime.date(2026, 11, 27)):
        run(django_capture_on_commit_callbacks)
        assert labels(world.user("responsable"), REFERENT) == []
    assert len(sent(REFERENT)) == 1


def test_monthly_reporting_by_the_tenth(world, django_capture_on_commit_callbacks):
    with at(datetime.date(2026, 11, 2), 23, 59):  # J-7 of 10 November is the 3rd
        run(django_capture_on_commit_callbacks)
    assert sent(REPORTING) == []
    with at(datetime.date(2026, 11, 3), 0, 0):
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)
    # Structure B accompanied people in October too, but has no responsable account to remind.
    assert sent(REPORTING) == [("resp-a@example.test", world.structure_a.pk, -7)]
    message = next(m for m in mail.outbox if "Reporting" in m.subject)
    assert f"/reporting/{world.structure_a.pk}/2026/10/" in message.body
    subject = message.subject
    assert subject == "[Portail RSA] Échéance dans 7 jours : Reporting mensuel d'octobre 2026 – Structure A"
    ReportingMensuel.objects.create(
        structure=world.structure_a, mois=datetime.date(2026, 10, 1), valide_le=timezone.now()
    )
    with at(datetime.date(2026, 11, 10), 0, 0):
        run(django_capture_on_commit_callbacks)
    assert len(sent(REPORTING)) == 1
    # The Département sees the late ones only, after the 10th.
    dpid = world.user("dpid")
    assert labels(dpid, REPORTING, today=datetime.date(2026, 11, 10)) == []
    assert labels(dpid, REPORTING, today=datetime.date(2026, 11, 11)) == [
        "Reporting mensuel d'octobre 2026 – Structure B"
    ]
    assert labels(world.user("slai"), REPORTING, today=datetime.date(2026, 11, 11)) == []  # B is not on A's territory
    assert labels(world.user("responsable"), REPORTING, today=datetime.date(2026, 11, 5)) == []  # validated
    assert labels(world.user("responsable"), REPORTING, today=datetime.date(2026, 12, 5)) == [
        "Reporting mensuel de novembre 2026 – Structure A"
    ]
    assert labels(world.user("referent"), REPORTING, today=datetime.date(2026, 12, 5)) == []


def test_no_reporting_due_before_any_orientation(world):
    assert labels(world.user("responsable"), REPORTING, today=datetime.date(2026, 10, 5)) == []  # September: none


def test_archived_people_leave_the_deadlines(world):
    Beneficiaire.objects.filter(pk=world.orientation_a.beneficiaire_id).update(archive_le=datetime.date(2026, 11, 1))
    assert labels(world.user("referent"), CER, today=datetime.date(2026, 11, 20)) == []


def test_due_day_across_the_switch_to_summer_time(world, django_capture_on_commit_callbacks):
    """Summer time starts on 28 March 2027: the due day still begins at midnight, Paris time."""
    (orientation,) = _more_people(world, 1, referent=world.referent_a, date=datetime.date(2027, 1, 28))
    Cer.objects.filter(orientation=orientation).delete()
    assert orientation.date_limite_cer == datetime.date(2027, 3, 28)
    with at(datetime.date(2027, 3, 25), 0, 0):  # J-3
        run(django_capture_on_commit_callbacks)
    with at(datetime.date(2027, 3, 27), 23, 59):
        run(django_capture_on_commit_callbacks)
    assert [offset for _, pk, offset in sent(CER) if pk == orientation.pk] == [-3]
    with at(datetime.date(2027, 3, 28), 0, 0):  # 23:00 UTC on the 27th
        run(django_capture_on_commit_callbacks)
    assert [offset for _, pk, offset in sent(CER) if pk == orientation.pk] == [-3, 0]


def test_equilibre_review_at_twelve_months(world, django_capture_on_commit_callbacks):
    """Oriented 29 February 2024 in équilibré: the 12-month review is due 28 February 2025; the
    referent is reminded 30 days before (29 January), not a minute earlier; the exit meets it."""
    code = "accompagnement_equilibre_12_mois"
    orientation = world.orientation_a
    Orientation.objects.filter(pk=orientation.pk).update(
        type_accompagnement=TypeAccompagnement.objects.get(code="equilibre"),
        date_orientation=datetime.date(2024, 2, 29),
        date_limite_cer=datetime.date(2024, 4, 29),
    )
    with at(datetime.date(2025, 1, 28), 23, 59):
        run(django_capture_on_commit_callbacks)
    assert sent(code) == []
    with at(datetime.date(2025, 1, 29), 0, 0):
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)
    assert sent(code) == [("ref-a@example.test", orientation.pk, -30)]
    assert labels(world.user("referent"), code, today=datetime.date(2025, 1, 29)) == [
        "Point à 12 mois avec le SLAI et France Travail – Test Aubert (N° CAF 1000001)"
    ]
    assert labels(world.user("slai"), code, today=datetime.date(2025, 1, 29)) == []  # the structure's work
    Orientation.objects.filter(pk=orientation.pk).update(date_fin=datetime.date(2025, 2, 10))
    with at(datetime.date(2025, 2, 28)):
        run(django_capture_on_commit_callbacks)
    assert len(sent(code)) == 1
    assert labels(world.user("referent"), code, today=datetime.date(2025, 2, 28)) == []
