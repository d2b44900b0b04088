import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from portal.core.formats import format_date, format_euros, round_money

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("712000"), "712 000,00 €"),
        ("418076.74", "418 076,74 €"),
        (Decimal("0"), "0,00 €"),
        (Decimal("999.995"), "1 000,00 €"),  # rounded once, half up
        (Decimal("-1234.5"), "-1 234,50 €"),
        (13789480.46, "13 789 480,46 €"),
    ],
)
def test_euros(value, expected):
    assert format_euros(value).replace(NBSP, " ") == expected


def test_euros_never_break_across_lines():
    assert format_euros(Decimal("712000")) == f"712{NBSP}000,00{NBSP}€"


def test_round_money_half_up():
    assert round_money("0.125") == Decimal("0.13")
    assert round_money("0.135") == Decimal("0.14")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2024, 12, 9), "9 décembre 2024"),
        (datetime.date(2025, 1, 1), "1er janvier 2025"),
        (datetime.date(2025, 8, 14), "14 août 2025"),
        # 23:30 UTC on 31 December is already New Year's Day in Paris.
        (datetime.datetime(2024, 12, 31, 23, 30, tzinfo=datetime.UTC), "1er janvier 2025"),
        (None, ""),
    ],
)
def test_dates(value, expected):
    assert format_date(value) == expected


def test_filters_are_available_in_every_template():
    rendered = Template("{{ montant|euros }} le {{ jour|date_fr }}").render(
        Context({"montant": Decimal("59220"), "jour": datetime.date(2024, 12, 9)})
    )
    assert rendered.replace(NBSP, " ") == "59 220,00 € le 9 décembre 2024"
