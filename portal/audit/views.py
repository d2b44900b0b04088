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
