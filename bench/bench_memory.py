"""Memory of one server process: RSS after start-up, after serving the main pages, and after
the downloads that load the Word, calendar and Excel libraries (a separate run from any timing:
nothing here is timed).

Starts the app under waitress (bench/servers.py) on a temporary SQLite file holding the 大分県
world with 200 roster members, logs an official in over HTTP and reads /proc/<pid>/status.
Target: under 100 MiB after start-up.

Usage: .venv/bin/python bench/bench_memory.py
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from bench.servers import rss_mib, start
from planner.models import Plan
from planner.models.db import db
from tests.factories import OITA_OFFICIAL, PASSWORD, add_roster, make_oita
from tests.http_clients import logged_in_session


def bare_flask_mib() -> float:
    """RSS of a process that only imported Flask, SQLAlchemy and the Flask extensions we use."""
    code = ("import flask, flask_sqlalchemy, flask_migrate, flask_wtf, flask_login, sqlalchemy.orm\n"
            "print([l for l in open('/proc/self/status') if l.startswith('VmRSS:')][0].split()[1])")
    return int(subprocess.check_output([sys.executable, "-c", code], text=True)) / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            world = make_oita()
            add_roster(db.session.get(Plan, world.plan), 200)
            db.engine.dispose()
        with start(url) as (base, pid):
            rows = [("after start-up", rss_mib(pid))]
            session, _ = logged_in_session(base, OITA_OFFICIAL, PASSWORD)
            pages = ["/", f"/plans/{world.plan}", f"/plans/{world.plan}/roles", f"/plans/{world.plan}/team",
                     f"/trainings/{world.trainings['common']}", f"/plans/{world.plan}/timeline/"]
            for _ in range(3):
                for page in pages:
                    assert session.get(base + page).status_code == 200, page
            rows.append(("after the main pages (3 times each)", rss_mib(pid)))
            for download in (f"/plans/{world.plan}/roles.docx", f"/plans/{world.plan}/team.xlsx",
                             f"/plans/{world.plan}/meetings.ics"):
                assert session.get(base + download).status_code == 200, download
            rows.append(("after a .docx, an .xlsx and an .ics download", rss_mib(pid)))
    rows.append(("floor: python with Flask, SQLAlchemy and extensions imported", bare_flask_mib()))
    print("RSS of one waitress process (16 threads)")
    for label, mib in rows:
        print(f"  {label:<62} {mib:>6.1f} MiB")
    print("  target: under 100 MiB after start-up")


if __name__ == "__main__":
    main()
