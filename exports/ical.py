"""Calendar files (icalendar 7): a training's timetable, the planning meetings, a member's
feed of their own roles, and invitations.

Pure, type-hinted functions: the `*_events` functions read model objects and return
`CalendarEvent`s (UIDs derived from database rows, SEQUENCE from Training.revision);
`calendar_bytes` writes them with TZID Asia/Tokyo and a VTIMEZONE. Which removed events to
send as CANCELLED is decided by planner.services.calendar_state, which remembers what was published.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vDuration

from curricula import get_curriculum
from exports import clean_line, clean_text, programme
from exports.handouts import lecturer_of, member_label, timeline_rows
from planner.domain.timeline import KIND_NAMES
from planner.models import Plan, RoleSlot, TeamMember, Training, User
from planner.models.account import OFFICIAL
from planner.models.db import db
from planner.models.team import ROLE_NAMES
from planner.services.calendar_state import CalendarEvent
from planner.services.roles import slot_label, slot_times
from planner.services.supplements import plan_events
from planner.services.team import members_of_user
from planner.services.timetables import curriculum_subject, subject_title, timetable_of

TOKYO = ZoneInfo("Asia/Tokyo")
PRODID = "-//Dentatsu Kenshu Planner//planner.example.jp//JA"
#: how often a subscribed calendar should look again (Google ignores it and takes 12-24 h)
REFRESH = timedelta(hours=6)
FEED_NAME = "伝達研修の担当"


def at(day: date, clock: time) -> datetime:
    """A wall-clock time in Tokyo as an aware datetime."""
    return datetime.combine(day, clock, tzinfo=TOKYO)


def _address(email: str, name: str, **params: str) -> vCalAddress:
    """A mailto: address with a CN that cannot break the parameter (no quotes, no breaks)."""
    address = vCalAddress(f"mailto:{clean_line(email)}")
    address.params["CN"] = clean_line(name).replace('"', "'") or clean_line(email)
    for key, value in params.items():
        address.params[key] = value
    return address


# --------------------------------------------------------------------------- events

def training_events(training: Training, host: str) -> list[CalendarEvent]:
    """One event per subject on the training's timetable (subjects on a separate day excluded)."""
    days = training.days
    timetable = timetable_of(training)
    if not days or not timetable.feasible:
        return []
    curriculum = get_curriculum(training.curriculum_key)
    rows = {f"training-{training.id}-subject-{row.id}": row for row in training.subjects}
    events = []
    for day, plan in zip(days, timetable.days):
        for item in plan.subjects:
            row = rows.get(item.key)
            if row is None:
                continue
            letter = f"{item.letter} " if item.letter else ""
            lines = [programme.title_of(curriculum, training), f"講師：{lecturer_of(training, row)}"]
            if not row.is_local:
                lines += curriculum_subject(training, row).national_lectures
            if not curriculum.official and training.adopted_at is None:
                lines.append("※ たたき台（案）のカリキュラムです。")
            events.append(CalendarEvent(
                uid=f"training-{training.id}-subject-{row.id}@{host}",
                summary=clean_text(f"{curriculum.short_title} {letter}{subject_title(training, row)}"),
                start=at(day, item.start), end=at(day, item.end), sequence=training.revision,
                description=clean_text("\n".join(lines)), location=clean_text(training.venue)))
    return events


def meeting_events(plan: Plan, host: str) -> list[CalendarEvent]:
    """The team's own dates as all-day events: launch, planning meetings, retrospectives."""
    events = []
    for row in timeline_rows(plan):
        if row.kind in ("training", "supplement"):  # timed events of their own
            continue
        note = "（仮の日付）" if row.tentative else ""
        events.append(CalendarEvent(
            uid=f"plan-{plan.id}-{row.uid_part}@{host}",
            summary=clean_text(f"{row.title}{note}"), start=row.start,
            end=row.end + timedelta(days=1),
            description=clean_text(f"{plan.title}\n{KIND_NAMES.get(row.kind, row.kind)}")))
    return events + supplement_events(plan, host)


def supplement_events(plan: Plan, host: str) -> list[CalendarEvent]:
    """The plan's symposiums, lectures and case-study meetings, each at its own time."""
    events = []
    for event in plan_events(plan):
        training, row = event.training, event.subject
        curriculum = get_curriculum(training.curriculum_key)
        lecturer = "、".join(x for x in (event.lecturer_name, event.lecturer_org) if x)
        lines = [plan.title, f"{curriculum.short_title} 科目{row.letter}「{subject_title(training, row)}」を補う",
                 f"講師：{lecturer or '未定'}", f"研修当日の扱い：{event.effect_name}"]
        events.append(CalendarEvent(
            uid=f"plan-{plan.id}-supplement-{event.id}@{host}",
            summary=clean_text(f"{event.kind_name}「{event.title}」"),
            start=at(event.day, event.start_time), end=at(event.day, event.end_time),
            sequence=event.revision, description=clean_text("\n".join(lines)),
            location=clean_text(event.place)))
    return events


