"""Memory of one server process: RSS after start-up, after serving the main pages, after each
kind of download (.docx, .xlsx, .ics, zip) and after an anonymity check (a new version of a case
file uploaded), in that order in one process (a separate run from any timing: nothing here is
timed).

Starts the app under waitress (bench/servers.py) on a temporary SQLite file holding the 大分県
world with 200 roster members and a case material, logs an official in over HTTP and reads
/proc/<pid>/status after each stage. Target: every stage under 100 MiB.

Usage: .venv/bin/python bench/bench_memory.py
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from bench.servers import process_tree, rss_mib, start
from planner.models import Plan
from planner.models.db import db
from tests.factories import OITA_OFFICIAL, PASSWORD, add_roster, make_oita
from tests.http_clients import logged_in_session


def bare_flask_mib() -> float:
    """RSS of a process that only imported Flask, SQLAlchemy and the Flask extensions we use."""
    code = ("import flask, flask_sqlalchemy, flask_migrate, flask_wtf, flask_login, sqlalchemy.orm\n"
            "print([l for l in open('/proc/self/status') if l.startswith('VmRSS:')][0].split()[1])")
    return int(subprocess.check_output([sys.executable, "-c", code], text=True)) / 1024


TARGET_MIB = 100


def _case_material(world) -> int:
    """A case worksheet on subject C of the common training, its first version already checked."""
    from planner.models import Training
    from planner.services.materials import files as materials
    from tests.anonymity_files import case_docx, load_corpus

    training = db.session.get(Training, world.trainings["common"])
    subject = next(row for row in training.subjects if row.letter == "C")
    cases = load_corpus()["case"][:3]
    material = materials.add_material(subject, "事例ワークシート", "worksheet", True, "職員",
                                      materials.Upload("事例_第1版.docx", case_docx(cases)))
    db.session.commit()
    return material.id


def _upload_case_version(session, base: str, training_id: int, material_id: int) -> None:
    """Upload a second version of the case file as the page's form does (CSRF and one-time token)."""
    from tests.anonymity_files import case_docx, load_corpus
    from tests.http_clients import csrf_token

    page = session.get(f"{base}/trainings/{training_id}/materials").text
    data = {"csrf_token": csrf_token(page)}
    once = re.search(rf'id="m{material_id}v"[\s\S]*?name="once" value="([^"]+)"', page)
    if once:
        data["once"] = once.group(1)
    response = session.post(f"{base}/materials/{material_id}/versions", data=data, allow_redirects=False,
                            files={f"m{material_id}v-file": ("事例_第2版.docx", case_docx(load_corpus()["case"][3:6]))})
    assert response.status_code in (302, 303), (response.status_code, response.text[:300])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            world = make_oita()
            add_roster(db.session.get(Plan, world.plan), 200)
            material_id = _case_material(world)
            db.engine.dispose()
        plan, training = world.plan, world.trainings["common"]
        with start(url) as (base, pid):
            rows = [("after start-up", rss_mib(pid))]
            session, _ = logged_in_session(base, OITA_OFFICIAL, PASSWORD)
            pages = ["/", f"/plans/{plan}", f"/plans/{plan}/roles", f"/plans/{plan}/team",
                     f"/trainings/{training}", f"/plans/{plan}/timeline/"]
            for _ in range(3):
                for page in pages:
                    assert session.get(base + page).status_code == 200, page
            rows.append(("after the main pages (3 times each)", rss_mib(pid)))
            for label, download in (("a .docx (役割分担表)", f"/plans/{plan}/roles.docx"),
                                    ("an .xlsx (名簿)", f"/plans/{plan}/team.xlsx"),
                                    ("an .ics (検討会議)", f"/plans/{plan}/meetings.ics"),
                                    ("a zip (研修の一式)", f"/trainings/{training}/export.zip")):
                assert session.get(base + download).status_code == 200, download
                rows.append((f"after {label} download", rss_mib(pid)))
            _upload_case_version(session, base, training, material_id)
            rows.append(("after an anonymity check (a case file's new version)", rss_mib(pid)))
            # the other processes the server has now: the downloads' fork server (idle), and any
            # worker another part of the app keeps
            helpers = [(f"other process {child} of the server", rss_mib(child))
                       for child in process_tree(pid)[1:]]
    floor = ("floor: python with Flask, SQLAlchemy and extensions imported", bare_flask_mib())
    print("RSS of one waitress process (16 threads), stages in order")
    rows += helpers
    for label, mib in rows:
        print(f"  {mib:>6.1f} MiB  {'ok  ' if mib < TARGET_MIB else 'OVER'}  {label}")
    print(f"  {floor[1]:>6.1f} MiB        {floor[0]}")
    over = [label for label, mib in rows if mib >= TARGET_MIB]
    print(f"  target: every stage under {TARGET_MIB} MiB: " + ("met" if not over else f"NOT met ({len(over)} over)"))


if __name__ == "__main__":
    main()
