"""Calendar files (icalendar 7): a training's timetable, the planning meetings, a member's
feed of their own roles, and invitations.

Pure, type-hinted functions: the `*_events` functions read model objects and return
`CalendarEvent`s (UIDs derived from database rows; one UID per real event, whichever file or
mail carries it; SEQUENCE from planner.services.mail.calendar_state); `calendar_bytes` writes them
with TZID Asia/Tokyo and a VTIMEZONE. Files and feeds carry current events only; removals
reach people as METHOD:CANCEL mails (`invitation_bytes(..., method="CANCEL")`).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration

from exports import clean_line, clean_text, programme
from exports.handouts import lecturer_of, member_label, timeline_rows
from planner.domain.dates import format_date_wareki
from planner.domain.timeline import KIND_NAMES
from planner.models import Milestone, Plan, RoleSlot, TeamMember, Training, User
from planner.models.account import OFFICIAL
from planner.models.db import db
from planner.models.team import ROLE_NAMES
from planner.services.mail.calendar_state import CalendarEvent, slot_uid, supplement_uid
from planner.services.materials.files import preparation_due
from planner.services.meetings import agenda_of
from planner.services.plans.editions import curriculum_for
from planner.services.plans.supplements import plan_events
from planner.services.plans.timetables import curriculum_subject, subject_key, subject_title, timetable_of
from planner.services.team.roles import slot_label, slot_times

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

def training_url(training: Training, base_url: str) -> str:
    return f"{base_url}/trainings/{training.id}" if base_url else ""


def training_events(training: Training, host: str, base_url: str = "") -> list[CalendarEvent]:
    """One event per subject on the training's timetable (subjects on a separate day
    excluded), and the opening and closing items of each day."""
    days = training.days
    timetable = timetable_of(training)
    if not days or not timetable.feasible:
        return []
    curriculum = curriculum_for(training)
    rows = {subject_key(training.id, row.id): row for row in training.subjects}
    url = training_url(training, base_url)
    events = []
    for index, (day, plan) in enumerate(zip(days, timetable.days)):
        fixed = [item for item in plan.items if item.kind in ("opening", "closing")]
        for number, item in enumerate(fixed):
            events.append(CalendarEvent(
                uid=f"training-{training.id}-day-{index}-{item.kind}-{number}@{host}",
                summary=clean_text(f"{curriculum.short_title} {item.title}"),
                start=at(day, item.start), end=at(day, item.end),
                description=clean_text(programme.title_of(curriculum, training)),
                location=clean_text(training.venue), url=url))
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
                uid=f"{subject_key(training.id, row.id)}@{host}",
                summary=clean_text(f"{curriculum.short_title} {letter}{subject_title(training, row)}"),
                start=at(day, item.start), end=at(day, item.end),
                description=clean_text("\n".join(lines)), location=clean_text(training.venue), url=url))
    events.sort(key=lambda e: e.start)
    return events


def meeting_event(meeting: Milestone, host: str, base_url: str = "") -> CalendarEvent:
    """A stored launch, meeting or retrospective: timed when its hours are set, with its
    place or online link and, for a meeting, its agenda."""
    plan = meeting.plan
    url = f"{base_url}/plans/{plan.id}/meetings/{meeting.id}" if base_url else ""
    if meeting.start_time and meeting.end_time:
        start, end = at(meeting.start, meeting.start_time), at(meeting.start, meeting.end_time)
    else:
        start, end = meeting.start, meeting.end + timedelta(days=1)
    lines = [plan.title, KIND_NAMES.get(meeting.kind, meeting.kind)]
    if meeting.online_url:
        lines.append(f"オンライン：{meeting.online_url}")
    if meeting.kind == "meeting":
        lines += ["", "議題："] + [f"・{line}" for line in agenda_of(meeting).splitlines() if line.strip()]
    if url:
        lines += ["", url]
    return CalendarEvent(
        uid=f"plan-{plan.id}-milestone-{meeting.id}@{host}", summary=clean_text(meeting.title),
        start=start, end=end, description=clean_text("\n".join(lines)),
        location=clean_text(meeting.place or meeting.online_url), url=url)


def meeting_events(plan: Plan, host: str, base_url: str = "") -> list[CalendarEvent]:
    """The team's own dates: launch, planning meetings, retrospectives (the stored ones with
    their hours and places; a proposal not yet saved as all-day events)."""
    if plan.milestones:
        return [meeting_event(m, host, base_url) for m in plan.milestones]
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


def team_events(plan: Plan, host: str, base_url: str = "") -> list[CalendarEvent]:
    """What concerns every member of the plan's team: the launch, planning meetings and
    retrospectives (stored, or the proposal) and the supplementary events."""
    events = meeting_events(plan, host, base_url)
    if plan.milestones:  # meeting_events adds the supplementary events to a proposal only
        events += supplement_events(plan, host)
    return events


def supplement_events(plan: Plan, host: str) -> list[CalendarEvent]:
    """The plan's symposiums, lectures and case-study meetings, each at its own time."""
    events = []
    for event in plan_events(plan):
        training, row = event.training, event.subject
        curriculum = curriculum_for(training)
        lecturer = "、".join(x for x in (event.lecturer_name, event.lecturer_org) if x)
        lines = [plan.title, f"{curriculum.short_title} 科目{row.letter}「{subject_title(training, row)}」を補う"]
        if event.kind != "symposium":
            lines.append(f"講師：{lecturer or '未定'}")
        else:
            coordinator = "、".join(x for x in (event.coordinator_name, event.coordinator_org) if x)
            lines += [f"基調講演：{lecturer}"] if lecturer else []
            lines += [f"コーディネーター：{coordinator or '未定'}",
                      f"シンポジスト：{'、'.join(s.name for s in event.symposists) or '未定'}"]
        lines.append(f"研修当日の扱い：{event.effect_name}")
        events.append(CalendarEvent(
            uid=supplement_uid(plan.id, event.id, host),
            summary=clean_text(event.full_title),
            start=at(event.day, event.start_time), end=at(event.day, event.end_time),
            description=clean_text("\n".join(lines)),
            location=clean_text(event.place)))
    return events


