"""Everything the portal imports at run time is installed by the base requirements alone.

`make demo` and the production image install `requirements/base.txt` only (not the test extras):
a run-time import served by a test-only package works in CI and crashes on a fresh machine
(it happened with pypdf). These tests read the code, not the virtualenv they run in.
"""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = {"portal", "aap", "label", "accompagnement", "financement", "tests", "benchmarks", "manage"}
# benchmarks/ is developer tooling run with the test extras (locust), never by the portal.
SKIPPED_DIRS = {"tests", "benchmarks", ".venv", "node_modules", "staticfiles", "media", "artifacts"}
# Needed at run time without an `import` in our code: the PostgreSQL driver (Django's backend
# imports it from DATABASE_URL), the production web server (Dockerfile) and Celery's Redis broker.
WITHOUT_IMPORT = {
    "psycopg": "DATABASE_URL=postgres://…",
    "gunicorn": "Dockerfile, docker-compose",
    "redis": "REDIS_URL",
}


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not SKIPPED_DIRS.intersection(relative.parts):
            yield relative, path.read_text(encoding="utf-8")


def imported_modules(source):
    """Top-level module names of the absolute imports of one file (wherever they are: a function
    body or a try block imports at run time too)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def dotted_paths_in_settings():
    """Modules named by strings in the settings (apps, middleware, storages, backends)."""
    yield from settings.INSTALLED_APPS
    yield from settings.MIDDLEWARE
    yield from (storage["BACKEND"] for storage in settings.STORAGES.values())
    yield from (template["BACKEND"] for template in settings.TEMPLATES)
    yield from settings.AUTHENTICATION_BACKENDS
    yield from (mailer["BACKEND"] for mailer in settings.MAILERS.values())


def third_party_modules():
    """{top-level module: where it is needed} for every third-party module used at run time."""
    found = {}
    for relative, source in runtime_sources():
        for module in imported_modules(source):
            found.setdefault(module, str(relative))
    for dotted in dotted_paths_in_settings():
        found.setdefault(dotted.split(".")[0], f"settings: {dotted}")
    found.update({module: where for module, where in WITHOUT_IMPORT.items() if module not in found})
    return {
        module: where
        for module, where in found.items()
        if module not in sys.stdlib_module_names and module not in FIRST_PARTY and module != "__future__"
    }


def locked_names(requirements_text):
    return {normalize(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==", requirements_text, re.M)}


def missing_from(requirements_text):
    """Run-time modules whose distribution the given lock file does not install."""
    locked = locked_names(requirements_text)
    distributions = packages_distributions()
    missing = {}
    for module, where in sorted(third_party_modules().items()):
        names = {normalize(d) for d in distributions.get(module, [])}
        if not names & locked:
            missing[module] = where
    return missing


def declared_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {normalize(re.match(r"[A-Za-z0-9_.-]+", spec).group(0)) for spec in project["dependencies"]}


BASE_TXT = (ROOT / "requirements" / "base.txt").read_text(encoding="utf-8")


def test_the_walk_finds_the_portal_run_time_imports():
    modules = third_party_modules()
    for expected in ("django", "celery", "weasyprint", "pypdf", "openpyxl", "django_filters", "whitenoise"):
        assert expected in modules
    assert modules["pypdf"] == "portal/documents/rendering.py"
    assert "pytest" not in modules and "playwright" not in modules  # tests/ is not run time


def test_every_run_time_import_is_installed_by_the_base_requirements():
    assert missing_from(BASE_TXT) == {}


def test_removing_a_run_time_package_from_the_base_requirements_is_caught():
    """The check above is not vacuous: the lock file without pypdf (as it was) fails it."""
    without_pypdf = re.sub(r"^pypdf==.*\n(?:    .*\n)*", "", BASE_TXT, flags=re.M)
    assert "pypdf==" not in without_pypdf and "pyphen==" in without_pypdf
    assert missing_from(without_pypdf) == {"pypdf": "portal/documents/rendering.py"}
    without_whitenoise = re.sub(r"^whitenoise==.*\n(?:    .*\n)*", "", BASE_TXT, flags=re.M)
    assert set(missing_from(without_whitenoise)) == {"whitenoise"}


def test_every_direct_run_time_import_is_a_declared_base_dependency():
    """Not only locked as someone else's dependency: declared in pyproject's base dependencies,
    so that `make lock` keeps it."""
    declared = declared_dependencies()
    distributions = packages_distributions()
    undeclared = {
        module: where
        for module, where in third_party_modules().items()
        if not {normalize(d) for d in distributions.get(module, [])} & declared
    }
    assert undeclared == {}


def test_test_tools_stay_out_of_the_base_requirements():
    locked = locked_names(BASE_TXT)
    assert not {"pytest", "playwright", "factory-boy", "ruff", "time-machine", "pyyaml"} & locked


def test_the_test_lock_holds_the_base_lock():
    """requirements/test.txt installs everything base.txt does (same pinned versions)."""
    test_txt = (ROOT / "requirements" / "test.txt").read_text(encoding="utf-8")
    pins = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*==\S+)", re.M)
    assert set(pins.findall(BASE_TXT)) <= set(pins.findall(test_txt))