def _slot_event(slot: RoleSlot, when, host: str, member_id: int) -> CalendarEvent | None:
    """The event of one held slot: timed for lecturers, case reporters and timekeepers,
    all-day on the training day for material preparers (their work is done beforehand)."""
    training = slot.training
    days = training.days
    if not days:
        return None
    curriculum = get_curriculum(training.curriculum_key)
    lines = [curriculum.title, f"役割：{ROLE_NAMES[slot.kind]}", clean_line(training.plan.title)]
    if slot.subject is not None and slot.kind != "lecturer":
        lines.append(f"講師：{lecturer_of(training, slot.subject)}")
    summary = slot_label(slot)
    day = days[min(slot.day_index, len(days) - 1)]
    if when is not None and when.day is not None and when.start is not None:
        start, end = at(when.day, when.start), at(when.day, when.end)
    else:
        start, end = day, day + timedelta(days=1)
        if slot.kind == "material_preparer":
            summary += "（研修日までに準備）"
    return CalendarEvent(
        uid=f"training-{training.id}-slot-{slot.id}-member-{member_id}@{host}",
        summary=clean_text(summary), start=start, end=end, sequence=training.revision,
        description=clean_text("\n".join(lines)), location=clean_text(training.venue))


def member_events(user: User, host: str) -> list[CalendarEvent]:
    """Every slot the user holds, in every plan of their prefecture."""
    members = members_of_user(user)
    if not members:
        return []
    slots = db.session.scalars(
        db.select(RoleSlot).where(RoleSlot.holder_id.in_([m.id for m in members]))
        .order_by(RoleSlot.training_id, RoleSlot.id)).all()
    by_training: dict[int, list[RoleSlot]] = defaultdict(list)
    for slot in slots:
        by_training[slot.training_id].append(slot)
    events = []
    for held in by_training.values():
        times = slot_times(held[0].training)
        for slot in held:
            event = _slot_event(slot, times.get(slot.id), host, slot.holder_id)
            if event is not None:
                events.append(event)
    # the team's supplementary events concern every member of the plan
    for plan in {m.plan_id: m.plan for m in members}.values():
        events += supplement_events(plan, host)
    return events


def invitation_events(member: TeamMember, host: str) -> list[tuple[Training, int, CalendarEvent]]:
    """One event per training day the member holds a role in: the day's span, roles listed."""
    slots = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == member.id)
                               .order_by(RoleSlot.training_id, RoleSlot.id)).all()
    per_day: dict[tuple[int, int], list[RoleSlot]] = defaultdict(list)
    for slot in slots:
        per_day[(slot.training_id, slot.day_index)].append(slot)
    out = []
    for (_, day_index), held in sorted(per_day.items()):
        training = held[0].training
        days = training.days
        timetable = timetable_of(training)
        if not days or not timetable.feasible or day_index >= len(timetable.days):
            continue
        items = timetable.days[day_index].items
        day = days[day_index]
        curriculum = get_curriculum(training.curriculum_key)
        roles = "\n".join(f"・{slot_label(s)}" for s in held)
        out.append((training, day_index, CalendarEvent(
            uid=f"training-{training.id}-day-{day_index}-member-{member.id}@{host}",
            summary=clean_text(f"{curriculum.short_title}の伝達研修（担当あり）"),
            start=at(day, items[0].start), end=at(day, items[-1].end), sequence=training.revision,
            description=clean_text(f"{curriculum.title}\n{member_label(member)}さんの担当：\n{roles}"),
            location=clean_text(training.venue))))
    return out


def plan_official(plan: Plan) -> User | None:
    """The official who organises the plan: the prefecture's first official."""
    return db.session.scalar(db.select(User).where(User.prefecture_id == plan.prefecture_id,
                                                   User.role == OFFICIAL).order_by(User.id))


# --------------------------------------------------------------------------- writing

def _vevent(event: CalendarEvent, stamp: datetime) -> Event:
    return Event.new(uid=event.uid, summary=event.summary, start=event.start, end=event.end,
                     stamp=stamp, sequence=event.sequence, status=event.status,
                     description=event.description or None, location=event.location or None)


def _calendar(method: str, uid: str | None) -> Calendar:
    """An empty VCALENDAR; its own UID (RFC 7986) is stable or absent, never random."""
    calendar = Calendar.new(prodid=PRODID, method=method)
    if uid:
        calendar["UID"] = uid
    else:
        calendar.pop("UID", None)
    return calendar


def calendar_bytes(events: list[CalendarEvent], method: str = "PUBLISH", name: str | None = None,
                   refresh: timedelta | None = None, now: datetime | None = None,
                   uid: str | None = None) -> bytes:
    """A VCALENDAR of the events (PUBLISH: no ATTENDEE), with the VTIMEZONE it needs."""
    stamp = now or datetime.now(timezone.utc)
    calendar = _calendar(method, uid)
    if name:
        calendar.calendar_name = clean_line(name)
    if refresh:
        duration = vDuration(refresh).to_ical().decode()
        calendar.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", duration)  # Outlook's name for the same thing
    for event in events:
        calendar.add_component(_vevent(event, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def invitation_bytes(event: CalendarEvent, organizer: User | None, member: TeamMember,
                     now: datetime | None = None) -> bytes:
    """One meeting request (METHOD:REQUEST, one event): ORGANIZER the official, ATTENDEE the member."""
    stamp = now or datetime.now(timezone.utc)
    calendar = _calendar("REQUEST", None)
    vevent = _vevent(event, stamp)
    if organizer is not None:
        vevent.add("ORGANIZER", _address(organizer.email, organizer.name))
    vevent.add("ATTENDEE", _address(member.email, member.name, ROLE="REQ-PARTICIPANT",
                                    PARTSTAT="NEEDS-ACTION", RSVP="TRUE"))
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()
