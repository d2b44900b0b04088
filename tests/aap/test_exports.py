"""Exports never let a name typed by a structure run as a spreadsheet formula; numbers stay numbers."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from aap.exports import csv_cell, to_xlsx


def test_csv_cells():
    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_cell(Decimal("712000")) == "712000,00"
    assert csv_cell(None) == ""


def test_xlsx_keeps_numbers_and_neutralises_formulas():
    content = to_xlsx(["Structure", "Montant"], [["=1+1", Decimal("16000.00")]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "'=1+1"
    assert sheet["B2"].value == 16000
