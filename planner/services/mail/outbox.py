"""Mail: messages are built with the standard library's `email` package and written to the
outbox table in the caller's transaction (`queue`); `deliver` sends what is due, later.

Why the standard library and not Flask-Mailman: we need the finished bytes in the database
before anything is sent (a retry must be the same message, Message-ID included), and
EmailMessage with policy SMTP already does RFC 2047 headers, UTF-8 bodies and iMIP parts;
sending is then one `smtplib.sendmail` call, with nothing a mail extension would add.

Each message is sent, failed or retried on its own: its error (time and reason) is written on
its row, a message that can never go (an address no server takes, a 5xx refusal) is failed at
once and waits in the outbox for an official to correct it, and the others go on. Only a server
that cannot be reached at all stops a run.

Delivery is at-least-once with one sender per row: a sender claims a row with one
conditional UPDATE (only one of two servers matches it) and holds it for a lease; a sender
that dies mid-way leaves a row another takes over after the lease, with the same Message-ID.
With no MAIL_SERVER, messages are written as .eml files to a folder instead (the demo and a
closed network lose nothing).
"""
from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from planner.domain import addresses
from planner.domain.fields import FieldError
from planner.models import OutboxMessage
from planner.models.account import utcnow
from planner.models.db import db
from planner.models.mail import FAILED, SENDING, SENT, WAITING

#: rows claimed by one statement (one commit) before they are sent one by one
CLAIM_BATCH = 20
#: a claimed row stays with its sender this long (an SMTP conversation takes seconds)
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
SMTP_TIMEOUT = 10
#: tries of a message that keeps failing with temporary errors before it is failed for good
#: (1 + 2 + 4 + … minutes: about a day)
MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class MailSettings:
    """The MAIL_* settings of app.Config; `server` empty means the file outbox."""

    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str
    password: str
    sender: str
    outbox_dir: Path

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        return cls(server=config.get("MAIL_SERVER") or "",
                   port=int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25)),
                   use_tls=bool(config.get("MAIL_USE_TLS")), use_ssl=bool(config.get("MAIL_USE_SSL")),
                   username=config.get("MAIL_USERNAME") or "", password=config.get("MAIL_PASSWORD") or "",
                   sender=config.get("MAIL_DEFAULT_SENDER") or "no-reply@planner.example.jp",
                   outbox_dir=Path(config["MAIL_OUTBOX_DIR"]))

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]


# --------------------------------------------------------------------------- queueing

@dataclass(frozen=True)
class CalendarPart:
    """An iMIP part (RFC 6047): the METHOD in the MIME type must match the file's METHOD line."""

    method: str
    data: bytes
    filename: str = "invite.ics"


def _to_header(message: EmailMessage, to_name: str, wire: addresses.WireAddress) -> None:
    """To with the display name; an ASCII address through `Address` (RFC 2047 name, no CR/LF),
    a non-ASCII local part as UTF-8 text (the message then uses policy SMTPUTF8)."""
    to_name = re.sub(r"[\r\n]+", " ", to_name)  # a name typed with a line break must not break the header
    if not wire.smtputf8:
        message["To"] = Address(display_name=to_name, addr_spec=wire.addr)
        return
    name = "".join(c for c in to_name if c not in '\r\n"\\')
    message["To"] = f'"{name}" <{wire.addr}>' if name else wire.addr


