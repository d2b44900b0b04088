"""The CER exchange format (the one `grade_cer` reads, portal/grille_cer/) and the grid as pages show it.

A CER of the portal ⇄ one JSON object with CER_FIELDS and, per action, ACTION_FIELDS; dates as AAAA-MM-JJ.
The signature is not part of the format: an imported CER is recorded unsigned.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from accompagnement.models import Cer, Orientation
from accompagnement.regles import cer_duration_error
from portal.core.formats import format_date, format_number
from portal.core.textfiles import UnreadableText, load_json_bytes
from portal.grille_cer import (
    ACTION_FIELDS,
    AUTOMATIC_ITEMS,
    CER_FIELDS,
    ActionInput,
    CerFormatError,
    CerInput,
    action_spans_whole_contract,
    automatic_scores,
    parse_cer,
    secrecy_alerts,
)

DATE_ITEMS = ("debut_actions", "fin_actions")  # need the contract's and the actions' dates
AUTOMATIC_MAXIMUM = sum((item.maximum for item in AUTOMATIC_ITEMS), Decimal(0))  # 4,5


def cer_input(cer) -> CerInput:
    """A saved CER as the grid's input (uses `cer.actions.all()`, prefetch it for lists)."""
    return CerInput(
        numero_caf=cer.orientation.beneficiaire.numero_caf,
        type=cer.type,
        date_edition=cer.date_edition,
        date_debut=cer.date_debut,
        date_fin=cer.date_fin,
        remarque=cer.remarque,
        actions=[
            ActionInput(
                intitule=action.intitule,
                date_debut=action.date_debut,
                date_fin=action.date_fin,
                detail=action.detail,
                insertion_professionnelle=action.insertion_professionnelle,
            )
            for action in cer.actions.all()
        ],
    )


def cer_to_json(cer) -> dict:
    data = cer_input(cer)
    values = {name: getattr(data, name) for name in CER_FIELDS if name != "actions"}
    result = {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in values.items()}
    result["actions"] = [
        {
            name: getattr(action, name).isoformat() if name.startswith("date_") else getattr(action, name)
            for name in ACTION_FIELDS
        }
        for action in data.actions
    ]
    return {name: result[name] for name in CER_FIELDS}


def export_filename(cer) -> str:
    return f"cer-{cer.orientation.beneficiaire.numero_caf}-{cer.date_debut.isoformat()}.json"


# --- the automatic items of the grid, as the CER pages show them ---------------------------------


def points(value: Decimal) -> str:
    """Grid points the French way: "2", "0,5", "4,5"."""
    return format_number(value, 0 if value == value.to_integral_value() else 1)


@dataclass
class GridLine:
    code: str
    libelle: str
    maximum: Decimal
    score: Decimal | None  # None: "à compléter" (a date is missing)

    @property
    def score_text(self):
        return points(self.score) if self.score is not None else ""

    @property
    def maximum_text(self):
        return points(self.maximum)


@dataclass
class GridSummary:
    lines: list[GridLine]
    total: Decimal | None
    maximum: Decimal
    action_sur_toute_la_duree: bool | None
    alertes: list[str]

    @property
    def complete(self):
        return self.total is not None

    @property
    def total_text(self):
        return points(self.total) if self.total is not None else ""

    @property
    def maximum_text(self):
        return points(self.maximum)


def grid_summary(data: CerInput, *, dates_ok: bool = True) -> GridSummary:
    """The five automatic items (portal.grille_cer is the single source of truth), out of 4,5."""
    scores = automatic_scores(data)
    lines = [
        GridLine(
            code=item.code,
            libelle=item.libelle,
            maximum=item.maximum,
            score=None if (not dates_ok and item.code in DATE_ITEMS) else scores[item.code],
        )
        for item in AUTOMATIC_ITEMS
    ]
    return GridSummary(
        lines=lines,
        total=sum((line.score for line in lines), Decimal(0)) if dates_ok else None,
        maximum=AUTOMATIC_MAXIMUM,
        action_sur_toute_la_duree=action_spans_whole_contract(data) if dates_ok else None,
        alertes=secrecy_alerts(data),
    )


# --- import: check a list of CERs against a structure's caseload --------------------------------

MAX_FILE_SIZE = 2 * 1024 * 1024  # 2 Mo: a few thousand CERs


class UnreadableCerFile(ValueError):
    """The file is not a JSON list of CERs (French message)."""


