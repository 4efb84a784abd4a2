"""Handouts a prefecture can send out as they are, read back from the .docx.

Every handout of a plan (agenda, role sheet, briefings, request letter, timeline) is opened
with python-docx and its XML: rows never split, core properties, compatibility mode, one
fiscal-year label in the header, half-width digits; participants' agendas carry no text
meant for planners (the list comes from the curricula, Curriculum.planner_texts).
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta, timezone

from docx import Document
from docx.oxml.ns import qn

from curricula import load_curricula
from exports import handouts
from exports.docx_common import half_width_digits
from planner.models import Plan, Prefecture, Training
from planner.models.db import db
from planner.services.plans import changes as plans
from tests.export_data import build_plan
from tests.factories import login

YEAR_LABEL = re.compile(r"(?:令和|平成)[0-9元〜～]+年度")
WIDE_DIGIT = re.compile("[０-９]")
SETTINGS = {"department": "福祉保健部 地域福祉課", "letter_sender": "大分県福祉保健部長",
            "contact_section": "地域福祉課 生活支援班", "contact_name": "県 担当者",
            "contact_phone": "097-123-4567", "contact_email": "fukushi@pref.oita.example.jp",
            "participant_retention_days": 90}


def _every_handout(plan_id: int) -> list[tuple[str, bytes]]:
    """Every file of every training (request letters included) and the plan's own."""
    plan = db.session.get(Plan, plan_id)
    chief = next(t for t in plan.trainings if t.curriculum_key == "chief")
    plans.add_local_subject(chief, "ホームレス支援の実際", 45, "小林 一郎", "NPO法人 みどりの灯")
    files = [f for t in plan.trainings for f in handouts.training_handouts(t)]
    return files + handouts.plan_handouts(plan)[-2:]


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", half_width_digits(text))


def test_every_handout_is_word_done_properly(app):
    with app.app_context():
        ids = build_plan()
        prefecture = db.session.get(Prefecture, ids.prefecture_id)  # request letters need these
        prefecture.letter_sender, prefecture.contact_phone = SETTINGS["letter_sender"], SETTINGS["contact_phone"]
        files = _every_handout(ids.plan_id)
        before = datetime.now(timezone.utc).replace(microsecond=0)

        kinds = {name.split("_")[0] for name, _ in files}
        assert kinds == {"研修次第", "役割分担表", "講師用資料", "講師依頼書", "役割分担表.docx",
                         "企画スケジュール.docx"}
        for name, data in files:
            doc = Document(io.BytesIO(data))
            props = doc.core_properties
            assert props.author == "大分県" and props.last_modified_by == "大分県", name
            assert props.title and props.language == "ja-JP", name
            assert before - timedelta(minutes=5) <= props.created <= before + timedelta(minutes=5), name
            assert props.modified == props.created, name
            settings = doc.settings.element
            modes = [s.get(qn("w:val")) for s in settings.iter(qn("w:compatSetting"))
                     if s.get(qn("w:name")) == "compatibilityMode"]
            assert modes == ["15"], name
            header = doc.sections[0].header.paragraphs[0].text
            assert len(YEAR_LABEL.findall(header)) == 1, (name, header)
            titles = [p for p in doc.paragraphs if p.style.style_id == "Title"]
            assert len(titles) == 1 and titles[0].text, name
            for table in doc.tables:
                for row in table.rows:
                    assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None, name
            assert not WIDE_DIGIT.search(_text(doc)), name