def build_message(settings: MailSettings, to_name: str, to_email: str, subject: str, body: str,
                  calendar: CalendarPart | list[CalendarPart] | None = None,
                  now: datetime | None = None) -> EmailMessage:
    """A Japanese plain-text mail (UTF-8, base64) with an optional text/calendar alternative;
    several calendar parts (one event each) go as attachments of a multipart/mixed mail.

    The domain of the address goes in its IDNA (xn--) form. An address that can never be sent
    leaves To out (FieldError is not raised here: `queue` records the reason on the row)."""
    try:
        wire = addresses.wire_address(to_email)
    except FieldError:
        wire = None
    message = EmailMessage(policy=SMTPUTF8 if wire is not None and wire.smtputf8 else SMTP)
    message["From"] = settings.sender
    if wire is not None:
        _to_header(message, to_name, wire)
    message["Subject"] = subject  # policy SMTP encodes it per RFC 2047
    message["Date"] = format_datetime(now or datetime.now().astimezone())
    domain = settings.sender_address.rpartition("@")[2] or "planner.example.jp"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, charset="utf-8", cte="base64")
    if isinstance(calendar, list):
        if len(calendar) > 1:
            for part in calendar:
                message.add_attachment(part.data, maintype="text", subtype="calendar", cte="base64",
                                       filename=part.filename,
                                       params={"method": part.method, "charset": "UTF-8"})
            return message
        calendar = calendar[0] if calendar else None
    if calendar is not None:
        message.add_alternative(calendar.data, maintype="text", subtype="calendar", cte="base64",
                                params={"method": calendar.method, "charset": "UTF-8"})
    return message


def address_problem(to_email: str) -> str:
    """Why a message to this address can never be sent ("" when it can)."""
    try:
        addresses.wire_address(to_email)
    except FieldError as exc:
        return f"宛先のアドレス「{to_email}」に送れません: {exc}"
    return ""


def queue(settings: MailSettings, prefecture_id: int, kind: str, to_name: str, to_email: str,
          subject: str, body: str, calendar: CalendarPart | list[CalendarPart] | None = None) -> OutboxMessage:
    """Add the message to the outbox in the caller's transaction (the caller commits).

    A message to an address that can never be sent is kept as failed at once, with the
    reason, so the official sees it in the outbox and can correct the address there; the
    change that caused it (and every other message) goes ahead."""
    message = build_message(settings, to_name, to_email, subject, body, calendar)
    return _add_row(message, prefecture_id, kind, to_name, to_email, subject)


def _add_row(message: EmailMessage, prefecture_id: int, kind: str, to_name: str, to_email: str,
             subject: str) -> OutboxMessage:
    """The outbox row of a built message: waiting, or failed at once when its address can never be sent."""
    problem = address_problem(to_email)
    now = utcnow()
    row = OutboxMessage(prefecture_id=prefecture_id, kind=kind, recipient=(to_email or "")[:254],
                        recipient_name=(to_name or "")[:200],
                        subject=subject[:300], message_id=message["Message-ID"],
                        raw=message.as_bytes(), status=FAILED if problem else WAITING, next_try_at=now,
                        last_error=problem[:500], last_error_at=now if problem else None)
    db.session.add(row)
    return row


@dataclass(frozen=True)
class FilePart:
    """A file attached to a mail (a 開催通知 .docx). Officials on LGWAN may get the mail with
    attachments removed, so the text must say everything the file says."""

    filename: str
    data: bytes
    maintype: str = "application"
    subtype: str = "octet-stream"


def queue_with_files(settings: MailSettings, prefecture_id: int, kind: str, to_name: str, to_email: str,
                     subject: str, body: str, files: list[FilePart]) -> OutboxMessage:
    """Like `queue`, with files attached after the text (multipart/mixed); the caller commits."""
    message = build_message(settings, to_name, to_email, subject, body)
    for part in files:
        message.add_attachment(part.data, maintype=part.maintype, subtype=part.subtype, filename=part.filename)
    return _add_row(message, prefecture_id, kind, to_name, to_email, subject)


def readdress(row: OutboxMessage, to_email: str) -> None:
    """Point a failed (or waiting) message at a corrected address and queue it again: same
    Message-ID and body, new To. FieldError (Japanese) when the new address is not valid
    where addresses are entered. The caller commits."""
    stored = addresses.check_address(to_email)
    wire = addresses.wire_address(stored)
    message = message_from_bytes(row.raw, policy=SMTP)
    del message["To"]
    _to_header(message, row.recipient_name, wire)
    row.raw = message.as_bytes(policy=SMTPUTF8 if wire.smtputf8 else SMTP)
    row.recipient = stored
    row.status, row.attempts, row.next_try_at, row.lease_until = WAITING, 0, utcnow(), None
    row.last_error, row.last_error_at = "", None


