"""Reading a CER in the exchange format (JSON: N° CAF, type, dates, remark, actions) into a
`CerInput`, with French messages naming the faulty field. Pure Python, no Django import."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

TYPE_SOLIDARITE = "solidarite"
TYPE_SOCIOPROFESSIONNEL = "socioprofessionnel"
CER_TYPES = {
    TYPE_SOLIDARITE: "CER solidarité",
    TYPE_SOCIOPROFESSIONNEL: "CER socio-professionnel",
}

CER_FIELDS = ("numero_caf", "type", "date_edition", "date_debut", "date_fin", "remarque", "actions")
ACTION_FIELDS = ("intitule", "date_debut", "date_fin", "detail", "insertion_professionnelle")

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass
class ActionInput:
    intitule: str
    date_debut: datetime.date
    date_fin: datetime.date
    detail: str
    insertion_professionnelle: bool


@dataclass
class CerInput:
    numero_caf: str
    type: str
    date_edition: datetime.date
    date_debut: datetime.date
    date_fin: datetime.date
    remarque: str
    actions: list[ActionInput]


class CerFormatError(ValueError):
    """Invalid CER data. `field` is the path of the faulty field, e.g. "date_fin" or "actions[1].date_debut"."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message


def _json_type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "booléen"
    if isinstance(value, int | float):
        return "nombre"
    if isinstance(value, str):
        return "texte"
    if isinstance(value, list):
        return "liste"
    if isinstance(value, dict):
        return "objet"
    return type(value).__name__


def _label(field: str) -> str:
    """The field path, plus the human position of the action for action fields (paths are 0-based)."""
    match = re.match(r"actions\[(\d+)\]", field)
    if match:
        return f"{field} (action n° {int(match.group(1)) + 1})"
    return field


def _require(data: dict, key: str, prefix: str = ""):
    field = f"{prefix}{key}"
    if key not in data:
        raise CerFormatError(field, f"champ obligatoire manquant : {_label(field)}")
    return data[key]


def _parse_str(data: dict, key: str, prefix: str = "") -> str:
    value = _require(data, key, prefix)
    field = f"{prefix}{key}"
    if not isinstance(value, str):
        raise CerFormatError(
            field, f"{_label(field)} : du texte est attendu (valeur reçue de type {_json_type_name(value)})"
        )
    return value


def _parse_date(data: dict, key: str, prefix: str = "") -> datetime.date:
    value = _require(data, key, prefix)
    field = f"{prefix}{key}"
    if not isinstance(value, str):
        raise CerFormatError(
            field,
            f"{_label(field)} : une date au format AAAA-MM-JJ est attendue "
            f"(valeur reçue de type {_json_type_name(value)})",
        )
    if not _DATE_RE.fullmatch(value):
        raise CerFormatError(field, f"{_label(field)} : format de date invalide « {value} » (attendu : AAAA-MM-JJ)")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CerFormatError(field, f"{_label(field)} : date impossible « {value} »") from None


def _check_order(start: datetime.date, end: datetime.date, field: str) -> None:
    if end < start:
        raise CerFormatError(
            field,
            f"{_label(field)} : la date de fin ({end.isoformat()}) est antérieure "
            f"à la date de début ({start.isoformat()})",
        )


def _parse_action(data, index: int) -> ActionInput:
    prefix = f"actions[{index}]."
    if not isinstance(data, dict):
        field = f"actions[{index}]"
        raise CerFormatError(
            field,
            f"{_label(field)} : chaque action doit être un objet JSON (valeur reçue de type {_json_type_name(data)})",
        )
    intitule = _parse_str(data, "intitule", prefix)
    date_debut = _parse_date(data, "date_debut", prefix)
    date_fin = _parse_date(data, "date_fin", prefix)
    _check_order(date_debut, date_fin, f"{prefix}date_fin")
    detail = _parse_str(data, "detail", prefix)
    professional = _require(data, "insertion_professionnelle", prefix)
    if not isinstance(professional, bool):
        field = f"{prefix}insertion_professionnelle"
        raise CerFormatError(
            field,
            f"{_label(field)} : un booléen (true ou false) est attendu "
            f"(valeur reçue de type {_json_type_name(professional)})",
        )
    return ActionInput(
        intitule=intitule,
        date_debut=date_debut,
        date_fin=date_fin,
        detail=detail,
        insertion_professionnelle=professional,
    )


def parse_cer(data: dict) -> CerInput:
    """Validate one CER given as decoded JSON; raise CerFormatError with a French message naming the field."""
    if not isinstance(data, dict):
        raise CerFormatError("", f"le CER doit être un objet JSON (valeur reçue de type {_json_type_name(data)})")
    numero_caf = _parse_str(data, "numero_caf")
    if not numero_caf.strip():
        raise CerFormatError("numero_caf", "numero_caf : le N° CAF ne peut pas être vide")
    cer_type = _require(data, "type")
    if cer_type not in CER_TYPES:
        allowed = ", ".join(f"« {value} »" for value in CER_TYPES)
        shown = f"« {cer_type} »" if isinstance(cer_type, str) else f"de type {_json_type_name(cer_type)}"
        raise CerFormatError("type", f"type : valeur inconnue {shown} (valeurs admises : {allowed})")
    date_edition = _parse_date(data, "date_edition")
    date_debut = _parse_date(data, "date_debut")
    date_fin = _parse_date(data, "date_fin")
    _check_order(date_debut, date_fin, "date_fin")
    remarque = _parse_str(data, "remarque")
    actions = _require(data, "actions")
    if not isinstance(actions, list):
        raise CerFormatError(
            "actions", f"actions : une liste d'actions est attendue (valeur reçue de type {_json_type_name(actions)})"
        )
    return CerInput(
        numero_caf=numero_caf,
        type=cer_type,
        date_edition=date_edition,
        date_debut=date_debut,
        date_fin=date_fin,
        remarque=remarque,
        actions=[_parse_action(action, index) for index, action in enumerate(actions)],
    )