def _slot_event(slot: RoleSlot, when, host: str, base_url: str = "") -> CalendarEvent | None:
    """The event of one held slot, the same in the feed and in the invitation (one UID per
    slot): the role's own time (timed for lecturers, case reporters and timekeepers, all-day
    on the training day for material preparers, whose work is done beforehand), the venue,
    and a link back to the training's page."""
    training = slot.training
    days = training.days
    if not days:
        return None
    curriculum = curriculum_for(training)
    lines = [curriculum.title, f"役割：{ROLE_NAMES[slot.kind]}", clean_line(training.plan.title)]
    if slot.subject is not None and slot.kind != "lecturer":
        lines.append(f"講師：{lecturer_of(training, slot.subject)}")
    summary = slot_label(slot)
    day = when.day if when is not None and when.day in days else days[min(slot.day_index, len(days) - 1)]
    if len(days) > 1 and slot.kind != "material_preparer":  # which day, as pages and files name it
        lines.insert(1, f"{days.index(day) + 1}日目（{day.month}月{day.day}日）")
    if when is not None and when.day is not None and when.start is not None:
        start, end = at(when.day, when.start), at(when.day, when.end)
    elif slot.kind == "material_preparer":
        # the work is due on the materials' own due date (the earliest unfinished), not on the training day
        due = preparation_due(slot.subject) if slot.subject is not None else None
        start = due.day if due else day
        end = start + timedelta(days=1)
        summary += "（資料の締切）"
        why = f"（{due.reason}）" if due else ""
        lines.append(f"資料の締切：{format_date_wareki(start)}{why}")
        lines.append(f"研修日：{format_date_wareki(day)}")
    else:
        start, end = day, day + timedelta(days=1)
    holder = slot.holder
    if holder is not None:
        lines.append(f"担当：{member_label(holder)}")
    url = training_url(training, base_url)
    if url:
        lines.append(url)
    return CalendarEvent(
        uid=slot_uid(training.id, slot.id, host),
        summary=clean_text(summary), start=start, end=end,
        description=clean_text("\n".join(lines)), location=clean_text(training.venue), url=url,
        attendee=(holder.email, holder.name) if holder is not None else None)


