"""A year in fewer actions: every municipality's link issued and mailed with its 開催通知 in one
action (per training and per plan), mailed once however often or however simultaneously it is
pressed; receipts and decisions to the contact person; publishing every changed training at
once; and the confirmation step before each action that mails people or replaces work.
Mail goes through a real SMTP server (aiosmtpd) and is read back; the notice with python-docx."""
from __future__ import annotations

import io
import re
from datetime import time, timedelta

import pytest
from docx import Document

from exports.participant_notice import notice_subject
from planner.domain.municipalities import municipalities_of
from planner.domain.participants import ParticipantEntry
from planner.models import ApplicationLink, Milestone, Municipality, OutboxMessage, Prefecture, Training, User
from planner.models.db import db
from planner.services.participants import entries as participants
from planner.services.participants import links as application_links
from planner.services.participants import municipalities as municipality_service
from planner.services.plans import changes as plans
from planner.services.timeline import generate_plan_timeline
from tests.conftest import serve
from tests.export_data import build_plan
from tests.factories import OITA_OFFICIAL, PASSWORD, login, make_oita
from tests.http_clients import at_once, csrf_token, logged_in_session, once_token, same_browser
from tests.smtp import text_body

#: contact persons given addresses in the test world; the other 15 municipalities have none
CONTACTS = {"大分市": "kenshu@city.oita.example.jp", "別府市": "fukushi@city.beppu.example.jp",
            "臼杵市": "seikatsu@city.usuki.example.jp"}
URL = re.compile(r"(?:http://[^/\s]+)?(/apply/[A-Za-z0-9_\-\.]+)")


@pytest.fixture
def world(app):
    """大分県 with its 18 municipalities (three with a contact address) and its four trainings
    open for applications (1 a municipality, deadline in ten days), each with what its 開催通知
    needs (文書番号, capacity, venue)."""
    with app.app_context():
        oita = make_oita()
        prefecture = db.session.get(Prefecture, oita.prefecture)
        prefecture.letter_sender = "大分県福祉保健部長"
        prefecture.contact_section, prefecture.contact_phone = "地域福祉課 生活支援班", "097-506-0000"
        municipality_service.load_list(prefecture, municipalities_of("大分県"))
        towns = {m.name: m for m in municipality_service.municipalities(prefecture)}
        for name, email in CONTACTS.items():
            towns[name].contact_name, towns[name].contact_email = f"{name} 担当", email
        for number, training in enumerate(db.session.scalars(db.select(Training).filter_by(plan_id=oita.plan))):
            training.per_municipality = 1
            training.application_deadline = participants.today_in_japan() + timedelta(days=10)
            training.notice_number, training.capacity = f"福保第{100 + number}号", 60
            training.venue = training.venue or "大分県社会福祉会館"
        db.session.commit()
        return {"plan": oita.plan, "trainings": oita.trainings, "towns": {n: m.id for n, m in towns.items()},
                "count": len(towns)}


def _mails(smtp) -> dict[str, list]:
    """Arrived mails by recipient address."""
    out: dict[str, list] = {}
    for message in smtp.inbox.messages():
        out.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return out


def _opened_link(app, path: str) -> ApplicationLink:
    with app.app_context():
        token = path.rsplit("/", 1)[1]
        link = application_links.open_link(token, app.config["SECRET_KEY"], participants.today_in_japan())
        return link.municipality.name, link.training_id


def _docx_text(part) -> str:
    document = Document(io.BytesIO(part.get_content()))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# --------------------------------------------------------------------------- issue and mail

