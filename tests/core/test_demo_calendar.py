"""The demo stays true whatever day `load_demo` runs: loaded on other days (early in a month,
before the monthly reports are due; on New Year's Eve years later), nothing is dated after that
moment and the label keeps the seed's calendar."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.core import demo_checks

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2028, 5, 1, 8, 0, tzinfo=PARIS),
        datetime.datetime(2031, 12, 31, 23, 30, tzinfo=PARIS),
    ],
    ids=["first-of-a-month", "new-years-eve-2031"],
)
def test_demo_loaded_another_day_tells_the_truth(db, settings, moment):
    settings.DEMO_MODE = True
    with time_machine.travel(moment):
        call_command("load_demo", stdout=io.StringIO())
        now = timezone.now()
        assert {name: found for name, found in demo_checks.all_breaches(now).items() if found} == {}
