"""Every kind of handout opened by LibreOffice: converted to PDF, A4, Japanese text intact,
the Japanese font (not a Chinese or Korean variant) used, no page that holds only its header
and footer, no planner text in a participant's agenda. PNGs of each page go to
test-artifacts/exports/ for a person to look at."""
from __future__ import annotations

import re
import subprocess
import uuid

import pytest

from curricula import load_curricula
from exports import handouts
from exports.docx_common import half_width_digits
from planner.models import Plan, Training
from planner.models.db import db
from planner.services.plans import changes as plans
from tests.export_data import HOSTILE, build_plan
from tests.system import require, require_fonts

A4_POINTS = (595, 842)


def _documents(plan_id: int) -> dict[str, tuple[bytes, str]]:
    """One document of each kind, with a title the PDF must contain."""
    plan = db.session.get(Plan, plan_id)
    job = db.session.scalar(db.select(Training).filter_by(plan_id=plan_id, curriculum_key="job_support"))
    common = db.session.scalar(db.select(Training).filter_by(plan_id=plan_id, curriculum_key="common"))
    case_subject = next(r for r in job.subjects if r.letter == "A")
    counselor = db.session.scalar(db.select(Training).filter_by(plan_id=plan_id, curriculum_key="counselor"))
    long_subject = next(r for r in counselor.subjects if r.letter == "E")
    chief = db.session.scalar(db.select(Training).filter_by(plan_id=plan_id, curriculum_key="chief"))
    plans.add_local_subject(chief, "ホームレス支援の実際", 45, "小林 一郎", "NPO法人 みどりの灯")
    local = next(r for r in chief.subjects if r.is_local)
    return {
        "agenda_common": (handouts.agenda(common), "研修次第"),
        "agenda_job_support": (handouts.agenda(job), "たたき台"),
        "briefing": (handouts.briefing(job, case_subject), "講師用資料"),
        "briefing_long": (handouts.briefing(counselor, long_subject), "講師用資料"),
        "briefing_local": (handouts.briefing(chief, local), "独自科目"),
        "request_letter": (handouts.request_letter(chief, local), "依頼"),
        "role_sheet": (handouts.role_sheet(plan), "役割分担表"),
        "timeline": (handouts.timeline(plan), "企画スケジュール"),
    }


#: the participants' documents, and the curriculum whose planner texts they must not show
PARTICIPANT_DOCUMENTS = {"agenda_common": "common", "agenda_job_support": "job_support"}


@pytest.fixture
def rendered(app, tmp_path, artifacts):
    """The handouts converted to PDF by one soffice run with a private profile."""
    soffice = require("soffice", "the Word handouts are checked by converting them with LibreOffice")
    require_fonts("the handouts are Japanese")
    with app.app_context():
        ids = build_plan(hostile=True)
        docs = _documents(ids.plan_id)
    for name, (data, _) in docs.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *[str(tmp_path / f"{name}.docx") for name in docs]],
                   check=True, capture_output=True, timeout=240)
    out = artifacts / "exports"
    out.mkdir(exist_ok=True)
    return {name: (tmp_path / f"{name}.pdf", title) for name, (_, title) in docs.items()}, out


def _tool(name: str, *args: str) -> str:
    return subprocess.run([require(name), *args], check=True, capture_output=True, text=True,
                          timeout=120).stdout


def test_every_handout_converts_to_a4_pdf_with_japanese_text(rendered):
    pdfs, out = rendered
    for name, (pdf, title) in pdfs.items():
        info = _tool("pdfinfo", str(pdf))
        size = next(line for line in info.splitlines() if line.startswith("Page size:"))
        width, height = (round(float(x)) for x in size.split()[2:5:2])
        assert (width, height) == A4_POINTS, name
        text = _tool("pdftotext", "-layout", str(pdf), "-")
        assert title in text, name
        assert re.search(r"-\s*1\s*-", text), name
        fonts = _tool("pdffonts", str(pdf))
        assert "CJKjp" in fonts, f"{name}: Japanese glyphs not from the Japanese font\n{fonts}"
        _tool("pdftoppm", "-r", "70", "-png", str(pdf), str(out / name))


def _pages(pdf) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    return _tool("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


def test_no_page_holds_only_its_header_and_footer(rendered):
    pdfs, _ = rendered
    for name, (pdf, _) in pdfs.items():
        pages = _pages(pdf)
        assert pages, name
        for number, page in enumerate(pages, start=1):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            body = [line for line in lines if "伝達研修" not in line or len(line) > 40]
            body = [line for line in body if not re.fullmatch(r"-\s*\d+\s*-", line)]
            assert body, f"{name}: page {number} holds only its header and footer: {lines}"


def test_participant_documents_show_no_planner_text(rendered):
    pdfs, _ = rendered
    for name, key in PARTICIPANT_DOCUMENTS.items():
        text = "".join(_tool("pdftotext", str(pdfs[name][0]), "-").split())
        phrases = load_curricula()[key].planner_texts()
        assert phrases
        for phrase in phrases:
            squeezed = "".join(half_width_digits(phrase).split())
            assert squeezed not in text, f"{name} shows planner text: {phrase}"
        # the agenda itself is there, so the absence above means something
        assert "主催" in text and "研修次第" in text


def test_hostile_name_is_rendered_cleaned(rendered):
    pdfs, _ = rendered
    text = "".join(_tool("pdftotext", str(pdfs["role_sheet"][0]), "-").split())
    assert "<script>alert(1)</script>" in text
    assert "\x07" not in text
    assert HOSTILE[:2] in text