def test_title_style_is_in_the_navigation_pane_and_theme_fonts_are_japanese(app):
    with app.app_context():
        ids = build_plan()
        data = handouts.agenda(db.session.get(Plan, ids.plan_id).trainings[0])

        doc = Document(io.BytesIO(data))
        level = doc.styles["Title"].element.pPr.find(qn("w:outlineLvl"))
        assert level.get(qn("w:val")) == "0"
        theme = zipfile.ZipFile(io.BytesIO(data)).read("word/theme/theme1.xml").decode()
        major = re.search(r"<a:majorFont>.*?</a:majorFont>", theme, re.DOTALL)[0]
        minor = re.search(r"<a:minorFont>.*?</a:minorFont>", theme, re.DOTALL)[0]
        assert '<a:ea typeface="游ゴシック"/>' in major and '<a:font script="Jpan" typeface="游ゴシック"/>' in major
        assert '<a:ea typeface="游明朝"/>' in minor and '<a:font script="Jpan" typeface="游明朝"/>' in minor


def test_agendas_carry_no_planner_text(app):
    with app.app_context():
        ids = build_plan()
        plan = db.session.get(Plan, ids.plan_id)

        for training in plan.trainings:
            text = _squeeze(_text(Document(io.BytesIO(handouts.agenda(training)))))
            curriculum = load_curricula()[training.curriculum_key]
            for phrase in curriculum.planner_texts():
                assert _squeeze(phrase) not in text, (training.curriculum_key, phrase)
            if not curriculum.official:
                assert _squeeze(curriculum.participant_note) in text


def test_no_printed_field_carries_an_editors_transcription_remark():
    for key, curriculum in load_curricula().items():
        for subject in curriculum.subjects:
            printed = [*subject.key_points, *subject.how_to_run, *subject.lecturer_notes,
                       subject.separate_day_note, *(s.note for s in subject.sessions)]
            assert not any("原文" in text or "［" in text for text in printed), (key, subject.letter)


def test_agenda_has_what_a_kenshu_shidai_has(app):
    with app.app_context():
        ids = build_plan()
        prefecture = db.session.get(Prefecture, ids.prefecture_id)
        for name, value in SETTINGS.items():
            setattr(prefecture, name, value)
        t = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="common"))
        plans.update_training(t, reception_time=time(8, 30), venue_address="大分市中央町1-2-3",
                              venue_access="大分駅から徒歩10分", belongings="筆記用具、国研修テキスト",
                              capacity=40)

        doc = Document(io.BytesIO(handouts.agenda(t, today=date(2026, 1, 10))))
        facts = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
        assert facts["日時"] == "令和8年2月18日（水） 9:00～17:45（受付 8:30～）"
        assert facts["会場"].split("\n") == [t.venue, "（大分市中央町1-2-3）", "大分駅から徒歩10分"]
        assert facts["対象"].endswith("（定員 40名）")
        assert facts["持ち物"] == "筆記用具、国研修テキスト"
        assert facts["主催"] == "大分県 福祉保健部 地域福祉課"
        paragraphs = [p.text for p in doc.paragraphs]
        assert "令和8年1月10日現在" in paragraphs
        contact = paragraphs[paragraphs.index("問い合わせ先") + 1]
        assert contact.split("\n") == ["大分県 地域福祉課 生活支援班（担当：県 担当者）",
                                       "電話：097-123-4567", "メール：fukushi@pref.oita.example.jp"]


def test_role_sheet_in_date_order_one_training_per_page(app):
    with app.app_context():
        ids = build_plan()
        plan = db.session.get(Plan, ids.plan_id)
        plan.trainings[0].first_date = date(2026, 3, 25)  # common after chief now

        doc = Document(io.BytesIO(handouts.role_sheet(plan)))
        headings = [p for p in doc.paragraphs if p.style.style_id == "Heading1"]
        expected = sorted(plan.trainings, key=lambda t: t.first_date)
        assert [h.text for h in headings] == [load_curricula()[t.curriculum_key].title for t in expected]
        assert [bool(h.paragraph_format.page_break_before) for h in headings] == [False, True, True, True]
        role_tables = [tb for tb in doc.tables if tb.rows[0].cells[0].text == "科目"]
        assert [c.text for c in role_tables[0].rows[0].cells] == ["科目", "役割", "時間", "担当者", "確定"]
        assert all(row._tr.trPr.find(qn("w:tblHeader")) is not None for row in
                   (tb.rows[0] for tb in role_tables))


