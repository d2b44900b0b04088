"""A small reader for this app's reference files (fixtures/pas-de-calais/financement/*.csv).

TODO(issue 13 follow-up): move to the generic fixtures loader once it lands on main.
"""

import csv
import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures" / "pas-de-calais" / "financement"


class FixtureError(ValueError):
    """A reference file that cannot be read as expected (the message names the file and line)."""


def read_rows(name: str) -> list[dict]:
    """The rows of `name` (UTF-8 CSV with a header and a `source` column), as dicts of stripped
    strings; blank lines are skipped."""
    path = FIXTURES_DIR / name
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "source" not in reader.fieldnames:
            raise FixtureError(f"{name} : la colonne « source » est obligatoire.")
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in reader
            if any((value or "").strip() for value in row.values())
        ]


def decimal_or_none(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def int_or_none(value: str) -> int | None:
    return int(value) if value else None


def date_or_none(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None
