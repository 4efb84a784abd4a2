"""The layers of the house, enforced: the import-linter contract in `.importlinter` and no cycles."""
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("planner", "exports", "curricula")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command;"
                           "lint_imports_command()"],
                          cwd=cwd, capture_output=True, text=True, env={"PYTHONPATH": str(cwd)})


def test_import_contract_is_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("planner/domain/dates.py", "from flask import current_app", "planner.domain.dates -> flask"),
    ("planner/web/plans.py", "import sqlalchemy", "planner.web.plans -> sqlalchemy"),
], ids=["domain imports flask", "view imports sqlalchemy"])
def test_contract_fails_when_a_layer_imports_what_it_must_not(module, line, broken, tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    path = tmp_path / module
    path.write_text(f"{line}  # noqa: F401\n" + path.read_text())
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout


def test_views_leave_the_session_to_the_services():
    """Views ask, services do: no view opens, queries or commits the database session."""
    found = [f"{path.relative_to(ROOT)}:{number}"
             for path in sorted((ROOT / "planner" / "web").rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), start=1)
             if "db.session" in line or "db.select" in line or "db.get_or_404" in line]
    assert found == []


def test_no_import_cycles_among_modules():
    graph = grimp.build_graph(*PACKAGES)
    modules = sorted(graph.modules)
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(imported) == 1:
                cycles.append(path[path.index(imported):] + [imported])
            elif imported not in state:
                visit(imported, path + [imported])
        state[module] = 2

    for module in modules:
        if module not in state:
            visit(module, [module])
    assert cycles == []
