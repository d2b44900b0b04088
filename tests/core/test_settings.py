import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "x7Hq9Lm2Vb8Nc4Zr6Tp1Wd5Fs0Gj3Ky" * 2,
    "ALLOWED_HOSTS": "portail-rsa.pasdecalais.fr",
    "DATABASE_URL": "sqlite:////tmp/portail-check-deploy.sqlite3",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.pasdecalais.fr",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PORTAL_BASE_URL": "https://portail-rsa.pasdecalais.fr",
}


def run_manage(*args, env):
    inherited = (
        "DEBUG",
        "PORTAL_DEMO",
        "SECRET_KEY",
        "SECURE_SSL_REDIRECT",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "PORTAL_2FA_REQUIRED",  # off for the test suite (pyproject.toml), on in production
    )
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_prints_no_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_without_broker_or_public_address():
    env = {**PRODUCTION_ENV, "REDIS_URL": "", "PORTAL_BASE_URL": "http://127.0.0.1:8000"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "portal.W001" in result.stderr and "aucun rappel d'échéance ne part" in result.stderr
    assert "portal.W002" in result.stderr


def test_secret_key_is_required_without_debug():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "La variable d'environnement SECRET_KEY est obligatoire." in result.stderr


def test_demo_refused_without_demo_mode():
    result = run_manage("load_demo", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "ne peuvent être créés qu'en mode démonstration" in result.stderr


def test_env_helpers_fail_on_bad_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "peut-être")
    monkeypatch.setenv("X_INT", "douze")
    monkeypatch.setenv("X_LIST", "a.fr, b.fr,,")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)
    assert env_list("X_LIST") == ["a.fr", "b.fr"]
    assert env_bool("X_ABSENT", default=True) is True


def test_french_and_paris_time(settings):
    assert settings.LANGUAGE_CODE == "fr-fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.USE_TZ is True
    assert settings.CELERY_TIMEZONE == "Europe/Paris"


def test_offline_tools_run_without_the_production_secret(tmp_path):
    """`grade_cer` is a command-line contract: it works in a plain shell, without SECRET_KEY."""
    cer = tmp_path / "cer.json"
    cer.write_text(
        '{"numero_caf": "1100001", "type": "solidarite", "date_edition": "2025-01-10", "date_debut": "2025-01-10",'
        ' "date_fin": "2025-07-09", "remarque": "", "actions": []}'
    )
    result = run_manage("grade_cer", str(cer), env={})
    assert result.returncode == 0, result.stderr
    assert '"numero_caf": "1100001"' in result.stdout
    assert run_manage("makemigrations", "--check", "--dry-run", env={}).returncode == 0
