"""Mail through a real SMTP server (aiosmtpd) and the transactional outbox."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import recurring_ical_events
import vobject
from icalendar import Calendar

from planner.models import OutboxMessage
from planner.models.account import utcnow
from planner.models.db import db
from planner.models.mail import SENT, WAITING
from planner.services.mail.outbox import CalendarPart, MailSettings, deliver, queue
from tests.factories import make_prefecture
from tests.smtp import calendar_part, text_body

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUBJECT = "【伝達研修】第2回検討会議のご案内（令和8年1月20日現在）"
ICS = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//JA\r\nMETHOD:REQUEST\r\n"
       b"BEGIN:VEVENT\r\nUID:meeting-1@test\r\nDTSTAMP:20260101T000000Z\r\n"
       b"DTSTART:20260120T010000Z\r\nDTEND:20260120T030000Z\r\nSEQUENCE:0\r\n"
       b"SUMMARY:\xe7\xac\xac2\xe5\x9b\x9e\xe6\xa4\x9c\xe8\xa8\x8e\xe4\xbc\x9a\xe8\xad\xb0\r\n"
       b"ORGANIZER;CN=Official:mailto:official@oita.example.jp\r\n"
       b"ATTENDEE;CN=Member;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:taro@usuki.example.jp\r\n"
       b"END:VEVENT\r\nEND:VCALENDAR\r\n")


def _settings(app) -> MailSettings:
    return MailSettings.from_config(app.config)


def _queue_many(app, prefecture_id: int, count: int) -> None:
    for i in range(count):
        queue(_settings(app), prefecture_id, "invitation", f"臼杵 太郎{i}", f"member{i}@usuki.example.jp",
              f"{SUBJECT} {i}", f"臼杵 太郎{i} 様\n\n本文です。{i}\n")


def test_japanese_mail_with_calendar_part_arrives_and_parses(app, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        prefecture = make_prefecture()
        queue(_settings(app), prefecture.id, "meeting", "臼杵 太郎", "taro@usuki.example.jp", SUBJECT,
              "臼杵 太郎 様\n\n第2回検討会議にご出席ください。\n", CalendarPart("REQUEST", ICS))
        db.session.commit()
        report = deliver(_settings(app))
    assert (report.sent, report.failed) == (1, 0)
    [(mail_from, rcpt, raw)] = smtp.inbox.received
    assert rcpt == ["taro@usuki.example.jp"] and mail_from == "no-reply@planner.example.jp"
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0]  # RFC 2047 in the header block, not raw UTF-8
    [message] = smtp.inbox.messages()
    assert message["Subject"] == SUBJECT
    assert message["To"].addresses[0].display_name == "臼杵 太郎"
    assert "第2回検討会議にご出席ください。" in text_body(message)
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    data = part.get_payload(decode=True)
    assert Calendar.from_ical(data)["METHOD"] == "REQUEST"
    event = vobject.readOne(data.decode()).vevent
    assert event.attendee.value == "mailto:taro@usuki.example.jp"
    assert len(list(recurring_ical_events.of(Calendar.from_ical(data)).all())) == 1


def test_without_server_mail_goes_to_files_the_official_can_open(app, client):
    from tests.factories import login, make_user
    with app.app_context():
        prefecture = make_prefecture()
        make_user(prefecture, "official@oita.example.jp")
        _queue_many(app, prefecture.id, 2)
        db.session.commit()
        report = deliver(_settings(app))
        rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert report.sent == 2 and {r.status for r in rows} == {SENT}
        files = sorted(os.listdir(app.config["MAIL_OUTBOX_DIR"]))
        assert files == [f"{rows[0].id:06d}.eml", f"{rows[1].id:06d}.eml"]
        first_id = rows[0].id
        with open(os.path.join(app.config["MAIL_OUTBOX_DIR"], files[0]), "rb") as eml:
            assert eml.read() == rows[0].raw
    login(client, "official@oita.example.jp")
    page = client.get("/outbox").get_data(as_text=True)
    assert f"{SUBJECT} 0" in page and "送信済み" in page
    response = client.get(f"/outbox/{first_id}.eml")
    assert response.status_code == 200 and response.mimetype == "message/rfc822"


def test_smtp_down_then_back_every_message_exactly_once(app, smtp, runner):
    app.config.update(smtp.config())
    smtp.stop()
    with app.app_context():
        prefecture = make_prefecture()
        _queue_many(app, prefecture.id, 5)
        db.session.commit()
        report = deliver(_settings(app))
        assert report.sent == 0 and report.failed == 1  # the run stops at the unreachable server
        rows = db.session.scalars(db.select(OutboxMessage)).all()
        assert {r.status for r in rows} == {WAITING}
        failed = [r for r in rows if r.attempts]
        assert len(failed) == 1 and failed[0].last_error and failed[0].next_try_at > utcnow()
        expected_ids = sorted(r.message_id for r in rows)

    result = runner.invoke(args=["send-mail"])  # still down
    assert result.exit_code == 1 and "失敗" in result.output
    smtp.start()
    first = runner.invoke(args=["send-mail"])
    assert first.exit_code == 0, first.output
    with app.app_context():  # the failed ones wait for their back-off; move the clock past it
        db.session.execute(db.update(OutboxMessage).values(next_try_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    second = runner.invoke(args=["send-mail"])
    third = runner.invoke(args=["send-mail"])
    assert "送信 0件" in third.output
    assert sorted(smtp.inbox.message_ids()) == expected_ids  # each once, with its stored id
    with app.app_context():
        assert {r.status for r in db.session.scalars(db.select(OutboxMessage))} == {SENT}
    assert "送信 " in second.output


def test_two_app_servers_sending_one_outbox_send_nothing_twice(app, smtp, database_url):
    count = 120
    with app.app_context():
        prefecture = make_prefecture()
        _queue_many(app, prefecture.id, count)
        db.session.commit()
        expected = sorted(db.session.scalars(db.select(OutboxMessage.message_id)))
    env = {**os.environ, "DATABASE_URL": database_url, "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(smtp.port), "SECRET_KEY": "test"}
    senders = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "send-mail"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
               for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in senders]
    assert all(p.returncode == 0 for p in senders), outputs
    assert sorted(smtp.inbox.message_ids()) == expected
    sent = [int(out.split("送信 ")[1].split("件")[0]) for out in outputs]
    assert sum(sent) == count


def test_demo_outbox_is_delivered_once_by_send_mail(app, runner, smtp):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        from planner.models import ProgrammeVersion
        from planner.services.plans.versions import version_label
        waiting = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.status == WAITING)).all()
        assert {r.kind for r in waiting} == {"invitation", "calendar", "meeting", "password_setup"}
        labels = {version_label(v.training) for v in db.session.scalars(db.select(ProgrammeVersion))}
        assert any(label.startswith("第1版") for label in labels)
        assert any(label.startswith("下書き（第1版") for label in labels)  # the second draft
    app.config.update(smtp.config())
    first = runner.invoke(args=["send-mail"])
    assert first.exit_code == 0 and f"送信 {len(waiting)}件" in first.output
    assert sorted(smtp.inbox.message_ids()) == sorted(r.message_id for r in waiting)
    second = runner.invoke(args=["send-mail"])
    assert "送信 0件" in second.output and len(smtp.inbox.received) == len(waiting)
    invitation = next(m for m in smtp.inbox.messages() if "ご招待" in m["Subject"])
    assert "/join/" in text_body(invitation)
