"""Tables of the funding domain as files (CSV and XLSX): the portal's shared writer
(`portal.core.tabular`), amounts with two decimals and a euro format, long texts wrapped."""

from portal.core import tabular


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    return tabular.csv_bytes(header, rows, decimals=2)


def xlsx_bytes(title: str, header: list[str], rows: list[list], *, money_columns=(), note: str = "") -> bytes:
    return tabular.xlsx_bytes(title, header, rows, note=note, money_columns=money_columns, wrap=True)
