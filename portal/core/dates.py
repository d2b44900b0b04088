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
