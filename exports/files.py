"""The files a view or the command line hands out, with their names.

The one place in exports that writes: a calendar file goes through
planner.services.calendar_state.publish, which remembers what it carried so that a later version
can send removed events as CANCELLED (the caller's session is committed).
"""
from __future__ import annotations

import zipfile
from datetime import datetime, timezone
from io import BytesIO

from curricula import get_curriculum
from exports import handouts, ical
from exports.handouts import safe_filename
from planner.models import Plan, TeamMember, Training, User
from planner.services.calendar_state import publish

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ICS = "text/calendar; charset=utf-8"
ICS_REQUEST = "text/calendar; charset=utf-8; method=REQUEST"
ZIP = "application/zip"


def training_calendar(training: Training, host: str) -> bytes:
    """The training's timetable as a calendar, removed subjects cancelled."""
    events = publish(f"training-{training.id}", ical.training_events(training, host))
    short = get_curriculum(training.curriculum_key).short_title
    return ical.calendar_bytes(events, name=f"{short} 時間割", uid=f"training-{training.id}@{host}")


def meetings_calendar(plan: Plan, host: str) -> bytes:
    """The team's launch, planning meetings and retrospectives."""
    events = publish(f"plan-{plan.id}-meetings", ical.meeting_events(plan, host))
    return ical.calendar_bytes(events, name=f"{plan.title} 検討会議", uid=f"plan-{plan.id}-meetings@{host}")


def member_feed(user: User, host: str) -> bytes:
    """The user's subscribed feed of their own roles (METHOD:PUBLISH, no ATTENDEE)."""
    events = publish(f"member-{user.id}", ical.member_events(user, host))
    return ical.calendar_bytes(events, name=ical.FEED_NAME, refresh=ical.REFRESH,
                               uid=f"member-{user.id}@{host}")


def _invitation(member: TeamMember, training: Training, day_index: int, event,
                organizer: User | None, now: datetime | None) -> tuple[str, bytes]:
    short = get_curriculum(training.curriculum_key).short_title
    name = f"招待_{short}_{day_index + 1}日目_{safe_filename(member.name, 30)}_{member.id}.ics"
    return name, ical.invitation_bytes(event, organizer, member, now)


def invitations(member: TeamMember, host: str, only: Training | None = None,
                day_index: int | None = None, now: datetime | None = None) -> list[tuple[str, bytes]]:
    """One METHOD:REQUEST file per training day the member holds a role in (of `only`)."""
    organizer = ical.plan_official(member.plan)
    return [_invitation(member, training, index, event, organizer, now)
            for training, index, event in ical.invitation_events(member, host)
            if (only is None or training.id == only.id) and day_index in (None, index)]


def zip_bytes(files: list[tuple[str, bytes]]) -> bytes:
    """A zip with UTF-8 names (the flag bit is set by zipfile for non-ASCII names)."""
    out = BytesIO()
    stamp = datetime.now(timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def training_files(training: Training, host: str, members: list | None = None) -> list[tuple[str, bytes]]:
    """Everything for one training: its handouts, its timetable calendar, the invitations
    (of `members` only, when given)."""
    short = get_curriculum(training.curriculum_key).short_title
    files = handouts.training_handouts(training)
    files.append((f"時間割_{short}.ics", training_calendar(training, host)))
    holders = {slot.holder for slot in training.slots if slot.holder is not None}
    if members is not None:
        holders &= set(members)
    for member in sorted(holders, key=lambda m: m.id):
        files += [(f"招待状/{name}", data) for name, data in invitations(member, host, training)]
    return files


def plan_files(plan: Plan, host: str, members: list | None = None) -> list[tuple[str, bytes]]:
    """Every handout and calendar file of a plan, for `flask export`; the meeting requests of
    `members` only, when given (a team member downloads their own, not everyone's)."""
    files = handouts.plan_handouts(plan)
    for training in plan.trainings:
        short = get_curriculum(training.curriculum_key).short_title
        files.append((f"時間割_{short}.ics", training_calendar(training, host)))
    files.append(("検討会議.ics", meetings_calendar(plan, host)))
    for member in plan.members if members is None else members:
        files += [(f"招待状/{name}", data) for name, data in invitations(member, host)]
    return files
