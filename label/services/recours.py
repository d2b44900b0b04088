"""The recours gracieux against a refusal (seed 001 §7.4)."""

import datetime

from django.db import transaction
from django.utils import timezone

from label.enums import EtatDemande, EtatRecours
from label.models import (
    RECOURS_MONTHS,
    DemandeLabel,
    Label,
    Recours,
)
from label.services.common import (
    LABEL_YEARS,
    LabelError,
    _procedure_check,
    _procedure_log,
    _require_criteria,
    _transition,
)
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.dates import add_months, add_years
from portal.core.formats import format_date

# --- appeal ----------------------------------------------------------------------------------


def recours_deadline(demande) -> datetime.date | None:
    """Recours gracieux (or contentieux) within 2 months of the refusal's notification."""
    return add_months(demande.notifiee_le, RECOURS_MONTHS) if demande.notifiee_le else None


@transaction.atomic
def recours_deposer(*, demande, user, actions_menees: str) -> Recours:
    today = timezone.localdate()
    DemandeLabel.objects.select_for_update().filter(pk=demande.pk).first()  # one appeal at a time
    if demande.etat not in (EtatDemande.MORATOIRE, EtatDemande.REFUSEE):
        raise LabelError("Seule une décision de refus peut faire l'objet d'un recours gracieux.")
    if hasattr(demande, "recours"):
        raise LabelError("Un recours gracieux a déjà été déposé contre cette décision.")
    if today > recours_deadline(demande):
        raise LabelError(
            f"Le délai de recours gracieux (deux mois après la notification du {format_date(demande.notifiee_le)}) "
            "est dépassé."
        )
    if not actions_menees.strip():
        raise LabelError("Présentez les actions mises en place depuis le refus.", field="actions_menees")
    recours = Recours(demande=demande, depose_le=today, actions_menees=actions_menees, created_by=user)
    de = _procedure_check(recours, "recours", "deposer")
    recours.save()
    _procedure_log(recours, "recours", "deposer", de=de, user=user, motif=actions_menees)
    access_record(user=user, obj=demande, action=Action.MODIFICATION, detail="Recours gracieux déposé")
    return recours


def recours_answer_deadline(recours) -> datetime.date:
    return add_months(recours.depose_le, RECOURS_MONTHS)


@transaction.atomic
def recours_repondre(*, recours, user, accueilli: bool, reponse: str) -> Recours:
    de = _procedure_check(
        recours, "recours", "repondre", message="Action déjà effectuée : ce recours a déjà reçu sa réponse."
    )
    if not reponse.strip():
        raise LabelError("La réponse au recours doit être motivée.", field="reponse")
    today = timezone.localdate()
    if accueilli:
        # "Si les critères sont remplis, le label sera délivré" (seed 001 §7.4).
        try:
            _require_criteria(recours.demande, today)
        except LabelError as error:
            raise LabelError(str(error), field="accueilli") from error
    recours.etat = EtatRecours.ACCUEILLI if accueilli else EtatRecours.REJETE
    recours.reponse = reponse
    recours.repondu_le = today
    recours.save(update_fields=["etat", "reponse", "repondu_le"])
    _procedure_log(recours, "recours", "repondre", de=de, user=user, motif=reponse)
    if accueilli:
        # The refusal is withdrawn: the request is granted (which also ends any moratorium).
        demande = recours.demande
        _transition(demande, "accueillir_recours", user=user, motif=reponse)
        demande.save(update_fields=["etat"])
        Label.objects.create(
            structure=demande.structure,
            demande=demande,
            date_decision=today,
            date_fin=add_years(today, LABEL_YEARS) - datetime.timedelta(days=1),
        )
    access_record(
        user=user,
        obj=recours.demande,
        action=Action.MODIFICATION,
        detail=f"Recours gracieux {recours.get_etat_display().lower()}",
    )
    return recours


def contentieux_deadline(recours) -> datetime.date | None:
    """After a rejected recours gracieux: 2 months to seize the tribunal administratif de Lille."""
    return add_months(recours.repondu_le, RECOURS_MONTHS) if recours.repondu_le else None
