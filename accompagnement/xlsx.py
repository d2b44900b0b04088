"""Tables as spreadsheets for the indicators: the portal's shared writer (`portal.core.tabular`)
with one decimal for plain figures, the header and first column frozen in XLSX. `rows` hold
(value, kind) pairs or plain values; a rate (kind "taux") is stored in XLSX as a fraction with a
percent format (82,5 % is 0.825), so sums and charts work."""

from portal.core import tabular

PERCENT = tabular.PERCENT


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    return tabular.csv_bytes(header, rows, decimals=1)


def xlsx_bytes(title: str, header: list[str], rows: list[list], *, note: str = "") -> bytes:
    return tabular.xlsx_bytes(title, header, rows, note=note, freeze=True, max_width=40)
