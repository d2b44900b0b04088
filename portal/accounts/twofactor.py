"""Two-factor authentication: a TOTP application (enrolled at first login with a QR code) and
single-use recovery codes ("codes de secours"), with django-otp.

Every role reads beneficiary data or decides, so every signed-in account must have passed its
second factor before any page but these ones (and logging out). Only demo mode switches it off
(settings.PORTAL_2FA_REQUIRED).
"""

import base64
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.enums import Action
from portal.audit.services import access_record

TOTP_NAME = "Application d'authentification"
STATIC_NAME = "Codes de secours"
RECOVERY_SESSION_KEY = "portal_recovery_codes"

# Pages an unverified user may still open: the two-factor pages, logging out, and what needs no
# session at all (login, password reset, health check, static files).
EXEMPT_URL_NAMES = {
    "accounts:otp_verify",
    "accounts:otp_setup",
    "accounts:logout",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "health",
    "core:mentions_legales",
    "core:donnees_personnelles",
    "core:accessibilite",
}


def required() -> bool:
    return settings.PORTAL_2FA_REQUIRED


def confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user) -> bool:
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def require_second_factor(has_permission):
    """Wrap an AdminSite.has_permission: staff rights count only once the second factor passed."""

    def wrapped(request):
        return has_permission(request) and (not required() or is_verified(request.user))

    return wrapped


class TwoFactorMiddleware:
    """A signed-in user who has not passed the second factor is sent to it (or to enrolment)
    from every page, /admin/ included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if required() and user.is_authenticated and not is_verified(user) and not self._exempt(request):
            target = "accounts:otp_verify" if has_second_factor(user) else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request):
        if request.path.startswith(settings.STATIC_URL):
            return True
        match = request.resolver_match
        if match is None:
            from django.urls import Resolver404, resolve

            try:
                match = resolve(request.path_info)
            except Resolver404:
                return False
        return match.view_name in EXEMPT_URL_NAMES


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="Les 6 chiffres affichés par votre application, ou l'un de vos codes de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").strip().lower()


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse("accounts:home")


def qr_code_data_uri(text: str) -> str:
    """The QR code as an SVG data URI (drawn here: no external service sees the secret)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _secret(device) -> str:
    return base64.b32encode(device.bin_key).decode("ascii")


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes by PORTAL_RECOVERY_CODES fresh single-use ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=STATIC_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.PORTAL_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _wait_seconds(user, code) -> int:
    """Seconds left before a code of this kind may be tried again (django-otp's delay after wrong
    codes, doubled at each one), 0 if it may be tried now."""
    import math

    from django.utils import timezone

    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    waits = []
    for device in model.objects.filter(user=user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if allowed:
            return 0
        if data and data.get("locked_until"):
            waits.append(math.ceil((data["locked_until"] - timezone.now()).total_seconds()))
    return max(1, min(waits)) if waits else 0


def _verify(user, code):
    """The device (TOTP or recovery codes) that accepts the code, or None."""
    # Six digits: the application's code; otherwise a recovery code. Each device only sees its own
    # kind of code, so a typo in one does not slow down the other (django-otp's throttling).
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            if device.verify_is_allowed()[0] and device.verify_token(code):
                return device
    return None


@require_http_methods(["GET", "POST"])
def setup(request):
    """First login: scan the QR code, type the first code, receive the recovery codes."""
    user = request.user
    if has_second_factor(user):
        if is_verified(user) or not required():
            messages.info(request, "Votre application d'authentification est déjà enregistrée.")
            return redirect("accounts:otp_recovery")
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': _next_url(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "Les 6 chiffres affichés par votre application après avoir scanné le code."
    if request.method == "POST" and form.is_valid():
        # No delay between two tries at enrolment: the secret is on this very page, so a delay
        # protects nothing, and with one (django-otp's, after a wrong code) the right code typed
        # within a second was answered "ne correspond pas".
        device.throttle_reset(commit=False)
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[RECOVERY_SESSION_KEY] = new_recovery_codes(user)
            access_record(
                user=user,
                obj=user,
                action=Action.MODIFICATION,
                request=request,
                detail="double authentification activée",
            )
            return redirect(f"{reverse('accounts:otp_recovery')}?{urlencode({'next': _next_url(request)})}")
        form.add_error(
            "code", "Ce code ne correspond pas. Vérifiez l'heure de votre téléphone et saisissez le code affiché."
        )
    context = {
        "form": form,
        "qr_code": qr_code_data_uri(device.config_url),
        "secret": _secret(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@require_http_methods(["GET", "POST"])
def verify(request):
    """Second step of the login: a code of the application or a recovery code."""
    user = request.user
    if not has_second_factor(user):
        return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': _next_url(request)})}")
    if is_verified(user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (wait := _wait_seconds(user, form.cleaned_data["code"])):
        # Not a wrong code: too soon after one. Saying "incorrect" would make the user doubt a
        # right code; the delay is told instead, and this try is not counted.
        form.add_error(
            "code",
            f"Trop d'essais rapprochés : patientez {wait} seconde{'s' if wait > 1 else ''}, "
            "puis saisissez le code affiché à ce moment-là.",
        )
    elif request.method == "POST" and form.is_valid():
        device = _verify(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"Vous avez utilisé un code de secours : il vous en reste {left}. "
                    "Générez-en de nouveaux depuis « Codes de secours ».",
                )
            return redirect(_next_url(request))
        access_record(
            user=user,
            obj=user,
            action=Action.CONNEXION_REFUSEE,
            request=request,
            detail="code de double authentification incorrect",
        )
        form.add_error(
            "code",
            "Code incorrect ou déjà utilisé. Après plusieurs erreurs, patientez quelques secondes entre deux essais.",
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def recovery(request):
    """The recovery codes, shown once after enrolment or after generating new ones."""
    if request.method == "POST":
        if not has_second_factor(request.user):
            return redirect("accounts:otp_setup")
        codes = new_recovery_codes(request.user)
        access_record(
            user=request.user,
            obj=request.user,
            action=Action.MODIFICATION,
            request=request,
            detail="codes de secours renouvelés",
        )
    else:
        codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    left = StaticToken.objects.filter(device__user=request.user).count()
    context = {
        "codes": codes,
        "left": left,
        "enrolled": has_second_factor(request.user),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_recovery.html", context)
