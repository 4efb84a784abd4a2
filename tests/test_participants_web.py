"""The official's participants page, the municipality's application link (signed, expiring,
revocable, its own entries only), two submits at once at the quota over HTTP, and the
開催通知 read back with python-docx and converted by LibreOffice."""
from __future__ import annotations

import io
import re
import subprocess
import uuid
from datetime import date, timedelta

import pytest
import requests
from docx import Document

from planner.domain.municipalities import municipalities_of
from planner.domain.participants import ParticipantEntry
from planner.models import ApplicationLink, Municipality, OutboxMessage, Participant, Prefecture, Training
from planner.models.db import db
from planner.services.participants import entries as participants
from planner.services.participants import links as application_links
from planner.services.participants import municipalities as municipality_service
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_oita, make_prefecture, make_user
from tests.http_clients import at_once, csrf_token, once_token
from tests.system import require, require_fonts

LIVE_SECRET = "test-live-server"  # the live server's SECRET_KEY (tests/conftest.py serve)


@pytest.fixture
def world(app):
    """大分県 with its 18 municipalities, links for 大分市 and 別府市 on the common training
    (quota 2, deadline in ten days), and one entry of 別府市."""
    with app.app_context():
        oita = make_oita()
        prefecture = db.session.get(Prefecture, oita.prefecture)
        prefecture.letter_sender = "大分県福祉保健部長"
        prefecture.contact_section, prefecture.contact_phone = "地域福祉課 生活支援班", "097-506-0000"
        municipality_service.load_list(prefecture, municipalities_of("大分県"))
        training = db.session.get(Training, oita.trainings["common"])
        training.per_municipality = 2
        training.application_deadline = participants.today_in_japan() + timedelta(days=10)
        db.session.commit()
        towns = {m.name: m for m in municipality_service.municipalities(prefecture)}
        oita_link = application_links.issue(training, towns["大分市"])
        beppu_link = application_links.issue(training, towns["別府市"])
        [beppu_entry] = participants.add_entries(training, towns["別府市"], [ParticipantEntry("別府 太郎")], "link")
        return {"training": training.id, "oita_link": oita_link.id, "beppu_link": beppu_link.id,
                "beppu_entry": beppu_entry.id, "oita_city": towns["大分市"].id}


def _url(app, link_id: int, secret: str | None = None) -> str:
    with app.app_context():
        link = db.session.get(ApplicationLink, link_id)
        return f"/apply/{application_links.token_of(link, secret or app.config['SECRET_KEY'])}"


def _entry(**values) -> dict:
    return {"name": "大分 花子", "kana": "おおいた はなこ", "affiliation": "福祉事務所", "kind": "worker",
            "job": "相談支援員", "email": "", "needs": ""} | values


# --------------------------------------------------------------------------- the link

