"""A started server process does not carry the libraries of one feature: not at start-up, not for
the main pages, and not after downloads either, whose Word and Excel builders run in a child
process (planner/web/isolated.py; memory per process: bench/bench_memory.py prints the RSS).

The command line imports only what its command uses: `curricula` and `schedule` neither the
database nor the web layer, `plans` not the web layer (start-up; bench/bench_cli.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.models.db import db
from tests.factories import make_oita

ROOT = Path(__file__).resolve().parent.parent
#: the libraries (and what they pull in) that only downloads and uploads need, and holidays
#: (every country's rules: the pages' holidays come from a child process, planner/domain/dates.py)
HEAVY = ("docx", "openpyxl", "icalendar", "lxml", "PIL", "scipy", "numpy", "sudachipy", "pptx", "pypdf",
         "alembic", "flask_migrate", "holidays")

SCRIPT = """
import json, sys
from app import create_app
from planner.models.db import db
from tests.factories import OITA_OFFICIAL, login, make_oita
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "WTF_CSRF_ENABLED": False,
                  "SECRET_KEY": "test"})
at_start = sorted(m for m in sys.argv[2:] if m in sys.modules)
with app.app_context():
    db.create_all()
    world = make_oita()
client = app.test_client()
assert login(client, OITA_OFFICIAL).status_code == 302
pages = ["/", f"/plans/{world.plan}", f"/plans/{world.plan}/roles", f"/plans/{world.plan}/team",
         f"/trainings/{world.trainings['common']}", f"/plans/{world.plan}/timeline/"]
statuses = [client.get(url).status_code for url in pages]
after_pages = sorted(m for m in sys.argv[2:] if m in sys.modules)
docx = client.get(f"/plans/{world.plan}/roles.docx")
xlsx = client.get(f"/plans/{world.plan}/team.xlsx")
draft = client.get(f"/trainings/{world.trainings['common']}/agenda.docx?source=draft")  # a query crosses too
after_download = sorted(m for m in sys.argv[2:] if m in sys.modules)
with app.app_context():
    db.drop_all()
print(json.dumps({"start": at_start, "pages": after_pages, "statuses": statuses,
                  "download": [docx.status_code, docx.data[:2].decode(), docx.headers["Content-Disposition"],
                               xlsx.status_code, xlsx.data[:2].decode(), after_download],
                  "draft": [draft.status_code, draft.data[:2].decode()]}))
"""


def test_heavy_libraries_load_only_with_the_feature_that_needs_them(database_url):
    result = subprocess.run([sys.executable, "-c", SCRIPT, database_url, *HEAVY], cwd=ROOT,
                            capture_output=True, text=True, timeout=600,  # a hang guard: CI at full load took over 120 s once
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["statuses"] == [200] * 6
    assert seen["start"] == []
    assert seen["pages"] == []
    # Word and Excel downloads work, built in a child process: the server never loads the builders
    docx_status, docx_magic, disposition, xlsx_status, xlsx_magic, loaded = seen["download"]
    assert (docx_status, docx_magic, xlsx_status, xlsx_magic) == (200, "PK", 200, "PK")
    assert "filename*=UTF-8''" in disposition
    assert loaded == []
    assert seen["draft"] == [200, "PK"]


#: what only the web layer needs (forms, logins, CSRF) and what only migrations need
WEB = ("planner.web", "wtforms", "flask_wtf")
DATABASE = ("planner.models", "planner.services", "sqlalchemy", "flask_sqlalchemy")
MIGRATIONS = ("flask_migrate", "alembic")


#: `flask --app app ARGS` as the console script runs it, writing the modules it imported at exit
FLASK_MAIN = """
import atexit, json, runpy, sys
modules_file = sys.argv[1]
atexit.register(lambda: open(modules_file, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["flask", "--app", "app", *sys.argv[2:]]
runpy.run_module("flask", run_name="__main__", alter_sys=True)
"""


def _flask_command(args: list[str], database_url: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run `flask --app app ARGS` as a user would; its result and every module it imported."""
    modules_file = tmp_path / "modules.json"
    result = subprocess.run([sys.executable, "-c", FLASK_MAIN, str(modules_file), *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=600,  # a hang guard: CI at full load took over 120 s once
                            env={**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)})
    return result, set(json.loads(modules_file.read_text()))


def _loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in packages or m.startswith(packages))


@pytest.mark.parametrize("args, says", [
    (["curricula"], "前期共通プログラム"),
    (["schedule", "common", "--date", "2027-02-03"], "開会"),
])
def test_curricula_and_schedule_start_without_database_or_web(args, says, database_url, tmp_path):
    result, modules = _flask_command(args, database_url, tmp_path)

    assert result.returncode == 0, result.stderr[-2000:]
    assert says in result.stdout
    assert "planner.cli.curricula" in modules  # the measurement sees the command's own imports
    assert _loaded(modules, WEB + DATABASE + MIGRATIONS) == []


def test_plans_reads_the_database_without_the_web_layer(app, database_url, tmp_path):
    with app.app_context():
        make_oita()
        db.session.remove()  # its connection back to the pool first, so dispose() closes it
        db.engine.dispose()

    result, modules = _flask_command(["plans"], database_url, tmp_path)

    assert result.returncode == 0, result.stderr[-2000:]
    assert "大分県" in result.stdout and "計画ID" in result.stdout
    assert "planner.models.plan" in modules
    assert _loaded(modules, WEB + MIGRATIONS) == []
    # only the tables it reads are mapped: with every table it took 1.8x the bare imports, without 1.4x
    assert _loaded(modules, ("planner.models.survey", "planner.models.participants", "planner.models.materials")) == []


def test_built_in_commands_still_get_the_whole_app(database_url, tmp_path):
    result, modules = _flask_command(["routes"], database_url, tmp_path)

    assert result.returncode == 0, result.stderr[-2000:]
    assert "/plans/<int:plan_id>" in result.stdout
    assert "planner.web.plans" in modules
