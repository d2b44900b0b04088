"""Queue exports with the columns the instructor picks: CSV for French spreadsheet software
(`;`, decimal comma) and XLSX with real numbers. Text typed by users never runs as a formula."""

import datetime
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.core.formats import format_number

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


# (key, header, getter)
COLUMNS = [
    ("appel", "Appel à projets", lambda c: c.dispositif.appel.titre),
    ("dispositif", "Dispositif", lambda c: f"{c.dispositif.code} {c.dispositif.libelle}"),
    ("structure", "Structure", lambda c: c.structure.nom),
    ("siret", "SIRET", lambda c: c.structure.siret),
    ("territoire", "Territoire", lambda c: c.territoire.nom),
    ("intitule", "Intitulé de l'action", lambda c: c.intitule),
    ("etat", "État", lambda c: c.get_etat_display()),
    ("deposee_at", "Déposée le", lambda c: _local(c.deposee_at)),
    ("places", "Places", lambda c: c.places),
    ("etp", "ETP", lambda c: c.etp),
    (
        "avis_slai",
        "Avis ou validation du SLAI",
        lambda c: c.get_validation_slai_display() or c.get_avis_slai_display(),
    ),
    ("avis", "Avis demandés / rendus", lambda c: f"{c.avis_demandes} demandés / {c.avis_rendus} rendus"),
    ("montant_propose", "Montant proposé (€)", lambda c: c.montant_propose),
    ("places_proposees", "Places proposées", lambda c: c.places_proposees),
    ("acte", "Acte proposé", lambda c: c.get_acte_propose_display()),
]
COLUMN_KEYS = [key for key, _, _ in COLUMNS]
DEFAULT_COLUMNS = ["dispositif", "structure", "territoire", "etat", "deposee_at", "montant_propose"]
_BY_KEY = {key: (header, getter) for key, header, getter in COLUMNS}


def table(candidatures, columns):
    header = [_BY_KEY[key][0] for key in columns]
    rows = [[_BY_KEY[key][1](c) for key in columns] for c in candidatures.iterator(chunk_size=500)]
    return header, rows


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_number(value, 2).replace("\u00a0", "")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return _safe(str(value))


def to_xlsx(header, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Candidatures"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else _safe(v) for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
