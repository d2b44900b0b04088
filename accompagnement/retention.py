"""Retention of the beneficiaries' records (data protection).

A person with no active accompaniment is archived `ACCOMPAGNEMENT_ARCHIVAGE_MOIS` months after
their last exit (hidden from everyone but the DPID, see `BeneficiaireQuerySet.visible_to`), and
deleted with their whole accompaniment `ACCOMPAGNEMENT_PURGE_MOIS` months after it. The audit
trail is append-only: it keeps its entries and receives one "suppression" entry per person, with
the counts of what was deleted and no personal data beyond the record's id.

Everything works by batches of ids: a few queries per batch, whatever the number of people.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, QuerySet

from accompagnement import gardes
from accompagnement.models import (
    ActiviteHebdomadaire,
    Beneficiaire,
    Cer,
    CerAction,
    DemandeRenouvellement,
    DemandeReorientation,
    Diagnostic,
    Entretien,
    Orientation,
    Prescription,
    ProcedureSuspension,
    Sortie,
)
from portal.audit.enums import Action
from portal.audit.models import AuditEntry
from portal.core.dates import latest_start_for
from portal.core.formats import plural_suffix, pluriel
from portal.documents.models import GeneratedDocument
from portal.echeances.models import Notification, Rappel

logger = logging.getLogger(__name__)
BATCH_SIZE = 500
AUTOMATIC = "traitement automatique (durée de conservation)"

# Deleted in this order (children first: CERs protect the diagnostics of their closure, and
# orientations protect the person). Each model with the path from it to the person.
PURGE_ORDER = (
    (ProcedureSuspension, "entretien__orientation__beneficiaire_id"),
    (Entretien, "orientation__beneficiaire_id"),
    (CerAction, "cer__orientation__beneficiaire_id"),
    (DemandeRenouvellement, "cer__orientation__beneficiaire_id"),
    (Cer, "orientation__beneficiaire_id"),
    (Diagnostic, "orientation__beneficiaire_id"),
    (Prescription, "orientation__beneficiaire_id"),
    (DemandeReorientation, "orientation__beneficiaire_id"),
    (ActiviteHebdomadaire, "orientation__beneficiaire_id"),
    (Sortie, "orientation__beneficiaire_id"),
    (Orientation, "beneficiaire_id"),
)


def delays() -> tuple[int, int]:
    archive, purge = settings.ACCOMPAGNEMENT_ARCHIVAGE_MOIS, settings.ACCOMPAGNEMENT_PURGE_MOIS
    if archive < 1 or purge < archive:
        raise ImproperlyConfigured(
            "ACCOMPAGNEMENT_ARCHIVAGE_MOIS doit être d'au moins 1 mois et ACCOMPAGNEMENT_PURGE_MOIS au moins égal."
        )
    return archive, purge


def _exited_before(cutoff: datetime.date) -> QuerySet:
    """People with no active orientation whose last exit is on or before `cutoff`."""
    active = Orientation.objects.filter(beneficiaire=OuterRef("pk"), date_fin__isnull=True)
    return (
        Beneficiaire.objects.filter(~Exists(active))
        .annotate(derniere_sortie=Max("orientations__date_fin"))
        .filter(derniere_sortie__lte=cutoff)
    )


@dataclass
class Plan:
    """What a run on `today` would do."""

    today: datetime.date
    archive_months: int
    purge_months: int
    archive_cutoff: datetime.date  # last exit on or before: archived
    purge_cutoff: datetime.date  # last exit on or before: deleted

    @property
    def to_purge(self) -> QuerySet:
        return _exited_before(self.purge_cutoff).order_by("derniere_sortie", "numero_caf")

    @property
    def to_archive(self) -> QuerySet:
        return (
            _exited_before(self.archive_cutoff)
            .filter(archive_le__isnull=True, derniere_sortie__gt=self.purge_cutoff)
            .order_by("derniere_sortie", "numero_caf")
        )

    @property
    def to_restore(self) -> QuerySet:
        """Archived people oriented again since: back in their structure's caseload."""
        active = Orientation.objects.filter(beneficiaire=OuterRef("pk"), date_fin__isnull=True)
        return Beneficiaire.objects.filter(Exists(active), archive_le__isnull=False)


def retention_plan(*, today: datetime.date) -> Plan:
    archive, purge = delays()
    # Archived on the day the exit is `archive` months old (31 August + 24 months → 31 August;
    # 29 February + 24 months → 28 February), not a day before.
    return Plan(
        today=today,
        archive_months=archive,
        purge_months=purge,
        archive_cutoff=latest_start_for(today, archive),
        purge_cutoff=latest_start_for(today, purge),
    )


@dataclass
class Result:
    archived: int = 0
    purged: int = 0
    restored: int = 0

    def summary(self) -> str:
        return (
            f"{pluriel(self.archived, 'dossier')} archivé{plural_suffix(self.archived)}, "
            f"{pluriel(self.purged, 'dossier')} supprimé{plural_suffix(self.purged)}, "
            f"{pluriel(self.restored, 'dossier')} désarchivé{plural_suffix(self.restored)}"
        )


