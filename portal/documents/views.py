from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.documents import kinds, services
from portal.documents.selectors import get_visible_document


def _owner_url(owner):
    return owner.get_absolute_url() if hasattr(owner, "get_absolute_url") else "/"


@require_POST
def document_request(request, kind_code, owner_pk):
    try:
        kind = kinds.get(kind_code)
    except KeyError:
        raise Http404 from None
    owner = kind.owners_visible_to(request.user).filter(pk=owner_pk).first()
    if owner is None:
        raise Http404
    if not kind.can_request(request.user, owner):
        raise PermissionDenied
    document = services.document_request(owner=owner, kind_code=kind.code, user=request.user)
    messages.success(request, f"« {kind.label} » est demandé : il sera prêt dans quelques instants.")
    return redirect("documents:detail", pk=document.pk)


def document_detail(request, pk):
    document, kind, owner = get_visible_document(request.user, pk)
    context = {
        "document": document,
        "kind": kind,
        "owner": owner,
        "owner_url": _owner_url(owner),
        "can_issue": kind.user_can_issue(request.user, owner) and document.is_ready and not document.is_issued,
        "can_retry": kind.can_request(request.user, owner) and document.status == "echec",
    }
    return render(request, "documents/document_detail.html", context)


def document_status(request, pk):
    document, _, _ = get_visible_document(request.user, pk)
    return JsonResponse({"status": document.status, "label": document.get_status_display()})


def document_download(request, pk):
    document, _, _ = get_visible_document(request.user, pk)
    if not document.is_ready or not document.file:
        raise Http404
    access_record(user=request.user, obj=document, action=Action.TELECHARGEMENT, request=request)
    for subject in kinds.get(document.kind).audit_subjects(document.owner):
        access_record(
            user=request.user,
            obj=subject,
            action=Action.TELECHARGEMENT,
            request=request,
            detail=f"{kinds.get(document.kind).label} (version {document.version})",
        )
    preview = request.GET.get("apercu") == "1"
    return FileResponse(
        document.file.open("rb"),
        as_attachment=not preview,
        filename=document.filename,
        content_type="application/pdf",
    )


@require_POST
def document_retry(request, pk):
    document, kind, owner = get_visible_document(request.user, pk)
    if not kind.can_request(request.user, owner):
        raise PermissionDenied
    try:
        services.document_retry(document=document, user=request.user)
        messages.success(request, "La production du document est relancée.")
    except services.DocumentError as error:
        messages.info(request, str(error))
    return redirect("documents:detail", pk=pk)


@require_POST
def document_issue(request, pk):
    document, kind, owner = get_visible_document(request.user, pk)
    if not kind.user_can_issue(request.user, owner):
        raise PermissionDenied
    try:
        services.document_issue(document=document, user=request.user)
        messages.success(
            request, "Document émis : cette version est figée. Une correction créera une nouvelle version."
        )
    except services.DocumentError as error:
        messages.info(request, str(error))
    return redirect("documents:detail", pk=pk)
