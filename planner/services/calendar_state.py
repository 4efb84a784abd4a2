"""Calendar events as plain data, and what each calendar file last published.

`publish(scope, events)` compares the events a file carries now with what it carried the
last time it was made: a changed event keeps its UID and gets a higher SEQUENCE, an event
that disappeared comes back once more as STATUS:CANCELLED (see models.calendar).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from planner.models import PublishedEvent
from planner.models.db import db

TOKYO = ZoneInfo("Asia/Tokyo")
#: a cancellation is repeated this long after it was first sent (every subscriber has
#: refreshed by then), then forgotten
KEEP_CANCELLED = timedelta(days=180)


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

    @property
    def fingerprint(self) -> str:
        """A digest of everything a calendar shows; any change raises the sequence."""
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


def _cancelled_long_ago(row: PublishedEvent) -> bool:
    cutoff = datetime.now(timezone.utc).replace(tzinfo=None) - KEEP_CANCELLED
    return row.cancelled and row.updated_at is not None and row.updated_at < cutoff


def reconcile(scope: str, events: list[CalendarEvent]) -> list[CalendarEvent]:
    """The events with their sequences, plus cancellations; updates the record (no commit)."""
    rows = {r.uid: r for r in db.session.scalars(
        db.select(PublishedEvent).where(PublishedEvent.scope == scope))}
    out = []
    for event in events:
        row = rows.pop(event.uid, None)
        fingerprint = event.fingerprint
        if row is None:
            row = PublishedEvent(scope=scope, uid=event.uid, sequence=event.sequence)
            db.session.add(row)
            sequence = event.sequence
        else:
            sequence = max(event.sequence, row.sequence)
            if (row.fingerprint != fingerprint or row.cancelled) and sequence <= row.sequence:
                sequence = row.sequence + 1
        row.sequence, row.fingerprint, row.cancelled = sequence, fingerprint, False
        row.summary, row.start, row.end = event.summary, event.start.isoformat(), event.end.isoformat()
        out.append(replace(event, sequence=sequence))
    for row in rows.values():
        if _cancelled_long_ago(row):
            db.session.delete(row)
            continue
        if not row.cancelled:
            row.cancelled, row.sequence = True, row.sequence + 1
        out.append(CalendarEvent(uid=row.uid, summary=row.summary, start=_parse(row.start),
                                 end=_parse(row.end), sequence=row.sequence, status="CANCELLED"))
    return out


def publish(scope: str, events: list[CalendarEvent]) -> list[CalendarEvent]:
    """`reconcile` and commit; a simultaneous first fetch of the same file is retried once."""
    try:
        result = reconcile(scope, events)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        result = reconcile(scope, events)
        db.session.commit()
    return result
