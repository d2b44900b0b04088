import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Reports every CSP violation of the page, whatever the console says.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium est requis en CI (paquet Debian « chromium », installé par .ci/run).")
        pytest.skip("Chromium absent : installez le paquet Debian « chromium » pour les tests navigateur.")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures) are safe here because the live server runs in its own thread.
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(CSP_LISTENER)
    page.console_messages_seen = []
    page.on("console", lambda message: page.console_messages_seen.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: page.console_messages_seen.append(f"pageerror: {error}"))
    yield page
    context.close()


@pytest.fixture
def demo_live_server(live_server, settings):
    """The demo data behind a live server, in demo mode (its accounts log in only there). The live
    server speaks plain HTTP, so the cookies cannot carry the Secure flag they have in production."""
    settings.DEMO_MODE = True
    call_command("load_demo", stdout=io.StringIO())
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server


@pytest.fixture
def server(live_server, settings):
    """A live server over the test data (factories): plain HTTP, so no Secure cookies."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server


def login(page, server, email, password=None):
    """Sign in through the login page (demo accounts share DEMO_PASSWORD)."""
    from portal.core.demo import DEMO_PASSWORD

    page.context.clear_cookies()
    page.goto(f"{server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def assert_no_csp_violation(page):
    violations = page.evaluate("window.__cspViolations || []")
    console = [m for m in page.console_messages_seen if "Content Security Policy" in m or "pageerror" in m]
    assert violations == [], violations
    assert console == [], console


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
