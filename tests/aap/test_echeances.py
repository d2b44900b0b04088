"""Reminders: drafts 7 days and 1 day before the close, opinions due, applications waiting."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from aap import services
from portal.echeances.models import Notification
from portal.echeances.services import reminders_send_due
from tests.aap.factories import advance, make_appel, make_candidature

PARIS = ZoneInfo("Europe/Paris")


def at(day, hour=8):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS), tick=False)


def titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("body", flat=True))


@pytest.mark.parametrize(("day", "reminded"), [(8, False), (7, True), (1, True)])
def test_draft_reminded_7_days_and_1_day_before_the_close(world, day, reminded):
    close = datetime.date(2025, 2, 14)
    with at(datetime.date(2025, 1, 20)):
        made = make_appel(ouverture=datetime.date(2025, 1, 15), cloture=close, annee=2025)
        make_candidature(dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a)
    with at(close - datetime.timedelta(days=day)):
        reminders_send_due()
    bodies = " ".join(titles(world.users["responsable"]))
    assert ("Déposer la candidature 1.1 – Arrageois" in bodies) is reminded


def test_filed_application_is_not_reminded(world):
    close = datetime.date(2025, 2, 14)
    with at(datetime.date(2025, 1, 20)):
        made = make_appel(ouverture=datetime.date(2025, 1, 15), cloture=close, annee=2025)
        candidature = make_candidature(
            dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
        )
        services.candidature_deposit(candidature=candidature, user=world.users["responsable"])
    with at(close - datetime.timedelta(days=1)):
        reminders_send_due()
    assert "Déposer la candidature" not in " ".join(titles(world.users["responsable"]))


def test_opinion_due_reminds_the_agent_asked_and_shows_on_the_home_page(world, client_for):
    made = make_appel()
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "en_instruction", users=world.users)
    today = timezone.localdate()
    services.avis_request(
        candidature=candidature,
        destinataire=world.users["dpid"],
        question="Avis ?",
        echeance=today,
        user=world.users["slai"],
    )
    reminders_send_due()
    assert any("Rendre l'avis demandé sur la candidature 1.1" in body for body in titles(world.users["dpid"]))
    page = client_for("dpid").get(reverse("accounts:home")).content.decode()
    assert "Rendre l&#x27;avis demandé sur la candidature 1.1" in page
    assert "Candidatures aux appels à projets" in page


def test_application_waiting_too_long_reminds_the_dpid(world):
    with at(datetime.date(2026, 9, 1)):
        made = make_appel()
        candidature = make_candidature(
            dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
        )
        advance(candidature, "deposee", users=world.users)
    with at(datetime.date(2026, 10, 1)):
        reminders_send_due()
    assert any("déposée depuis plus de 30 jours" in body for body in titles(world.users["dpid"]))
