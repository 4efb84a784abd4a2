"""Calendar events as plain data, their versions, and what each person was sent by mail.

`versioned(events)` gives every event its SEQUENCE from a digest of its own content (one
EventVersion row per UID). Files and feeds (PUBLISH) carry current events only: a removed
event simply leaves them. People who were sent an event by mail get METHOD:CANCEL when it
goes away for them; `mail_changes(scope, events)` says what to send, per recipient.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from planner.models import EventVersion, Plan, PublishedEvent, Training, TrainingSubject
from planner.models.db import db

TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT: timed (aware datetimes) or all-day (dates, end exclusive)."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime
    sequence: int = 0
    description: str = ""
    location: str = ""
    status: str = "CONFIRMED"
    url: str = ""
    #: who the event concerns (a role's holder): ATTENDEE in invitations, never in feeds
    attendee: tuple[str, str] | None = field(default=None, compare=False)

    @property
    def fingerprint(self) -> str:
        """A digest of what a calendar shows; any change raises the sequence. The link is
        left out: the same event reached through another host name is not a new version."""
        text = "\x1f".join((self.summary, self.start.isoformat(), self.end.isoformat(),
                            self.description, self.location, self.status))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parse(text: str) -> date | datetime:
    """A stored start or end; times come back in Tokyo (an offset alone would be written
    as TZID=UTC+09:00, which calendars do not know)."""
    if "T" not in text:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    return moment.astimezone(TOKYO) if moment.tzinfo else moment


def _versions(uids: list[str]) -> dict[str, EventVersion]:
    if not uids:
        return {}
    return {v.uid: v for v in db.session.scalars(db.select(EventVersion).where(EventVersion.uid.in_(uids)))}


def _stamp(events: list[CalendarEvent]) -> list[CalendarEvent]:
    rows = _versions([e.uid for e in events])
    out = []
    for event in events:
        row = rows.get(event.uid)
        if row is None:
            row = rows[event.uid] = EventVersion(uid=event.uid, sequence=0, fingerprint=event.fingerprint)
            db.session.add(row)
        elif row.fingerprint != event.fingerprint:
            row.sequence, row.fingerprint = row.sequence + 1, event.fingerprint
        out.append(replace(event, sequence=row.sequence))
    return out


def versioned(events: list[CalendarEvent]) -> list[CalendarEvent]:
    """The events with their sequences (committed); a simultaneous first sight of the same
    event by two requests is retried once."""
    try:
        result = _stamp(events)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        result = _stamp(events)
        db.session.commit()
    return result


def versioned_in_transaction(events: list[CalendarEvent]) -> list[CalendarEvent]:
    """`versioned` inside the caller's transaction (the caller commits)."""
    result = _stamp(events)
    db.session.flush()
    return result


def training_scope(member_id: int, training_id: int) -> str:
    """What a member was sent of one training's roles (see PublishedEvent.scope)."""
    return f"mail-{member_id}-training-{training_id}"


def mail_changes(scope: str, events: list[CalendarEvent]) -> tuple[list[CalendarEvent], list[CalendarEvent]]:
    """For one recipient: (events to send as REQUEST: new for them or changed since sent,
    events to send as CANCEL: sent before and gone for them now), recording what is sent.
    A cancellation raises the event's version, so a later REQUEST of it is newer still.
    No commit: the caller writes the mails in the same transaction."""
    rows = {r.uid: r for r in db.session.scalars(
        db.select(PublishedEvent).where(PublishedEvent.scope == scope))}
    requests = []
    for event in versioned_in_transaction(events):
        row = rows.pop(event.uid, None)
        if row is not None and not row.cancelled and row.fingerprint == event.fingerprint \
                and row.sequence == event.sequence:
            continue
        if row is None:
            row = PublishedEvent(scope=scope, uid=event.uid)
            db.session.add(row)
        row.sequence, row.fingerprint, row.cancelled = event.sequence, event.fingerprint, False
        row.summary, row.start, row.end = event.summary, event.start.isoformat(), event.end.isoformat()
        row.description, row.location, row.url = event.description, event.location, event.url
        requests.append(event)
    cancels = []
    versions = _versions([r.uid for r in rows.values() if not r.cancelled])
    for row in rows.values():
        if row.cancelled:
            continue
        version = versions.get(row.uid)
        if version is not None:
            version.sequence += 1
            row.sequence = version.sequence
        else:
            row.sequence += 1
        row.cancelled = True
        cancels.append(CalendarEvent(uid=row.uid, summary=row.summary, start=_parse(row.start),
                                     end=_parse(row.end), sequence=row.sequence, status="CANCELLED"))
    db.session.flush()
    return requests, cancels


def sent_events(scope: str) -> list[CalendarEvent]:
    """The events a recipient holds as last sent (cancelled ones left out), with their
    sequences: what a published version put in their calendar."""
    rows = db.session.scalars(db.select(PublishedEvent).where(
        PublishedEvent.scope == scope, PublishedEvent.cancelled.is_(False)).order_by(PublishedEvent.start))
    return [CalendarEvent(uid=r.uid, summary=r.summary, start=_parse(r.start), end=_parse(r.end),
                          sequence=r.sequence, description=r.description, location=r.location, url=r.url)
            for r in rows]


# --------------------------------------------------------------------------- personal feeds

def load_for_feed(plan_ids: set[int]) -> None:
    """Everything a personal feed walks, one query per table (trainings, subjects and their
    supplementary events, slots, versions, the teams), so the builder finds it in the session."""
    db.session.scalars(db.select(Plan).where(Plan.id.in_(plan_ids)).options(
        so.selectinload(Plan.members).lazyload("*"),
        so.selectinload(Plan.trainings).options(
            so.selectinload(Training.subjects).selectinload(TrainingSubject.supplements),
            so.selectinload(Training.slots),
            so.selectinload(Training.versions)))).all()
