"""Tables as spreadsheets: CSV for French spreadsheet software (`;`, UTF-8 with BOM, decimal
comma) and XLSX (openpyxl) with real numbers and formats."""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.core.formats import format_number

PERCENT = "taux"


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """`rows` hold (value, kind) pairs or plain values; numbers get a decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(cell):
    value = cell[0] if isinstance(cell, tuple) else cell
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return format_number(value, 1).replace("\u00a0", "")
    if isinstance(value, int):
        return str(value)
    return _text(value)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """A name typed by a user (referent, structure) must never run as a spreadsheet formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def xlsx_bytes(title: str, header: list[str], rows: list[list], *, note: str = "") -> bytes:
    """A one-sheet workbook: an optional note line, a bold header, then the rows. A rate is stored
    as a fraction with a percent format (82,5 % is 0.825), so sums and charts work."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    if note:
        sheet.append([note])
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"B{sheet.max_row + 1}"  # a string: creates no empty row under the header
    for row in rows:
        values, formats = [], []
        for cell in row:
            value, kind = cell if isinstance(cell, tuple) else (cell, None)
            if isinstance(value, Decimal):
                value = float(value / 100) if kind == PERCENT else float(value)
            elif isinstance(value, str):
                value = _text(value)
            values.append(value)
            formats.append("0.0%" if kind == PERCENT else "0.0" if kind == "valeur" else None)
        sheet.append(values)
        for index, number_format in enumerate(formats, start=1):
            if number_format:
                sheet.cell(row=sheet.max_row, column=index).number_format = number_format
    for index, label in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(label) + 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