def _batches(queryset):
    while ids := list(queryset.values_list("pk", flat=True)[:BATCH_SIZE]):
        yield ids


def _audit_rows(ids, *, action, details):
    content_type = ContentType.objects.get_for_model(Beneficiaire, for_concrete_model=False)
    return [
        AuditEntry(
            user=None,
            user_email=AUTOMATIC,
            action=action,
            content_type=content_type,
            object_id=str(pk),
            object_repr=f"Bénéficiaire n° {pk}",
            detail=details[pk][:500],
        )
        for pk in ids
    ]


@transaction.atomic
def _archive_batch(ids, *, today):
    Beneficiaire.objects.filter(pk__in=ids).update(archive_le=today)
    gardes.invalider(Orientation.objects.filter(beneficiaire_id__in=ids).values("structure_id"))
    detail = "Dossier archivé au terme de la durée de conservation : visible de la seule DPID."
    AuditEntry.objects.bulk_create(_audit_rows(ids, action=Action.MODIFICATION, details=dict.fromkeys(ids, detail)))


@transaction.atomic
def _restore_batch(ids):
    Beneficiaire.objects.filter(pk__in=ids).update(archive_le=None)
    gardes.invalider(Orientation.objects.filter(beneficiaire_id__in=ids).values("structure_id"))
    detail = "Dossier désarchivé : la personne est de nouveau orientée."
    AuditEntry.objects.bulk_create(_audit_rows(ids, action=Action.MODIFICATION, details=dict.fromkeys(ids, detail)))


def _counts(ids) -> dict[int, list[str]]:
    """Per person, "2 orientations", "3 entretiens"… in the purge order (one query per model)."""
    counts = {pk: [] for pk in ids}
    for model, path in reversed(PURGE_ORDER):
        rows = model.objects.filter(**{f"{path}__in": ids}).values(path).annotate(n=Count("pk"))
        meta = model._meta
        for row in rows.order_by():
            name = meta.verbose_name if row["n"] == 1 else meta.verbose_name_plural
            counts[row[path]].append(f"{row['n']} {name}")
    return counts


@transaction.atomic
def _purge_batch(ids, *, cutoff):
    # Lock the people, then check again: someone oriented again since the plan was read is kept
    # (orientation_create locks the same row before re-opening a record).
    locked = list(Beneficiaire.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    ids = list(_exited_before(cutoff).filter(pk__in=locked).values_list("pk", flat=True))
    if not ids:
        return 0
    counts = _counts(ids)
    orientations = Orientation.objects.filter(beneficiaire_id__in=ids).values("pk")
    cers = Cer.objects.filter(orientation__beneficiaire_id__in=ids).values("pk")
    owned = (
        (Beneficiaire, Beneficiaire.objects.filter(pk__in=ids).values("pk")),
        (Orientation, orientations),
        (Cer, cers),
    )
    # Documents and reminders name the person: they go with the record.
    files = []
    for model, object_ids in owned:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        documents = GeneratedDocument.objects.filter(content_type=content_type, object_id__in=object_ids)
        files += list(documents.exclude(file="").values_list("file", flat=True))
        documents.delete()
        rappels = Rappel.objects.filter(content_type=content_type, object_id__in=object_ids)
        Notification.objects.filter(rappel__in=rappels).delete()
        rappels.delete()
    # The kept indicators of the people's structures are forgotten once, not per record deleted.
    gardes.invalider(list(Orientation.objects.filter(beneficiaire_id__in=ids).values_list("structure_id", flat=True)))
    with gardes.en_bloc():
        for model, path in PURGE_ORDER:
            model.objects.filter(**{f"{path}__in": ids}).delete()
        Beneficiaire.objects.filter(pk__in=ids).delete()
    details = {pk: f"Dossier supprimé au terme de la durée de conservation : {', '.join(counts[pk])}." for pk in ids}
    AuditEntry.objects.bulk_create(_audit_rows(ids, action=Action.SUPPRESSION, details=details))
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    return len(ids)


def _delete_files(names):
    storage = GeneratedDocument._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def retention_apply(*, today: datetime.date) -> Result:
    """Archive, purge and restore as the plan says; safe to run twice (the second run finds
    nothing to do)."""
    plan = retention_plan(today=today)
    result = Result()
    for ids in _batches(plan.to_restore):
        _restore_batch(ids)
        result.restored += len(ids)
    for ids in _batches(plan.to_purge):
        result.purged += _purge_batch(ids, cutoff=plan.purge_cutoff)
    for ids in _batches(plan.to_archive):
        _archive_batch(ids, today=today)
        result.archived += len(ids)
    logger.info("Conservation des dossiers d'accompagnement au %s : %s.", today.isoformat(), result.summary())
    return result
