"""No Docker engine runs here: check that the stack description is coherent with the project."""

from pathlib import Path

import yaml
from django.core.management import get_commands

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_health_checks():
    services = compose()["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert "uploads:/data/media" in services["web"]["volumes"]
    assert services["web"]["environment"]["MEDIA_ROOT"] == "/data/media"


def test_every_command_exists_in_the_project():
    services = compose()["services"]
    requirements = (ROOT / "requirements/base.txt").read_text()
    for name, service in services.items():
        command = service.get("command")
        if not command or ("image" in service and "build" not in service):
            continue
        program = command[0]
        if program == "gunicorn":
            assert "gunicorn==" in requirements
            module, _, attribute = command[1].partition(":")
            assert (ROOT / (module.replace(".", "/") + ".py")).exists()
            assert attribute == "application"
        elif program == "celery":
            assert "celery==" in requirements
            assert command[1:3] == ["-A", "portal"]
            assert celery_app.main == "portal"
        elif program == "python":
            assert command[1] == "manage.py"
            assert command[2] in get_commands()
        else:
            raise AssertionError(f"{name}: commande inconnue {program}")


def test_dockerfile_copies_the_lock_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/base.txt" in dockerfile
    assert "portal.wsgi:application" in dockerfile
