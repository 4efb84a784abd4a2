"""A started server process does not carry the libraries of one feature: the Word, calendar and
Excel libraries load with the first download or upload that needs them, not at start-up and
not for the main pages (memory per process; bench/bench_memory.py prints the RSS)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the libraries (and what they pull in) that only downloads and uploads need
HEAVY = ("docx", "openpyxl", "icalendar", "lxml", "PIL", "scipy", "numpy", "sudachipy", "pptx", "pypdf")

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
after_download = sorted(m for m in sys.argv[2:] if m in sys.modules)
with app.app_context():
    db.drop_all()
print(json.dumps({"start": at_start, "pages": after_pages, "statuses": statuses,
                  "download": [docx.status_code, after_download]}))
"""


def test_heavy_libraries_load_only_with_the_feature_that_needs_them(database_url):
    result = subprocess.run([sys.executable, "-c", SCRIPT, database_url, *HEAVY], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["statuses"] == [200] * 6
    assert seen["start"] == []
    assert seen["pages"] == []
    # a Word download still works, and it is what loads python-docx
    status, loaded = seen["download"]
    assert status == 200 and "docx" in loaded
