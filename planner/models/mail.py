"""The mail outbox: every message is a row written in the same transaction as its cause."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import Prefecture, utcnow
from planner.models.db import db

WAITING, SENDING, SENT = "waiting", "sending", "sent"
#: given up: an address that can never be sent, a permanent (5xx) refusal, too many tries;
#: stays until an official fixes the address and sends it again from the outbox
FAILED = "failed"
STATUS_NAMES = {WAITING: "送信待ち", SENDING: "送信中", SENT: "送信済み", FAILED: "送信できません"}


class OutboxMessage(db.Model):
    """One mail as it will go out: the finished bytes, so a retry is the very same message
    (same Message-ID, same body), and the sending state that senders claim one row at a time."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    prefecture_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("prefecture.id", ondelete="CASCADE"), index=True)
    #: what caused it: "invitation", "calendar", "meeting"
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    recipient: so.Mapped[str] = so.mapped_column(sa.String(254))
    #: the display name of To, kept so a corrected address gets the same greeting
    recipient_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    message_id: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    #: the whole message as sent (RFC 5322 bytes, CRLF)
    raw: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=WAITING, index=True)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_try_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: a sender that claimed the row owns it until then; after that another may take it over
    lease_until: so.Mapped[datetime | None]
    last_error: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    #: when last_error happened (UTC)
    last_error_at: so.Mapped[datetime | None]
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    sent_at: so.Mapped[datetime | None]

    prefecture: so.Mapped[Prefecture] = so.relationship()

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)
