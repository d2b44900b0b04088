"""French formatting for everything people read: "712 000,00 €", "9 décembre 2024"."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
CENT = Decimal("0.01")


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Floats never carry money here; go through repr to avoid binary artefacts.
        return Decimal(repr(value))
    return Decimal(str(value))


def round_money(value) -> Decimal:
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_number(value, decimals=2) -> str:
    """1234567.891 → "1 234 567,89" (non-breaking spaces between thousands)."""
    quantum = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    number = to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    integer, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = NBSP.join(groups)
    return f"{sign}{text},{fraction}" if decimals else f"{sign}{text}"


def format_euros(value) -> str:
    """712000 → "712 000,00 €"; empty for None; the raw value when it is not a number."""
    if value is None or value == "":
        return ""
    try:
        return f"{format_number(value, 2)}{NBSP}€"
    except (InvalidOperation, ValueError, TypeError):
        return str(value)


def format_date(value) -> str:
    """date(2024, 12, 9) → "9 décembre 2024"; datetimes are shown in their local date."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def mois_fr(day) -> str:
    """date(2026, 3, 1) → "mars 2026"."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def de_mois(day) -> str:
    """The month after "de", elided before a vowel: "de mars 2026", "d'avril 2026", "d'août 2026"."""
    name = mois_fr(day)
    return f"d'{name}" if name[0] in "aeiouyéèâ" else f"de {name}"
