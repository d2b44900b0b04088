"""Writes of the label domain, one module per procedure: `demandes` (the label request, from the
draft to the decision), `recours` (the recours gracieux), `retraits` (withdrawal and its new
study), `chartes` (the yearly quality charter), `formations` (training records); `common`
holds the errors, delays, transition tables and the checks the decisions rest on. Everything is
re-exported here: callers write `from label import services` and `services.demande_accorder(...)`.

The public entry point for other domains is `structure_is_labelled(structure, on=date)` (aap's
gate)."""

from label.selectors import renewal_window_open, renewal_windows_text
from label.services.chartes import charte_deposer, charte_examiner
from label.services.common import (
    CER_CAF_MAX_LENGTH,
    CHARTER_OPENS_DAYS_BEFORE,
    FIRST_CAMPAIGN_NEW_REQUESTS_FROM,
    LABEL_YEARS,
    MORATOIRE_MONTHS,
    PROCEDURE_TRANSITIONS,
    PROCEDURE_WRONG_STATE,
    TRANSITION_LABELS,
    TRANSITIONS,
    WRONG_STATE,
    LabelError,
    _transition,
    structure_is_labelled,
)
from label.services.demandes import (
    MORATOIRE_SHEET_FIELDS,
    NEWCOMER_MONTHS,
    cers_import,
    demande_accorder,
    demande_avis_slai,
    demande_create,
    demande_deposer,
    demande_evaluer,
    demande_refuser,
    demande_renvoyer,
    demande_update,
    draw,
    evaluation_prepare,
    evaluation_save,
    moratoire_update,
    panel_reduit_accepter,
    portal_cers_import,
    study_since,
    tirage_create,
)
from label.services.formations import equivalence_accept, formation_record
from label.services.recours import (
    contentieux_deadline,
    recours_answer_deadline,
    recours_deadline,
    recours_deposer,
    recours_repondre,
)
from label.services.retraits import (
    ACCOMPAGNEMENT_MONTHS,
    retrait_conclure_etude,
    retrait_decider,
    retrait_engager,
    retrait_observations,
    retrait_ouvrir_etude,
)

__all__ = [
    "ACCOMPAGNEMENT_MONTHS",
    "CER_CAF_MAX_LENGTH",
    "CHARTER_OPENS_DAYS_BEFORE",
    "FIRST_CAMPAIGN_NEW_REQUESTS_FROM",
    "LABEL_YEARS",
    "MORATOIRE_MONTHS",
    "MORATOIRE_SHEET_FIELDS",
    "NEWCOMER_MONTHS",
    "PROCEDURE_TRANSITIONS",
    "PROCEDURE_WRONG_STATE",
    "TRANSITIONS",
    "TRANSITION_LABELS",
    "WRONG_STATE",
    "LabelError",
    "_transition",
    "cers_import",
    "charte_deposer",
    "charte_examiner",
    "contentieux_deadline",
    "demande_accorder",
    "demande_avis_slai",
    "demande_create",
    "demande_deposer",
    "demande_evaluer",
    "demande_refuser",
    "demande_renvoyer",
    "demande_update",
    "draw",
    "equivalence_accept",
    "evaluation_prepare",
    "evaluation_save",
    "formation_record",
    "moratoire_update",
    "panel_reduit_accepter",
    "portal_cers_import",
    "recours_answer_deadline",
    "recours_deadline",
    "recours_deposer",
    "recours_repondre",
    "renewal_window_open",
    "renewal_windows_text",
    "retrait_conclure_etude",
    "retrait_decider",
    "retrait_engager",
    "retrait_observations",
    "retrait_ouvrir_etude",
    "structure_is_labelled",
    "study_since",
    "tirage_create",
]
