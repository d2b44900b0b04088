import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_find_python_names_the_missing_version():
    """Without Python 3.12+, `make` stops with a message that says what to install."""
    result = subprocess.run(
        ["/bin/sh", str(ROOT / "scripts/find-python")],
        env={"PATH": "/nonexistent", "HOME": "/nonexistent"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Python 3.13 ou 3.12 est requis" in result.stderr


def test_find_python_returns_a_working_interpreter():
    result = subprocess.run(["sh", str(ROOT / "scripts/find-python")], capture_output=True, text=True)
    assert result.returncode == 0
    version = subprocess.run([result.stdout.strip(), "--version"], capture_output=True, text=True).stdout
    assert version.startswith(("Python 3.12", "Python 3.13"))


def test_ci_runs_make_test_and_lint():
    script = (ROOT / ".ci/run").read_text()
    assert "make lint" in script
    assert "make test" in script
    assert "set -euo pipefail" in script  # pytest's exit 5 (no test collected) fails the run
