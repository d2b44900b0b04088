from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from portal.audit.forms import AuditEntryFilter
from portal.audit.models import AuditEntry
from portal.core.views import paginate, querystring_without_page


def entry_list(request):
    """The audit trail, for DPID administrators: by person, user, object type or date."""
    if not request.scope.is_admin:
        raise PermissionDenied
    entries = AuditEntry.objects.visible_to(request.user).select_related("content_type")
    filterset = AuditEntryFilter(request.GET, queryset=entries)
    context = {
        "filter": filterset,
        "page": paginate(request, filterset.qs, per_page=50),
        "querystring": querystring_without_page(request),
    }
    return render(request, "audit/entry_list.html", context)


def entry_export(request):
    """The trail as CSV (DPID administrators), with the list's filters. Filtered on one object
    (type and identifier, e.g. a person: right of access), it also lists the pages that showed
    that object among others (caseload, people behind an indicator). The export is itself traced."""
    import csv
    import io

    from django.http import HttpResponse
    from django.utils import timezone

    from portal.audit.enums import Action
    from portal.audit.services import access_record, entries_about

    if not request.scope.is_admin:
        raise PermissionDenied
    entries = AuditEntry.objects.visible_to(request.user).select_related("content_type")
    filterset = AuditEntryFilter(request.GET, queryset=entries)
    queryset = filterset.qs
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    subject = None
    if data.get("content_type") and data.get("object_id"):
        model = data["content_type"].model_class()
        subject = model._default_manager.filter(pk=data["object_id"]).first() if model else None
        about = entries_about(model=model, pk=data["object_id"]) if model else AuditEntry.objects.none()
        filters = {k: v for k, v in request.GET.items() if k not in ("content_type", "object_id")}
        queryset = AuditEntryFilter(filters, queryset=about.select_related("content_type")).qs
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["date et heure", "utilisateur", "rôle", "action", "type d'objet", "identifiant", "objet",
                     "détail", "adresse IP", "page"])  # fmt: skip
    for entry in queryset.order_by("at", "pk").iterator(chunk_size=2000):
        writer.writerow(
            [
                timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M:%S"),
                entry.user_email,
                entry.role,
                entry.get_action_display(),
                entry.content_type.name,
                entry.object_id,
                entry.object_repr,
                entry.detail,
                entry.ip or "",
                entry.path,
            ]
        )
    if subject is not None:
        access_record(user=request.user, obj=subject, action=Action.EXPORT, request=request, detail="journal d'accès")
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="journal-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response
