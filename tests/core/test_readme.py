"""The README tells the truth: every repository path it names exists, every `manage.py` command
it names is a command of the project, and what it says is editable in /admin/ is registered."""

import fnmatch
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def gitignored(path: str) -> bool:
    """Folders the portal creates at run time (media/, staticfiles/, artifacts/) are ignored by git."""
    result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, check=False)
    return result.returncode == 0


def repo_paths():
    """Backticked tokens that look like paths of the repository: a "/" inside, no space, and a
    file extension or a trailing "/" (URLs such as `/admin/` start with "/" and are left out)."""
    found = set()
    for token in re.findall(r"`([^`\n]+)`", README):
        if " " in token or "/" not in token or token.startswith("/") or "://" in token:
            continue
        if token.endswith("/") or EXTENSION.search(token):
            found.add(token)
    return sorted(found)


def exists(path: str) -> bool:
    """`templates/<app>/pdf/` stands for any app: a placeholder matches any folder name."""
    if "<" not in path:
        return (ROOT / path).exists()
    pattern = re.sub(r"<[^>]+>", "*", path.rstrip("/"))
    return any(fnmatch.fnmatch(str(p.relative_to(ROOT)), pattern) for p in ROOT.glob(pattern))


def test_the_readme_names_paths():
    paths = repo_paths()
    assert "portal/grille_cer/grid.py" in paths
    assert "tests/accounts/test_permission_matrix.py" in paths
    assert len(paths) > 15


@pytest.mark.parametrize("path", repo_paths())
def test_every_path_in_the_readme_exists(path):
    assert exists(path) or gitignored(path), f"README.md cite `{path}`, qui n'existe pas dans le dépôt"


def test_every_manage_py_command_in_the_readme_exists():
    named = set(re.findall(r"manage\.py\s+([a-z_]+)", README))
    assert {"load_demo", "grade_cer", "send_reminders", "import_orientations"} <= named
    missing = named - set(get_commands())
    assert not missing, f"Commandes citées par le README qui n'existent pas : {sorted(missing)}"


def test_what_the_readme_says_is_editable_in_the_admin_is_registered():
    from django.contrib import admin

    from accompagnement.models import TypeAccompagnement

    assert "Les administrateurs les ajustent dans `/admin/`" in README
    assert admin.site.is_registered(TypeAccompagnement)