def test_one_action_mails_each_contact_their_own_link_with_the_notice(app, client, world, smtp):
    app.config.update(smtp.config())
    login(client, OITA_OFFICIAL)
    training_id = world["trainings"]["common"]

    confirm_page = client.get(f"/trainings/{training_id}/links/send").get_data(as_text=True)

    assert "3人に3通を送る" in confirm_page
    for name, email in CONTACTS.items():
        assert f"{name} {name} 担当" in confirm_page and email in confirm_page
    assert "担当者のメールアドレスがない市町村" in confirm_page and "中津市（前期共通）" in confirm_page
    assert smtp.inbox.messages() == []  # the confirmation page sends nothing

    done = client.post(f"/trainings/{training_id}/links/send", follow_redirects=True).get_data(as_text=True)

    assert f"申込URLを{world['count']}件発行し、3通のメールを送りました" in done
    assert "担当者のメールアドレスがないため送れなかった市町村" in done
    mails = _mails(smtp)
    assert sorted(mails) == sorted(CONTACTS.values())
    with app.app_context():
        subject_line = notice_subject(db.session.get(Training, training_id))
    for name, email in CONTACTS.items():
        [message] = mails[email]
        assert message["Subject"] == f"【申込のお願い】{subject_line}"
        body = text_body(message)
        [path] = set(URL.findall(body))
        assert _opened_link(app, path) == (name, training_id)  # their own link, and it opens
        assert "会場：" in body and "申込締切：" in body  # the text stands without the attachment
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename().endswith(".docx") and name in attachment.get_filename()
        notice = _docx_text(attachment)
        assert path in notice and f"{name} 生活困窮者自立支援制度主管課長" in notice
        for other in CONTACTS:
            if other != name:
                assert f"{other} 生活困窮者自立支援制度主管課長" not in notice

    again = client.post(f"/trainings/{training_id}/links/send", follow_redirects=True).get_data(as_text=True)

    assert "送る申込URLはありませんでした（すべて送信済みです）。" in again
    assert len(smtp.inbox.messages()) == 3
    with app.app_context():
        links = db.session.scalars(db.select(ApplicationLink).filter_by(training_id=training_id)).all()
        assert len(links) == world["count"]


def test_a_revoked_link_stays_closed_and_a_reissued_one_is_mailed_again(app, client, world, smtp):
    app.config.update(smtp.config())
    login(client, OITA_OFFICIAL)
    training_id, oita_id, beppu_id = world["trainings"]["common"], world["towns"]["大分市"], world["towns"]["別府市"]
    client.post(f"/trainings/{training_id}/links/send")
    client.post(f"/trainings/{training_id}/links/{oita_id}/revoke")
    client.post(f"/trainings/{training_id}/links/{beppu_id}/issue")  # a new URL: the old one no longer works

    page = client.get(f"/trainings/{training_id}/links/send").get_data(as_text=True)
    client.post(f"/trainings/{training_id}/links/send")

    assert "1人に1通を送る" in page and "URLを取り消した市町村" in page and "大分市（前期共通）" in page
    mails = _mails(smtp)
    assert len(mails[CONTACTS["別府市"]]) == 2 and len(mails[CONTACTS["大分市"]]) == 1
    [new_path] = set(URL.findall(text_body(mails[CONTACTS["別府市"]][1])))
    assert _opened_link(app, new_path) == ("別府市", training_id)


def test_the_plan_wide_action_mails_every_training_once_per_contact(app, client, world, smtp):
    app.config.update(smtp.config())
    login(client, OITA_OFFICIAL)

    page = client.get(f"/plans/{world['plan']}/links/send").get_data(as_text=True)
    client.post(f"/plans/{world['plan']}/links/send")

    assert "3人に12通を送る" in page and "（4通）" in page
    mails = _mails(smtp)
    for name, email in CONTACTS.items():
        trainings = sorted(_opened_link(app, URL.search(text_body(m)).group(1))[1] for m in mails[email])
        assert trainings == sorted(world["trainings"].values())  # one mail per training, each its own link
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ApplicationLink.id))) == 4 * world["count"]


def test_two_simultaneous_sends_mail_each_contact_once(app, world, smtp, database_url, tmp_path):
    """Two officials' sends at once (each its own confirmation page and token) through the real
    server and a real SMTP server: the second finds everything mailed."""
    training_id = world["trainings"]["common"]
    env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port)}
    with serve(database_url, tmp_path / "waitress.log", env) as base:
        first, _ = logged_in_session(base, OITA_OFFICIAL, PASSWORD)
        second = same_browser(first)
        url = f"{base}/trainings/{training_id}/links/send"
        forms = []
        for session in (first, second):
            html = session.get(url).text
            forms.append({"csrf_token": csrf_token(html), "once": once_token(html)})
        assert forms[0]["once"] != forms[1]["once"]

        answers = at_once(lambda: first.post(url, data=forms[0], allow_redirects=False),
                          lambda: second.post(url, data=forms[1], allow_redirects=False))
        double = at_once(lambda: first.post(url, data=forms[0], allow_redirects=False),
                         lambda: first.post(url, data=forms[0], allow_redirects=False))

    assert [a.status_code for a in answers + double] == [302, 302, 302, 302]
    mails = _mails(smtp)
    assert {email: len(m) for email, m in mails.items()} == {email: 1 for email in CONTACTS.values()}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 3


