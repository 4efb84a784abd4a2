"""The check in its own short-lived process: the same answers as in this process, and a web
server that checked a case file keeps neither the dictionary nor its memory."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.domain.anonymity import find_identifiers
from planner.domain.anonymity_process import check_elsewhere
from planner.domain.documents import UnreadableDocument, extract_text
from tests.anonymity_files import case_docx, case_pptx, load_corpus

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("kind, build", [("docx", case_docx), ("pptx", case_pptx)])
def test_the_subprocess_gives_the_same_findings(kind, build):
    data = build(load_corpus()["case"][:4])

    assert check_elsewhere(data, kind) == find_identifiers(extract_text(data, kind))


def test_an_unreadable_file_is_the_same_japanese_message():
    with pytest.raises(UnreadableDocument, match="壊れていて読めません"):
        check_elsewhere(b"PK\x03\x04 not a zip", "docx")


PROBE = """
import io, json, resource, sys, tempfile
sys.path.insert(0, ".")
from app import create_app
from planner.models import Training
from planner.models.db import db
from planner.services.materials import files as materials
from planner.services.materials.demo import docx_bytes
from tests.factories import OITA_OFFICIAL, login, make_oita

def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024

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
    f"m{material_id}v-file": (io.BytesIO(docx_bytes("相談者の山田太郎さんは別府中央病院に通院している。")), "事例.docx")},
    content_type="multipart/form-data")
page = client.get(f"/materials/{material_id}/findings").get_data(as_text=True)
print(json.dumps({"status": response.status_code, "found": "山田太郎" in page and "別府中央病院" in page,
                  "before": before, "after": rss(), "sudachi": "sudachipy" in sys.modules,
                  "docx": "docx" in sys.modules}))
"""


def test_a_web_process_that_checked_a_case_file_loads_no_dictionary():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, check=True, env={**os.environ})
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    print(f"\nweb process RSS before the check {probe['before']:.1f} MiB, after {probe['after']:.1f} MiB")
    assert probe["status"] == 302 and probe["found"]
    assert probe["sudachi"] is False
