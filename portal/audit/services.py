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


# --- Logins refused and lock-outs ----------------------------------------------------------------


def _account(username):
    from django.contrib.auth import get_user_model

    if not username:
        return None
    return get_user_model().objects.filter(email__iexact=username.strip()).first()


def _login_record(*, request, username, action, detail) -> AuditEntry:
    """A refused login is about the account it named (if it exists): the entry is on that account,
    so its trail shows the attempts; an unknown address is recorded without what was typed (it may
    be a password typed in the wrong field)."""
    from django.contrib.auth import get_user_model

    account = _account(username)
    return AuditEntry.objects.create(
        user=None,
        user_email=account.email if account else "anonyme",
        role="",
        action=action,
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_id=str(account.pk) if account else "inconnu",
        object_repr=str(account)[:250] if account else "compte inconnu",
        detail=detail[:500],
        ip=_client_ip(request) if request else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        path=(request.get_full_path()[:500] if request else ""),
    )


def login_failed_record(sender, credentials=None, request=None, **kwargs):
    """Django's `user_login_failed`: every refused login (portal or /admin/), with its reason."""
    if request is None:  # a shell or a test's Client.login: no client to record
        return None
    from portal.accounts.backends import demo_account_refused
    from portal.accounts.views import axes_username

    username = axes_username(request, credentials)
    account = _account(username)
    if getattr(request, "axes_locked_out", False) and getattr(request, "axes_failures_since_start", None) is None:
        reason = "compte bloqué : tentative refusée sans vérifier le mot de passe"
    elif account is None:
        reason = "adresse inconnue"
    elif not account.is_active:
        reason = "compte désactivé"
    elif demo_account_refused(account.email):
        reason = "compte de démonstration refusé hors du mode démo"
    else:
        reason = "mot de passe incorrect"
    return _login_record(request=request, username=username, action=Action.CONNEXION_REFUSEE, detail=reason)


def lockout_record(sender, request=None, username=None, ip_address=None, **kwargs):
    """django-axes' `user_locked_out`, once when the lock starts (later attempts during the lock
    are recorded as refused logins)."""
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return None
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = f"{request.axes_failures_since_start} échecs de connexion : compte bloqué pour {minutes} minutes"
    return _login_record(request=request, username=username, action=Action.VERROUILLAGE, detail=detail)
