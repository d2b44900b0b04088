from django.db import transaction

from portal.audit.enums import Action
from portal.audit.services import access_record


def _changed(form) -> list[str]:
    """The changed fields as the form labels them ("ETP", "SIRET", "date de départ"), for the journal."""
    labels = []
    for name in form.changed_data:
        label = str(form.fields[name].label or name)
        labels.append(label if label[1:2].isupper() else label[:1].lower() + label[1:])
    return labels


@transaction.atomic
def structure_save(*, user, form, contacts, request=None):
    """Save a structure with its territories and contacts as one unit, and trace it."""
    creating = form.instance.pk is None
    structure = form.save()
    contacts.instance = structure
    contacts.save()
    access_record(
        user=user,
        obj=structure,
        action=Action.CREATION if creating else Action.MODIFICATION,
        request=request,
        detail=", ".join(_changed(form) + (["contacts"] if contacts.has_changed() else [])),
    )
    return structure


@transaction.atomic
def referent_save(*, user, form, structure=None, request=None):
    """Save a referent record (ETP, kind of accompaniment, arrival) and trace it."""
    creating = form.instance.pk is None
    referent = form.save(commit=False)
    if structure is not None:
        referent.structure = structure
    referent.full_clean()
    referent.save()
    access_record(
        user=user,
        obj=referent,
        action=Action.CREATION if creating else Action.MODIFICATION,
        request=request,
        detail=", ".join(_changed(form)),
    )
    return referent
