"""Every kind of document a recipient gets, rendered by LibreOffice and read back (issue 23):
no page holding only a header, footer or closing block; no 「第　　号」 or 「未定」 in a
開催通知 that is sent; one wave dash; 令和 dates only. PNGs of every page go to
test-artifacts/documents/ for a person to look at."""
from __future__ import annotations

import re
import subprocess
import uuid
from datetime import date, time

import pytest

from exports import groups, handouts, participant_notice, participants
from planner.models import Plan, SupplementaryEvent, Symposist, Training
from planner.models.db import db
from planner.services.participants.groups import overview
from planner.services.plans import changes as plans
from tests.export_data import build_plan
from tests.participant_data import add_participants, make_municipalities
from tests.system import page_body, pdf_pages, require, require_fonts

#: a Western date (2026年2月18日) where documents must write 令和
WESTERN_DATE = re.compile(r"(?:19|20)\d\d\s*年\s*\d{1,2}\s*月")
#: lines that may end a document but never stand alone on a page


def _documents(plan_id: int) -> dict[str, bytes]:
    plan = db.session.get(Plan, plan_id)
    by_key = {t.curriculum_key: t for t in plan.trainings}
    common, chief, job = by_key["common"], by_key["chief"], by_key["job_support"]
    plans.add_local_subject(chief, "ホームレス支援の実際", 45, "小林 一郎", "NPO法人 みどりの灯")
    local = next(r for r in chief.subjects if r.is_local)
    subject = next(r for r in common.subjects if r.letter == "C")
    event = SupplementaryEvent(subject_id=subject.id, kind="symposium", title="地域で支える",
                               day=common.first_date, start_time=time(13, 30), end_time=time(16, 30),
                               place="県社会福祉会館", coordinator_name="小川 恵子", coordinator_org="大分県立大学",
                               symposists=[Symposist(position=i, name=name, affiliation="県内の相談窓口", topic="地域の実践")
                                           for i, name in enumerate(("田中 誠", "山本 礼子", "木村 学"))])
    db.session.add(event)
    # a notice that is sent carries its number and deadline
    common.notice_number, common.application_deadline = "大福第1234号", date(2026, 1, 20)
    common.capacity = 60
    prefecture = plan.prefecture
    prefecture.department, prefecture.letter_sender = "福祉保健部 福祉保健企画課", "大分県福祉保健部長"
    prefecture.contact_section, prefecture.contact_name = "福祉保健企画課 自立支援班", "佐藤"
    prefecture.contact_phone, prefecture.contact_email = "097-506-0000", "jiritsu@pref.example.jp"
    assert participant_notice.notice_problems(common) == []
    db.session.commit()
    municipalities = make_municipalities(plan.prefecture_id)
    add_participants(common, municipalities, 24, attended=20, groups=4)
    db.session.refresh(common)
    return {
        "研修次第": handouts.agenda(common),
        "研修次第_たたき台": handouts.agenda(job),
        "講師用資料": handouts.briefing(common, subject),
        "講師用資料_独自": handouts.briefing(chief, local),
        "講師依頼書": handouts.request_letter(chief, local),
        "役割分担表": handouts.role_sheet(plan),
        "企画スケジュール": handouts.timeline(plan),
        "催しの次第": handouts.supplement_agenda(event),
        "開催通知": participant_notice.notice(common, date(2025, 12, 1), "https://example.jp/apply/abc",
                                             "大分市 生活困窮者自立支援制度主管課長　様"),
        "受講者名簿": participants.participant_list_docx(common),
        "受付簿": participants.attendance_sheet(common),
        "名札": participants.name_cards(common),
        "修了証書": participants.certificates(common),
        "班分け表": groups.groups_docx(common, overview(common)),
    }


def _render(app, tmp_path, artifacts) -> dict[str, list[str]]:
    soffice = require("soffice", "documents are checked by converting them with LibreOffice")
    require_fonts("the documents are Japanese")
    with app.app_context():
        ids = build_plan()
        docs = _documents(ids.plan_id)
    for name, data in docs.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *[str(tmp_path / f"{name}.docx") for name in docs]],
                   check=True, capture_output=True, timeout=400)
    out = artifacts / "documents"
    out.mkdir(exist_ok=True)
    pages = {}
    for name in docs:
        pages[name] = pdf_pages(tmp_path / f"{name}.pdf", out / name)
    return pages


def test_every_document_renders_without_gaps_leftovers_or_mixed_forms(app, tmp_path, artifacts):
    pages = _render(app, tmp_path, artifacts)
    for name, document in pages.items():
        assert document, name
        text = "\n".join(document)
        assert "〜" not in text, f"{name}: a second kind of wave dash"
        assert not WESTERN_DATE.search(text), f"{name}: a Western date: {WESTERN_DATE.search(text).group()}"
        for number, page in enumerate(document, start=1):
            assert page_body(page), f"{name}: page {number} holds only a header, footer or closing block: {page!r}"
    notice = "\n".join(pages["開催通知"]).replace(" ", "")  # pdftotext spaces digits apart
    assert "第　" not in notice and "未定" not in notice and "大福第1234号" in notice
    assert notice.count("参加も可能") <= 1  # 対象 said once
    certificate = "\n".join(pages["修了証書"]).replace(" ", "").replace("\n", "")
    request = "\n".join(pages["講師依頼書"]).replace(" ", "")
    assert "謝金" in request and "旅費" in request and "回答期限" in request and "承諾書" in request
    assert "生活困窮者自立支援制度" in certificate and "前期共通第1号" in certificate
    assert "（令和" not in certificate.split("修了したことを証します")[0].split("殿")[-1]  # no nested brackets
    assert "生活困窮者自立支援制度" in "\n".join(pages["開催通知"])
    assert "自治体担当者" in "\n".join(pages["受講者名簿"])  # the column fits it on one line
    symposium = "\n".join(pages["催しの次第"]).replace(" ", "")
    assert all(f"シンポジストの報告{name}" in symposium for name in ("田中誠", "山本礼子", "木村学"))
    assert "進行：コーディネーター小川恵子" in symposium
    assert "不足する視点" not in symposium and "研修当日の扱い" not in symposium


def test_day_papers_of_a_training_without_participants_say_why(app):
    from io import BytesIO

    from docx import Document
    with app.app_context():
        ids = build_plan()
        training = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="chief"))
        for data in (participants.name_cards(training), participants.attendance_sheet(training)):
            text = "\n".join(p.text for p in Document(BytesIO(data)).paragraphs)
            assert participants.NO_PARTICIPANTS in text
        assert not Document(BytesIO(participants.name_cards(training))).tables  # no sheet of blank cards


def test_a_briefing_has_no_bare_dash_nor_app_jargon(app):
    from io import BytesIO

    from docx import Document
    with app.app_context():
        ids = build_plan()
        chief = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="chief"))
        for row in chief.subjects:
            doc = Document(BytesIO(handouts.briefing(chief, row)))
            cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
            text = "\n".join([p.text for p in doc.paragraphs] + cells)
            assert "本アプリ" not in text and "—" not in cells, row.letter
            assert "以下は、標準的な" not in text
