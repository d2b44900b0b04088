from django.contrib.contenttypes.models import ContentType

from portal.audit.enums import Action
from portal.audit.middleware import current_request
from portal.audit.models import AuditEntry


def _client_ip(request):
    # REMOTE_ADDR is set by the WSGI server; behind the production proxy it is the proxy's own
    # address unless the proxy is configured to pass the client's (documented in the README).
    return request.META.get("REMOTE_ADDR") or None


def access_record(*, user, obj, action: Action, request=None, detail: str = "") -> AuditEntry:
    """Append one entry to the audit trail: who did what to which object, when and from where.
    Without `request`, the request being served (AuditRequestMiddleware) gives the address."""
    request = request or current_request()
    return AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        user_email=getattr(user, "email", "") or "anonyme",
        role=getattr(user, "role", "") or "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:250],
        detail=detail[:500],
        ip=_client_ip(request) if request else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        path=(request.get_full_path()[:500] if request else ""),
    )
