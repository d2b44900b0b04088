"""Demo mode (PORTAL_DEMO=1, set by `make demo`): what only a demo may do, and how production
refuses it (issue 10 item 6, issue 15 item 4)."""

import io
import json
import os
import re
import subprocess
import sys

import pytest
from django.core import checks
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from portal.accounts.enums import Role
from portal.core.demo import DEMO_PASSWORD
from portal.core.mail import ReadableConsoleBackend, readable
from portal.echeances.services import notify
from tests.core.test_settings import PRODUCTION_ENV, ROOT, run_manage
from tests.factories import UserFactory

DEMO_REFUSED = "Les comptes de démonstration ne fonctionnent que sur un portail de démonstration"

SETTINGS_DUMP = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
    "'DEBUG': s.DEBUG, 'DEMO_MODE': s.DEMO_MODE, 'SECRET_KEY': s.SECRET_KEY, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS,"
    "'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT, 'SESSION_COOKIE_SECURE': s.SESSION_COOKIE_SECURE,"
    "'CSRF_COOKIE_SECURE': s.CSRF_COOKIE_SECURE, 'SECURE_HSTS_SECONDS': s.SECURE_HSTS_SECONDS,"
    "'WHITENOISE_USE_FINDERS': s.WHITENOISE_USE_FINDERS, 'EAGER': s.CELERY_TASK_ALWAYS_EAGER,"
    "'ENGINE': s.DATABASES['default']['ENGINE'], 'MAIL': s.MAILERS['default']['BACKEND'],"
    "'PORTAL_BASE_URL': s.PORTAL_BASE_URL}))"
)


def settings_under(env):
    """The settings a process gets with exactly this environment (plus PATH)."""
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_DUMP],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def make_dry_run(target, **variables):
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", target, *(f"{k}={v}" for k, v in variables.items())],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- What `make demo` serves ------------------------------------------------------------------


def test_make_demo_serves_in_demo_mode_with_debug_off_and_links_to_the_served_address():
    commands = make_dry_run("demo", HOST="127.0.0.1", PORT="8123")
    served = [line for line in commands.splitlines() if "manage.py runserver 127.0.0.1:8123" in line]
    assert len(served) == 1
    for step in ("migrate --noinput", "load_demo", "runserver"):
        line = next(line for line in commands.splitlines() if f"manage.py {step}" in line)
        assert "PORTAL_DEMO=1" in line and "DEBUG=0" in line, line
        assert "PORTAL_BASE_URL=http://127.0.0.1:8123" in line, line


def test_demo_settings_without_any_configuration():
    """`make demo`'s environment only: DEBUG off, yet plain HTTP works, static files are served
    without collectstatic, SQLite, tasks in the web process, readable console e-mails."""
    demo = settings_under({"PORTAL_DEMO": "1", "DEBUG": "0", "PORTAL_BASE_URL": "http://127.0.0.1:8123"})
    assert demo["DEBUG"] is False and demo["DEMO_MODE"] is True
    assert demo["SECRET_KEY"].startswith("django-insecure-dev-only")
    assert {"127.0.0.1", "localhost"} <= set(demo["ALLOWED_HOSTS"])
    assert demo["SECURE_SSL_REDIRECT"] is False
    assert demo["SESSION_COOKIE_SECURE"] is False and demo["CSRF_COOKIE_SECURE"] is False
    assert demo["SECURE_HSTS_SECONDS"] == 0
    assert demo["WHITENOISE_USE_FINDERS"] is True
    assert demo["EAGER"] is True
    assert demo["ENGINE"] == "django.db.backends.sqlite3"
    assert demo["MAIL"] == "portal.core.mail.ReadableConsoleBackend"
    assert demo["PORTAL_BASE_URL"] == "http://127.0.0.1:8123"


def test_production_settings_are_untouched_by_the_demo():
    production = settings_under({**PRODUCTION_ENV, "PORTAL_DEMO": "0"})
    assert production["DEMO_MODE"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True and production["CSRF_COOKIE_SECURE"] is True
    assert production["WHITENOISE_USE_FINDERS"] is False


def test_without_demo_mode_nor_debug_the_secret_key_is_required():
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_DUMP],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "0"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


