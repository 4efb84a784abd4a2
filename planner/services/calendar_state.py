"""Calendar events as plain data, their versions, and what each person was sent by mail.

`versioned(events)` gives every event its SEQUENCE from a digest of its own content (one
EventVersion row per UID). Files and feeds (PUBLISH) carry current events only: a removed
event simply leaves them. People who were sent an event by mail get METHOD:CANCEL when it
goes away for them; `mail_changes(scope, events)` says what to send, per recipient.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from planner.models import (
    EventVersion,
    Plan,
    ProgrammeVersion,
    PublishedEvent,
    RoleSlot,
    SupplementaryEvent,
    TeamMember,
    Training,
    TrainingSubject,
)
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


def slot_uid(training_id: int, slot_id: int, host: str) -> str:
    """The UID of a held role, the same in the feed and in the invitations."""
    return f"training-{training_id}-slot-{slot_id}@{host}"


def supplement_uid(plan_id: int, event_id: int, host: str) -> str:
    """The UID of a supplementary event (symposium, lecture, case-study meeting)."""
    return f"plan-{plan_id}-supplement-{event_id}@{host}"


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


#: what makes a feed besides the rows: the code and the data files (a deployment changes them)
_SOURCES = ("exports", "planner", "curricula", "data")
#: columns no feed shows that change often (every application of a participant)
_NOT_SHOWN = {"participants_version"}


@cache
def _code_digest() -> str:
    """A digest of the code and data that build feeds, once per process: servers running the
    same release agree on it, and a new release never answers 304 with an old layout."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for folder in _SOURCES:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".toml") and path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _columns(model) -> list:
    return [c for c in model.__table__.columns if c.name not in _NOT_SHOWN]


@cache
def _feed_statements() -> tuple:
    """The digest's queries, built once (their lists of ids are expanding parameters): the
    plans, their trainings, subjects, supplementary events, slots, team names and published
    versions; then what was sent to the members, and the raised sequences of their events."""
    plans = db.bindparam("plans", expanding=True)
    in_plans = Training.plan_id.in_(plans)
    by_plan = (
        db.select(*_columns(Plan)).where(Plan.id.in_(plans)).order_by(Plan.id),
        db.select(*_columns(Training)).where(in_plans).order_by(Training.id),
        db.select(*_columns(TrainingSubject)).join(Training).where(in_plans).order_by(TrainingSubject.id),
        db.select(*_columns(SupplementaryEvent), Training.plan_id).select_from(SupplementaryEvent)
        .join(TrainingSubject).join(Training).where(in_plans).order_by(SupplementaryEvent.id),
        db.select(*_columns(RoleSlot)).join(Training).where(in_plans).order_by(RoleSlot.id),
        db.select(TeamMember.id, TeamMember.plan_id, TeamMember.name, TeamMember.municipality,
                  TeamMember.email).where(TeamMember.plan_id.in_(plans)).order_by(TeamMember.id),
        db.select(ProgrammeVersion.id, ProgrammeVersion.training_id, ProgrammeVersion.number,
                  ProgrammeVersion.published_on).join(Training).where(in_plans).order_by(ProgrammeVersion.id))
    sent = (db.select(*_columns(PublishedEvent))
            .where(PublishedEvent.scope.in_(db.bindparam("scopes", expanding=True))).order_by(PublishedEvent.id))
    # a first build writes sequence 0 for each new event: the same feed as before it
    raised = (db.select(EventVersion.uid, EventVersion.sequence)
              .where(EventVersion.uid.in_(db.bindparam("uids", expanding=True)), EventVersion.sequence > 0)
              .order_by(EventVersion.uid))
    return by_plan, sent, raised


def _feed_rows(member_ids: list[int], plan_ids: list[int], host: str) -> list:
    """Every row a personal feed shows, as plain tuples (a few queries in all)."""
    by_plan, sent, raised = _feed_statements()
    connection = db.session.connection()
    rows = [[tuple(row) for row in connection.execute(statement, {"plans": plan_ids})]
            for statement in by_plan]
    trainings, supplements, slots = rows[1], rows[3], rows[4]
    slot_training, slot_id, slot_holder = (RoleSlot.__table__.columns.keys().index(name)
                                           for name in ("training_id", "id", "holder_id"))
    members = set(member_ids)
    scopes = [training_scope(m, t[0]) for m in member_ids for t in trainings]
    uids = [slot_uid(s[slot_training], s[slot_id], host) for s in slots if s[slot_holder] in members]
    uids += [supplement_uid(e[-1], e[0], host) for e in supplements]
    rows.append([tuple(row) for row in connection.execute(sent, {"scopes": scopes})] if scopes else [])
    rows.append([tuple(row) for row in connection.execute(raised, {"uids": uids})] if uids else [])
    return rows


@dataclass(frozen=True)
class FeedState:
    """The validators of a personal feed: a strong ETag, and when its content last changed
    (whole seconds, UTC; also the feed's DTSTAMP, so one ETag is always the same bytes)."""

    etag: str
    #: naive UTC, as the database keeps times
    modified: datetime


def _whole_seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0, tzinfo=None)


def feed_state(user_id: int, memberships: list[tuple[int, int]], host: str, base_url: str) -> FeedState:
    """The feed's validators without building it: a digest of every row it shows (a few
    plain queries), kept with the time it last changed in the EventVersion row of the feed
    (committed; written only when the digest changed). A later change always gets a later
    second than the one a client holds, so If-Modified-Since never hides it."""
    member_ids = sorted(member for member, _ in memberships)
    plan_ids = sorted({plan for _, plan in memberships})
    text = repr((_code_digest(), host, base_url, member_ids, _feed_rows(member_ids, plan_ids, host)))
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    uid = f"member-{user_id}-feed-{hashlib.sha256(base_url.encode()).hexdigest()[:12]}@{host}"
    for _ in range(3):  # another server may write the same row meanwhile: read it again
        row = db.session.execute(db.select(EventVersion.id, EventVersion.sequence, EventVersion.fingerprint,
                                           EventVersion.updated_at).where(EventVersion.uid == uid)).first()
        if row is not None and row.fingerprint == digest:
            return FeedState(f"{row.sequence}-{digest[:40]}", _whole_seconds(row.updated_at))
        now = _whole_seconds(datetime.now(UTC))
        try:
            if row is None:
                sequence, changed = 0, now
                db.session.execute(db.insert(EventVersion).values(
                    uid=uid, sequence=sequence, fingerprint=digest, updated_at=changed))
            else:
                sequence, changed = row.sequence + 1, max(now, _whole_seconds(row.updated_at) + timedelta(seconds=1))
                done = db.session.execute(db.update(EventVersion).where(
                    EventVersion.id == row.id, EventVersion.fingerprint == row.fingerprint)
                    .values(fingerprint=digest, sequence=sequence, updated_at=changed))
                if done.rowcount != 1:
                    db.session.rollback()
                    continue
            db.session.commit()
            return FeedState(f"{sequence}-{digest[:40]}", changed)
        except IntegrityError:
            db.session.rollback()
    # still racing: validators no client holds, so the feed is simply sent whole
    return FeedState(f"new-{digest[:40]}", _whole_seconds(datetime.now(UTC)))
