"""Calendar state: the version of every event, and what each person was sent by mail."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import utcnow
from planner.models.db import db


class EventVersion(db.Model):
    """One real event (one UID, whichever file or mail carries it) and its SEQUENCE.

    The sequence rises only when a digest of the event's own content changes, so an
    unrelated change to the training never makes calendars show "updated"; and the feed,
    the timetable file and the invitations agree on it because they share this row.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uid: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    sequence: so.Mapped[int] = so.mapped_column(default=0)
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)


class PublishedEvent(db.Model):
    """One event as a person was last sent it by mail (METHOD:REQUEST), so that a later
    publication sends REQUEST only for what changed for them and CANCEL for what they no
    longer have: remembering what was sent catches every way a role or subject can go
    (release, reassignment, removal, ON DELETE CASCADE) without hooking each of them.
    """

    __table_args__ = (sa.UniqueConstraint("scope", "uid"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the recipient: "mail-<team member id>"
    scope: so.Mapped[str] = so.mapped_column(sa.String(60), index=True)
    uid: so.Mapped[str] = so.mapped_column(sa.String(255))
    sequence: so.Mapped[int] = so.mapped_column(default=0)
    #: the digest of the event as sent; a different one now means "changed"
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    summary: so.Mapped[str] = so.mapped_column(sa.Text)
    #: ISO dates or aware datetimes as text, so all-day and timed events fit one column
    start: so.Mapped[str] = so.mapped_column(sa.String(40))
    end: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: the rest of the event as sent: a published training's feed shows it until the next version
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    location: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    url: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    #: a CANCEL was sent for it
    cancelled: so.Mapped[bool] = so.mapped_column(default=False)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
