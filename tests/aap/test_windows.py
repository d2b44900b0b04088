"""Submission windows in Paris time: "du 15/01/2025 au 14/02/2025 inclus"."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aap import services
from aap.models import TransitionCandidature
from aap.windows import window_is_open
from tests.aap.factories import make_appel, make_candidature

PARIS = ZoneInfo("Europe/Paris")
OPENS, CLOSES = datetime.date(2025, 1, 15), datetime.date(2025, 2, 14)


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (paris(2025, 1, 14, 23, 59, 59), False),
        (paris(2025, 1, 15, 0, 0, 0), True),
        (paris(2025, 2, 14, 23, 59, 0), True),
        (paris(2025, 2, 14, 23, 59, 59, 999999), True),
        (paris(2025, 2, 15, 0, 0, 0), False),
        # 22:59:59 UTC is 23:59:59 in Paris in winter; 23:00 UTC is already the next day there.
        (datetime.datetime(2025, 2, 14, 22, 59, 59, tzinfo=datetime.UTC), True),
        (datetime.datetime(2025, 2, 14, 23, 0, 0, tzinfo=datetime.UTC), False),
    ],
)
def test_window_boundaries_in_paris_time(at, expected):
    assert window_is_open(opens_on=OPENS, closes_on=CLOSES, at=at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Summer time began on 30 March 2025: Paris is UTC+2, so the close is 21:59:59 UTC.
        (datetime.datetime(2025, 3, 31, 21, 59, 59, tzinfo=datetime.UTC), True),
        (datetime.datetime(2025, 3, 31, 22, 0, 0, tzinfo=datetime.UTC), False),
    ],
)
def test_window_closing_after_the_daylight_saving_change(at, expected):
    assert window_is_open(opens_on=datetime.date(2025, 3, 1), closes_on=datetime.date(2025, 3, 31), at=at) is expected


def test_window_opening_before_and_closing_after_dst_end():
    # Winter time came back on 26 October 2025; a window opening in summer closes in winter time.
    opens, closes = datetime.date(2025, 10, 1), datetime.date(2025, 10, 31)
    assert not window_is_open(
        opens_on=opens, closes_on=closes, at=datetime.datetime(2025, 9, 30, 21, 59, tzinfo=datetime.UTC)
    )
    assert window_is_open(
        opens_on=opens, closes_on=closes, at=datetime.datetime(2025, 9, 30, 22, 0, tzinfo=datetime.UTC)
    )
    assert window_is_open(
        opens_on=opens, closes_on=closes, at=datetime.datetime(2025, 10, 31, 22, 59, 59, tzinfo=datetime.UTC)
    )
    assert not window_is_open(
        opens_on=opens, closes_on=closes, at=datetime.datetime(2025, 10, 31, 23, 0, tzinfo=datetime.UTC)
    )


def _world_candidature(world):
    with time_machine.travel(paris(2025, 1, 20, 10, 0), tick=False):
        made = make_appel(ouverture=OPENS, cloture=CLOSES, annee=2025)
        return make_candidature(dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a)


@pytest.mark.django_db
def test_deposit_accepted_one_minute_before_the_close(world, django_capture_on_commit_callbacks):
    candidature = _world_candidature(world)
    with time_machine.travel(paris(2025, 2, 14, 23, 59, 0), tick=False):
        services.candidature_deposit(candidature=candidature, user=world.users["responsable"])
    candidature.refresh_from_db()
    assert candidature.etat == "deposee"
    assert candidature.deposee_at == paris(2025, 2, 14, 23, 59, 0)
    log = TransitionCandidature.objects.get(candidature=candidature)
    assert (log.de, log.vers, log.user) == ("brouillon", "deposee", world.users["responsable"])


@pytest.mark.django_db
def test_deposit_refused_at_midnight_after_the_close(world, client):
    candidature = _world_candidature(world)
    client.force_login(world.users["responsable"])
    with time_machine.travel(paris(2025, 2, 15, 0, 0, 0), tick=False):
        response = client.post(f"/aap/candidatures/{candidature.pk}/deposer/", follow=True)
    candidature.refresh_from_db()
    assert candidature.etat == "brouillon"
    assert "La période de dépôt de cet appel à projets est close" in response.content.decode()


@pytest.mark.django_db
def test_extending_a_window_tells_structures_with_drafts(world):
    from portal.echeances.models import Notification

    candidature = _world_candidature(world)
    with time_machine.travel(paris(2025, 2, 10, 9, 0), tick=False):
        services.fenetre_extend(
            fenetre=candidature.dispositif.appel.fenetres.get(),
            cloture=datetime.date(2025, 2, 28),
            user=world.users["dpid"],
        )
    assert Notification.objects.filter(
        recipient=world.users["responsable"], title="Période de dépôt prolongée"
    ).exists()
    with time_machine.travel(paris(2025, 2, 20, 9, 0), tick=False):
        services.candidature_deposit(candidature=candidature, user=world.users["responsable"])
    assert candidature.etat == "deposee"
