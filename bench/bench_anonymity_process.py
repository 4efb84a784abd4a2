"""The anonymity check outside the web process (planner.domain.anonymity_process): its time,
and the web process's memory after a check, against the check run inside the web process.

1. time: check_elsewhere (a short-lived process per check) against find_identifiers in this
   process with the dictionary already loaded, on the 20-page document of bench_anonymity.py
   and on a one-page case; median of ROUNDS runs.
2. memory: two fresh web processes (the app and its test client on a SQLite file) upload the
   same case file as an official: one as the app does it (the check in a subprocess), one with
   the check called in the process (as before issue 25). VmRSS before the upload, after it,
   and whether sudachipy was loaded, for each.

Usage: .venv/bin/python bench/bench_anonymity_process.py [ROUNDS]
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_anonymity import build_document
from planner.domain.anonymity import find_identifiers
from planner.domain.anonymity_process import check_elsewhere
from planner.domain.documents import extract_text
from planner.services.materials.demo import docx_bytes

WEB = """
import io, json, sys, tempfile
sys.path.insert(0, ".")
INSIDE = sys.argv[1] == "inside"
if INSIDE:  # the check as it ran before: in the web process
    import planner.services.materials.files as m
    from planner.domain.anonymity import find_identifiers
    from planner.domain.documents import extract_text
    m.check_elsewhere = lambda data, kind: find_identifiers(extract_text(data, kind))
from app import create_app
from planner.models import Training
from planner.models.db import db
from planner.services.materials import files as materials
from tests.factories import OITA_OFFICIAL, login, make_oita

def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024

data = open(sys.argv[2], "rb").read()
workdir = tempfile.mkdtemp()
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/p.sqlite",
                  "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t", "SERVER_NAME": None, "MAIL_SERVER": "",
                  "MAIL_OUTBOX_DIR": workdir})
with app.app_context():
    db.create_all()
    world = make_oita()
    subject = db.session.get(Training, world.trainings["common"]).subjects[2]
    material = materials.add_material(subject, "事例", "case", True, "職員")
    db.session.commit()
    material_id = material.id
client = app.test_client()
login(client, OITA_OFFICIAL)
client.get(f"/materials/{material_id}/findings")
before = rss()
response = client.post(f"/materials/{material_id}/versions", data={
    f"m{material_id}v-file": (io.BytesIO(data), "事例.docx")}, content_type="multipart/form-data")
assert response.status_code == 302, response.status_code
print(json.dumps({"before": before, "after": rss(), "sudachi": "sudachipy" in sys.modules}))
"""


def _median_seconds(run, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _web(mode: str, path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", WEB, mode, str(path)], cwd=ROOT, capture_output=True,
                            text=True, check=True, timeout=600)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(rounds: int) -> None:
    big = build_document()
    small = docx_bytes("相談者の山田太郎さん（45歳）は、令和6年4月1日に別府中央病院から紹介された。")
    find_identifiers(extract_text(small, "docx"))  # load the dictionary here once
    print(f"check time, median of {rounds} (dictionary loaded in this process for 'inside'):")
    for label, data in (("1 page", small), ("20 pages", big)):
        inside = _median_seconds(lambda: find_identifiers(extract_text(data, "docx")), rounds)
        outside = _median_seconds(lambda: check_elsewhere(data, "docx"), rounds)
        print(f"  {label:9} in this process {inside:6.2f} s   in a subprocess {outside:6.2f} s"
              f"   (+{outside - inside:.2f} s)")
    path = Path("/tmp/bench_anonymity_process.docx")
    path.write_bytes(big)
    print("web process memory (VmRSS) around one upload of the 20-page case file:")
    for mode, label in (("outside", "check in a subprocess (the app)"), ("inside", "check in the web process")):
        probe = _web(mode, path)
        print(f"  {label:34} before {probe['before']:6.1f} MiB  after {probe['after']:6.1f} MiB"
              f"  (+{probe['after'] - probe['before']:.1f})  sudachipy loaded: {probe['sudachi']}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
