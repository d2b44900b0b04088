"""Reminders with time frozen around a deadline (Paris time, across the March DST change)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from portal.echeances.models import EcheanceManuelle, Notification, PreferenceNotification, Rappel
from portal.echeances.services import digests_send, reminders_due, reminders_send_due
from portal.echeances.tasks import send_due_reminders

PARIS = ZoneInfo("Europe/Paris")
DUE = datetime.date(2026, 3, 31)  # two days after the switch to summer time (29 March 2026)


def at(day, hour=7, minute=0):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS), tick=False)


@pytest.fixture
def echeance(world, django_capture_on_commit_callbacks):
    EcheanceManuelle.objects.all().delete()  # only this deadline in these tests
    return EcheanceManuelle.objects.create(
        structure=world.structure_a,
        titre="Bilan intermédiaire",
        date_echeance=DUE,
        created_by=world.user("dpid"),
    )


def run_beat(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return send_due_reminders.delay().get()


def recipients_of_last_run():
    return sorted(n.recipient.email for n in Notification.objects.filter(rappel__isnull=False))


def test_nothing_one_minute_before_the_first_reminder(echeance, django_capture_on_commit_callbacks):
    # J-15 is 16 March; at 23:59 on 15 March in Paris nothing is due yet.
    with at(datetime.date(2026, 3, 15), 23, 59):
        assert run_beat(django_capture_on_commit_callbacks) == 0
    with at(datetime.date(2026, 3, 16), 0, 0):
        assert run_beat(django_capture_on_commit_callbacks) == 2
    assert recipients_of_last_run() == ["dpid@example.test", "resp-a@example.test"]


def test_exactly_once_per_recipient_and_offset(echeance, django_capture_on_commit_callbacks):
    with at(datetime.date(2026, 3, 16)):
        assert run_beat(django_capture_on_commit_callbacks) == 2
        assert run_beat(django_capture_on_commit_callbacks) == 0  # the beat task ran twice
    assert len(mail.outbox) == 2
    with at(datetime.date(2026, 3, 27)):  # J-4: still the J-15 reminder, already sent
        assert run_beat(django_capture_on_commit_callbacks) == 0
    with at(datetime.date(2026, 3, 28)):  # J-3
        assert run_beat(django_capture_on_commit_callbacks) == 2
    with at(datetime.date(2026, 3, 30), 23, 59):  # one minute before the due day
        assert run_beat(django_capture_on_commit_callbacks) == 0
    with at(DUE, 0, 0):  # the due day, just after midnight in Paris (UTC is still the 30th)
        assert run_beat(django_capture_on_commit_callbacks) == 2
    with at(datetime.date(2026, 4, 7)):  # J+7
        assert run_beat(django_capture_on_commit_callbacks) == 2
    offsets = sorted(set(Rappel.objects.values_list("offset_days", flat=True)))
    assert offsets == [-15, -3, 0, 7]
    assert Rappel.objects.count() == 8
    assert len(mail.outbox) == 8


def test_a_late_discovered_deadline_sends_one_reminder_not_all(echeance, django_capture_on_commit_callbacks):
    with at(datetime.date(2026, 3, 30)):
        assert run_beat(django_capture_on_commit_callbacks) == 2
    assert set(Rappel.objects.values_list("offset_days", flat=True)) == {-3}


def test_a_met_deadline_stops_reminding(world, echeance, django_capture_on_commit_callbacks):
    with at(datetime.date(2026, 3, 16)):
        run_beat(django_capture_on_commit_callbacks)
    echeance.done_at = datetime.datetime(2026, 3, 20, tzinfo=PARIS)
    echeance.done_by = world.user("responsable")
    echeance.save()
    with at(datetime.date(2026, 3, 28)):
        assert run_beat(django_capture_on_commit_callbacks) == 0
    with at(DUE):
        assert run_beat(django_capture_on_commit_callbacks) == 0


def test_state_is_rechecked_when_the_email_leaves(world, echeance, django_capture_on_commit_callbacks):
    """The deadline is met between the in-app notification and the e-mail: no e-mail."""
    with at(datetime.date(2026, 3, 16)), django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders_send_due()
    EcheanceManuelle.objects.filter(pk=echeance.pk).update(
        done_at=datetime.datetime(2026, 3, 16, 8, tzinfo=PARIS), done_by=world.user("responsable")
    )
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert Notification.objects.filter(rappel__isnull=False).count() == 2  # the in-app trace stays


def test_two_workers_at_once_send_once(echeance, django_capture_on_commit_callbacks, monkeypatch):
    """Both workers computed the same due reminders; the database lets only one send each."""
    with at(datetime.date(2026, 3, 16)):
        stale = reminders_due(today=DUE - datetime.timedelta(days=15))
        run_beat(django_capture_on_commit_callbacks)
        monkeypatch.setattr("portal.echeances.services.reminders_due", lambda today: stale)
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_send_due() == 0
    assert Notification.objects.filter(rappel__isnull=False).count() == 2
    assert len(mail.outbox) == 2


def test_reminder_email_is_french(echeance, django_capture_on_commit_callbacks):
    with at(datetime.date(2026, 3, 28)):
        run_beat(django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == ["resp-a@example.test"])
    assert message.subject == "[Portail RSA] Échéance dans 3 jours : Bilan intermédiaire – Structure A"
    assert "échéance le 31 mars 2026, dans 3 jours" in message.body
    assert "Pourquoi recevez-vous ce message ?" in message.body
    assert f"/echeances/{echeance.pk}/" in message.body
    assert message.alternatives[0].mimetype == "text/html"


def test_daily_digest_instead_of_single_emails(world, echeance, django_capture_on_commit_callbacks):
    PreferenceNotification.objects.create(user=world.user("responsable"), resume_quotidien=True)
    with at(datetime.date(2026, 3, 16)):
        run_beat(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["dpid@example.test"]]
    with at(datetime.date(2026, 3, 16), 7, 30):
        assert digests_send() == 1
        assert digests_send() == 0  # nothing new
    digest = mail.outbox[-1]
    assert digest.to == ["resp-a@example.test"]
    assert digest.subject == "[Portail RSA] Votre résumé du 16 mars 2026 : 1 notification"
    assert "Bilan intermédiaire" in digest.body


def test_overdue_items_stay_on_the_home_page_until_resolved(client_for, world, echeance):
    from django.urls import reverse

    with at(datetime.date(2026, 4, 20)):
        page = client_for("responsable").get(reverse("accounts:home")).content.decode()
        assert "En retard" in page and "Bilan intermédiaire" in page
        assert "échéance dépassée depuis 20 jours (31 mars 2026)" in page
        other = client_for("slai").get(reverse("accounts:home")).content.decode()
        assert "Bilan intermédiaire" in other  # structure A works on the SLAI's territory
        client_for("responsable").post(reverse("echeances:mark_done", args=[echeance.pk]))
        page = client_for("responsable").get(reverse("accounts:home")).content.decode()
        assert "Bilan intermédiaire" not in page


def test_due_day_email_is_not_html_escaped(echeance, django_capture_on_commit_callbacks):
    with at(DUE):
        run_beat(django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.subject.startswith("[Portail RSA] Échéance aujourd'hui : Bilan intermédiaire")
    assert "&#x27;" not in message.subject and "&#x27;" not in message.body
    assert "Rappel automatique (jour J)" in message.body


def test_a_moved_deadline_reminds_again(echeance, django_capture_on_commit_callbacks):
    with at(datetime.date(2026, 3, 16)):
        assert run_beat(django_capture_on_commit_callbacks) == 2
    echeance.date_echeance = datetime.date(2026, 4, 30)
    echeance.save()
    with at(datetime.date(2026, 4, 15)):  # J-15 of the new date
        assert run_beat(django_capture_on_commit_callbacks) == 2


def test_one_failing_digest_does_not_stop_the_others(world, echeance, django_capture_on_commit_callbacks, monkeypatch):
    for role in ("responsable", "dpid"):
        PreferenceNotification.objects.create(user=world.user(role), resume_quotidien=True)
    with at(datetime.date(2026, 3, 16)):
        run_beat(django_capture_on_commit_callbacks)
    from portal.echeances import services

    real_send = services._send

    def flaky_send(*, to, template, context):
        if to == "dpid@example.test":
            raise OSError("boîte aux lettres inconnue")
        return real_send(to=to, template=template, context=context)

    monkeypatch.setattr(services, "_send", flaky_send)
    with at(datetime.date(2026, 3, 16), 7, 30):
        assert digests_send() == 1
    assert [m.to for m in mail.outbox] == [["resp-a@example.test"]]
    # The failed digest is not lost: its notifications wait for the next run.
    assert Notification.objects.filter(
        recipient=world.user("dpid"), emailed_at__isnull=True, rappel__isnull=False
    ).exists()
