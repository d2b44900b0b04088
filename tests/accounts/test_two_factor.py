"""Two-factor authentication: enrolment at first login, code at each login, recovery codes,
enforced on every page and on /admin/ for every role (switched on here: off in the rest of the
suite, see pyproject.toml)."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.test_permission_matrix import RULES

PASSWORD = "Mot-de-passe-solide-2024"
STAFF_ROLES = ["responsable", "referent", "slai", "dpid", "manager", "admin"]


@pytest.fixture
def two_factor(settings):
    settings.PORTAL_2FA_REQUIRED = True
    return settings


def password_login(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def enrol(client):
    """Scan (read the key from the page), type the first code; returns the recovery codes."""
    page = client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=page.wsgi_request.user)
    response = client.post(reverse("accounts:otp_setup"), {"code": current_code(device), "next": "/"}, follow=True)
    return device, re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode()), response


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_role_enrols_at_first_login(client, world, two_factor, role):
    user = world.user(role)
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user)

    home = client.get(reverse("accounts:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:otp_setup"))
    page = client.get(home["Location"])
    html = page.content.decode()
    assert "Activer la double authentification" in html
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, drawn here
    assert "Code QR à scanner" in html
    assert "Navigation principale" not in html  # no menu before the second factor

    _device, codes, response = enrol(client)
    assert len(codes) == 10
    assert "ils ne seront plus affichés" in response.content.decode()
    assert client.get(reverse("accounts:home")).status_code == 200
    # Shown once: the page no longer lists them.
    again = client.get(reverse("accounts:otp_recovery")).content.decode()
    assert codes[0] not in again
    assert "Il vous reste <strong>10 codes de secours</strong>" in again


def test_wrong_first_code_keeps_enrolment_open(client, world, two_factor):
    user = world.user("referent")
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user)
    client.get(reverse("accounts:otp_setup"))
    response = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
    assert response.status_code == 200
    assert "Ce code ne correspond pas" in response.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert client.get(reverse("accounts:home")).status_code == 302


def test_enrolled_user_logs_in_with_a_code_then_a_recovery_code_once(client, world, two_factor):
    user = world.user("referent")
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user)
    device, codes, _ = enrol(client)
    client.post(reverse("accounts:logout"))

    # Next login: the password is not enough.
    password_login(client, user)
    response = client.get(reverse("accompagnement:caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    wrong = client.post(reverse("accounts:otp_verify"), {"code": "123456", "next": reverse("accompagnement:caseload")})
    assert "Code incorrect ou déjà utilisé" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the delay after a wrong code is django-otp's
    device.throttling_failure_timestamp = None
    device.last_t = -1  # the enrolment code of this same 30-second step may be typed again here
    device.save()
    ok = client.post(
        reverse("accounts:otp_verify"), {"code": current_code(device), "next": reverse("accompagnement:caseload")}
    )
    assert ok.status_code == 302
    assert ok["Location"] == reverse("accompagnement:caseload")
    assert client.get(reverse("accompagnement:caseload")).status_code == 200
    client.post(reverse("accounts:logout"))

    # Phone lost: a recovery code works, once.
    password_login(client, user)
    ok = client.post(reverse("accounts:otp_verify"), {"code": codes[0], "next": "/"}, follow=True)
    assert "il vous en reste 9" in ok.content.decode()
    client.post(reverse("accounts:logout"))
    password_login(client, user)
    again = client.post(reverse("accounts:otp_verify"), {"code": codes[0]})
    assert again.status_code == 200
    assert "Code incorrect ou déjà utilisé" in again.content.decode()


def test_every_page_needs_the_second_factor(client_for, world, two_factor):
    """A signed-in but unverified user reaches no page of the portal, whatever the URL (the
    matrix's list), except the two-factor pages, logging out and the public pages."""
    client = client_for("dpid")
    reached = []
    for name, (kwargs_builder, _) in RULES.items():
        url = reverse(name, kwargs=kwargs_builder(world) if kwargs_builder else None)
        response = client.get(url)
        location = response.get("Location", "")
        if not location.startswith((reverse("accounts:otp_setup"), reverse("accounts:otp_verify"))):
            reached.append(name)
    assert sorted(reached) == sorted(
        [
            "accounts:otp_setup",  # (the code page sends to it: this user has not enrolled)
            "accounts:logout",
            "accounts:login",
            "accounts:password_reset",
            "accounts:password_reset_done",
            "accounts:password_reset_confirm",
            "accounts:password_reset_complete",
            "health",
            *[name for name in RULES if name.startswith("core:")],
        ]
    )


def test_admin_site_needs_the_second_factor(client, world, two_factor):
    admin = world.user("admin")
    admin.set_password(PASSWORD)
    admin.save()
    # The admin's own login page: the password alone does not open /admin/.
    client.post(reverse("admin:login"), {"username": admin.email, "password": PASSWORD})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    enrol(client)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_site_refuses_unverified_staff_even_without_the_middleware(rf, world, two_factor):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = world.user("admin")
    request.user.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_deploy_check_fails_without_second_factor_outside_demo_mode(settings):
    from portal.core.checks import two_factor_in_production

    settings.DEMO_MODE = False
    settings.PORTAL_2FA_REQUIRED = False
    assert [error.id for error in two_factor_in_production(None)] == ["portal.E003"]
    settings.DEMO_MODE = True
    assert two_factor_in_production(None) == []
    settings.DEMO_MODE = False
    settings.PORTAL_2FA_REQUIRED = True
    assert two_factor_in_production(None) == []


def test_demo_mode_switches_the_second_factor_off_by_default():
    # Runs this project's own settings in a child interpreter.
    import subprocess  # nosec B404
    import sys

    code = "import django,os;django.setup();from django.conf import settings;print(settings.PORTAL_2FA_REQUIRED)"
    base = {"DJANGO_SETTINGS_MODULE": "portal.settings", "SECRET_KEY": "x" * 50, "PATH": "/usr/bin:/bin"}
    outputs = {}
    for demo in ("0", "1"):
        # Fixed arguments.
        result = subprocess.run(  # nosec B603
            [sys.executable, "-c", code], env={**base, "PORTAL_DEMO": demo}, capture_output=True, text=True, check=True
        )
        outputs[demo] = result.stdout.strip()
    assert outputs == {"0": "True", "1": "False"}


def test_right_code_just_after_a_wrong_one_is_accepted_at_enrolment(client, world, two_factor):
    """The browser journey's failure: a wrong first code, then the right one within a second, was
    answered "ne correspond pas" (django-otp's delay after a wrong code). At enrolment the secret
    is on the page, so no delay applies."""
    user = world.user("referent")
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user)
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=user)
    wrong = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
    assert "Ce code ne correspond pas" in wrong.content.decode()
    response = client.post(reverse("accounts:otp_setup"), {"code": current_code(device), "next": "/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_code_typed_too_soon_after_a_wrong_one_is_told_to_wait_not_refused_as_wrong(client, world, two_factor):
    import datetime

    import time_machine
    from django.utils import timezone

    from portal.audit.enums import Action
    from portal.audit.models import AuditEntry

    user = world.user("referent")
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user)
    device, _codes, _ = enrol(client)
    client.post(reverse("accounts:logout"))
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60), tick=False):
        password_login(client, user)
        wrong = client.post(reverse("accounts:otp_verify"), {"code": "123456"})
        assert "Code incorrect ou déjà utilisé" in wrong.content.decode()
        too_soon = client.post(reverse("accounts:otp_verify"), {"code": current_code(device)})
        html = too_soon.content.decode().replace("&#x27;", "'")
        assert "Trop d'essais rapprochés : patientez 1 seconde, puis saisissez le code" in html
        assert "Code incorrect" not in html
        assert client.get(reverse("accounts:home")).status_code == 302
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=62), tick=False):
        ok = client.post(reverse("accounts:otp_verify"), {"code": current_code(device), "next": "/"})
        assert ok.status_code == 302
        assert client.get(reverse("accounts:home")).status_code == 200
    refused = AuditEntry.objects.filter(action=Action.CONNEXION_REFUSEE, object_id=str(user.pk))
    assert [entry.detail for entry in refused] == ["code de double authentification incorrect"]