# --- Production refuses the demo ---------------------------------------------------------------


def test_check_deploy_fails_in_demo_mode():
    result = run_manage("check", "--deploy", env={**PRODUCTION_ENV, "PORTAL_DEMO": "1"})
    assert result.returncode != 0
    assert "portal.E001" in result.stderr and "PORTAL_DEMO=1" in result.stderr


def with_password(user, password=DEMO_PASSWORD):
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def demo_account(**kwargs):
    """An account as `load_demo` leaves it: the demo domain and the public password."""
    return with_password(UserFactory(email="admin@demo.rsa62.test", **kwargs))


def ids(messages):
    return {message.id for message in messages}


def test_a_demo_account_in_the_database_fails_the_checks_outside_demo_mode(db, settings):
    demo_account(admin=True)
    settings.DEMO_MODE = False
    # `migrate` and `check --database default` run the database checks; `check --deploy` too.
    assert "portal.E002" in ids(checks.run_checks(databases=["default"]))
    assert "portal.E002" in ids(checks.run_checks(include_deployment_checks=True))
    error = next(m for m in checks.run_checks(databases=["default"]) if m.id == "portal.E002")
    assert error.level == checks.ERROR and "admin@demo.rsa62.test" in error.msg
    # A check that does not touch the database stays silent: `runserver`, offline tools.
    assert "portal.E002" not in ids(checks.run_checks())
    settings.DEMO_MODE = True
    assert "portal.E002" not in ids(checks.run_checks(databases=["default"]))


def test_no_demo_account_no_error(db, settings):
    UserFactory(email="agent@pasdecalais.fr", role=Role.DPID)
    settings.DEMO_MODE = False
    assert "portal.E002" not in ids(checks.run_checks(databases=["default"], include_deployment_checks=True))


def test_migrate_refuses_a_production_database_holding_the_demo_accounts(db, settings):
    """The stack's `migrate` service stops (it runs the database checks): the demo was loaded on
    this database once."""
    with_password(UserFactory(email="slai@demo.rsa62.test", role=Role.DPID))
    settings.DEMO_MODE = False
    settings.SILENCED_SYSTEM_CHECKS = ["templates.E002"]  # pytest's --fail-on-template-vars
    with pytest.raises(SystemCheckError, match=r"portal\.E002.*slai@demo\.rsa62\.test"):
        call_command("migrate", "--noinput", skip_checks=False, verbosity=0)
    settings.DEMO_MODE = True
    call_command("migrate", "--noinput", skip_checks=False, verbosity=0)


