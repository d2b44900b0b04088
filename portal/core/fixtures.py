"""Reference data of a Département read from `fixtures/<departement>/` (see fixtures/README.md).

CSV files are UTF-8, `;`-separated, with a header row; JSON files hold a list of objects. Every row
names the seed line it comes from in a non-empty `source` column, so a reader can check it. The
standard library reads them: migrations and `load_demo` may call this module in any environment.
"""

import csv
import json
from decimal import Decimal
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parent.parent.parent / "fixtures"
DEFAULT_DEPARTEMENT = "pas-de-calais"
TRUE_VALUES = {"oui": True, "non": False}


class FixtureError(ValueError):
    """A reference data file is missing, unreadable or breaks the folder's conventions."""


def fixture_path(departement: str, name: str) -> Path:
    path = FIXTURES_DIR / departement / name
    if not path.is_file():
        raise FixtureError(f"Fichier de données de référence introuvable : {path}")
    return path


def read_fixture(departement: str, name: str) -> list[dict[str, str]]:
    """The rows of `fixtures/<departement>/<name>` as dicts of stripped strings (CSV) or as loaded
    (JSON); raise FixtureError when a row has no `source`."""
    path = fixture_path(departement, name)
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise FixtureError(f"{path.name} : une liste d'objets est attendue.")
    elif path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=";")
            rows = []
            for row in reader:
                if None in row or any(value is None for value in row.values()):
                    raise FixtureError(f"{path.name}, ligne {reader.line_num} : nombre de colonnes incorrect.")
                if any(value.strip() for value in row.values()):
                    rows.append({key.strip(): value.strip() for key, value in row.items()})
    else:
        raise FixtureError(f"{path.name} : format non pris en charge (CSV ou JSON).")
    for number, row in enumerate(rows, start=1):
        if not str(row.get("source") or "").strip():
            raise FixtureError(f"{path.name}, enregistrement {number} : la colonne « source » est vide.")
    return rows


def as_bool(value: str) -> bool:
    """`oui` / `non` (the files are written for French readers)."""
    try:
        return TRUE_VALUES[value.strip().lower()]
    except KeyError:
        raise FixtureError(f"« {value} » : oui ou non attendu.") from None


def as_decimal(value: str) -> Decimal | None:
    """A decimal written with a point or a comma; empty means None."""
    value = value.strip()
    return Decimal(value.replace(",", ".")) if value else None


def as_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value else None


def as_list(value: str) -> list[str]:
    """Values separated by `|` (the `;` separates columns)."""
    return [item.strip() for item in value.split("|") if item.strip()]
