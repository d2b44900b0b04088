"""Submission windows in Paris time: "du 15/01/2025 au 14/02/2025 inclus" opens on 15 January at
midnight and accepts a deposit until 14 February 23:59:59.999999, Paris time, whatever the
server's clock zone or the daylight-saving change in between."""

import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def opening_at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=PARIS)


def closing_at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=PARIS)


def window_is_open(*, opens_on: datetime.date, closes_on: datetime.date, at: datetime.datetime) -> bool:
    """True when the aware datetime `at` falls within the window, both days included."""
    return opening_at(opens_on) <= at <= closing_at(closes_on)
