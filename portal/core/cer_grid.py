"""CER quality grid of the "Label référent RSA" (cahier des charges, annexe 2), out of 10.

Pure Python: no database access and no Django import, so the grid can be used from a management
command, a view or a notebook alike. It lives in the shared room because both the label (grading drawn
CERs) and the accompaniment (live grid items while a referent types a CER, JSON export) use it.

The portal computes the items a machine can check (dates, number of actions, blank details, presence
of a remark) and returns the judgement items with their maxima, for a person to score. It also gives
hints (one action spanning the whole contract) and professional-secrecy alerts; neither changes a score.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

# --------------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------------
# Grid (annexe 2)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridItem:
    code: str
    rubrique: str  # the grid's column ("Durée des actions", ...)
    libelle: str
    maximum: Decimal
    automatique: bool  # True: computed by the portal; False: left to a person's judgement


@dataclass(frozen=True)
class GridSection:
    rubrique: str
    maximum: Decimal


GRID_SECTIONS: tuple[GridSection, ...] = (
    GridSection("Durée des actions", Decimal("2")),
    GridSection("Nombre d'actions", Decimal("2")),
    GridSection("Détail des actions", Decimal("1")),
    GridSection("Remarque", Decimal("3.5")),
    GridSection("Secret professionnel", Decimal("1.5")),
)

GRID: tuple[GridItem, ...] = (
    GridItem(
        "debut_actions",
        "Durée des actions",
        "Les actions démarrent au plus tôt à la date d'édition du contrat",
        Decimal("0.5"),
        True,
    ),
    GridItem(
        "fin_actions",
        "Durée des actions",
        "Les actions prennent fin au plus tard à la date de fin du contrat",
        Decimal("0.5"),
        True,
    ),
    GridItem(
        "duree_adaptee",
        "Durée des actions",
        "La durée est adaptée à la démarche à réaliser",
        Decimal("1"),
        False,
    ),
    GridItem(
        "nombre_actions",
        "Nombre d'actions",
        "En solidarité, au moins une action (2) ; en socio-pro, au moins 3 actions (1), "
        "dont une à visée d'insertion professionnelle (1)",
        Decimal("2"),
        True,
    ),
    GridItem(
        "detail_actions",
        "Détail des actions",
        "Les actions sont détaillées",
        Decimal("1"),
        True,
    ),
    GridItem(
        "remarque_presente",
        "Remarque",
        "Une remarque est présente",
        Decimal("0.5"),
        True,
    ),
    GridItem(
        "remarque_situation",
        "Remarque",
        "La remarque permet d'appréhender la situation de la personne",
        Decimal("1"),
        False,
    ),
    GridItem(
        "remarque_positionnement",
        "Remarque",
        "La remarque permet de comprendre le positionnement des actions",
        Decimal("2"),
        False,
    ),
    GridItem(
        "secret_professionnel",
        "Secret professionnel",
        "Les informations contenues dans le CER respectent les critères de confidentialité",
        Decimal("1.5"),
        False,
    ),
)

GRID_BY_CODE = {item.code: item for item in GRID}
AUTOMATIC_ITEMS: tuple[GridItem, ...] = tuple(item for item in GRID if item.automatique)
JUDGEMENT_ITEMS: tuple[GridItem, ...] = tuple(item for item in GRID if not item.automatique)
GRID_TOTAL: Decimal = sum((item.maximum for item in GRID), Decimal(0))

if Decimal(10) != GRID_TOTAL:  # pragma: no cover - guards against a mistaken edit of the grid
    raise AssertionError(f"la grille doit totaliser 10 points, pas {GRID_TOTAL}")


def _blank(text: str) -> bool:
    return not text.strip()


def automatic_scores(cer: CerInput) -> dict[str, Decimal]:
    """The five items the portal computes, as Decimals, in grid order."""
    actions = cer.actions
    has_actions = bool(actions)
    pts = {item.code: item.maximum for item in AUTOMATIC_ITEMS}
    zero = Decimal(0)

    debut = pts["debut_actions"] if has_actions and all(a.date_debut >= cer.date_edition for a in actions) else zero
    fin = pts["fin_actions"] if has_actions and all(a.date_fin <= cer.date_fin for a in actions) else zero

    if cer.type == TYPE_SOCIOPROFESSIONNEL:
        # The two points are independent: 3 actions or more = 1, a professional-insertion action = 1.
        nombre = (Decimal(1) if len(actions) >= 3 else zero) + (
            Decimal(1) if any(a.insertion_professionnelle for a in actions) else zero
        )
    else:
        nombre = pts["nombre_actions"] if has_actions else zero

    detail = pts["detail_actions"] if has_actions and not any(_blank(a.detail) for a in actions) else zero
    remarque = pts["remarque_presente"] if not _blank(cer.remarque) else zero
    return {
        "debut_actions": debut,
        "fin_actions": fin,
        "nombre_actions": nombre,
        "detail_actions": detail,
        "remarque_presente": remarque,
    }


def action_spans_whole_contract(cer: CerInput) -> bool:
    """Hint for `duree_adaptee`: at least one action lasts the whole CER (cahier des charges, 5-2)."""
    return any(a.date_debut <= cer.date_debut and a.date_fin >= cer.date_fin for a in cer.actions)


def _number(value: Decimal) -> int | float:
    """A Decimal as a plain JSON number: 2 rather than 2.0, 0.5 rather than "0.5"."""
    return int(value) if value == value.to_integral_value() else float(value)


def grade(cer: CerInput) -> dict:
    """Grade one CER. The result serialises with json.dumps (plain numbers only)."""
    scores = automatic_scores(cer)
    return {
        "numero_caf": cer.numero_caf,
        "automatique": {code: _number(value) for code, value in scores.items()},
        "score_automatique": _number(sum(scores.values(), Decimal(0))),
        "a_evaluer": {item.code: _number(item.maximum) for item in JUDGEMENT_ITEMS},
        "indices": {"action_sur_toute_la_duree": action_spans_whole_contract(cer)},
        "alertes": secrecy_alerts(cer),
    }


# --------------------------------------------------------------------------------------------------
# Professional secrecy alerts
# --------------------------------------------------------------------------------------------------

# Patterns are written against folded text: lower case, no accents, "œ" -> "oe", straight apostrophes,
# whitespace runs collapsed to one space. Each pattern is anchored at a word start; `\w*` makes it a stem.
# Legitimate steps (CSS/CPAM, MDPH, RQTH, bilan de santé, médecin traitant…) deliberately match nothing.
SECRECY_CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "diagnostic": (
        "mention d'un diagnostic médical",
        (
            r"cancer\w*",
            r"tumeurs?",
            r"leucemi\w*",
            r"diabet\w*",
            r"depressi\w*",
            r"schizophren\w*",
            r"bipolaires?",
            r"epilep\w*",
            r"hepatites?",
            r"tuberculo\w*",
            r"tuberculeu\w*",
            r"alzheimer",
            r"parkinson",
            r"sclerose en plaques",
            r"psychoses?",
            r"psychotiques?",
            r"paranoi\w*",
            r"autis\w*",
            r"anorexi\w*",
            r"boulimi\w*",
            r"cirrhose\w*",
            r"infarctus",
            r"burn-? ?out",
            r"troubles? (?:psychiques?|psychiatriques?|mentaux|mental|bipolaires?)",
            r"maladies? (?:mentales?|psychiatriques?|chroniques?|de crohn)",
        ),
    ),
    "traitement": (
        "mention d'un traitement médical",
        (
            r"chimio\w*",
            r"radiotherapi\w*",
            r"methadone",
            r"subutex",
            r"buprenorphine",
            r"antidepresseurs?",
            r"neuroleptiques?",
            r"anxiolytiques?",
            r"insuline",
            r"dialyse\w*",
            r"hospitalis\w*(?: (?:en|au service de) psychiatrie| psychiatriques?)?",
            r"psychiatr\w*",
        ),
    ),
    "addiction": (
        "mention d'une addiction",
        (
            r"alcool\w*",
            r"addict\w*",
            r"toxicoman\w*",
            r"toxicos?",
            r"drogu(?:e|es|ee|ees|er)",
            r"cannabis",
            r"heroine",
            r"cocaine",
            r"crack",
            r"ecstasy",
            r"opiace\w*",
            r"sevrage\w*",
            r"cure de desintox\w*",
            r"desintox\w*",
            r"csapa",
        ),
    ),
    "judiciaire": (
        "mention d'un antécédent judiciaire",
        (
            r"casier judiciaire",
            r"incarcer\w*",
            r"prison\w*",
            r"detention",
            r"detenue?s?",
            r"condamn\w*",
            r"garde a vue",
            r"sursis",
            r"bracelet electronique",
            r"spip",
            r"penitentiaire\w*",
            r"probation",
            r"maison d'arret",
            r"ecroue?s?",
            r"controle judiciaire",
            r"juge d'application des peines",
            r"liberation conditionnelle",
            r"travaux d'interet general",
        ),
    ),
    "vih": (
        "mention du statut VIH",
        (
            r"vih",
            r"hiv",
            r"sero-? ?positi\w*",
            r"sida",
            r"tritherapi\w*",
            r"antiretrovira\w*",
        ),
    ),
}

_SECRECY_RE = re.compile(
    "|".join(
        rf"(?P<{category}>(?<!\w)(?:{'|'.join(patterns)})(?!\w))"
        for category, (_label_text, patterns) in SECRECY_CATEGORIES.items()
    )
)

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})
_LIGATURES = {"œ": "oe", "æ": "ae"}


_FOLDED_CHARS: dict[str, str] = {}


def _fold_char(char: str) -> str:
    """Lower case, plain apostrophes, ligatures spelt out, accents dropped (memoised: grading
    10 000 CERs folds millions of characters from a small alphabet)."""
    folded = _FOLDED_CHARS.get(char)
    if folded is None:
        parts = []
        for part in char.casefold().translate(_APOSTROPHES):
            part = _LIGATURES.get(part, part)
            parts.append("".join(c for c in unicodedata.normalize("NFKD", part) if not unicodedata.combining(c)))
        folded = _FOLDED_CHARS[char] = "".join(parts)
    return folded


def _fold(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each folded character, the index of the original character it comes from."""
    folded: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not previous_space:
                folded.append(" ")
                origin.append(index)
            previous_space = True
            continue
        previous_space = False
        base = _FOLDED_CHARS.get(char) or _fold_char(char)
        folded.append(base)
        if len(base) == 1:
            origin.append(index)
        else:
            origin.extend([index] * len(base))
    return "".join(folded), origin


def find_secrecy_terms(text: str) -> list[tuple[str, str]]:
    """(category, wording as written) for each sensitive wording of `text`, in reading order."""
    folded, origin = _fold(text)
    found = []
    for match in _SECRECY_RE.finditer(folded):
        category = match.lastgroup
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        found.append((category, " ".join(text[start:end].split())))
    return found


def _places(cer: CerInput):
    yield "Remarque", cer.remarque
    for number, action in enumerate(cer.actions, start=1):
        yield f"Action {number}, intitulé", action.intitule
        yield f"Action {number}, détail", action.detail


def secrecy_alerts(cer: CerInput) -> list[str]:
    """French alerts for wording that likely breaks professional secrecy; one per (place, category)."""
    alerts = []
    for place, text in _places(cer):
        seen = set()
        for category, wording in find_secrecy_terms(text):
            if category in seen:
                continue
            seen.add(category)
            alerts.append(f"{place} : {SECRECY_CATEGORIES[category][0]} (« {wording} »)")
    return alerts
