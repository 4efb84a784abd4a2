"""Planning meetings: hours, place, agenda, minutes, attendance by mail link, invitations."""
from __future__ import annotations

import re
from datetime import datetime

import icalendar
import pytest
import vobject

from planner.models import MeetingAnswer, Milestone, Plan
from planner.models.db import db
from planner.services.team.files import MemberRow
from planner.services.team.roster import save_member
from planner.services.timeline import generate_plan_timeline
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_oita
from tests.smtp import calendar_part, text_body


@pytest.fixture
def world(app, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        oita = make_oita()
        plan = db.session.get(Plan, oita.plan)
        for name, email in (("会員 一郎", OITA_MEMBER), ("臼杵 太郎", "taro@usuki.example.jp"),
                            ("県 職員", OITA_OFFICIAL)):
            save_member(plan, MemberRow(name=name, municipality="市", municipality_kind="other", email=email))
        generate_plan_timeline(plan)
        db.session.commit()
        meeting = next(m for m in plan.milestones if m.kind == "meeting")
        return oita.plan, meeting.id


def test_meeting_details_invitation_and_answer_by_mail_link(app, client, smtp, world):
    plan_id, meeting_id = world
    login(client, OITA_OFFICIAL)
    url = f"/plans/{plan_id}/meetings/{meeting_id}"
    page = client.get(url).get_data(as_text=True)
    assert "県からプログラム案（たたき台）を提示する" in page  # the source's checklist is the agenda

    bad = client.post(url, data={"start_time": "14:00", "end_time": "13:00", "place": "", "online_url": "ftp://x",
                                 "agenda": "", "minutes": ""})
    assert bad.status_code == 422
    assert "終了時刻は開始時刻より後にしてください。" in bad.get_data(as_text=True)
    saved = client.post(url, data={"start_time": "13:30", "end_time": "15:30", "place": "県庁 5階 会議室",
                                   "online_url": "https://meet.example.jp/abc",
                                   "agenda": "プログラム案の確認\n独自科目の検討", "minutes": "次回までに会場を仮予約する。"})
    assert saved.status_code == 302

    assert client.post(f"{url}/invite").status_code == 302
    messages = smtp.inbox.messages()
    # the team, not the organizer (who is on the roster too)
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted([OITA_MEMBER, "taro@usuki.example.jp"])
    taro = next(m for m in messages if m["To"].addresses[0].addr_spec == "taro@usuki.example.jp")
    assert "出欠のご回答のお願い" in taro["Subject"]
    data = calendar_part(taro).get_payload(decode=True)
    event = vobject.readOne(data.decode()).vevent
    assert calendar_part(taro).get_param("method") == "REQUEST"
    assert event.attendee.value == "mailto:taro@usuki.example.jp"
    assert event.location.value == "県庁 5階 会議室"
    start = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["DTSTART"].dt
    assert isinstance(start, datetime) and start.strftime("%H:%M") == "13:30"
    assert "独自科目の検討" in event.description.value and "独自科目の検討" in text_body(taro)

    # nothing changed: a second click sends nothing
    client.post(f"{url}/invite")
    assert len(smtp.inbox.messages()) == 2

    # the member answers from the mail without logging in; GET alone records nothing
    no_link = re.search(r"欠席する：(\S+)", text_body(taro)).group(1)
    path = "/" + no_link.split("://", 1)[1].split("/", 1)[1]
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(MeetingAnswer.id))) == 0
    done = anonymous.post(path)
    assert "欠席</strong>と登録しました" in done.get_data(as_text=True)
    assert anonymous.get(path[:-3] + "xyz").status_code == 404

    page = client.get(url).get_data(as_text=True)
    assert "0人出席 / 3人" in page and "次回までに会場を仮予約する。" in page

    member = app.test_client()
    login(member, OITA_MEMBER)
    assert member.post(f"{url}/answer", data={"attending": "1"}).status_code == 302
    assert "1人出席 / 3人" in member.get(url).get_data(as_text=True)
    assert member.post(url, data={"place": "乗っ取り"}).status_code == 403

    # moving the meeting's hours sends the change again, to everyone who had it
    client.post(url, data={"start_time": "10:00", "end_time": "12:00", "place": "県庁 5階 会議室",
                           "online_url": "", "agenda": "プログラム案の確認", "minutes": ""})
    client.post(f"{url}/invite")
    again = smtp.inbox.messages()[2:]
    assert len(again) == 2
    assert all(vobject.readOne(calendar_part(m).get_payload(decode=True).decode()).vevent.sequence.value == "1"
               for m in again)
    with app.app_context():
        assert db.session.get(Milestone, meeting_id).start_time.strftime("%H:%M") == "10:00"


def test_meeting_details_survive_the_json_backup(app, world):
    from datetime import time

    from planner.services import meetings
    from planner.services.backup import plan as backup
    from tests.factories import make_prefecture
    plan_id, meeting_id = world
    with app.app_context():
        meeting = db.session.get(Milestone, meeting_id)
        meetings.update_meeting(meeting, time(13, 30), time(15, 0), "県庁", "https://meet.example.jp/x",
                                "議題1\n議題2", "議事録です。")
        text = backup.dump_plan(db.session.get(Plan, plan_id))
        copy = backup.load_plan(make_prefecture("熊本県"), text)
        db.session.commit()
        restored = next(m for m in copy.milestones if m.title == meeting.title)
        assert (restored.start_time, restored.end_time, restored.place, restored.online_url,
                restored.agenda, restored.minutes) == \
            (time(13, 30), time(15, 0), "県庁", "https://meet.example.jp/x", "議題1\n議題2", "議事録です。")
        untouched = next(m for m in copy.milestones if m.kind == "launch")
        assert untouched.agenda is None and untouched.start_time is None
