"""Tables as files for French spreadsheet software: CSV (`;`, UTF-8 with BOM, decimal comma) and
XLSX with real numbers (amounts in a euro format)."""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EURO_FORMAT = '#,##0.00 "€"'


def _text(value: str) -> str:
    """A typed name must never run as a spreadsheet formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return _text(str(value))


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: list[str], rows: list[list], *, money_columns=(), note: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    if note:
        sheet.append([note])
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_text(value) if isinstance(value, str) else value for value in row])
        for index in money_columns:
            sheet.cell(row=sheet.max_row, column=index + 1).number_format = EURO_FORMAT
    for index, label in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(60, len(label) + 2))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
