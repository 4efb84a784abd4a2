"""Zip files whose headers lie: an entry says it unpacks to 1 KiB and inflates to 1 GiB.

`lying(honest, part)` rewrites an honest .docx/.pptx/.xlsx so that `part` (its main XML part)
holds 1 GiB of spaces, deflated to about 1 MB, with 1024 as its size in the local header and
the central directory. The deflated gigabyte is made once per process (about a second).
Used by tests/test_safe_zip.py and its subprocess probe (python -m tests.lying_zips).
"""
from __future__ import annotations

import io
import json
import os
import resource
import struct
import sys
import tempfile
import time
import zipfile
import zlib
from functools import cache

GIB = 1024 ** 3
CLAIMED = 1024
MAIN_PARTS = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml", "xlsx": "xl/workbook.xml"}


@cache
def _gigabyte() -> tuple[bytes, int]:
    """1 GiB of spaces, raw-deflated, and its CRC-32.

    One MiB is deflated once and its bytes repeated: a full flush ends them on a byte boundary
    with the history cleared, so each copy inflates alone (deflating the whole GiB took 11 s)."""
    block = b" " * (1024 * 1024)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(GIB // len(block)):
        crc = zlib.crc32(block, crc)
    # an empty final block ends the stream
    return chunk * (GIB // len(block)) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc


def honest(kind: str) -> bytes:
    """A small, ordinary file of the kind."""
    out = io.BytesIO()
    if kind == "docx":
        import docx
        document = docx.Document()
        document.add_paragraph("相談者の山田太郎さん。")
        document.save(out)
    elif kind == "pptx":
        from pptx import Presentation
        Presentation().save(out)
    else:
        from openpyxl import Workbook
        book = Workbook()
        book.active.append(["氏名", "メール"])
        book.save(out)
    return out.getvalue()


def lying(kind: str) -> bytes:
    """The kind's honest file with its main part replaced by the lying gigabyte."""
    with zipfile.ZipFile(io.BytesIO(honest(kind))) as zf:
        entries = [(info.filename, zf.read(info)) for info in zf.infolist()]
    stream, crc = _gigabyte()
    out, central = io.BytesIO(), []
    for name, data in entries:
        raw_name = name.encode()
        if name == MAIN_PARTS[kind]:
            body, entry_crc, size = stream, crc, CLAIMED
        else:
            deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
            body, entry_crc, size = deflater.compress(data) + deflater.flush(), zlib.crc32(data), len(data)
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, entry_crc, len(body), size,
                              len(raw_name), 0) + raw_name + body)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, entry_crc, len(body),
                                   size, len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name)
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start,
                          start, 0))
    return out.getvalue()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def probe() -> dict:
    """In a fresh process: the app on a SQLite file, an official uploads each lying file as an
    ordinary and as a case material's new version, and a roster .xlsx is read; the peak RSS
    before and after, the answers, and how many versions were stored."""
    sys.path.insert(0, os.getcwd())
    from app import create_app
    from planner.models import Material, MaterialVersion, Training
    from planner.models.db import db
    from planner.services.materials import files as materials
    from planner.services.spreadsheets import SheetError, xlsx_rows
    from tests.factories import OITA_OFFICIAL, login, make_oita

    files = {kind: lying(kind) for kind in MAIN_PARTS}
    workdir = tempfile.mkdtemp(prefix="lying-zips-")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": os.environ.get(
        "PROBE_DATABASE_URL", f"sqlite:///{workdir}/probe.sqlite"), "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test", "SERVER_NAME": None, "MAIL_SERVER": "", "MAIL_OUTBOX_DIR": workdir})
    with app.app_context():
        db.create_all()
        world = make_oita()
        subject = db.session.get(Training, world.trainings["common"]).subjects[0]
        ids = {}
        for is_case in (False, True):
            material = materials.add_material(subject, "事例" if is_case else "資料", "case" if is_case else "slides",
                                              is_case, "職員")
            db.session.flush()
            ids[is_case] = material.id
        db.session.commit()
    client = app.test_client()
    login(client, OITA_OFFICIAL)
    # warm up: one honest upload of each kind, so that the libraries are loaded before measuring
    for kind in MAIN_PARTS:
        client.post(f"/materials/{ids[False]}/versions", data={
            f"m{ids[False]}v-file": (io.BytesIO(honest(kind)), f"資料.{kind}")}, content_type="multipart/form-data")
    xlsx_rows(honest("xlsx"), 10)
    with app.app_context():
        stored_before = db.session.scalar(db.select(db.func.count()).select_from(MaterialVersion))
    before = _rss_mib()
    answers, started = [], time.perf_counter()
    for kind, data in files.items():
        for is_case in (False, True):
            material_id = ids[is_case]
            response = client.post(f"/materials/{material_id}/versions", data={
                f"m{material_id}v-file": (io.BytesIO(data), f"資料.{kind}")}, content_type="multipart/form-data")
            body = response.get_data(as_text=True)
            answers.append({"kind": kind, "case": is_case, "status": response.status_code,
                            "message": "記録された大きさと合いません" in body})
    try:
        xlsx_rows(files["xlsx"], 10)
        sheet = "read"
    except SheetError as exc:
        sheet = str(exc)
    seconds = time.perf_counter() - started
    with app.app_context():
        stored_after = db.session.scalar(db.select(db.func.count()).select_from(MaterialVersion))
        cases = db.session.get(Material, ids[True]).versions
    return {"before_mib": before, "after_mib": _rss_mib(), "answers": answers, "sheet": sheet,
            "seconds": seconds, "stored_before": stored_before, "stored_after": stored_after,
            "case_versions": len(cases), "file_bytes": {k: len(v) for k, v in files.items()}}


if __name__ == "__main__":
    print(json.dumps(probe(), ensure_ascii=False))
