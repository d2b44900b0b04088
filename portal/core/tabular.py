"""Tables as files for French spreadsheet software, shared by every export of the portal.

CSV: `;` separator, UTF-8 with BOM, decimal comma, no thousands separator. XLSX (openpyxl): one
sheet, an optional note line, a bold header, then the rows with real numbers and formats.

A cell is a plain value or a `(value, kind)` pair; the kind says how a number is written:
- `MONEY` ("euros"): two decimals, a euro format in XLSX;
- `PERCENT` ("taux"): a percentage such as 82.5, stored in XLSX as the fraction 0.825 with a
  percent format (so that sums and charts work);
- `VALUE` ("valeur"): one decimal.
A plain Decimal or float is written with `decimals` decimals; a date as 09/12/2024, a moment
(aware: in Paris time) as 09/12/2024 14:30, as real dates in XLSX. A text typed by a user (a name, a
description) never runs as a spreadsheet formula: it is prefixed with an apostrophe.
"""

import csv
import datetime
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from portal.core.formats import format_number

MONEY = "euros"
PERCENT = "taux"
VALUE = "valeur"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EURO_FORMAT = '#,##0.00 "€"'
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_MOMENT = "moment"
_DAY = "jour"
_XLSX_FORMATS = {MONEY: EURO_FORMAT, PERCENT: "0.0%", VALUE: "0.0", _MOMENT: "DD/MM/YYYY HH:MM", _DAY: "DD/MM/YYYY"}
_DECIMALS = {MONEY: 2, PERCENT: 1, VALUE: 1}


def safe_text(value: str) -> str:
    """A typed text must never run as a spreadsheet formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _split(cell):
    return cell if isinstance(cell, tuple) else (cell, None)


def csv_cell(cell, decimals: int = 2) -> str:
    value, kind = _split(cell)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal | float):
        return format_number(value, _DECIMALS.get(kind, decimals)).replace("\u00a0", "")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return safe_text(str(value))


def _local(moment: datetime.datetime) -> datetime.datetime:
    """A moment as the wall-clock time of the portal (Paris), without its zone (XLSX has none)."""
    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def csv_bytes(header: list[str], rows: list[list], *, decimals: int = 2) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(cell, decimals) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(
    title: str,
    header: list[str],
    rows: list[list],
    *,
    note: str = "",
    money_columns=(),
    freeze: bool = False,
    wrap: bool = False,
    max_width: int = 60,
) -> bytes:
    """`money_columns` (indexes from 0) get the euro format whatever their cells' kind; `freeze`
    keeps the header and the first column in view; `wrap` wraps long texts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    if note:
        sheet.append([note])
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    if freeze:
        sheet.freeze_panes = f"B{sheet.max_row + 1}"  # a string: creates no empty row under the header
    for row in rows:
        values, formats = [], []
        for index, cell in enumerate(row):
            value, kind = _split(cell)
            if index in money_columns:
                kind = MONEY
            if isinstance(value, Decimal):
                value = float(value / 100) if kind == PERCENT else float(value)
            elif isinstance(value, str):
                value = safe_text(value)
            elif isinstance(value, datetime.datetime):
                value, kind = _local(value), _MOMENT
            elif isinstance(value, datetime.date):
                kind = _DAY
            values.append(value)
            formats.append(_XLSX_FORMATS.get(kind))
        sheet.append(values)
        for index, number_format in enumerate(formats, start=1):
            if number_format:
                sheet.cell(row=sheet.max_row, column=index).number_format = number_format
    for index, label in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(max_width, len(label) + 2))
    if wrap:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
