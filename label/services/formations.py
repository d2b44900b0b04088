"""The referents' training records (seed 001 §5-1)."""

from django.db import transaction
from django.utils import timezone

from label.models import FormationReferent
from portal.audit.enums import Action
from portal.audit.services import access_record


@transaction.atomic
def formation_record(
    *, referent, user, module, nature, date, organisme="", piece=None, nouvelle_session=None
) -> FormationReferent:
    """One line of a referent's training record: a session attended (with its certificate), an
    earlier equivalent training, a justified absence with its new session, or a planned session."""
    formation = FormationReferent(
        referent=referent,
        module=module,
        nature=nature,
        date=date,
        organisme=organisme,
        nouvelle_session=nouvelle_session,
        created_by=user,
    )
    if piece:
        formation.piece = piece
    formation.save()
    access_record(user=user, obj=referent, action=Action.MODIFICATION, detail=f"formation : {formation}")
    return formation


def equivalence_accept(*, formation, user) -> bool:
    """The DPID accepts an earlier training as equivalent; False when it already was."""
    return bool(
        FormationReferent.objects.filter(pk=formation.pk, equivalence_acceptee_at__isnull=True).update(
            equivalence_acceptee_at=timezone.now(), equivalence_acceptee_par=user
        )
    )