@pytest.mark.parametrize("email", ["admin@demo.rsa62.test", "Admin@Demo.RSA62.test"])
def test_demo_login_refused_outside_demo_mode_with_a_french_message(client, db, settings, email):
    demo_account(admin=True)
    settings.DEMO_MODE = False
    response = client.post(reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert DEMO_REFUSED in response.content.decode()
    assert email in response.content.decode()  # what was typed is kept
    assert "_auth_user_id" not in client.session
    # Even past the login form (the check silenced, another form): the backend refuses.
    assert client.login(username="admin@demo.rsa62.test", password=DEMO_PASSWORD) is False


def test_demo_admin_login_refused_outside_demo_mode(client, db, settings):
    demo_account(admin=True)
    settings.DEMO_MODE = False
    response = client.post(
        reverse("admin:login"), {"username": "admin@demo.rsa62.test", "password": DEMO_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_demo_session_opened_in_demo_mode_ends_outside_it(client, db, settings):
    settings.DEMO_MODE = True
    assert client.login(username="admin@demo.rsa62.test", password=DEMO_PASSWORD) is False  # none yet
    demo_account(admin=True)
    assert client.login(username="admin@demo.rsa62.test", password=DEMO_PASSWORD) is True
    assert client.get(reverse("accounts:home")).status_code == 200
    settings.DEMO_MODE = False
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_demo_login_works_in_demo_mode(client, db, settings):
    demo_account(admin=True)
    settings.DEMO_MODE = True
    response = client.post(reverse("accounts:login"), {"username": "admin@demo.rsa62.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:home")


def test_other_accounts_log_in_outside_demo_mode(client, db, settings):
    with_password(UserFactory(email="agent@pasdecalais.fr", role=Role.DPID))
    settings.DEMO_MODE = False
    response = client.post(reverse("accounts:login"), {"username": "agent@pasdecalais.fr", "password": DEMO_PASSWORD})
    assert response.status_code == 302


# --- The portal's own error pages in the demo -------------------------------------------------


def test_out_of_scope_record_shows_the_french_404_page_in_demo_mode(client, world, settings):
    settings.DEMO_MODE = True
    settings.DEBUG = False  # as `make demo` serves
    client.force_login(world.user("referent"))
    response = client.get(world.orientation_b.beneficiaire.get_absolute_url())
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html and "Retour à l'accueil" in html
    assert "URLconf" not in html and "Traceback" not in html
    assert 'lang="fr"' in html


# --- Readable demo e-mails ----------------------------------------------------------------------


def test_console_e_mails_are_readable_utf8_text():
    message = EmailMultiAlternatives(
        subject="Échéance dépassée : CER d’Émilie à renouveler",
        body="Bonjour,\nLe CER arrive à échéance le 9 décembre 2026.\nhttp://127.0.0.1:8123/accompagnement/\n",
        from_email="Portail RSA – Pas-de-Calais <ne-pas-repondre@pasdecalais.fr>",
        to=["référente@example.test"],
    )
    message.attach_alternative("<p>Le CER arrive à échéance le 9 décembre 2026.</p>", "text/html")
    message.attach("courrier.pdf", b"%PDF-1.7", "application/pdf")
    stream = io.StringIO()
    assert ReadableConsoleBackend(stream=stream).send_messages([message]) == 1
    printed = stream.getvalue()
    assert "Subject: Échéance dépassée : CER d’Émilie à renouveler" in printed
    assert "From: Portail RSA – Pas-de-Calais <ne-pas-repondre@pasdecalais.fr>" in printed
    assert "Le CER arrive à échéance le 9 décembre 2026." in printed
    assert "http://127.0.0.1:8123/accompagnement/" in printed
    assert "[pièce jointe : courrier.pdf]" in printed
    # Nothing encoded: no RFC 2047 words, no base64 or quoted-printable body, no HTML twin.
    assert "=?utf-8?" not in printed and "Content-Transfer-Encoding" not in printed
    assert not re.search(r"=C3=|w6k", printed) and "<p>" not in printed


def test_console_e_mails_print_utf8_on_a_terminal_that_is_not_declared_utf8():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    message = EmailMultiAlternatives(subject="Délai dépassé", body="Échéance : 9 décembre 2026", to=["a@example.test"])
    ReadableConsoleBackend(stream=stream).send_messages([message])
    stream.flush()
    printed = raw.getvalue().decode("utf-8")
    assert "Subject: Délai dépassé" in printed and "Échéance : 9 décembre 2026" in printed


def test_e_mail_links_point_at_the_served_address(db, settings, django_capture_on_commit_callbacks, mailoutbox):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8123"
    user = UserFactory(email="ref@example.test", role=Role.DPID)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=user, title="Un CER à contrôler", body="Le CER arrive à échéance.", url="/accompagnement/")
    assert len(mailoutbox) == 1
    printed = readable(mailoutbox[0])
    assert "http://127.0.0.1:8123/accompagnement/" in printed
    assert "Le CER arrive à échéance." in printed


def test_the_production_stack_never_runs_in_demo_mode():
    from tests.core.test_docker_compose import compose

    for name in ("migrate", "web", "worker", "beat"):
        environment = compose()["services"][name]["environment"]
        assert environment["PORTAL_DEMO"] == "0" and environment["DEBUG"] == "0", name
