import hashlib
import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.documents import kinds
from portal.documents.enums import DocumentStatus
from portal.documents.models import GeneratedDocument
from portal.documents.rendering import RenderError, render_pdf
from portal.echeances.services import notify

logger = logging.getLogger(__name__)
STALE_MARGIN_SECONDS = 60
TECHNICAL_ERROR = "Erreur technique pendant la production du document (le détail est dans les journaux du serveur)."


class DocumentError(Exception):
    """An action that the document's state does not allow (shown to the user as is)."""


@transaction.atomic
def document_request(*, owner, kind_code: str, user) -> GeneratedDocument:
    """Ask for a document; rendering is queued once the transaction commits.

    A decision document's unissued draft is re-rendered in place (a new preview); an issued
    version is never touched: the request creates the next version.
    """
    from portal.documents.tasks import render_document

    kind = kinds.get(kind_code)
    content_type = ContentType.objects.get_for_model(owner, for_concrete_model=False)
    existing = (
        GeneratedDocument.objects.select_for_update()
        .filter(content_type=content_type, object_id=owner.pk, kind=kind.code)
        .order_by("-version")
    )
    latest = existing.first()
    if latest is not None and latest.is_pending:
        if not _is_stale(latest):
            return latest  # a double click does not render twice
        # Its worker died (time limit, lost worker): start again rather than wait forever.
        GeneratedDocument.objects.filter(pk=latest.pk).update(status=DocumentStatus.EN_ATTENTE, requested_by=user)
        render_document.delay_on_commit(latest.pk)
        return latest
    if latest is not None and kind.is_decision and not latest.is_issued:
        document = latest
        document.status = DocumentStatus.EN_ATTENTE
        document.error = ""
        document.attempts = 0
        document.requested_by = user
        document.date_document = timezone.localdate()
        document.save(update_fields=["status", "error", "attempts", "requested_by", "date_document"])
    else:
        try:
            with transaction.atomic():
                document = GeneratedDocument.objects.create(
                    content_type=content_type,
                    object_id=owner.pk,
                    kind=kind.code,
                    version=(latest.version + 1) if latest else 1,
                    requested_by=user,
                    date_document=timezone.localdate(),
                )
        except IntegrityError:
            # Another request created this version at the same moment (nothing to lock before
            # the first version exists): use theirs.
            return existing.first()
    access_record(user=user, obj=owner, action=Action.CREATION, detail=f"Document demandé : {kind.label}")
    for subject in kind.audit_subjects(owner):
        access_record(user=user, obj=subject, action=Action.EXPORT, detail=f"Document demandé : {kind.label}")
    render_document.delay_on_commit(document.pk)
    return document


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + STALE_MARGIN_SECONDS)


def _is_stale(document) -> bool:
    """A job that has been running longer than any task may: its worker is gone."""
    return (
        document.status == DocumentStatus.EN_COURS and (document.started_at or document.requested_at) < _stale_before()
    )


def _claim(document_id) -> bool:
    """Take the rendering job; False when another worker has it or it is already done."""
    claimable = Q(status__in=[DocumentStatus.EN_ATTENTE, DocumentStatus.ECHEC]) | Q(
        status=DocumentStatus.EN_COURS, started_at__lt=_stale_before()
    )
    claimed = GeneratedDocument.objects.filter(claimable, pk=document_id, issued_at__isnull=True).update(
        status=DocumentStatus.EN_COURS, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    return claimed == 1


def _write_atomically(relative_name: str, content: bytes) -> None:
    """Write to a temporary name in the same folder, then rename: never a half-written file."""
    final = Path(settings.MEDIA_ROOT) / relative_name
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def document_render(*, document_id: int, final_attempt: bool = True) -> GeneratedDocument | None:
    """Render one document. Transient failures are raised for the task to retry; on the final
    attempt, or for an error that retrying cannot fix, the document is marked as failed."""
    if not _claim(document_id):
        return None
    document = GeneratedDocument.objects.select_related("content_type").get(pk=document_id)
    kind = kinds.get(document.kind)
    try:
        owner = document.owner
        if owner is None:
            raise RenderError("L'objet auquel ce document se rapporte n'existe plus.")
        context = {**kind.build_context(owner), "document": document, "kind": kind}
        pdf, pages = render_pdf(kind.template, context)
        relative_name = f"documents/{document.kind}/{document.date_document:%Y}/{uuid.uuid4().hex}.pdf"
        _write_atomically(relative_name, pdf)
    except Exception as error:
        permanent = isinstance(error, RenderError) or final_attempt
        logger.exception("Échec de production du document %s", document_id)
        # People read this message: a RenderError is written in French for them; anything else
        # is a technical failure whose detail stays in the logs.
        message = str(error) if isinstance(error, RenderError) else TECHNICAL_ERROR
        GeneratedDocument.objects.filter(pk=document_id).update(
            status=DocumentStatus.ECHEC if permanent else DocumentStatus.EN_ATTENTE,
            error=message[:1000],
            finished_at=timezone.now(),
        )
        if permanent:
            _notify_requester(document, ready=False)
            return None
        raise
    previous_file = document.file.name
    document.file.name = relative_name
    document.filename = kind.filename(owner, document.version)
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.page_count = pages
    document.status = DocumentStatus.PRET
    document.error = ""
    document.finished_at = timezone.now()
    document.save(update_fields=["file", "filename", "sha256", "page_count", "status", "error", "finished_at"])
    if previous_file and previous_file != relative_name:
        # The previous preview of an unissued draft: nobody can download it any more.
        (Path(settings.MEDIA_ROOT) / previous_file).unlink(missing_ok=True)
    _notify_requester(document, ready=True)
    return document


def _notify_requester(document, *, ready: bool):
    if document.requested_by is None:
        return
    kind = kinds.get(document.kind)
    if ready:
        title = f"Document prêt : {kind.label}"
        body = f"La version {document.version} de « {kind.label} » est prête à être téléchargée."
    else:
        title = f"Échec de production : {kind.label}"
        body = f"La version {document.version} de « {kind.label} » n'a pas pu être produite. Vous pouvez relancer."
    notify(
        recipient=document.requested_by,
        title=title,
        body=body,
        url=reverse("documents:detail", args=[document.pk]),
        reason="Vous avez demandé ce document.",
        email=False,
    )


@transaction.atomic
def document_retry(*, document: GeneratedDocument, user) -> None:
    from portal.documents.tasks import render_document

    updated = GeneratedDocument.objects.filter(pk=document.pk, status=DocumentStatus.ECHEC).update(
        status=DocumentStatus.EN_ATTENTE, error="", attempts=0, requested_by=user
    )
    if not updated:
        raise DocumentError("Action déjà effectuée : ce document n'est plus en échec.")
    render_document.delay_on_commit(document.pk)


@transaction.atomic
def document_issue(*, document: GeneratedDocument, user) -> GeneratedDocument:
    """Freeze a decision document: its hash is recorded and it is never rendered again."""
    updated = GeneratedDocument.objects.filter(
        pk=document.pk, status=DocumentStatus.PRET, issued_at__isnull=True
    ).update(issued_at=timezone.now(), issued_by=user)
    if not updated:
        raise DocumentError("Action déjà effectuée, ou document pas encore prêt : il ne peut pas être émis.")
    document.refresh_from_db()
    kind = kinds.get(document.kind)
    if kind.on_issue is not None:
        kind.on_issue(document, document.owner)
    access_record(user=user, obj=document, action=Action.MODIFICATION, detail=f"Émis, SHA-256 {document.sha256}")
    return document
