"""Every kind of .docx and .xlsx the app hands out, downloaded from the demo prefecture as its
official would (the web routes, so what is checked is what goes out: published versions,
held letters, QR codes), converted to PDF by one LibreOffice run and read as its recipient
reads it (issue 23): no leftover placeholder (「第　　号」, 「県の設定」, 「None」, 「{」), no
「未定」 where the value exists, no Western date, one wave dash, a sane number of pages and no
page that holds only a header, footer or closing block. PNGs of every page go to
test-artifacts/every-kind/ for a person to look at."""
from __future__ import annotations

import re
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from app import create_app
from planner.models import ApplicationLink, Participant, Plan, Prefecture
from planner.models.account import OFFICIAL
from planner.models.db import db
from planner.models.survey import SurveyResponse
from planner.services.demo import DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PREFECTURE, load_demo
from planner.services.participants.demo_reception import load_demo_reception
from planner.services.participants.groups import overview
from planner.services.participants.notice_checks import notice_problems
from planner.services.plans.supplements import plan_events
from tests.system import missing, page_body, pdf_pages, require, require_fonts

#: a Western date where documents write 令和: 2026年2月18日, 2026/02/18, 2026-02-18
WESTERN_DATE = re.compile(r"(?:19|20)\d\d\s*(?:年\s*\d{1,2}\s*月|[/-]\s*\d{1,2}\s*[/-])")
#: lines that may end a document but never stand alone on a page
#: what must never reach a reader: a settings prompt, a Python None, a template's brace
LEFTOVERS = ("県の設定", "入力してください）", "None", "{", "}", "nan")
BLANK_NUMBER = re.compile(r"第[\s　]+号")
#: a fact every document of a dated training knows
UNDECIDED_FACT = re.compile(r"(?:日時|会場|申込締切|定員)[\s：:]*未定")


@dataclass(frozen=True)
class Kind:
    """One kind of file: the download's URL (filled in from the demo's ids), the most pages it
    may take, and whether its values are all known (then 「未定」 is a gap)."""
    url: str
    max_pages: int
    complete: bool = True
    #: a blank 文書番号 is the form's own (the office numbers a request letter when it sends it)
    numbered_by_hand: bool = False
    #: an example of the ways of writing a date that the import reads (2027/1/9 among them)
    western_example: bool = False
    #: the header of a paper that carries no programme never says 「案」
    unversioned: bool = False


KINDS = {
    "研修次第": Kind("/trainings/{done}/agenda.docx", 2, complete=False),  # a lecturer may be 未定
    "研修次第_たたき台": Kind("/trainings/{job}/agenda.docx", 3, complete=False),
    "役割分担表_研修": Kind("/trainings/{done}/roles.docx", 3, complete=False),
    "講師用資料": Kind("/trainings/{done}/subjects/{subject}/briefing.docx", 4, complete=False),
    "講師用資料_独自科目": Kind("/trainings/{chief}/subjects/{local}/briefing.docx", 3, complete=False),
    "講師依頼書と承諾書": Kind("/trainings/{chief}/subjects/{local}/request.docx", 3, numbered_by_hand=True),
    "催しの次第": Kind("/supplements/{event}/agenda.docx", 2),
    "開催通知_市町村あて": Kind("/trainings/{noticed}/links/{municipality}/notice.docx", 2),
    "受講者名簿": Kind("/trainings/{done}/participants/papers/list.docx", 4),
    "受講者名簿_Excel": Kind("/trainings/{done}/participants/papers/list.xlsx", 4),
    "受付簿": Kind("/trainings/{done}/participants/papers/attendance.docx", 4),
    "名札": Kind("/trainings/{done}/participants/papers/cards.docx", 6),
    "修了証書": Kind("/trainings/{done}/participants/papers/certificates.docx", 60),
    "班分け表": Kind("/trainings/{grouped}/groups.docx", 3),
    "班分け表_Excel": Kind("/trainings/{grouped}/groups.xlsx", 3),
    "受付票": Kind("/trainings/{surveyed}/survey/slips.docx", 12, unversioned=True),
    "アンケート結果報告": Kind("/trainings/{surveyed}/survey/report.docx", 8, unversioned=True),
    # the raw answers are for Excel: too wide for one page across, they print with the
    # No. column and the question row on every page
    "アンケート回答_Excel": Kind("/trainings/{surveyed}/survey/answers.xlsx", 30),
    "受講申込書_記入例_Excel": Kind("/trainings/{done}/participants/reply-example.xlsx", 2),
    "役割分担表_計画": Kind("/plans/{plan}/roles.docx", 8, complete=False),
    "企画スケジュール": Kind("/plans/{plan}/timeline.docx", 4, complete=False),
    "研修チーム名簿_Excel": Kind("/plans/{plan}/team.xlsx", 3, complete=False),
    "研修チーム名簿_記入例_Excel": Kind("/team/roster-example.xlsx", 2, complete=False, western_example=True),
}


