import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone

from portal.accounts.forms import LoginForm, QueuedPasswordResetForm
from portal.core.home import panels_for

ROLE_INTRO = {
    "responsable": "Suivez votre structure, vos référents et vos démarches auprès du Département.",
    "referent": "Retrouvez votre file active, vos échéances et votre fiche de référent.",
    "slai": "Suivez les structures et les référents qui interviennent sur votre territoire.",
    "dpid": "Instruisez les demandes et suivez l'ensemble des structures du département.",
    "manager": "Consultez l'ensemble des données du département, en lecture seule.",
    "admin": "Administrez le portail : comptes, référentiels et journal d'accès.",
}


def home(request):
    """Per-role home page: what needs the user's attention, filled by each domain's panels."""
    context = {"panels": panels_for(request), "intro": ROLE_INTRO.get(request.scope.role, "")}
    return render(request, "accounts/home.html", context)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def axes_username(request, credentials):
    """django-axes counts failures per account, whatever the case of the typed address."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return username.strip().lower()


def wait_minutes(username: str) -> int:
    """Minutes left before a locked-out account may try again (at least 1)."""
    from axes.models import AccessAttempt
    from django.db.models import Max

    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    remaining = (last + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining / 60))


@login_not_required
def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out account: the login page again, with the time to wait
    (HTTP 429), on the portal as on /admin/."""
    minutes = wait_minutes(axes_username(request, credentials))
    message = (
        f"Trop de tentatives de connexion infructueuses pour ce compte : il est bloqué. "
        f"Réessayez dans {minutes} minute{'s' if minutes > 1 else ''}, ou choisissez un nouveau mot de passe "
        "avec « Mot de passe oublié ? » après ce délai."
    )
    form = LoginForm(request, data=None, initial={"username": (credentials or {}).get("username", "")})
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_message": message, "next": request.POST.get("next", "")},
        status=429,
    )


def _throttled(key: str, limit: int, period: int = 3600) -> bool:
    """Count one more use of `key` in the cache; True once over `limit` for the period."""
    cache.add(key, 0, period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, period)
        count = 1
    return count > limit


class PasswordResetView(auth_views.PasswordResetView):
    """Limited per address and per IP address (cache counters), with the same answer and the
    same minimum duration whether the account exists, the limit is reached, or not: nothing tells
    an outsider which addresses have an account."""

    form_class = QueuedPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        started = time.monotonic()
        email = form.cleaned_data["email"].strip().lower()
        email_key = "pwreset:email:" + hashlib.sha256(email.encode()).hexdigest()
        ip_key = "pwreset:ip:" + (self.request.META.get("REMOTE_ADDR") or "-")
        over_ip = _throttled(ip_key, settings.PASSWORD_RESET_LIMIT_PER_IP)
        over_email = _throttled(email_key, settings.PASSWORD_RESET_LIMIT_PER_EMAIL)
        if not (over_ip or over_email):
            super().form_valid(form)
        elapsed = time.monotonic() - started
        if elapsed < settings.PASSWORD_RESET_MIN_SECONDS:
            time.sleep(settings.PASSWORD_RESET_MIN_SECONDS - elapsed)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


# --- Accounts of a structure (responsable) or of everyone (DPID administrator) -------------------


def accounts_visible_to(user):
    """The accounts a user may disable: their structure's members for a responsable, every
    account for a DPID administrator, none otherwise."""
    from portal.accounts.models import User

    scope = user.scope
    if scope.is_admin:
        return User.objects.all()
    if scope.is_responsable:
        return User.objects.filter(structure_id=scope.structure_id)
    return User.objects.none()


def can_manage_accounts(user) -> bool:
    return user.scope.is_admin or user.scope.is_responsable


def members(request):
    from django.core.exceptions import PermissionDenied

    from portal.core.views import paginate

    if not can_manage_accounts(request.user):
        raise PermissionDenied
    accounts = accounts_visible_to(request.user).select_related("structure", "territoire", "referent")
    return render(
        request,
        "accounts/members.html",
        {"page": paginate(request, accounts.order_by("-is_active", "last_name", "first_name", "email"))},
    )


def user_disable(request, pk):
    """Disable an account: it can no longer log in (open sessions end at the next page), and
    everything it did stays (history, audit trail)."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.db import transaction
    from django.shortcuts import get_object_or_404, redirect
    from django.views.decorators.http import require_POST

    from portal.audit.enums import Action
    from portal.audit.services import access_record

    @require_POST
    def view(request, pk):
        if not can_manage_accounts(request.user):
            raise PermissionDenied
        account = get_object_or_404(accounts_visible_to(request.user), pk=pk)
        if account.pk == request.user.pk:
            messages.error(request, "Vous ne pouvez pas désactiver votre propre compte.")
            return redirect("accounts:members")
        with transaction.atomic():
            if account.is_active:
                account.is_active = False
                account.save(update_fields=["is_active"])
                access_record(
                    user=request.user,
                    obj=account,
                    action=Action.MODIFICATION,
                    request=request,
                    detail="compte désactivé",
                )
        messages.success(
            request,
            f"Le compte de {account.get_full_name() or account.email} est désactivé : il ne peut plus se connecter. "
            "Son historique est conservé.",
        )
        return redirect("accounts:members")

    return view(request, pk)