def test_no_notice_leaves_with_a_blank_number_or_deadline_until_they_are_filled_in(app, client, world, smtp):
    """The bulk send checks the notice as the single download does (notice_problems): the
    confirmation page names the gaps, the send mails nothing and issues nothing of that
    training, the other trainings still go; once filled in, the held training goes too."""
    app.config.update(smtp.config())
    login(client, OITA_OFFICIAL)
    common, chief = world["trainings"]["common"], world["trainings"]["chief"]
    with app.app_context():
        db.session.get(Training, common).notice_number = " "
        db.session.get(Training, chief).application_deadline = None
        db.session.commit()

    page = client.get(f"/plans/{world['plan']}/links/send").get_data(as_text=True)
    one = client.get(f"/trainings/{common}/links/send").get_data(as_text=True)
    refused = client.post(f"/trainings/{common}/links/send", follow_redirects=True).get_data(as_text=True)
    sent = client.post(f"/plans/{world['plan']}/links/send", follow_redirects=True).get_data(as_text=True)

    assert "3人に6通を送る" in page  # two trainings of four, three contacts
    assert "前期共通は開催通知に不足があるため送りません" in page and "文書番号が入っていません" in page
    assert "主任後期は開催通知に不足があるため送りません" in page and "申込締切が決まっていません" in page
    assert "0人に0通を送る" in one and "前期共通は開催通知に不足があるため送りません" in one
    assert "前期共通は開催通知に不足があるため送りません" in refused and "送る申込URLはありませんでした" not in refused
    assert "6通のメールを送りました" in sent and "主任後期は開催通知に不足があるため送りません" in sent
    mailed = {_opened_link(app, URL.search(text_body(m)).group(1))[1] for m in smtp.inbox.messages()}
    assert mailed == set(world["trainings"].values()) - {common, chief} and len(smtp.inbox.messages()) == 6
    with app.app_context():
        held_links = db.session.scalar(db.select(db.func.count(ApplicationLink.id))
                                       .where(ApplicationLink.training_id.in_([common, chief])))
        assert held_links == 0
        db.session.get(Training, common).notice_number = "福保第1号"
        db.session.commit()

    client.post(f"/trainings/{common}/links/send")

    assert len(smtp.inbox.messages()) == 9
    for message in smtp.inbox.messages()[6:]:
        [attachment] = list(message.iter_attachments())
        assert "第　　号" not in _docx_text(attachment) and "福保第1号" in _docx_text(attachment)


def test_bulk_pages_of_another_prefecture_or_unknown_ids_are_404(app, client, world):
    login(client, OITA_OFFICIAL)
    assert client.get("/trainings/999999/links/send").status_code == 404
    assert client.post("/plans/999999/links/send").status_code == 404
    assert client.get("/plans/999999/publish").status_code == 404


# --------------------------------------------------------------------------- receipts and decisions

def _entry(**values) -> dict:
    return {"name": "大分 花子", "kana": "おおいた はなこ", "affiliation": "福祉事務所", "kind": "worker",
            "job": "相談支援員", "email": "", "needs": ""} | values