# The app sends right after the commit that queued a message: the ids flushed in a
# transaction become "committed" only when it commits, and are forgotten on rollback.

@sa.event.listens_for(Session, "after_flush")
def _remember_new(session, _context):
    new = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if new:
        session.info.setdefault("outbox_flushed", []).extend(new)


@sa.event.listens_for(Session, "after_commit")
def _committed(session):
    flushed = session.info.pop("outbox_flushed", None)
    if flushed:
        session.info.setdefault("outbox_committed", []).extend(flushed)


@sa.event.listens_for(Session, "after_rollback")
def _rolled_back(session):
    session.info.pop("outbox_flushed", None)


def take_committed_ids() -> list[int]:
    """The ids of messages committed since the last call (to send them now)."""
    return db.session.info.pop("outbox_committed", [])


def deliver_committed(config: Mapping) -> None:
    """Send the messages committed since the last call; on a failure roll back and re-raise."""
    ids = take_committed_ids()
    if ids:
        try:
            deliver(MailSettings.from_config(config), ids=ids)
        except Exception:  # the mail waits in the outbox; the caller's change is saved
            db.session.rollback()
            raise


# --------------------------------------------------------------------------- delivery

class ServerAway(Exception):
    """The SMTP server could not be reached or logged into: no message can go this run."""


class _SmtpConnection:
    """One SMTP session opened on the first message and reused for the rest of a run; after a
    message broke the session, the next message opens a new one."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.use_ssl:
                smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=SMTP_TIMEOUT,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.server, s.port, timeout=SMTP_TIMEOUT)
                if s.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password)
        except (smtplib.SMTPException, OSError) as exc:
            raise ServerAway(f"{type(exc).__name__}: {exc}") from exc
        return smtp

    def send(self, row: OutboxMessage, wire: addresses.WireAddress) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        options = ["SMTPUTF8"] if wire.smtputf8 else []
        self.smtp.sendmail(self.settings.sender_address, [wire.addr], row.raw, mail_options=options)

    def drop(self) -> None:
        """Forget a session a message broke (the next message reconnects)."""
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass
            except OSError:
                pass


class _FileOutbox:
    """No SMTP server: each message becomes instance/outbox/<id>.eml, written aside then renamed,
    so a retry replaces the same file instead of making a second one."""

    def __init__(self, settings: MailSettings):
        self.folder = settings.outbox_dir

    def send(self, row: OutboxMessage, wire: addresses.WireAddress) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{row.id:06d}.eml"
        draft = target.with_suffix(".part")
        draft.write_bytes(row.raw)
        draft.replace(target)

    def drop(self) -> None:
        pass

    def close(self) -> None:
        pass


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _due(now: datetime, force: bool = False):
    """Waiting rows whose time has come (all waiting rows when forced), and rows whose
    sender's lease ran out."""
    waiting = OutboxMessage.status == WAITING
    if not force:
        waiting = db.and_(waiting, OutboxMessage.next_try_at <= now)
    return db.or_(waiting,
                  db.and_(OutboxMessage.status == SENDING, OutboxMessage.lease_until < now))


def _claim(row_ids: list[int], now: datetime, force: bool) -> list[int]:
    """Take rows for this sender: one conditional UPDATE, so of two senders exactly one
    matches each row (PostgreSQL re-checks the WHERE after the other's commit; SQLite writes
    one at a time); RETURNING says which ones this sender got."""
    claimed = db.session.scalars(
        db.update(OutboxMessage).where(OutboxMessage.id.in_(row_ids), _due(now, force))
        .values(status=SENDING, lease_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id).execution_options(synchronize_session=False)).all()
    db.session.commit()
    return sorted(claimed)


