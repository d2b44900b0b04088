"""Names as printed in the Département's documents → the portal's referentials.

Seed 003's annex misspells territories ("Arageois", "Boulois", "Lensois", "Lenz/liévin") and
covers two SLAI in one cell ("Montreuillois/ternois"). Names are matched through this table after
normalisation (case, accents, spaces, hyphens), never by the printed string itself.
"""

import unicodedata

from portal.referentiels.models import Territoire

DEPARTEMENTAL = "departemental"

# normalised printed name → territory codes (the first one carries the line: see README, « Financement »)
TERRITOIRE_ALIASES = {
    "arrageois": ("arrageois",),
    "arageois": ("arrageois",),
    "artois": ("artois",),
    "audomarois": ("audomarois",),
    "boulonnais": ("boulonnais",),
    "boulois": ("boulonnais",),
    "calaisis": ("calaisis",),
    "henin carvin": ("henin-carvin",),
    "lens lievin": ("lens-lievin",),
    "lensois": ("lens-lievin",),
    "lenz lievin": ("lens-lievin",),
    "montreuillois": ("montreuillois",),
    "ternois": ("ternois",),
    # One cell, two SLAI: the line is carried by the Montreuillois (named first; it is where
    # ADEFI's thématique 3 action of the same annex runs) and also covers the Ternois.
    "montreuillois ternois": ("montreuillois", "ternois"),
    "departemental": (),
}


def normalise(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    for separator in "-/_'":
        stripped = stripped.replace(separator, " ")
    return " ".join(stripped.lower().split())


class UnknownTerritoire(ValueError):
    pass


def match_territoires(printed: str) -> tuple[Territoire | None, Territoire | None]:
    """(main territory, second territory) for a printed name; (None, None) for "Départemental"."""
    key = normalise(printed)
    if key not in TERRITOIRE_ALIASES:
        raise UnknownTerritoire(f"Territoire inconnu du référentiel SLAI : « {printed} ».")
    codes = TERRITOIRE_ALIASES[key]
    found = Territoire.objects.in_bulk(codes, field_name="code")
    missing = [code for code in codes if code not in found]
    if missing:
        raise UnknownTerritoire(f"Territoire absent du référentiel : {', '.join(missing)} (pour « {printed} »).")
    territoires = [found[code] for code in codes]
    return (territoires[0] if territoires else None, territoires[1] if len(territoires) > 1 else None)