def test_briefing_gives_a_lecturer_what_to_act_on(app):
    with app.app_context():
        ids = build_plan()
        t = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="common"))
        plans.update_training(t, materials_deadline=date(2026, 2, 4), equipment="プロジェクター、マイク",
                              capacity=40)
        row_b = next(r for r in t.subjects if r.letter == "B")

        doc = Document(io.BytesIO(handouts.briefing(t, row_b)))
        facts = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
        assert facts["前の科目"].startswith("科目A　生活困窮者自立支援の基本的な考え方（")
        assert facts["次の科目"].startswith("科目C　生活困窮者支援に必要と考えられる視点（")
        assert facts["資料の提出"].startswith("令和8年2月4日（水）までに")
        assert facts["会場の機材"] == "プロジェクター、マイク"
        assert "受講予定 40名程度" in facts["受講者"]
        text = _text(doc)
        assert "（表：④、本文：③）" in text  # both lecture numbers, said plainly
        assert "原文" not in text


def test_request_letter_in_official_form(app):
    with app.app_context():
        ids = build_plan()
        prefecture = db.session.get(Prefecture, ids.prefecture_id)
        for name, value in SETTINGS.items():
            setattr(prefecture, name, value)
        t = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="chief"))
        plans.add_local_subject(t, "ホームレス支援の実際", 45, "小林 一郎", "NPO法人 みどりの灯")
        local = next(r for r in t.subjects if r.is_local)

        doc = Document(io.BytesIO(handouts.request_letter(t, local, today=date(2026, 1, 10))))
        lines = [p.text for p in doc.paragraphs]
        assert lines[:6] == ["第　　　　号", "令和8年1月10日", "NPO法人 みどりの灯", "小林 一郎　様",
                             "大分県福祉保健部長", "（公印省略）"]
        assert "記" in lines and "以上" in lines
        # the 承諾書 to return follows on its own page (issue 23)
        after = lines[lines.index("以上") + 1:]
        assert after[:2] == ["（別紙）", "承　諾　書"] and any(line.startswith("回答期限：") for line in after)
        items = [row.cells[0].text.split("　", 1)[1] for row in doc.tables[0].rows]
        assert items == ["目的", "研修名", "日時", "会場", "演題", "時間", "対象", "資料", "会場の機材",
                         "謝金", "旅費", "回答期限", "問い合わせ先"]
        facts = {row.cells[0].text.split("　", 1)[1]: row.cells[1].text for row in doc.tables[0].rows}
        assert facts["演題"] == "ホームレス支援の実際" and facts["時間"] == "45分"


# --------------------------------------------------------------------------- forms

def test_settings_page_saves_and_refuses_bad_input_in_japanese(app, client):
    with app.app_context():
        ids = build_plan()
    login(client, ids.official_email)

    page = client.get("/settings")
    assert page.status_code == 200
    bad = dict(SETTINGS, contact_phone="０９７（１２３）", contact_email="not-an-address")
    refused = client.post("/settings", data=bad)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "半角数字とハイフンで、市外局番から入力してください。" in body and "メールアドレスの形式が正しくありません" in body
    with app.app_context():
        assert db.session.get(Prefecture, ids.prefecture_id).contact_phone == ""

    assert client.post("/settings", data=SETTINGS).status_code == 302
    assert client.post("/settings", data=SETTINGS).status_code == 302  # the same twice is fine
    with app.app_context():
        prefecture = db.session.get(Prefecture, ids.prefecture_id)
        assert {name: getattr(prefecture, name) for name in SETTINGS} == SETTINGS


def test_settings_page_is_for_officials_only(app, client):
    with app.app_context():
        ids = build_plan()
    login(client, ids.member_emails[0])

    assert client.get("/settings").status_code == 403
    assert client.post("/settings", data=SETTINGS).status_code == 403


