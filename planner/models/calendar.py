"""What each calendar file last published, so a removed event can be sent as CANCELLED."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import utcnow
from planner.models.db import db


class PublishedEvent(db.Model):
    """One event as a calendar file (a member's feed, a training's timetable) last carried it.

    Remembering what was published, rather than hooking every path that can remove a slot,
    subject or training (sync_slots, release, reassignment, ON DELETE CASCADE in the
    database), catches every removal: an event published before and missing now is sent
    once more with STATUS:CANCELLED and a higher SEQUENCE. An event never published needs
    no cancellation.
    """

    __table_args__ = (sa.UniqueConstraint("scope", "uid"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the file the event belongs to: "member-<user id>", "training-<id>", "plan-<id>-meetings"
    scope: so.Mapped[str] = so.mapped_column(sa.String(60), index=True)
    uid: so.Mapped[str] = so.mapped_column(sa.String(255))
    sequence: so.Mapped[int] = so.mapped_column(default=0)
    #: summary, times and details as last published; a change raises the sequence
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    summary: so.Mapped[str] = so.mapped_column(sa.Text)
    #: ISO dates or aware datetimes as text, so all-day and timed events fit one column
    start: so.Mapped[str] = so.mapped_column(sa.String(40))
    end: so.Mapped[str] = so.mapped_column(sa.String(40))
    cancelled: so.Mapped[bool] = so.mapped_column(default=False)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
