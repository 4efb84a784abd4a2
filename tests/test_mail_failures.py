"""The mail queue isolates failures: one bad message never holds the others back.

A real SMTP server (aiosmtpd) in the process; addresses as they are in Japan (IDNA domains,
non-ASCII local parts with and without a server that offers SMTPUTF8)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from planner.models import OutboxMessage
from planner.models.account import utcnow
from planner.models.db import db
from planner.models.mail import FAILED, SENDING, SENT, WAITING
from planner.services.mail.outbox import LEASE, MailSettings, _claim, deliver, queue
from tests.factories import login, make_prefecture, make_user
from tests.smtp import SmtpServer

IDN = "tanto@市役所.jp"
IDN_WIRE = "tanto@xn--7sto6a74d.jp"
NON_ASCII_LOCAL = "担当@example.jp"
REFUSED = "nobody@usuki.example.jp"


@pytest.fixture
def server(request):
    smtputf8, refuse = request.param
    s = SmtpServer(smtputf8=smtputf8, refuse=refuse)
    s.start()
    try:
        yield s
    finally:
        s.stop()


def _settings(app) -> MailSettings:
    return MailSettings.from_config(app.config)


def _queue_30(app, prefecture_id: int, poison: str) -> list[OutboxMessage]:
    """30 messages; the 15th goes to `poison`, the 10th to an internationalised domain."""
    rows = []
    for i in range(30):
        address = poison if i == 14 else IDN if i == 9 else f"member{i}@usuki.example.jp"
        rows.append(queue(_settings(app), prefecture_id, "invitation", f"臼杵 太郎{i}", address,
                          f"【伝達研修】ご招待 {i}", f"臼杵 太郎{i} 様\n\n本文 {i}\n"))
    db.session.commit()
    return rows


POISONS = [
    # (server offers SMTPUTF8, recipients it refuses), poisoned address, reason shown, delivered?
    pytest.param((False, (REFUSED,)), REFUSED, "550", False, id="refused-by-server"),
    pytest.param((False, ()), NON_ASCII_LOCAL, "SMTPUTF8", False, id="non-ascii-local-no-smtputf8"),
    pytest.param((True, ()), NON_ASCII_LOCAL, None, True, id="non-ascii-local-smtputf8"),
    pytest.param((True, ()), "tanto@@usuki.example.jp", "正しくありません", False, id="not-an-address"),
]


@pytest.mark.parametrize(("server", "poison", "reason", "delivered"), POISONS, indirect=["server"])
def test_one_poisoned_message_in_30_stops_only_itself(app, client, server, poison, reason, delivered):
    app.config.update(server.config())
    with app.app_context():
        prefecture = make_prefecture()
        make_user(prefecture, "official@oita.example.jp")
        rows = _queue_30(app, prefecture.id, poison)
        ids = [r.id for r in rows]
        expected = sorted(r.message_id for r in rows if delivered or r.recipient != poison)
        poisoned_id = ids[14]
        first = deliver(_settings(app))
        second = deliver(_settings(app), force=True)  # a failed message is not taken again
        statuses = dict(db.session.execute(db.select(OutboxMessage.id, OutboxMessage.status)).all())
        bad = db.session.get(OutboxMessage, poisoned_id)
        assert SENDING not in statuses.values()
        if delivered:
            assert first.sent == 30 and set(statuses.values()) == {SENT}
        else:
            assert (first.sent, second.sent, second.failed) == (29, 0, 0)
            assert bad.status == FAILED and reason in bad.last_error and bad.last_error_at is not None
            assert [i for i, s in statuses.items() if s != SENT] == [poisoned_id]
    # the 29 (or 30) arrive once each, with their stored Message-IDs
    assert sorted(server.inbox.message_ids()) == expected
    recipients = [rcpt for _, rcpts, _ in server.inbox.received for rcpt in rcpts]
    assert IDN_WIRE in recipients and IDN not in recipients  # the domain goes in ASCII (IDNA)
    assert (NON_ASCII_LOCAL in recipients) == (delivered and poison == NON_ASCII_LOCAL)
    if delivered:
        return
    # the outbox page shows it with its reason and a form to correct the address
    login(client, "official@oita.example.jp")
    page = client.get("/outbox").get_data(as_text=True)
    assert "送信できないメール（1件）" in page and poison in page
    assert f"/outbox/{poisoned_id}/resend" in page
    refused = client.post(f"/outbox/{poisoned_id}/resend", data={"email": "担当@usuki.example.jp"})
    assert refused.status_code == 422 and "「@」より前に日本語" in refused.get_data(as_text=True)
    fixed = client.post(f"/outbox/{poisoned_id}/resend", data={"email": "taro@usuki.example.jp"},
                        follow_redirects=True)
    assert fixed.status_code == 200 and "taro@usuki.example.jp に送信しました" in fixed.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(OutboxMessage, poisoned_id)
        assert row.status == SENT and row.last_error == ""
        message_id = row.message_id
    resent = [m for m in server.inbox.messages() if m["Message-ID"] == message_id]
    assert len(resent) == 1 and resent[0]["To"].addresses[0].addr_spec == "taro@usuki.example.jp"
    assert resent[0]["To"].addresses[0].display_name == "臼杵 太郎14"
    assert client.post(f"/outbox/{poisoned_id}/resend", data={"email": "x@usuki.example.jp"}).status_code == 404


@pytest.mark.parametrize("server", [(False, ())], indirect=True)
def test_crashed_sender_rows_are_taken_again_after_the_lease_and_sent_once(app, server):
    app.config.update(server.config())
    with app.app_context():
        prefecture = make_prefecture()
        rows = _queue_30(app, prefecture.id, "member99@usuki.example.jp")[:5]
        message_ids = sorted(r.message_id for r in rows)
        now = utcnow()
        # a sender claimed five rows and died before sending any of them
        assert len(_claim([r.id for r in rows], now, force=False)) == 5
        during = deliver(_settings(app), ids=[r.id for r in rows], now=now + timedelta(seconds=1))
        assert during.sent == 0 and server.inbox.received == []  # its lease still holds
        after = deliver(_settings(app), ids=[r.id for r in rows], now=now + LEASE + timedelta(seconds=1))
        again = deliver(_settings(app), ids=[r.id for r in rows], force=True)
        assert (after.sent, again.sent) == (5, 0)
        assert {db.session.get(OutboxMessage, r.id).status for r in rows} == {SENT}
    assert sorted(server.inbox.message_ids()) == message_ids  # once each, same Message-ID


@pytest.mark.parametrize("server", [(False, ())], indirect=True)
def test_unreachable_server_records_the_error_and_leaves_nothing_sending(app, server, runner):
    app.config.update(server.config())
    server.stop()
    with app.app_context():
        prefecture = make_prefecture()
        _queue_30(app, prefecture.id, "member99@usuki.example.jp")
    result = runner.invoke(args=["send-mail", "--now"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "接続できません" in result.output
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage)).all()
        assert {r.status for r in rows} == {WAITING}
        [tried] = [r for r in rows if r.last_error]
        assert tried.last_error_at is not None and tried.attempts == 1
    server.start()
    assert runner.invoke(args=["send-mail", "--now"]).exit_code == 0
    assert len(server.inbox.received) == 30


def test_send_mail_limit_out_of_range_is_refused_without_traceback(runner):
    for value in ("0", "-5", "10" * 20, "abc"):
        result = runner.invoke(args=["send-mail", "--limit", value])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert re.search(r"--limit", result.output)
