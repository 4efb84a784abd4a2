"""Mail: messages are built with the standard library's `email` package and written to the
outbox table in the caller's transaction (`queue`); `deliver` sends what is due, later.

Why the standard library and not Flask-Mailman: we need the finished bytes in the database
before anything is sent (a retry must be the same message, Message-ID included), and
EmailMessage with policy SMTP already does RFC 2047 headers, UTF-8 bodies and iMIP parts;
sending is then one `smtplib.sendmail` call, with nothing a mail extension would add.

Delivery is at-least-once with one sender per row: a sender claims a row with one
conditional UPDATE (only one of two servers matches it) and holds it for a lease; a sender
that dies mid-way leaves a row another takes over after the lease, with the same Message-ID.
With no MAIL_SERVER, messages are written as .eml files to a folder instead (the demo and a
closed network lose nothing).
"""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from planner.models import OutboxMessage
from planner.models.account import utcnow
from planner.models.db import db
from planner.models.mail import SENDING, SENT, WAITING

#: rows claimed by one statement (one commit) before they are sent one by one
CLAIM_BATCH = 20
#: a claimed row stays with its sender this long (an SMTP conversation takes seconds)
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
SMTP_TIMEOUT = 10
#: refusals of one message; anything else (refused connection, timeout) stops the run
PER_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


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


def build_message(settings: MailSettings, to_name: str, to_email: str, subject: str, body: str,
                  calendar: CalendarPart | list[CalendarPart] | None = None,
                  now: datetime | None = None) -> EmailMessage:
    """A Japanese plain-text mail (UTF-8, base64) with an optional text/calendar alternative;
    several calendar parts (one event each) go as attachments of a multipart/mixed mail."""
    message = EmailMessage(policy=SMTP)
    message["From"] = settings.sender
    # a name typed with a line break must not break the header (nor the publication)
    message["To"] = Address(display_name=" ".join(to_name.split()), addr_spec=to_email)
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


def queue(settings: MailSettings, prefecture_id: int, kind: str, to_name: str, to_email: str,
          subject: str, body: str, calendar: CalendarPart | list[CalendarPart] | None = None) -> OutboxMessage:
    """Add the message to the outbox in the caller's transaction (the caller commits)."""
    message = build_message(settings, to_name, to_email, subject, body, calendar)
    row = OutboxMessage(prefecture_id=prefecture_id, kind=kind, recipient=to_email,
                        subject=subject[:300], message_id=message["Message-ID"],
                        raw=message.as_bytes(), status=WAITING, next_try_at=utcnow())
    db.session.add(row)
    return row


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


# --------------------------------------------------------------------------- delivery

class _SmtpConnection:
    """One SMTP session opened on the first message and reused for the rest of a run."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        if s.use_ssl:
            smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=SMTP_TIMEOUT,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.server, s.port, timeout=SMTP_TIMEOUT)
            if s.use_tls:
                smtp.starttls(context=ssl.create_default_context())
        if s.username:
            smtp.login(s.username, s.password)
        return smtp

    def send(self, row: OutboxMessage) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        recipients = [address for _, address in getaddresses([row.recipient])]
        self.smtp.sendmail(self.settings.sender_address, recipients, row.raw)

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

    def send(self, row: OutboxMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{row.id:06d}.eml"
        draft = target.with_suffix(".part")
        draft.write_bytes(row.raw)
        draft.replace(target)

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


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    last_error: str = ""


def deliver(settings: MailSettings, ids: list[int] | None = None, limit: int = 500,
            force: bool = False, now: datetime | None = None) -> DeliveryReport:
    """Send the due messages (or only `ids`; `force` skips the back-off wait), each claimed
    first; a failure puts the row back with its error and a later try. When the server
    cannot be reached, the run stops there."""
    now = now or utcnow()
    query = db.select(OutboxMessage.id).where(_due(now, force)).order_by(OutboxMessage.id).limit(limit)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    candidates = list(db.session.scalars(query))
    db.session.commit()  # end the read so claims are fresh statements
    connection = _SmtpConnection(settings) if settings.server else _FileOutbox(settings)
    report = DeliveryReport()
    try:
        for first in range(0, len(candidates), CLAIM_BATCH):
            claimed = _claim(candidates[first:first + CLAIM_BATCH], now, force)
            rows = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                                      .order_by(OutboxMessage.id)).all()
            for index, row in enumerate(rows):
                try:
                    connection.send(row)
                except (smtplib.SMTPException, OSError) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:500]
                    _finish(row.id, status=WAITING, lease_until=None, last_error=error,
                            next_try_at=utcnow() + retry_delay(row.attempts))
                    report.failed += 1
                    report.last_error = error
                    if not isinstance(exc, PER_MESSAGE_ERRORS):
                        _release([r.id for r in rows[index + 1:]])
                        return report  # the server is away: leave the rest for the next run
                    continue
                _finish(row.id, status=SENT, sent_at=utcnow(), lease_until=None, last_error="")
                report.sent += 1
    finally:
        connection.close()
    return report


def pending_count(prefecture_id: int) -> int:
    return db.session.scalar(db.select(db.func.count(OutboxMessage.id)).where(
        OutboxMessage.prefecture_id == prefecture_id, OutboxMessage.status != SENT))
