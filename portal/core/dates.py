"""Calendar arithmetic for legal delays (months, years), in whole days (label, accompaniment)."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day number `months` later; the month's last day when it is shorter (31 août + 6 mois
    → 28 ou 29 février)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


def latest_start_for(until: datetime.date, months: int) -> datetime.date:
    """The last day `d` such that `add_months(d, months) <= until`.

    `add_months` clamps to the month's end (31 March + 5 months → 31 August, 30 September + 5
    months → 28 February), so at a month's end every day up to the end of the earlier month
    qualifies: `add_months(until, -months)` alone would miss 29 and 30 September for 28 February.
    """
    start = add_months(until, -months)
    if until.day == calendar.monthrange(until.year, until.month)[1]:
        start = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start