def test_training_form_handout_fields_round_trip_and_refuse_bad_order(app, client):
    with app.app_context():
        ids = build_plan()
        t = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="common"))
        training_id = t.id
    login(client, ids.official_email)
    form = {"first_date": "2026-02-18", "day_count": "1", "venue": "会館", "capacity": "40",
            "per_municipality": "1", "start_time": "09:00", "end_time": "17:45",
            "lunch_minutes": "45", "lunch_earliest": "11:30", "lunch_latest": "13:30",
            "break_minutes": "10", "opening_title": "開会", "opening_minutes": "10",
            "closing_title": "閉会", "closing_minutes": "10", "venue_address": "大分市1-2-3",
            "venue_access": "駅から徒歩5分", "reception_time": "09:30", "belongings": "筆記用具",
            "materials_deadline": "2026-03-01", "equipment": "マイク"}

    refused = client.post(f"/trainings/{training_id}/edit", data=form)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "受付開始は開始時刻と同じか前にしてください。" in body
    assert "提出締切は開催日と同じか前にしてください。" in body

    form.update(reception_time="08:30", materials_deadline="2026-02-04")
    assert client.post(f"/trainings/{training_id}/edit", data=form).status_code == 302
    page = client.get(f"/trainings/{training_id}/edit").get_data(as_text=True)
    assert 'value="大分市1-2-3"' in page and 'value="08:30"' in page and 'value="2026-02-04"' in page
    with app.app_context():
        saved = db.session.get(Training, training_id)
        assert (saved.reception_time, saved.materials_deadline, saved.equipment) == \
            (time(8, 30), date(2026, 2, 4), "マイク")


def test_settings_saved_meanwhile_are_not_overwritten(app, client):
    with app.app_context():
        ids = build_plan()
    login(client, ids.official_email)
    page = client.get("/settings").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="([0-9a-f]+)"', page)[1]
    with app.app_context():  # another official saves first
        prefecture = db.session.get(Prefecture, ids.prefecture_id)
        prefecture.contact_phone = "097-000-0000"
        db.session.commit()

    stale = client.post("/settings", data=dict(SETTINGS, version=version))

    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "ほかの担当者がこの画面を開いた後に設定を変更しました。" in body
    assert 'value="097-000-0000"' in body
    with app.app_context():
        assert db.session.get(Prefecture, ids.prefecture_id).contact_phone == "097-000-0000"
    fresh = re.search(r'name="version"[^>]*value="([0-9a-f]+)"', body)[1]
    assert client.post("/settings", data=dict(SETTINGS, version=fresh)).status_code == 302


def test_request_letter_download_for_officials_and_local_subjects_only(app, client):
    with app.app_context():
        ids = build_plan()
        t = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="chief"))
        plans.add_local_subject(t, "ホームレス支援の実際", 45, "小林 一郎", "NPO法人 みどりの灯")
        local = next(r for r in t.subjects if r.is_local)
        plain = next(r for r in t.subjects if not r.is_local)
        training_id, local_id, plain_id = t.id, local.id, plain.id
    login(client, ids.official_email)

    page = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    url = f"/trainings/{training_id}/subjects/{local_id}/request.docx"
    assert f'href="{url}"' in page
    # without a sender and contact in 県の設定 the letter does not leave: the reason, and where to fix it
    held = client.get(url)
    assert held.status_code == 303
    page = client.get(held.headers["Location"]).get_data(as_text=True)
    assert "講師依頼書を作れません" in page and "問い合わせ先（県の設定" in page and "発信者（県の設定）" in page
    assert 'href="/settings"' in page
    with app.app_context():
        prefecture = db.session.get(Prefecture, ids.prefecture_id)
        for name, value in SETTINGS.items():
            setattr(prefecture, name, value)
        db.session.commit()
    response = client.get(url)
    assert response.status_code == 200
    assert "小林 一郎　様" in [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    assert client.get(f"/trainings/{training_id}/subjects/{plain_id}/request.docx").status_code == 404
    assert client.get(f"/trainings/{training_id}/subjects/999999/request.docx").status_code == 404

    client.post("/logout")
    login(client, ids.member_emails[0])
    assert client.get(url).status_code == 403


def test_agenda_of_a_day_that_does_not_fit_says_it_is_being_arranged(app):
    with app.app_context():
        ids = build_plan()
        t = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="common"))
        t.end_time = time(12, 0)  # stored as an import might: the day cannot hold the subjects
        db.session.commit()

        doc = Document(io.BytesIO(handouts.agenda(t)))
        text = _text(doc)
        assert "時間割は調整中です。決まり次第お知らせします。" in text
        assert "最低でも" not in text and "不足" not in text


