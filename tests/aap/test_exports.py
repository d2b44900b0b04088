"""Exports never let a name typed by a structure run as a spreadsheet formula; numbers stay numbers."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from portal.core.tabular import csv_cell, xlsx_bytes


def test_csv_cells():
    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_cell(Decimal("712000")) == "712000,00"
    assert csv_cell(None) == ""


def test_xlsx_keeps_numbers_and_neutralises_formulas():
    content = xlsx_bytes("Candidatures", ["Structure", "Montant"], [["=1+1", Decimal("16000.00")]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "'=1+1"
    assert sheet["B2"].value == 16000


def test_a_deposit_moment_is_written_in_paris_time_and_stays_a_date_in_xlsx():
    import datetime

    moment = datetime.datetime(2025, 2, 14, 22, 59, 59, tzinfo=datetime.UTC)  # 23:59:59 in Paris
    assert csv_cell(moment) == "14/02/2025 23:59"
    assert csv_cell(datetime.date(2024, 12, 9)) == "09/12/2024"
    content = xlsx_bytes("Candidatures", ["Déposée le"], [[moment]])
    cell = load_workbook(io.BytesIO(content)).active["A2"]
    assert cell.value == datetime.datetime(2025, 2, 14, 23, 59, 59)
    assert cell.number_format == "DD/MM/YYYY HH:MM"
