"""CER quality grid of the "Label référent RSA" (cahier des charges, annexe 2), out of 10.

Pure Python: no database access and no Django import, so the grid can be used from a management
command, a view or a notebook alike. It lives in the shared room (`portal/`) because both the label (grading drawn
CERs) and the accompaniment (live grid items while a referent types a CER, JSON export) use it.

The portal computes the items a machine can check (dates, number of actions, blank details, presence
of a remark) and returns the judgement items with their maxima, for a person to score. It also gives
hints (one action spanning the whole contract) and professional-secrecy alerts; neither changes a score.

Three concerns, one module each: `parsing` (the CER exchange format read into a `CerInput`),
`grid` (the grid and its scoring), `secrecy` (professional-secrecy alerts). The public names are
re-exported here: `from portal.grille_cer import grade, parse_cer`.
"""

from portal.grille_cer.grid import (
    AUTOMATIC_ITEMS,
    GRID,
    GRID_BY_CODE,
    GRID_SECTIONS,
    GRID_TOTAL,
    JUDGEMENT_ITEMS,
    GridItem,
    GridSection,
    action_spans_whole_contract,
    automatic_scores,
    grade,
)
from portal.grille_cer.parsing import (
    ACTION_FIELDS,
    CER_FIELDS,
    CER_TYPES,
    TYPE_SOCIOPROFESSIONNEL,
    TYPE_SOLIDARITE,
    ActionInput,
    CerFormatError,
    CerInput,
    parse_cer,
)
from portal.grille_cer.secrecy import SECRECY_CATEGORIES, find_secrecy_terms, secrecy_alerts

__all__ = [
    "ACTION_FIELDS",
    "AUTOMATIC_ITEMS",
    "CER_FIELDS",
    "CER_TYPES",
    "GRID",
    "GRID_BY_CODE",
    "GRID_SECTIONS",
    "GRID_TOTAL",
    "JUDGEMENT_ITEMS",
    "SECRECY_CATEGORIES",
    "TYPE_SOCIOPROFESSIONNEL",
    "TYPE_SOLIDARITE",
    "ActionInput",
    "CerFormatError",
    "CerInput",
    "GridItem",
    "GridSection",
    "action_spans_whole_contract",
    "automatic_scores",
    "find_secrecy_terms",
    "grade",
    "parse_cer",
    "secrecy_alerts",
]
