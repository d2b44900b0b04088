"""A new referent enrols a second factor in Chromium (QR code, first code, recovery codes), logs
out, and logs in again with a code from the application."""

import re

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(device):
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_referent_enrols_then_logs_in_with_a_code(page, live_server, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from tests.factories import PASSWORD, UserFactory

    settings.PORTAL_2FA_REQUIRED = True
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    user = UserFactory(referent=True, email="nouvelle.referente@example.test", first_name="Nadia")

    login(page, live_server, user.email, PASSWORD)
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Code QR à scanner"))).to_be_visible()
    expect(page.get_by_role("navigation", name="Navigation principale")).to_have_count(0)
    secret = page.locator("#cle-secrete").inner_text()
    device = TOTPDevice.objects.get(user=user)
    assert secret.replace(" ", "") and device.bin_key
    # A wrong code first: the error is shown next to the field.
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Ce code ne correspond pas").first).to_be_visible()
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", name="Codes de secours")).to_be_visible()
    codes = page.locator("#codes-de-secours li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page.get_by_role("heading", name="Bonjour Nadia")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    # Next login: password, then the code page.
    login(page, live_server, user.email, PASSWORD)
    expect(page.get_by_role("heading", name="Code de connexion")).to_be_visible()
    page.get_by_label("Code").fill(codes[0])  # phone left at home: a recovery code
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Bonjour Nadia")).to_be_visible()
    expect(page.get_by_text("il vous en reste 9")).to_be_visible()