def _release(row_ids: list[int]) -> None:
    """Claimed rows this run did not get to: back to waiting, the attempt not counted."""
    if row_ids:
        db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id.in_(row_ids),
                                                          OutboxMessage.status == SENDING)
                           .values(status=WAITING, lease_until=None, attempts=OutboxMessage.attempts - 1)
                           .execution_options(synchronize_session=False))
        db.session.commit()


def _finish(row_id: int, **values) -> None:
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == row_id,
                                                      OutboxMessage.status == SENDING)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


@dataclass(frozen=True)
class _Failure:
    """What one message's error means: `permanent` stops only that message; `session_broken`
    makes the next message reconnect."""

    reason: str
    permanent: bool
    session_broken: bool = False


def _code_permanent(code) -> bool:
    return isinstance(code, int) and 500 <= code < 600


def _classify(exc: BaseException) -> _Failure:
    """Sort an error of one message (RFC 5321: 5xx is permanent, 4xx is worth another try)."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return _Failure("宛先の「@」より前に日本語などが含まれ、送信サーバが SMTPUTF8 に対応していないため送れません。"
                        f"宛先のアドレスを直してください（{detail}）", True)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = bool(codes) and all(_code_permanent(c) for c in codes)
        what = "宛先を受け付けませんでした" + ("（アドレスを確かめてください）" if permanent else "（一時的なエラー。あとで再送します）")
        return _Failure(f"送信サーバが{what}: {detail}", permanent)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _Failure(f"送信サーバが差出人（MAIL_DEFAULT_SENDER）を受け付けませんでした。あとで再送します: {detail}", False)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _Failure(f"送信中に接続が切れました。あとで再送します: {detail}", False, True)
    if isinstance(exc, smtplib.SMTPResponseException):
        permanent = _code_permanent(exc.smtp_code)
        return _Failure(f"送信サーバがこのメールを{'受け付けませんでした' if permanent else '一時的に受け付けませんでした。あとで再送します'}: {detail}",
                        permanent)
    if isinstance(exc, (UnicodeError, ValueError)):
        return _Failure(f"このメールは送信用に変換できません（宛先や件名を確かめてください）: {detail}", True)
    if isinstance(exc, (smtplib.SMTPException, OSError)):
        return _Failure(f"送信中に通信のエラーがありました。あとで再送します: {detail}", False, True)
    return _Failure(f"予期しないエラーで送れませんでした。あとで再送します: {detail}", False, True)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    last_error: str = ""
    #: messages given up on in this run (they stay in the outbox as failed)
    given_up: int = 0


def _fail(row: OutboxMessage, failure: _Failure, report: DeliveryReport) -> None:
    """Record the error on the row: failed for good, or waiting for its next try (failed
    after MAX_ATTEMPTS tries)."""
    now = utcnow()
    given_up = failure.permanent or row.attempts >= MAX_ATTEMPTS
    reason = failure.reason
    if given_up and not failure.permanent:
        reason = f"{MAX_ATTEMPTS}回送れなかったため送信をやめました。{reason}"
    _finish(row.id, status=FAILED if given_up else WAITING, lease_until=None, last_error=reason[:500],
            last_error_at=now, next_try_at=now + retry_delay(row.attempts))
    report.failed += 1
    report.given_up += given_up
    report.last_error = reason[:500]


def _send_one(connection, row: OutboxMessage, report: DeliveryReport) -> None:
    """Send one claimed row and record what happened on it; raises ServerAway only."""
    try:
        wire = addresses.wire_address(row.recipient)
    except FieldError as exc:
        _fail(row, _Failure(f"宛先のアドレス「{row.recipient}」に送れません: {exc}", True), report)
        return
    try:
        connection.send(row, wire)
    except ServerAway:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever one message raises stays with that message
        failure = _classify(exc)
        if failure.session_broken:
            connection.drop()
        _fail(row, failure, report)
        return
    _finish(row.id, status=SENT, sent_at=utcnow(), lease_until=None, last_error="")
    report.sent += 1


def deliver(settings: MailSettings, ids: list[int] | None = None, limit: int = 500,
            force: bool = False, now: datetime | None = None) -> DeliveryReport:
    """Send the due messages (or only `ids`; `force` skips the back-off wait), each claimed
    first. Each message is sent, failed or retried on its own, with its error recorded on its
    row; only a server that cannot be reached stops the run (the rest wait for the next one).
    No row this run claimed is left in "sending" when it returns."""
    now = now or utcnow()
    query = db.select(OutboxMessage.id).where(_due(now, force)).order_by(OutboxMessage.id).limit(limit)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    candidates = list(db.session.scalars(query))
    db.session.commit()  # end the read so claims are fresh statements
    connection = _SmtpConnection(settings) if settings.server else _FileOutbox(settings)
    report = DeliveryReport()
    unfinished: list[int] = []
    try:
        for first in range(0, len(candidates), CLAIM_BATCH):
            claimed = _claim(candidates[first:first + CLAIM_BATCH], now, force)
            rows = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                                      .order_by(OutboxMessage.id)).all()
            unfinished = [row.id for row in rows]
            for row in rows:
                try:
                    _send_one(connection, row, report)
                except ServerAway as exc:
                    _fail(row, _Failure(f"送信サーバに接続できません。あとで再送します: {exc}", False), report)
                    unfinished.remove(row.id)
                    return report  # the server is away: the rest wait for the next run
                unfinished.remove(row.id)
            unfinished = []
    finally:
        db.session.rollback()  # a failed statement must not keep the release below from running
        _release(unfinished)
        connection.close()
    return report


def resend(prefecture_id: int, message_id: int, to_email: str) -> OutboxMessage | None:
    """An official corrects the address of an unsent message of their prefecture and queues it
    again (committed); None when there is no such unsent message. FieldError for a bad address."""
    row = db.session.scalar(db.select(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.prefecture_id == prefecture_id,
        OutboxMessage.status.in_((FAILED, WAITING))))
    if row is None:
        return None
    try:
        readdress(row, to_email)
    except FieldError:
        db.session.rollback()
        raise
    db.session.commit()
    return row


class OutboxLists(NamedTuple):
    waiting: list[OutboxMessage]
    sent: list[OutboxMessage]
    failed: list[OutboxMessage]


def list_outbox(prefecture_id: int) -> OutboxLists:
    """The prefecture's messages waiting to be sent, the last 50 sent, and the failed ones."""
    return OutboxLists(_messages(prefecture_id, False), _messages(prefecture_id, True),
                       _messages(prefecture_id, False, failed=True))


def _messages(prefecture_id: int, sent: bool, failed: bool = False) -> list[OutboxMessage]:
    query = db.select(OutboxMessage).where(OutboxMessage.prefecture_id == prefecture_id)
    if sent:
        query = query.where(OutboxMessage.status == SENT).order_by(OutboxMessage.sent_at.desc()).limit(50)
    elif failed:
        query = query.where(OutboxMessage.status == FAILED).order_by(OutboxMessage.id)
    else:
        query = query.where(OutboxMessage.status.not_in((SENT, FAILED))).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def find_message(prefecture_id: int, message_id: int) -> OutboxMessage | None:
    """The prefecture's message with this id, or None."""
    row = db.session.get(OutboxMessage, message_id)
    if row is None or row.prefecture_id != prefecture_id:
        return None
    return row


def pending_count(prefecture_id: int) -> int:
    return db.session.scalar(db.select(db.func.count(OutboxMessage.id)).where(
        OutboxMessage.prefecture_id == prefecture_id, OutboxMessage.status != SENT))