def test_no_handout_ends_with_a_table(app):
    """Word would add a full-height paragraph after it, which can make a blank last page."""
    with app.app_context():
        ids = build_plan()
        for name, data in _every_handout(ids.plan_id):
            body = Document(io.BytesIO(data)).element.body
            blocks = [child for child in body if child.tag != qn("w:sectPr")]
            assert blocks[-1].tag == qn("w:p"), name


def test_documents_for_the_public_leave_out_a_contact_the_settings_do_not_have(app, client):
    """No 「（県の設定で入力してください）」 reaches a participant, a municipality or a
    lecturer: the 問い合わせ先 block is left out, letters fall back to the organiser as sender,
    the 開催通知 lists the gap, and the official's training page says where to fill it in."""
    from exports import participant_notice
    from planner.services.participants.notice_checks import notice_problems
    with app.app_context():
        ids = build_plan()
        plan = db.session.get(Plan, ids.plan_id)
        prefecture = plan.prefecture
        prefecture.department = "福祉保健部 地域福祉課"
        chief = next(t for t in plan.trainings if t.curriculum_key == "chief")
        plans.add_local_subject(chief, "ホームレス支援の実際", 45, "小林 一郎", "NPO法人 みどりの灯")
        local = next(r for r in chief.subjects if r.is_local)
        documents = {"研修次第": handouts.agenda(chief), "講師用資料": handouts.briefing(chief, local),
                     "講師依頼書": handouts.request_letter(chief, local),
                     "開催通知": participant_notice.notice(chief, date(2026, 1, 10))}
        texts = {name: _text(Document(io.BytesIO(data))) for name, data in documents.items()}
        problems = notice_problems(chief)
        training_id = chief.id
    for name, text in texts.items():
        assert "県の設定" not in text, name
        if name != "講師依頼書":  # held instead: its text sends the lecturer to the contact
            assert "問い合わせ先" not in text and "連絡先" not in text, name
    assert "大分県 福祉保健部 地域福祉課" in texts["講師依頼書"]  # the sender falls back to the organiser
    with app.app_context():  # nor does it go into a training's set of files
        chief = db.session.get(Training, training_id)
        assert not [n for n, _ in handouts.training_handouts(chief) if n.startswith("講師依頼書")]
    assert "問い合わせ先（県の設定の担当課・電話・メール）が入っていません。" in problems
    login(client, ids.official_email)
    page = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert "問い合わせ先が載りません" in page and 'href="/settings"' in page

    with app.app_context():
        prefecture = db.session.get(Prefecture, ids.prefecture_id)
        prefecture.contact_phone = "097-123-4567"  # a phone alone is somewhere to ask
        db.session.commit()
        chief = db.session.get(Training, training_id)
        agenda = _text(Document(io.BytesIO(handouts.agenda(chief))))
        assert "問い合わせ先" in agenda and "電話：097-123-4567" in agenda
        prefecture.letter_sender = "大分県福祉保健部長"
        assert [n for n, _ in handouts.training_handouts(chief) if n.startswith("講師依頼書")]
        assert not any("問い合わせ先" in p for p in notice_problems(chief))
