"""States of conventions and avenants: one table of transitions, each applied by one function that
checks the table, sets the dates and writes the log."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from financement.enums import EtatActe
from financement.models import Avenant, Convention, TransitionActe
from portal.core.transitions import apply_transition


class TransitionError(Exception):
    """A transition the text's state or data does not allow (shown to the user as is)."""


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    sources: frozenset
    target: str


TRANSITIONS = {
    t.code: t
    for t in (
        Transition("envoyer", "Envoyer à la signature", frozenset({EtatActe.BROUILLON}), EtatActe.A_SIGNER),
        Transition("signer", "Enregistrer les signatures", frozenset({EtatActe.A_SIGNER}), EtatActe.SIGNEE),
        Transition("resilier", "Résilier", frozenset({EtatActe.SIGNEE}), EtatActe.RESILIEE),
        Transition("echoir", "Constater l'échéance", frozenset({EtatActe.SIGNEE}), EtatActe.ECHUE),
    )
}


# {code: (from-states, to-state)}, the shape `apply_transition` reads.
TABLE = {t.code: (t.sources, t.target) for t in TRANSITIONS.values()}


def available_transitions(acte):
    return [t for t in TRANSITIONS.values() if acte.etat in t.sources]


@transaction.atomic
def acte_transition(*, acte, code: str, user, signe_structure_le=None, signe_departement_le=None, date=None, motif=""):
    """Apply transition `code` to a convention or an avenant (locked for the time of the change)."""
    model = type(acte)
    locked = model.objects.select_for_update().get(pk=acte.pk)
    # Checks the state, logs the step and moves `locked.etat` (rolled back with the rest when a
    # check below refuses the change).
    apply_transition(
        locked,
        code,
        TABLE,
        log_model=TransitionActe,
        owner_field="convention" if isinstance(locked, Convention) else "avenant",
        user=user,
        motif=motif,
        error=TransitionError,
        message="Action déjà effectuée, ou impossible dans l'état actuel du texte.",
    )
    today = timezone.localdate()
    if code == "envoyer":
        locked.a_signer_at = timezone.now()
    elif code == "signer":
        if not (signe_structure_le and signe_departement_le):
            raise TransitionError("Indiquez la date de signature de chacune des deux parties.")
        if max(signe_structure_le, signe_departement_le) > today:
            raise TransitionError("Une date de signature ne peut pas être postérieure à aujourd'hui.")
        if isinstance(locked, Avenant) and locked.convention.etat != EtatActe.SIGNEE:
            raise TransitionError("La convention doit être signée avant son avenant.")
        locked.signe_structure_le = signe_structure_le
        locked.signe_departement_le = signe_departement_le
    elif code == "resilier":
        if not motif.strip():
            raise TransitionError("Indiquez le motif de la résiliation.")
        locked.fin_le = date or today
        locked.motif_fin = motif.strip()
    elif code == "echoir":
        end = locked.date_fin
        if end >= today:
            raise TransitionError("La période de la convention n'est pas encore terminée.")
        locked.fin_le = end
    locked.save()
    if code == "signer":
        # A signed convention has its bilans due; a signed avenant may move the final one.
        from financement import bilans

        bilans.synchroniser(locked if isinstance(locked, Convention) else locked.convention)
    return locked
