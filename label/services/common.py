"""What every step of the label procedures shares: the errors, the delays, the transition
tables of the request, the withdrawal and the appeal, and the checks the decisions rest on."""

import datetime

from label.enums import EtatDemande, EtatRecours, EtatRetrait, TypeDemande
from label.models import (
    EtapeProcedure,
    Label,
    TirageCer,
    TransitionDemande,
)
from label.selectors import label_criteria
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core import transitions

LABEL_YEARS = 5
CHARTER_OPENS_DAYS_BEFORE = 60
CER_CAF_MAX_LENGTH = 20
FIRST_CAMPAIGN_NEW_REQUESTS_FROM = datetime.date(2026, 1, 1)
MORATOIRE_MONTHS = 6


class LabelError(Exception):
    """A step the request's state or content does not allow; the message is shown as is, next to
    the form field it names (`field`) when there is one."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


def structure_is_labelled(structure, *, on: datetime.date) -> bool:
    """True when the structure holds a valid "Référent 62" label on that day."""
    return Label.objects.filter(structure=structure).valid_on(on).exists()


# --- transitions -----------------------------------------------------------------------------

# transition: (allowed from-states, to-state)
TRANSITIONS = {
    "deposer": ({EtatDemande.BROUILLON}, EtatDemande.DEPOSEE),
    "renvoyer": ({EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID}, EtatDemande.BROUILLON),
    "evaluer": ({EtatDemande.DEPOSEE}, EtatDemande.AVIS_DPID),
    "confirmer_slai": ({EtatDemande.AVIS_DPID}, EtatDemande.AVIS_SLAI),
    "accorder": ({EtatDemande.AVIS_SLAI}, EtatDemande.ACCORDEE),
    "refuser": ({EtatDemande.AVIS_SLAI}, None),  # moratorium, or refusal after a moratorium
    "accueillir_recours": ({EtatDemande.MORATOIRE, EtatDemande.REFUSEE}, EtatDemande.ACCORDEE),
    # A withdrawal's new study (type ETUDE_RETRAIT) ends on the DPID's control, not on a decision.
    "clore_etude": ({EtatDemande.DEPOSEE}, EtatDemande.ETUDE_CLOSE),
}
# What the audit journal says of each transition, in French.
TRANSITION_LABELS = {
    "deposer": "Demande déposée",
    "renvoyer": "Demande renvoyée à la structure pour correction",
    "evaluer": "Demande évaluée par la DPID",
    "confirmer_slai": "Avis confirmé avec le SLAI",
    "accorder": "Label accordé",
    "refuser": "Demande refusée",
    "accueillir_recours": "Recours gracieux accueilli : label accordé",
    "clore_etude": "Nouvelle étude conclue par la DPID",
}


def _lower_first(text):
    return text[:1].lower() + text[1:]


WRONG_STATE = "Action déjà effectuée, ou impossible dans l'état actuel de la demande."


def _allowed_from(demande, name):
    allowed, _ = TRANSITIONS[name]
    if name in ("accorder", "refuser") and demande.type == TypeDemande.RENOUVELLEMENT:
        # The lighter renewal procedure: the DPID may decide right after its evaluation.
        allowed = allowed | {EtatDemande.AVIS_DPID}
    return allowed


def _transition(demande, name, *, user, motif="", to=None):
    """Check the table, lock the row, move the state and log who, when, from, to and why."""
    de = transitions.apply_transition(
        demande,
        name,
        TRANSITIONS,
        log_model=TransitionDemande,
        owner_field="demande",
        user=user,
        motif=motif,
        to=to,
        allowed=_allowed_from(demande, name),
        error=LabelError,
        message=WRONG_STATE,
    )
    access_record(
        user=user,
        obj=demande,
        action=Action.MODIFICATION,
        detail=f"{TRANSITION_LABELS[name]} (état précédent : {_lower_first(EtatDemande(de).label)})",
    )
    return demande


def _require_editable(demande):
    if not demande.is_editable:
        raise LabelError("La demande est déposée : elle ne peut plus être modifiée.")


def _require_short_panels_accepted(demande):
    pending = [
        str(t.referent)
        for t in demande.tirages.select_related("referent")
        if t.is_short and not t.panel_reduit_accepte_le
    ]
    if pending:
        raise LabelError(
            f"Panel de moins de {TirageCer.PANEL_SIZE} CER à accepter (nouvel arrivant) pour : "
            + ", ".join(pending)
            + "."
        )


def _require_criteria(demande, today):
    """A label is granted only when both criteria of seed 001 §5 hold on the decision day."""
    criteria = label_criteria(demande, today)
    if not criteria.met:
        unmet = criteria.unmet_texts
        raise LabelError(
            "Le label ne peut pas être accordé : les deux critères doivent être remplis. " + " ; ".join(unmet) + ".",
            field="decision",
        )
    return criteria


# --- withdrawal and appeal transitions ------------------------------------------------------

# (procedure, transition): (allowed from-states, to-state; None: chosen by the service). "" is the
# state of a procedure not yet recorded.
PROCEDURE_TRANSITIONS = {
    ("retrait", "engager"): (
        {""},
        None,  # lapsed by right (end of mission), SLAI support (CER quality) or contradictoire
    ),
    # After the SLAI support: a new study (a new draw graded on the grid), whose result decides.
    ("retrait", "ouvrir_etude"): ({EtatRetrait.ACCOMPAGNEMENT}, EtatRetrait.ETUDE),
    ("retrait", "conclure_etude"): ({EtatRetrait.ETUDE}, None),  # contradictoire, or abandonné (maintained)
    ("retrait", "observations"): ({EtatRetrait.CONTRADICTOIRE}, EtatRetrait.CONTRADICTOIRE),
    ("retrait", "decider"): ({EtatRetrait.CONTRADICTOIRE}, None),  # retiré or abandonné
    ("recours", "deposer"): ({""}, EtatRecours.DEPOSE),
    ("recours", "repondre"): ({EtatRecours.DEPOSE}, None),  # accueilli or rejeté
}
PROCEDURE_WRONG_STATE = "Action déjà effectuée, ou impossible dans l'état actuel de la procédure."


def _procedure_check(obj, procedure, name, *, message=PROCEDURE_WRONG_STATE) -> str:
    """Lock the row, check the table; returns the state the step starts from."""
    allowed, _ = PROCEDURE_TRANSITIONS[(procedure, name)]
    return transitions.lock_and_check(obj, allowed, error=LabelError, message=message)


def _procedure_log(obj, procedure, name, *, de, user, motif=""):
    """Write the step to the procedure's log (after the object is saved)."""
    _, target = PROCEDURE_TRANSITIONS[(procedure, name)]
    transitions.record_transition(
        EtapeProcedure,
        owner_field=procedure,
        obj=obj,
        name=name,
        de=de,
        vers=target or obj.etat,
        user=user,
        motif=motif,
    )