def load_cers(raw: bytes) -> list:
    """The decoded CERs of an uploaded file, checked by content (size, UTF-8, JSON, a list)."""
    try:
        data = load_json_bytes(raw, max_bytes=MAX_FILE_SIZE)
    except UnreadableText as error:
        raise UnreadableCerFile(str(error)) from None
    if isinstance(data, dict):
        data = [data]  # one CER, as grade_cer accepts
    if not isinstance(data, list):
        raise UnreadableCerFile("Le fichier doit contenir une liste de CER (un tableau JSON).")
    if not data:
        raise UnreadableCerFile("Le fichier ne contient aucun CER.")
    return data


@dataclass
class ImportItem:
    position: int
    numero_caf: str = ""
    data: CerInput | None = None
    orientation: Orientation | None = None
    errors: list[str] = field(default_factory=list)
    duplicate: bool = False

    @property
    def is_valid(self):
        return not self.errors and not self.duplicate

    @property
    def message(self):
        prefix = f"CER n° {self.position} : "
        if self.errors:
            return prefix + " ; ".join(self.errors)
        cer = self.data
        period = f"du {format_date(cer.date_debut)} au {format_date(cer.date_fin)}"
        if self.duplicate:
            return prefix + (
                f"déjà enregistré pour le N° CAF {cer.numero_caf} (CER débutant le {format_date(cer.date_debut)}) : "
                "ignoré, pas de doublon"
            )
        return prefix + f"N° CAF {cer.numero_caf}, {_label_of(cer.type)} {period}"


def _label_of(type_code):
    return dict(Cer._meta.get_field("type").flatchoices).get(type_code, type_code)


def _content_errors(data: CerInput) -> list[str]:
    """What the portal requires beyond the format (the CER form's rules)."""
    errors = []
    if data.date_fin <= data.date_debut:
        errors.append("date_fin : la fin du CER suit son début")
    if not data.remarque.strip():
        errors.append("remarque : la remarque est obligatoire")
    if not data.actions:
        errors.append("actions : un CER comporte au moins une action")
    for number, action in enumerate(data.actions, start=1):
        where = f"actions[{number - 1}]"
        if not action.intitule.strip():
            errors.append(f"{where}.intitule (action n° {number}) : l'intitulé est obligatoire")
        elif len(action.intitule) > 200:
            errors.append(f"{where}.intitule (action n° {number}) : 200 caractères au plus")
        if not action.detail.strip():
            errors.append(f"{where}.detail (action n° {number}) : le détail de l'action est obligatoire")
    return errors


def check_import(items: list, *, structure) -> list[ImportItem]:
    """Validate each CER and find the structure's current accompaniment of its N° CAF; a CER
    already recorded (same accompaniment, same start) is a duplicate. Three queries in all."""
    checked = []
    for position, raw in enumerate(items, start=1):
        item = ImportItem(position=position)
        try:
            item.data = parse_cer(raw)
        except CerFormatError as error:
            item.errors.append(error.message)
        else:
            item.numero_caf = item.data.numero_caf.strip()
            item.errors.extend(_content_errors(item.data))
        checked.append(item)
    cafs = {item.numero_caf for item in checked if item.data is not None}
    orientations = {}
    for orientation in (
        Orientation.objects.actives()
        .filter(structure=structure, beneficiaire__numero_caf__in=cafs)
        .select_related("beneficiaire", "type_accompagnement")
        .order_by("date_orientation", "pk")
    ):
        orientations[orientation.beneficiaire.numero_caf] = orientation  # the latest one wins
    existing = set(
        Cer.objects.filter(orientation__in=list(orientations.values())).values_list("orientation_id", "date_debut")
    )
    for item in checked:
        if item.data is None:
            continue
        item.orientation = orientations.get(item.numero_caf)
        if item.orientation is None:
            item.errors.append(
                f"numero_caf : aucune personne de ce N° CAF ({item.numero_caf}) n'est accompagnée par votre structure"
            )
            continue
        duration = cer_duration_error(item.orientation.type_accompagnement, item.data.date_debut, item.data.date_fin)
        if duration:
            item.errors.append(f"date_fin : {duration}")
        if item.errors:
            continue
        key = (item.orientation.pk, item.data.date_debut)
        if key in existing:
            item.duplicate = True
        existing.add(key)  # the same CER twice in one file is imported once
    return checked
