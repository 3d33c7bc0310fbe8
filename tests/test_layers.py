"""The layering of docs/architecture.md is checked by import-linter (`make lint`), not remembered."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the code to plant imports in."""
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def plant(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_code_keeps_its_layers(tree):
    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("app.blueprints.users.routes", "from app.blueprints.goals import routes", "app.blueprints.users is not"),
        ("app.models.goals", "from app.services import goals", "app.models is not allowed to import app.services"),
        ("app.services.goals", "from app.blueprints.goals import schemas", "app.services is not allowed"),
        ("app.services.goals", "from app.jobs import goals", "app.services is not allowed to import app.jobs"),
        ("app.blueprints.goals.routes", "from app.jobs import goals", "app.blueprints is not allowed"),
        ("app.lib.dates", "from app.services import users", "app.lib is not allowed to import app.services"),
    ],
)
def test_a_planted_forbidden_import_fails_the_lint(tree, module, line, broken):
    plant(tree, module, line)

    result = lint_imports(tree)

    assert result.returncode != 0
    assert broken in result.stdout