def invitation_events(member: TeamMember, host: str,
                      base_url: str = "") -> list[tuple[Training, RoleSlot, CalendarEvent]]:
    """One event per slot the member holds: the very events of their feed, so a member who
    subscribes and accepts invitations sees each role once."""
    slots = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == member.id)
                               .order_by(RoleSlot.training_id, RoleSlot.id)).all()
    out = []
    times: dict[int, dict] = {}
    for slot in sorted(slots, key=lambda s: (s.training.position, s.sort_key)):
        training = slot.training
        if training.id not in times:
            times[training.id] = slot_times(training)
        event = _slot_event(slot, times[training.id].get(slot.id), host, base_url)
        if event is not None:
            out.append((training, slot, event))
    return out


def plan_official(plan: Plan) -> User | None:
    """The official who organises the plan: the prefecture's first official."""
    return db.session.scalar(db.select(User).where(User.prefecture_id == plan.prefecture_id,
                                                   User.role == OFFICIAL).order_by(User.id))


# --------------------------------------------------------------------------- writing

def _vevent(event: CalendarEvent, stamp: datetime) -> Event:
    vevent = Event.new(uid=event.uid, summary=event.summary, start=event.start, end=event.end,
                       stamp=stamp, sequence=event.sequence, status=event.status,
                       description=event.description or None, location=event.location or None)
    if event.url:
        vevent.add("URL", event.url)
    return vevent


@cache
def _vtimezone(tzid: str) -> Timezone | None:
    """The VTIMEZONE of a zone, built once per process (icalendar's `from_tzid` walks every
    transition and asks to be cached), without the COMMENT icalendar writes directly under
    VTIMEZONE, where RFC 5545 does not allow it. Shared by every calendar: never changed."""
    try:
        component = Timezone.from_tzid(tzid)
    except ValueError:
        return None
    component.pop("COMMENT", None)
    return component


def _finish(calendar: Calendar) -> bytes:
    """Add the VTIMEZONEs the events need (before the events), or Tokyo's when there are
    none (RFC 5545 §3.4: a calendar has at least one component)."""
    zones = [_vtimezone(tzid) for tzid in sorted(calendar.get_missing_tzids())]
    zones = [zone for zone in zones if zone is not None] or ([] if calendar.subcomponents
                                                             else [_vtimezone("Asia/Tokyo")])
    calendar.subcomponents[0:0] = zones
    return calendar.to_ical()


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
                   uid: str | None = None, description: str = "") -> bytes:
    """A VCALENDAR of the events (PUBLISH: no ATTENDEE), with the VTIMEZONE it needs."""
    stamp = now or datetime.now(timezone.utc)
    calendar = _calendar(method, uid)
    if name:
        calendar.calendar_name = clean_line(name)
    if description:  # RFC 7986 DESCRIPTION, and the name Apple and Outlook read
        calendar.add("DESCRIPTION", clean_line(description))
        calendar.add("X-WR-CALDESC", clean_line(description))
    if refresh:
        duration = vDuration(refresh).to_ical().decode()
        calendar.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", duration)  # Outlook's name for the same thing
    for event in events:
        if event.status != "CANCELLED":  # feeds carry current events only
            calendar.add_component(_vevent(event, stamp))
    return _finish(calendar)


def invitation_bytes(event: CalendarEvent, organizer: User | None, member: TeamMember,
                     now: datetime | None = None, method: str = "REQUEST") -> bytes:
    """One meeting request or cancellation (RFC 5546: METHOD:REQUEST or CANCEL, one event):
    ORGANIZER the official, ATTENDEE the member."""
    stamp = now or datetime.now(timezone.utc)
    calendar = _calendar(method, None)
    if method == "CANCEL":
        event = replace(event, status="CANCELLED")
    vevent = _vevent(event, stamp)
    if organizer is not None:
        vevent.add("ORGANIZER", _address(organizer.email, organizer.name))
    params = {"ROLE": "REQ-PARTICIPANT"}
    if method == "REQUEST":
        params.update(PARTSTAT="NEEDS-ACTION", RSVP="TRUE")
    vevent.add("ATTENDEE", _address(member.email, member.name, **params))
    calendar.add_component(vevent)
    return _finish(calendar)