def test_the_link_adds_lists_and_edits_only_its_own_municipalitys_entries(app, client, world):
    url = _url(app, world["oita_link"])
    page = client.get(url).get_data(as_text=True)
    assert "受講申込" in page and "大分市" in page and "別府 太郎" not in page
    # the kinds offered are those the training is open to
    assert 'value="official"' in page and 'value="agency"' in page
    assert client.post(url, data=_entry(needs="手話通訳")).status_code == 302
    assert client.post(url, data=_entry(name="大分 次郎")).status_code == 302
    over = client.post(url, data=_entry(name="大分 三郎"))
    assert over.status_code == 409
    text = over.get_data(as_text=True)
    assert "定員を超えるため、受講決定として申し込めません" in text
    assert "自治体ごとの定員（2名）を超えています。この申込は受講決定にできません。" in text
    assert "キャンセル待ちとして申し込む" in text
    chosen = client.post(url, data=_entry(name="大分 三郎", waiting="y"), follow_redirects=True)
    assert "大分 三郎さんをキャンセル待ちとして受け付けました" in chosen.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(db.select(Participant).filter_by(municipality_id=world["oita_city"])
                                  .order_by(Participant.id)).all()
        assert [(r.name, r.status, r.entered_via) for r in rows] == [
            ("大分 花子", "accepted", "link"), ("大分 次郎", "accepted", "link"), ("大分 三郎", "waiting", "link")]
        first = rows[0].id
    assert client.post(f"{url}/entries/{first}", data=_entry(name="大分 花子", job="主任相談支援員")).status_code == 302
    with app.app_context():
        assert db.session.get(Participant, first).job == "主任相談支援員"
    # another municipality's entry is not there for this link, to read, change or remove
    assert client.get(f"{url}/entries/{world['beppu_entry']}").status_code == 404
    assert client.post(f"{url}/entries/{world['beppu_entry']}", data=_entry()).status_code == 404
    assert client.post(f"{url}/entries/{world['beppu_entry']}/delete").status_code == 404
    assert client.post(f"{url}/entries/{first}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Participant, first) is None
        assert db.session.get(Participant, world["beppu_entry"]) is not None


def test_invalid_entries_and_closed_kinds_are_refused_in_japanese(app, client, world):
    with app.app_context():
        db.session.get(Training, world["training"]).open_to_agencies = False
        db.session.commit()
    url = _url(app, world["oita_link"])
    assert 'value="agency"' not in client.get(url).get_data(as_text=True)
    response = client.post(url, data=_entry(name="", email="not-an-address", kind="agency"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "入力してください。" in text and "メールアドレスの形式が正しくありません。" in text
    assert "「agency」は選択肢にありません。" in text
    too_long = client.post(url, data=_entry(needs="あ" * 501))
    assert too_long.status_code == 422 and "500文字以内で入力してください。" in too_long.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 1


def test_a_double_submit_of_the_form_adds_one_entry(app, client, world):
    url = _url(app, world["oita_link"])
    once = once_token(client.get(url).get_data(as_text=True))
    assert client.post(url, data=_entry(once=once)).status_code == 302
    second = client.post(url, data=_entry(once=once), follow_redirects=True)
    assert "この内容はすでに受け付けています" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)
                                 .filter_by(municipality_id=world["oita_city"])) == 1


def test_the_link_is_refused_after_the_deadline_after_revocation_and_when_replaced(app, client, world):
    url = _url(app, world["oita_link"])
    assert client.get(url).status_code == 200
    with app.app_context():
        training = db.session.get(Training, world["training"])
        training.application_deadline = participants.today_in_japan() - timedelta(days=1)
        db.session.commit()
    late = client.get(url)
    assert late.status_code == 403
    assert "を過ぎたため、このページでは受け付けていません。" in late.get_data(as_text=True)
    assert client.post(url, data=_entry()).status_code == 403
    with app.app_context():
        # the deadline day itself is open to its end
        db.session.get(Training, world["training"]).application_deadline = participants.today_in_japan()
        db.session.commit()
    assert client.get(url).status_code == 200
    with app.app_context():
        application_links.issue(db.session.get(Training, world["training"]),
                                db.session.get(Municipality, world["oita_city"]))
    replaced = client.get(url)
    assert replaced.status_code == 410 and "新しいURLが発行されています" in replaced.get_data(as_text=True)
    new_url = _url(app, world["oita_link"])
    assert client.get(new_url).status_code == 200
    with app.app_context():
        application_links.revoke(db.session.get(ApplicationLink, world["oita_link"]))
    revoked = client.get(new_url)
    assert revoked.status_code == 410 and "県の担当者が閉じました" in revoked.get_data(as_text=True)
    assert client.get("/apply/not-a-token").status_code == 404
    assert client.get(url[:-3] + "abc").status_code == 404  # a tampered signature
    # signed with another secret (another installation): not ours
    assert client.get(_url(app, world["oita_link"], secret="another-secret")).status_code == 404


# --------------------------------------------------------------------------- the official's page

def test_the_official_issues_revokes_mails_and_decides(app, client, world):
    login(client, OITA_OFFICIAL)
    page = client.get(f"/trainings/{world['training']}/participants").get_data(as_text=True)
    assert page.count("/apply/") == 2 and "別府 太郎" in page
    with app.app_context():
        usa = db.session.scalar(db.select(Municipality).filter_by(name="宇佐市"))
        usa.contact_email = "fukushi@city.usa.example.jp"
        db.session.commit()
        usa_id = usa.id
    assert client.post(f"/trainings/{world['training']}/links/{usa_id}/issue").status_code == 302
    page = client.get(f"/trainings/{world['training']}/participants").get_data(as_text=True)
    usa_url = re.search(rf'id="url-{usa_id}"[^>]*value="http://localhost(/apply/[^"]+)"', page).group(1)
    assert client.post(f"/trainings/{world['training']}/links/{usa_id}/mail").status_code == 302
    with app.app_context():
        message = db.session.scalar(db.select(OutboxMessage).filter_by(kind="application_link"))
        assert message.recipient == "fukushi@city.usa.example.jp"
        assert usa_url.encode() in message.raw or usa_url.encode() in _decoded(message.raw)
    assert client.post(f"/trainings/{world['training']}/links/{usa_id}/revoke").status_code == 302
    assert client.get(usa_url).status_code == 410
    # over the quota from the official's own entry: on the waiting list, then decided
    with app.app_context():
        training = db.session.get(Training, world["training"])
        beppu = db.session.scalar(db.select(Municipality).filter_by(name="別府市"))
        participants.add_entries(training, beppu, [ParticipantEntry("別府 次郎")], "official")
        [waiting] = participants.add_entries(training, beppu, [ParticipantEntry("別府 三郎")], "official")
        assert waiting.status == "waiting"
        waiting_id = waiting.id
    page = client.get(f"/trainings/{world['training']}/participants").get_data(as_text=True)
    assert "キャンセル待ち（1名）" in page and "自治体ごとの定員（2名）を超えています" in page
    assert client.post(f"/participants/{waiting_id}/decide", data={"accept": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Participant, waiting_id).status == "accepted"
    again = client.post(f"/participants/{waiting_id}/decide", data={"accept": "0"}, follow_redirects=True)
    assert "キャンセル待ちではありません" in again.get_data(as_text=True)


def _decoded(raw: bytes) -> bytes:
    import email
    message = email.message_from_bytes(raw)
    return b"".join(part.get_payload(decode=True) or b"" for part in message.walk() if not part.is_multipart())


def test_settings_are_saved_and_checked(app, client, world):
    login(client, OITA_OFFICIAL)
    url = f"/trainings/{world['training']}/participants/settings"
    response = client.post(url, data={"capacity": "40", "per_municipality": "3", "open_to_officials": "y",
                                      "application_deadline": "2026/1/30", "notice_number": "大福第55号",
                                      "notice_date": "2025/12/1"})
    assert response.status_code == 302
    with app.app_context():
        training = db.session.get(Training, world["training"])
        assert (training.capacity, training.per_municipality, training.open_to_officials,
                training.open_to_agencies, training.application_deadline, training.notice_number) == (
            40, 3, True, False, date(2026, 1, 30), "大福第55号")
    late = client.post(url, data={"per_municipality": "3", "application_deadline": "2026/3/1"})
    assert late.status_code == 422
    assert "申込締切は開催日（2月18日）以前にしてください。" in late.get_data(as_text=True)
    bad = client.post(url, data={"per_municipality": "0", "application_deadline": "2026/13/40"})
    assert bad.status_code == 422
    assert "1〜20の数で入力してください。" in bad.get_data(as_text=True)


def test_participants_pages_are_the_officials_of_their_own_prefecture(app, client, world):
    login(client, OITA_MEMBER)
    assert client.get(f"/trainings/{world['training']}/participants").status_code == 403
    client.post("/logout")
    with app.app_context():
        make_user(make_prefecture("みどり県"), "official@midori.example.jp")
    login(client, "official@midori.example.jp")
    for path in (f"/trainings/{world['training']}/participants",
                 f"/trainings/{world['training']}/participants/notice.docx"):
        assert client.get(path).status_code == 404, path
    for path in (f"/trainings/{world['training']}/links/{world['oita_city']}/issue",
                 f"/participants/{world['beppu_entry']}/decide", f"/participants/{world['beppu_entry']}/delete"):
        assert client.post(path).status_code == 404, path


# --------------------------------------------------------------------------- the notice

def test_the_notice_reads_back_and_converts_with_libreoffice(app, client, world, tmp_path, artifacts):
    login(client, OITA_OFFICIAL)
    with app.app_context():
        training = db.session.get(Training, world["training"])
        training.notice_number, training.notice_date, training.capacity = "大福第55号", date(2025, 12, 1), 40
        db.session.commit()
    general = client.get(f"/trainings/{world['training']}/participants/notice.docx")
    assert general.status_code == 200
    doc = Document(io.BytesIO(general.data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[:5] == ["大福第55号", "令和7年12月1日", "各市町村 生活困窮者自立支援制度主管課長　様",
                              "大分県福祉保健部長", "（公印省略）"]
    assert paragraphs[5] == "令和7年度生活困窮者自立支援制度 伝達研修（前期共通）の開催について（通知）"
    assert "記" in paragraphs and paragraphs[-1] == "以上"
    labels = [row.cells[0].text for row in doc.tables[0].rows]
    assert labels == ["1　研修名", "2　日時", "3　会場", "4　対象", "5　定員", "6　申込方法", "7　申込締切",
                      "8　持ち物", "9　問い合わせ先"]
    values = {row.cells[0].text[2:]: row.cells[1].text for row in doc.tables[0].rows}
    assert values["定員"].startswith("40名（1市町村あたり2名まで）")
    assert "自治体担当者・関係機関の参加も可能です。" in values["対象"]
    # a notice addressed to a municipality never leaves with a gap: refused, with the reason
    missing = {"application_deadline": None, "letter_sender": ""}
    with app.app_context():
        training = db.session.get(Training, world["training"])
        kept = training.application_deadline, training.plan.prefecture.letter_sender
        training.application_deadline, training.plan.prefecture.letter_sender = None, ""
        db.session.commit()
    refused = client.get(f"/trainings/{world['training']}/links/{world['oita_city']}/notice.docx")
    assert refused.status_code == 303 and missing
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "申込締切が決まっていません" in page and "発信者（県の設定）が入っていません" in page
    with app.app_context():
        training = db.session.get(Training, world["training"])
        training.application_deadline = kept[0] or date(2026, 1, 20)
        training.plan.prefecture.letter_sender = kept[1] or "大分県福祉保健部長"
        training.venue = training.venue or "大分県社会福祉会館"
        db.session.commit()
        from planner.services.participants.notice_checks import notice_problems
        assert notice_problems(training) == []
    one = client.get(f"/trainings/{world['training']}/links/{world['oita_city']}/notice.docx")
    one_doc = Document(io.BytesIO(one.data))
    assert one_doc.paragraphs[2].text == "大分市 生活困窮者自立支援制度主管課長　様"
    apply_url = _url(app, world["oita_link"])
    assert apply_url in one_doc.tables[0].rows[5].cells[1].text

    soffice = require("soffice", "the notice is checked by converting it with LibreOffice")
    require_fonts("the notice is Japanese")
    (tmp_path / "notice.docx").write_bytes(general.data)
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "notice.docx")],
                   check=True, capture_output=True, timeout=240)
    info = subprocess.run([require("pdfinfo"), str(tmp_path / "notice.pdf")], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE) and "(A4)" in info  # one A4 page
    text = subprocess.run([require("pdftotext"), "-layout", str(tmp_path / "notice.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "開催について（通知）" in text and "問い合わせ先" in text
    subprocess.run([require("pdftoppm"), "-r", "60", "-png", str(tmp_path / "notice.pdf"),
                    str(artifacts / "participant-notice")], check=True)


# --------------------------------------------------------------------------- at once, over HTTP

def test_two_contact_persons_at_the_last_seat_at_once_one_gets_it(app, live_server, world):
    """Two browsers on the same link (two people of one municipality) send the last seat
    together, ten rounds, against waitress on the test's database (SQLite or PostgreSQL)."""
    url = live_server + _url(app, world["oita_link"], LIVE_SECRET)
    for round_number in range(10):
        with app.app_context():
            db.session.execute(db.delete(Participant).where(Participant.municipality_id == world["oita_city"]))
            db.session.commit()
            participants.add_entries(db.session.get(Training, world["training"]),
                                     db.session.get(Municipality, world["oita_city"]),
                                     [ParticipantEntry("先に申込")], "link")
        sessions = [requests.Session(), requests.Session()]
        forms = []
        for number, session in enumerate(sessions):
            html = session.get(url).text
            # two different people: the same person twice is refused as already registered
            forms.append(_entry(name=f"大分 {'一二'[number]}郎", kana="", csrf_token=csrf_token(html),
                                once=once_token(html)))
        answers = at_once(*[lambda s=s, f=f: s.post(url, data=f, allow_redirects=False)
                            for s, f in zip(sessions, forms)])
        assert sorted(a.status_code for a in answers) == [302, 409], round_number
        refused = next(a for a in answers if a.status_code == 409)
        assert "自治体ごとの定員（2名）を超えています" in refused.text
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count()).select_from(Participant).filter_by(
                municipality_id=world["oita_city"], status="accepted")) == 2


def test_a_two_day_training_shows_both_days_on_the_application_page_and_the_plan_list(app, client, world):
    with app.app_context():
        training = db.session.get(Training, world["training"])
        first = training.first_date
        second = first + timedelta(days=7)  # the same weekday a week later, not the next day
        training.day_count, training.later_dates = 2, second.isoformat()
        db.session.commit()
        plan_id = training.plan_id
    day_two = f"{second.month}月{second.day}日"

    applying = client.get(_url(app, world["oita_link"])).text
    login(client, OITA_OFFICIAL)
    plans = client.get("/").text
    plan = client.get(f"/plans/{plan_id}").text

    assert f"{first.month}月{first.day}日" in applying and day_two in applying
    assert day_two in plans and day_two in plan