def _ids() -> dict[str, int]:
    """The demo's trainings that have each kind's data: this cycle's plan, the training held
    with its attendees ticked, the grouped one, the one whose survey was answered, one whose
    notice may be sent, the chief training's local subject and a supplementary event."""
    prefecture = db.session.scalar(db.select(Prefecture).filter_by(name=DEMO_PREFECTURE))
    plans = list(db.session.scalars(db.select(Plan).filter_by(prefecture_id=prefecture.id).order_by(Plan.cycle_year)))
    plan = plans[-1]
    trainings = [t for p in plans for t in p.trainings]

    count = {t.id: db.session.scalar(db.select(db.func.count(Participant.id)).where(
        Participant.training_id == t.id, Participant.attended_at.is_not(None))) for t in trainings}
    answered = {t.id: db.session.scalar(db.select(db.func.count(SurveyResponse.id)).filter_by(training_id=t.id))
                for t in trainings}
    done = max(plan.trainings, key=lambda t: count[t.id])
    chief = next(t for t in plan.trainings if t.curriculum_key == "chief")
    local = next(r for r in chief.subjects if r.is_local and r.lecturer_name)
    link = next(link for t in plan.trainings if not notice_problems(t)
                for link in db.session.scalars(db.select(ApplicationLink).filter_by(training_id=t.id))
                if link.revoked_at is None)
    event = next(iter(plan_events(plan)), None)
    grouped = next(t for t in trainings[::-1] if overview(t).made)
    assert count[done.id] and max(answered.values()) and event is not None
    return {"plan": plan.id, "done": done.id, "subject": next(r for r in done.subjects if r.letter).id,
            "job": next(t for t in plan.trainings if t.curriculum_key == "job_support").id,
            "chief": chief.id, "local": local.id, "event": event.id,
            "noticed": link.training_id, "municipality": link.municipality_id,
            "grouped": grouped.id,
            "surveyed": max(trainings, key=lambda t: answered[t.id]).id}


def _download(database_url: str, folder: Path) -> dict[str, Path]:
    """Every kind's file from the demo, through the web as the demo official."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test", "MAIL_SERVER": "", "EXPORTS_IN_CHILD": False,
                      "MAIL_OUTBOX_DIR": tempfile.mkdtemp(prefix="outbox-", dir=folder)})
    paths = {}
    try:
        with app.app_context():
            load_demo()
            # the demo ticks reception only once a training of this cycle has been held: hold the first
            plan = db.session.scalar(db.select(Plan).order_by(Plan.cycle_year.desc()).limit(1))
            load_demo_reception(plan, plan.trainings_by_date[0].last_day + timedelta(days=1))
            ids = _ids()
        client = app.test_client()
        official = next(email for email, _, role in DEMO_PEOPLE if role == OFFICIAL)
        assert client.post("/login", data={"email": official, "password": DEMO_PASSWORD}).status_code == 302
        for name, kind in KINDS.items():
            url = kind.url.format(**ids)
            response = client.get(url)
            assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
            path = folder / f"{name}{Path(url).suffix}"
            path.write_bytes(response.data)
            paths[name] = path
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return paths


@pytest.fixture(scope="module")
def rendered(schema_source, tmp_path_factory) -> dict[str, list[str]]:
    """The text of each page of every kind, from one soffice run over all the files."""
    soffice = require("soffice", "documents are checked by converting them with LibreOffice")
    require_fonts("the documents are Japanese")
    folder = tmp_path_factory.mktemp("every-kind")
    paths = _download(schema_source.empty(folder / "demo.sqlite"), folder)
    profile = folder / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder / "pdf"), *map(str, paths.values())],
                   check=True, capture_output=True, timeout=500)
    out = Path(__file__).resolve().parent.parent / "test-artifacts" / "every-kind"
    out.mkdir(parents=True, exist_ok=True)
    pages = {}
    for name in paths:
        pdf = folder / "pdf" / f"{name}.pdf"
        if not pdf.exists():
            assert paths[name].suffix == ".xlsx", f"{name}: LibreOffice made no PDF"
            missing("LibreOffice cannot open .xlsx: apt-get install libreoffice-calc-nogui")
        pages[name] = pdf_pages(pdf, out / name)
    return pages


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_reads_as_finished(rendered, name):
    kind = KINDS[name]
    document = rendered[name]
    assert 1 <= len(document) <= kind.max_pages, f"{name}: {len(document)} pages"
    text = "\n".join(document)
    for leftover in LEFTOVERS:
        assert leftover not in text, f"{name}: {leftover!r} left in the document"
    if not kind.numbered_by_hand:
        assert not BLANK_NUMBER.search(text), f"{name}: a blank 文書番号"
    if kind.complete:
        assert "未定" not in text, f"{name}: 未定 where the value is known"
    assert not UNDECIDED_FACT.search(text.replace(" ", "")), f"{name}: 未定 where the value is known"
    assert "〜" not in text, f"{name}: a second kind of wave dash"
    western = WESTERN_DATE.search(text)
    assert western is None or kind.western_example, f"{name}: a Western date: {western and western.group()}"
    if kind.unversioned:
        assert "【案】" not in text, f"{name}: marked as a draft programme"
    for number, page in enumerate(document, start=1):
        assert page_body(page), f"{name}: page {number} holds only a header, footer or closing block: {page!r}"
