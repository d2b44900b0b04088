"""The yearly quality charter (seed 001 §4 and §8)."""

import datetime

from django.db import transaction
from django.utils import timezone

from label.models import (
    CharteQualite,
)
from label.services.common import (
    CHARTER_OPENS_DAYS_BEFORE,
    LabelError,
)
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.formats import format_date

# --- yearly quality charter ------------------------------------------------------------------


@transaction.atomic
def charte_deposer(*, label, user, bilan: str, piece=None) -> CharteQualite:
    from label.selectors import charter_due

    today = timezone.localdate()
    if not label.is_valid_on(today):
        raise LabelError("Ce label n'est plus valide.")
    year, due = charter_due(label)
    if year is None:
        raise LabelError("Toutes les chartes annuelles de ce label ont été déposées.")
    opens = due - datetime.timedelta(days=CHARTER_OPENS_DAYS_BEFORE)
    if today < opens:
        raise LabelError(
            f"La charte qualité de l'année {year} se dépose à partir du {format_date(opens)} "
            f"(échéance : {format_date(due)})."
        )
    charte = CharteQualite(label=label, annee=year, bilan=bilan, deposee_le=today, deposee_par=user)
    if piece:
        charte.piece = piece
    charte.save()
    access_record(user=user, obj=label, action=Action.MODIFICATION, detail=f"Charte qualité {year} déposée")
    return charte


@transaction.atomic
def charte_examiner(*, charte, user, conforme: bool, observations_dpid: str) -> CharteQualite:
    if charte.examinee_le is not None:
        raise LabelError("Action déjà effectuée : cette charte a été examinée.")
    if not conforme and not observations_dpid.strip():
        raise LabelError("Indiquez quels critères ne sont plus remplis.", field="observations_dpid")
    charte.conforme = conforme
    charte.observations_dpid = observations_dpid
    charte.examinee_le = timezone.localdate()
    charte.save(update_fields=["conforme", "observations_dpid", "examinee_le"])
    access_record(
        user=user, obj=charte.label, action=Action.MODIFICATION, detail=f"Charte qualité {charte.annee} examinée"
    )
    return charte