def test_contact_gets_a_receipt_for_each_change_through_the_link(app, client, world, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        training = db.session.get(Training, world["trainings"]["common"])
        link = application_links.issue(training, db.session.get(Municipality, world["towns"]["大分市"]))
        url = f"/apply/{application_links.token_of(link, app.config['SECRET_KEY'])}"

    client.post(url, data=_entry())
    client.post(url, data=_entry(name="大分 次郎", waiting="y"))  # over the quota of 1: waiting
    with app.app_context():
        first = db.session.scalar(db.select(participants.Participant).filter_by(name="大分 花子")).id
    client.post(f"{url}/entries/{first}", data=_entry(job="主任相談支援員"))
    client.post(f"{url}/entries/{first}/delete")

    mails = _mails(smtp)[CONTACTS["大分市"]]
    bodies = [text_body(m) for m in mails]
    assert [m["Subject"].startswith("【受付】") for m in mails] == [True] * 4
    assert "大分 花子さんの申込を受け付けました" in bodies[0] and "・大分 花子（支援員）：受講決定" in bodies[0]
    assert "・大分 次郎（支援員）：キャンセル待ち" in bodies[1]
    assert "大分 花子さんの内容の変更を受け付けました" in bodies[2]
    assert "大分 花子さんの申込の取り消しを受け付けました" in bodies[3] and "大分 花子（" not in bodies[3]
    assert all(url in body for body in bodies)  # the link to check and change


def test_deciding_a_waiting_entry_mails_the_contact_person(app, client, world, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        training = db.session.get(Training, world["trainings"]["common"])
        beppu = db.session.get(Municipality, world["towns"]["別府市"])
        nakatsu = db.session.get(Municipality, world["towns"]["中津市"])
        rows = participants.add_entries(training, beppu, [ParticipantEntry("別府 一郎"), ParticipantEntry("別府 二郎"),
                                                          ParticipantEntry("別府 三郎")], "official")
        [no_address] = participants.add_entries(training, nakatsu, [ParticipantEntry("中津 一郎"),
                                                                    ParticipantEntry("中津 二郎")], "official")[1:]
        second, third, no_address_id = rows[1].id, rows[2].id, no_address.id
    login(client, OITA_OFFICIAL)

    accepted = client.post(f"/participants/{second}/decide", data={"accept": "1"}, follow_redirects=True)
    client.post(f"/participants/{third}/decide", data={"accept": "0"})
    silent = client.post(f"/participants/{no_address_id}/decide", data={"accept": "1"}, follow_redirects=True)

    assert "別府市の担当者にメールで知らせます" in accepted.get_data(as_text=True)
    assert "担当者のメールアドレスがないため、メールは送りません。" in silent.get_data(as_text=True)
    [yes, no] = _mails(smtp)[CONTACTS["別府市"]]
    assert yes["Subject"].startswith("【受講決定】") and "別府 二郎さん" in yes["Subject"]
    assert "受講していただくことに決まりました（受講決定）" in text_body(yes)
    assert no["Subject"].startswith("【お断り】") and "今回は受講をお断りすることになりました" in text_body(no)
    assert len(smtp.inbox.messages()) == 2


# --------------------------------------------------------------------------- publishing

def test_publish_all_publishes_only_the_changed_trainings(app, client, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        ids = build_plan()
        trainings = {t.curriculum_key: t.id for t in db.session.scalars(db.select(Training).filter_by(plan_id=ids.plan_id))}
    login(client, ids.official_email)
    client.post(f"/trainings/{trainings['chief']}/publish")  # 第1版 from its own page; nothing changed since
    before = len(smtp.inbox.messages())

    page = client.get(f"/plans/{ids.plan_id}/publish").get_data(as_text=True)
    assert len(smtp.inbox.messages()) == before  # the preview mails nobody and keeps nothing
    done = client.post(f"/plans/{ids.plan_id}/publish", follow_redirects=True).get_data(as_text=True)

    assert "変更のある研修をまとめて公開する（3件）" in page and "主任" not in page.split("<h1>")[1].split("</h1>")[0]
    recipients = set(re.findall(r"member\d@example\.jp", page))
    with app.app_context():
        versions = {key: [v.number for v in db.session.get(Training, tid).versions] for key, tid in trainings.items()}
    assert versions == {"chief": [1], "common": [1], "counselor": [1], "job_support": [1]}
    assert "公開しました" in done
    mailed = {m["To"].addresses[0].addr_spec for m in smtp.inbox.messages()[before:]}
    assert recipients and mailed == recipients  # the page named exactly who was mailed
    again = client.get(f"/plans/{ids.plan_id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "公開していない変更のある研修はありません。" in again


def test_publish_from_its_own_page_asks_first_naming_who_gets_mail(app, client, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        ids = build_plan()
        chief = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="chief"))
        chief_id = chief.id
    login(client, ids.official_email)

    asked = client.post(f"/trainings/{chief_id}/publish", data={"ask": "1"}).get_data(as_text=True)

    assert "第1版として公開しますか" in asked and "member0@example.jp" in asked
    assert 'name="ask"' not in asked and smtp.inbox.messages() == []
    with app.app_context():
        assert db.session.get(Training, chief_id).versions == []


# --------------------------------------------------------------------------- confirmation steps

def test_deactivate_regenerate_and_regroup_ask_first_and_change_nothing(app, client, world):
    with app.app_context():
        member = db.session.scalar(db.select(User).filter_by(role="member"))
        plan_id = world["plan"]
        from planner.models import Plan
        generate_plan_timeline(db.session.get(Plan, plan_id))
        db.session.commit()
        member_id = member.id
    login(client, OITA_OFFICIAL)

    deactivate = client.post(f"/users/{member_id}/active", data={"active": "0", "ask": "1"})
    regenerate = client.post(f"/plans/{plan_id}/timeline/generate", data={"chief_after": "common", "ask": "1"})

    text = deactivate.get_data(as_text=True)
    assert deactivate.status_code == 200 and "アカウントを無効にしますか" in text and "メールは送りません。" in text
    assert 'name="active" value="0"' in text and 'name="ask"' not in text
    assert "年間の流れを作り直しますか" in regenerate.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, member_id).active
    assert client.post(f"/users/{member_id}/active", data={"active": "0"}).status_code == 302
    with app.app_context():
        assert not db.session.get(User, member_id).active


def test_a_meeting_invitation_is_offered_only_with_time_and_place_and_asks_first(app, client, world, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        from planner.models import Plan
        from tests.factories import add_roster
        plan = db.session.get(Plan, world["plan"])
        add_roster(plan, 3)
        generate_plan_timeline(plan)
        db.session.commit()
        meeting_id = db.session.scalar(db.select(Milestone.id).filter_by(plan_id=plan.id, kind="meeting"))
    login(client, OITA_OFFICIAL)
    url = f"/plans/{world['plan']}/meetings/{meeting_id}"

    before = client.get(url).get_data(as_text=True)
    refused = client.post(f"{url}/invite")
    client.post(url, data={"start_time": "13:30", "end_time": "15:30", "place": "県庁 5階 会議室",
                           "online_url": "", "agenda": "", "minutes": ""})
    after = client.get(url).get_data(as_text=True)
    asked = client.post(f"{url}/invite", data={"ask": "1"}).get_data(as_text=True)

    assert "チームに案内メールを送る" not in before and "時刻と会場" in before
    assert refused.status_code == 409 and smtp.inbox.messages() == []
    assert "先に会議の時刻と会場（またはオンライン会議のURL）を保存してください。" in refused.get_data(as_text=True)
    assert "チームに案内メールを送る" in after
    people = re.search(r"メールを送る相手（(\d+)人）", asked)
    assert people and int(people.group(1)) == 3 and smtp.inbox.messages() == []
    client.post(f"{url}/invite")
    assert len(smtp.inbox.messages()) == 3


def test_the_plan_page_links_every_part_of_the_year(app, client, world):
    with app.app_context():
        from planner.models import Plan
        generate_plan_timeline(db.session.get(Plan, world["plan"]))
        db.session.commit()
        meetings = db.session.scalars(db.select(Milestone.id).filter(Milestone.plan_id == world["plan"],
                                                                     Milestone.kind.in_(("launch", "meeting")))).all()
    login(client, OITA_OFFICIAL)

    page = client.get(f"/plans/{world['plan']}").get_data(as_text=True)

    assert len(meetings) >= 5
    for meeting_id in meetings:
        assert f"/plans/{world['plan']}/meetings/{meeting_id}\"" in page
    for training_id in world["trainings"].values():
        for part in ("participants", "groups", "materials", "versions"):
            assert f"/trainings/{training_id}/{part}\"" in page
    assert f"/plans/{world['plan']}/links/send" in page and f"/plans/{world['plan']}/publish" in page


def test_a_training_past_its_deadline_is_left_out_and_said_so(app, client, world, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        common = db.session.get(Training, world["trainings"]["common"])
        common.application_deadline = participants.today_in_japan() - timedelta(days=1)
        db.session.commit()
    login(client, OITA_OFFICIAL)

    page = client.get(f"/plans/{world['plan']}/links/send").get_data(as_text=True)
    done = client.post(f"/plans/{world['plan']}/links/send", follow_redirects=True).get_data(as_text=True)

    assert "3人に9通を送る" in page and "申込締切を過ぎた研修（送りません）: 前期共通" in page
    assert "申込締切を過ぎたため送らなかった研修: 前期共通" in done
    assert len(smtp.inbox.messages()) == 9
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ApplicationLink.id))
                                 .filter_by(training_id=world["trainings"]["common"])) == 0


def test_inviting_the_roster_names_everyone_before_it_mails(app, client, world, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        from planner.models import Plan, TeamMember
        from tests.factories import add_roster
        add_roster(db.session.get(Plan, world["plan"]), 3)
        emails = sorted(db.session.scalars(db.select(TeamMember.email)).all())
    login(client, OITA_OFFICIAL)

    asked = client.post("/invitations/roster", data={"ask": "1"}).get_data(as_text=True)

    assert "メールを送る相手（3人）" in asked and all(email in asked for email in emails)
    assert smtp.inbox.messages() == []
    client.post("/invitations/roster")
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.inbox.messages()) == emails
