"""One import of the Département's orientation file, for the browser (`import_confirm`) and the
command line (`import_orientations`): the file is checked, its valid lines written, and the file
kept with its report and result in an `ImportOrientations` record, in one transaction."""

import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accompagnement.imports import BATCH_SIZE, ImportRefused, ImportResult, Report, apply, check_file
from accompagnement.models import ImportOrientations
from accompagnement.services import AccompagnementError
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.formats import plural_suffix, pluriel


class ImportAlreadyApplied(AccompagnementError):
    """The pending upload was imported already (double submission, two tabs)."""

    def __init__(self):
        super().__init__("Action déjà effectuée : ce fichier a déjà été importé.")


@dataclass
class ImportOutcome:
    record: ImportOrientations
    report: Report
    result: ImportResult


def import_check(*, raw: bytes, file_name: str, user) -> ImportOrientations:
    """The browser's first step: check an uploaded file and keep it, with its report, until the
    user confirms (`import_orientations(pending_pk=...)`). Raises UnreadableFile."""
    report = check_file(raw)
    pending = ImportOrientations(nom_fichier=file_name[:255], rapport=report.to_json(), created_by=user)
    pending.fichier.save(f"{uuid.uuid4().hex}.csv", ContentFile(raw), save=False)
    pending.save()
    return pending


def import_orientations(
    *,
    user,
    partial: bool,
    pending_pk: int | None = None,
    raw: bytes | None = None,
    file_name: str = "",
    report: Report | None = None,
    batch_size: int = BATCH_SIZE,
    progress=None,
    request=None,
) -> ImportOutcome:
    """Import a file of orientations and keep it with its report.

    From the browser: `pending_pk`, an upload checked earlier; its row is locked, the file validated
    again (the database may have changed) and an upload already imported raises
    ImportAlreadyApplied. From the command line: `raw` and `file_name` (with the `report` just shown,
    or checked here), kept as a new record by no user.
    Raises UnreadableFile, or ImportRefused when lines are refused without `partial` (nothing is
    imported; a pending upload's report is refreshed), or ImportOrientations.DoesNotExist.
    """
    refused = None
    with transaction.atomic():
        if pending_pk is not None:
            record = ImportOrientations.objects.select_for_update().get(pk=pending_pk)
            if record.applique_le is not None:
                raise ImportAlreadyApplied
            with record.fichier.open("rb") as handle:
                report = check_file(handle.read())
        else:
            record = ImportOrientations(nom_fichier=file_name[:255], created_by=user)
            if report is None:
                report = check_file(raw)
        try:
            result = apply(report, user=user, partial=partial, batch_size=batch_size, progress=progress)
        except ImportRefused as error:
            if record.pk is not None:
                ImportOrientations.objects.filter(pk=record.pk).update(rapport=report.to_json())
            refused = error
        else:
            record.applique_le = timezone.now()
            record.rapport = {**report.to_json(), "resultat": result.to_json(), "partiel": partial}
            if record.pk is not None:
                record.save(update_fields=["applique_le", "rapport"])
                detail = "; ".join(result.summary())
            else:
                record.fichier.save(file_name, ContentFile(raw), save=False)
                record.save()
                detail = (
                    f"import en ligne de commande : {pluriel(result.created_orientations, 'orientation')} "
                    f"créée{plural_suffix(result.created_orientations)}"
                )
            access_record(user=user, obj=record, action=Action.CREATION, request=request, detail=detail)
    if refused is not None:
        raise refused
    return ImportOutcome(record=record, report=report, result=result)
