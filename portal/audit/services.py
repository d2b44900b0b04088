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


LIST_OBJECT_ID = "liste"


def list_record(*, user, model, people, request, what: str) -> AuditEntry:
    """One entry per view of a page (or export) that shows people: which list, how many people
    it showed, and which ones (their ids, ",1,2,3," so that one person's trail finds it)."""
    ids = [str(pk) for pk in people]
    shown = f"{len(ids)} personne{'s' if len(ids) > 1 else ''} affichée{'s' if len(ids) > 1 else ''}"
    detail = f"{shown} ; ids ,{','.join(ids)},"
    if len(detail) > 500:
        detail = f"{shown} ; ids (tronqués) ,{','.join(ids)}"[:499].rsplit(",", 1)[0] + ","
    return AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        user_email=getattr(user, "email", "") or "anonyme",
        role=getattr(user, "role", "") or "",
        action=Action.LISTE,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=LIST_OBJECT_ID,
        object_repr=what[:250],
        detail=detail,
        ip=_client_ip(request) if request else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        path=(request.get_full_path()[:500] if request else ""),
    )


def refusal_record(*, user, obj, request) -> AuditEntry:
    """An attempt to open a record outside the user's scope (answered 404)."""
    return access_record(user=user, obj=obj, action=Action.REFUS, request=request, detail="hors du périmètre (404)")


def entries_about(*, model, pk):
    """The trail of one object (a person: right of access): entries on it and the list views
    that showed it."""
    from django.db.models import Q

    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return AuditEntry.objects.filter(
        Q(content_type=content_type, object_id=str(pk))
        | Q(content_type=content_type, object_id=LIST_OBJECT_ID, detail__contains=f",{pk},")
    )
