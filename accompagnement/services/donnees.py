"""Data protection: everything the portal holds on one person, for a right-of-access request."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accompagnement.models import Beneficiaire, Cer, Entretien, Orientation
from portal.audit.enums import Action
from portal.audit.models import AuditEntry
from portal.audit.services import access_record

EXPORT_FORMAT = "portail-rsa-62/donnees-beneficiaire/1"
# Internal bookkeeping that says nothing about the person.
SKIPPED = {"orientation", "cer", "entretien", "beneficiaire"}


def _value(obj, field):
    value = getattr(obj, field.attname)
    if value is None:
        return None
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    if field.is_relation:
        related = getattr(obj, field.name)
        if hasattr(related, "get_full_name"):  # a user of the portal
            return related.get_full_name() or related.email
        return str(related)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj, **extra) -> dict:
    """The model's own fields under their names (choices as their French label, links as text)."""
    row = {"id": obj.pk}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in SKIPPED:
            continue
        row[field.name] = _value(obj, field)
    row.update(extra)
    return row


def _one_to_one(obj, name):
    related = getattr(obj, name, None)
    return _row(related) if related is not None else None


def _orientations(beneficiaire, user):
    return (
        Orientation.objects.visible_to(user)
        .filter(beneficiaire=beneficiaire)
        .select_related("structure", "type_accompagnement", "referent", "created_by", "sortie__created_by")
        .prefetch_related(
            Prefetch(
                "entretiens",
                queryset=Entretien.objects.select_related("created_by", "procedure_suspension__traitee_par").order_by(
                    "date", "pk"
                ),
            ),
            Prefetch(
                "cers",
                queryset=Cer.objects.select_related(
                    "created_by",
                    "renouvelle",
                    "diagnostic_cloture",
                    "demande_renouvellement__decidee_par",
                    "demande_renouvellement__created_by",
                )
                .prefetch_related("actions")
                .order_by("date_debut", "pk"),
            ),
            "diagnostics__created_by",
            "prescriptions__created_by",
            "demandes_reorientation__type_souhaite",
            "demandes_reorientation__structure_proposee",
            "demandes_reorientation__decidee_par",
            "demandes_reorientation__created_by",
            "demandes_reorientation__nouvelle_orientation__structure",
            "demandes_reorientation__nouvelle_orientation__beneficiaire",
            "activites__created_by",
        )
        .order_by("date_orientation", "pk")
    )


def _audit_trail(beneficiaire, user):
    """Who read, changed or exported the record. A structure's responsable gets the entries of
    its own staff; the DPID, every entry."""
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Beneficiaire, for_concrete_model=False),
        object_id=str(beneficiaire.pk),
    )
    if not user.scope.is_dpid:
        entries = entries.filter(user__structure_id=user.scope.structure_id)
    return [
        {
            "date": timezone.localtime(entry.at).isoformat(),
            "utilisateur": entry.user_email,
            "role": entry.role,
            "action": entry.get_action_display(),
            "detail": entry.detail,
        }
        for entry in entries.order_by("at", "pk")
    ]


@transaction.atomic
def beneficiaire_export(*, beneficiaire, user, request=None) -> dict:
    """Everything held on the person that the user may see: identity, every orientation with its
    interviews (and suspension procedures), CERs (actions, renewal requests), diagnostics,
    prescriptions, reorientation requests, weekly hours and exit, then the audit trail — which
    includes this export, recorded first."""
    access_record(
        user=user, obj=beneficiaire, action=Action.EXPORT, request=request, detail="export des données (droit d'accès)"
    )
    orientations = []
    for orientation in _orientations(beneficiaire, user):
        orientations.append(
            _row(
                orientation,
                entretiens=[
                    _row(e, procedure_suspension=_one_to_one(e, "procedure_suspension"))
                    for e in orientation.entretiens.all()
                ],
                cers=[
                    _row(
                        cer,
                        actions=[_row(action) for action in cer.actions.all()],
                        demande_renouvellement=_one_to_one(cer, "demande_renouvellement"),
                    )
                    for cer in orientation.cers.all()
                ],
                diagnostics=[_row(d) for d in orientation.diagnostics.all()],
                prescriptions=[_row(p) for p in orientation.prescriptions.all()],
                demandes_reorientation=[_row(d) for d in orientation.demandes_reorientation.all()],
                activites_hebdomadaires=[_row(a) for a in orientation.activites.all()],
                sortie=_one_to_one(orientation, "sortie"),
            )
        )
    return {
        "format": EXPORT_FORMAT,
        "exporte_le": timezone.localtime().isoformat(),
        "exporte_par": user.email,
        "beneficiaire": _row(beneficiaire, territoire=str(beneficiaire.territoire)),
        "orientations": orientations,
        "journal_acces": _audit_trail(beneficiaire, user),
    }
