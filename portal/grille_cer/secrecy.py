"""Professional-secrecy alerts: wording in a CER that likely reveals health or other protected
information. An alert never changes a score. Pure Python."""

from __future__ import annotations

import re
import unicodedata

from portal.grille_cer.parsing import CerInput

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
