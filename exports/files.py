"""The files a view or the command line hands out, with their names.

The one place in exports that writes: a calendar file's events go through
planner.services.mail.calendar_state.versioned, which keeps each event's SEQUENCE (it commits).
"""
from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from io import BytesIO

from exports import groups, handouts, ical, participant_notice, participants
from exports.handouts import safe_filename
from planner.models import Plan, RoleSlot, TeamMember, Training, User
from planner.models.team import ROLE_NAMES
from planner.services.mail.calendar_state import (
    load_for_feed,
    sent_events,
    training_scope,
    versioned,
    versioned_in_transaction,
)
from planner.services.materials.files import final_files
from planner.services.participants.groups import overview
from planner.services.plans.editions import curriculum_for
from planner.services.plans.versions import latest, published_document, version_label
from planner.services.team.roles import slot_day_number

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ICS = "text/calendar; charset=utf-8"
ICS_REQUEST = "text/calendar; charset=utf-8; method=REQUEST"
ZIP = "application/zip"


def training_calendar(training: Training, host: str, base_url: str = "", stamp=versioned) -> bytes:
    """The training's timetable as a calendar: opening, subjects, closing."""
    events = stamp(ical.training_events(training, host, base_url))
    short = curriculum_for(training).short_title
    return ical.calendar_bytes(events, name=f"{short} 時間割", uid=f"training-{training.id}@{host}",
                               description=f"{short} 時間割 {version_label(training)}")


#: what `training_documents` and a download may ask for: the published version, or the draft
PUBLISHED, DRAFT = "published", "draft"


def calendar_name(training: Training) -> str:
    return f"時間割_{curriculum_for(training).short_title}.ics"


def published_set(training: Training, host: str, survey_url: str | None = None) -> list[tuple[str, bytes]]:
    """The documents a version keeps (services.versions.publish calls this inside its
    transaction, once the version is recorded): the training's handouts and timetable, the
    研修次第 with the shared survey QR code when the training has a survey (`survey_url`,
    made before the publish: making the link commits)."""
    files = handouts.training_handouts(training, survey_url=survey_url)
    files.append((calendar_name(training), training_calendar(training, host, stamp=versioned_in_transaction)))
    return files


def training_document(training: Training, name: str, build, source: str = PUBLISHED) -> bytes:
    """One handout of a training: as its latest version was published (the default), or
    built now from the draft (`source` DRAFT, or never published: marked 「案」)."""
    if source != DRAFT:
        kept = published_document(training, name)
        if kept is not None:
            return kept
    return build()


def training_documents(training: Training, host: str, source: str = PUBLISHED) -> list[tuple[str, bytes]]:
    """Every handout and the timetable of a training, from one source: the published version
    (by default, when there is one) or the draft."""
    last = latest(training)
    if source != DRAFT and last is not None and last.documents.count():
        return [(d.name, d.data) for d in last.documents.order_by("id")]
    files = handouts.training_handouts(training)
    files.append((calendar_name(training), training_calendar(training, host)))
    return files


def meetings_calendar(plan: Plan, host: str) -> bytes:
    """The team's launch, planning meetings and retrospectives."""
    events = versioned(ical.meeting_events(plan, host))
    return ical.calendar_bytes(events, name=f"{plan.title} 検討会議", uid=f"plan-{plan.id}-meetings@{host}")


#: how a role the member holds now but no published version carries shows in their feed
PENDING_MARK = "（公開待ち）"


def pending(event):
    """A role held in the draft only: in the member's feed at once, marked TENTATIVE and
    「公開待ち」 until the official publishes (then a REQUEST makes it confirmed)."""
    return replace(event, summary=event.summary + PENDING_MARK, status="TENTATIVE")


def member_feed(user: User, host: str, base_url: str = "", now: datetime | None = None) -> bytes:
    """The user's subscribed feed of their own roles (METHOD:PUBLISH, no ATTENDEE): of each
    training, the roles as its latest published version gave them (the very events, UIDs and
    sequences of the mails and invitation files), and roles held in the draft only marked
    「公開待ち」; the team's planning meetings and supplementary events.
    Events are versioned in one go at the end: a commit in between would expire what was loaded."""
    user_id = user.id  # versioned() commits: the user would be read again
    members = load_for_feed(user.prefecture_id, user.email)
    parts: list = []  # (to be versioned, event) in the feed's order
    trainings = {}
    for member in members:
        sent = {}
        for training in member.plan.trainings:
            if training.versions:
                events = sent_events(training_scope(member.id, training.id))
                if events:
                    trainings[training.id] = training
                sent.update((event.uid, event) for event in events)
        parts += [(False, event) for event in sent.values()]
        for training, _, event in ical.invitation_events(member, host, base_url):
            if event.uid not in sent:
                trainings[training.id] = training
                parts.append((True, pending(event)))
        parts += [(True, event) for event in ical.team_events(member.plan, host, base_url)]
    versions = "、".join(f"{curriculum_for(t).short_title}："
                         f"{t.versions[-1].label if t.versions else version_label(t)}"
                         for t in sorted(trainings.values(), key=lambda t: (t.plan_id, t.position)))
    stamped = iter(versioned([event for fresh, event in parts if fresh]))
    events = [next(stamped) if fresh else event for fresh, event in parts]
    return ical.calendar_bytes(events, name=ical.FEED_NAME, refresh=ical.REFRESH,
                               uid=f"member-{user_id}@{host}", description=versions, now=now)


def invitation_name(member: TeamMember, training: Training, slot: RoleSlot | None, event=None) -> str:
    short = curriculum_for(training).short_title
    if slot is None:  # a published role whose slot the draft has removed
        return f"招待_{short}_{safe_filename(event.summary, 40)}_{safe_filename(member.name, 30)}_{member.id}.ics"
    part = slot.subject.letter or safe_filename(slot.subject.local_name, 20) if slot.subject else ""
    role = safe_filename(f"{part}{ROLE_NAMES[slot.kind]}", 40)
    return (f"招待_{short}_{_day_part(slot)}_{role}_{safe_filename(member.name, 30)}"
            f"_{member.id}_{slot.id}.ics")


def _day_part(slot: RoleSlot) -> str:
    """The role's day in a file name: 1日目 for a one-day training; on several days the day
    and its date (2日目_7月22日), or 事前 for preparation."""
    training = slot.training
    if training.day_count < 2:
        return f"{slot_day_number(slot)}日目"
    if slot.kind == "material_preparer":
        return "事前"
    number = slot_day_number(slot)
    days = training.days
    return f"{number}日目" + (f"_{days[number - 1].month}月{days[number - 1].day}日" if number <= len(days) else "")


def _slot_id(uid: str, training: Training) -> int | None:
    """The slot of a role event's UID (training-<id>-slot-<slot id>@host)."""
    head = f"training-{training.id}-slot-"
    number = uid.split("@", 1)[0][len(head):] if uid.startswith(head) else ""
    return int(number) if number.isdigit() else None


def published_roles(member: TeamMember, only: Training | None = None
                    ) -> list[tuple[Training, int | None, RoleSlot | None, object]]:
    """The member's roles as the latest published versions gave them: (training, slot id,
    the slot if it still exists, event with its sequence). A draft's roles are not here:
    an invitation is never built from an unpublished draft."""
    out = []
    for training in sorted(member.plan.trainings, key=lambda t: t.position):
        if not training.versions or (only is not None and training.id != only.id):
            continue
        slots = {slot.id: slot for slot in training.slots}
        for event in sent_events(training_scope(member.id, training.id)):
            slot_id = _slot_id(event.uid, training)
            out.append((training, slot_id, slots.get(slot_id), event))
    return out


def invitations(member: TeamMember, host: str, only: Training | None = None,
                slot_id: int | None = None, now: datetime | None = None,
                base_url: str = "") -> list[tuple[str, bytes]]:
    """One METHOD:REQUEST file per published role of the member (of `only`, or the one
    slot): the same event, UID and SEQUENCE as the mail that announced it."""
    organizer = ical.plan_official(member.plan)
    return [(invitation_name(member, training, slot, event), ical.invitation_bytes(event, organizer, member, now))
            for training, found, slot, event in published_roles(member, only) if slot_id in (None, found)]


def zip_bytes(files: list[tuple[str, bytes]]) -> bytes:
    """A zip with UTF-8 names (the flag bit is set by zipfile for non-ASCII names)."""
    out = BytesIO()
    stamp = datetime.now(UTC).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


#: the folder of the participants' papers in a zip and in `flask export`
PARTICIPANTS_FOLDER = "受講者"


def participant_outputs(training: Training) -> list[tuple[str, bytes]]:
    """The participants' papers of one training: personal data, for officials only.
    Every paper about participants goes here (the 開催通知 and the 班分け表 too), so the
    zips and `flask export` carry them all: the notice always, the groups once they are made."""
    short = safe_filename(curriculum_for(training).short_title, 30)
    files = [(f"開催通知_{short}.docx", participant_notice.notice(training))]
    files += participants.participant_files(training)
    made = overview(training)
    if made.groups:
        files += [(f"班分け表_{short}.docx", groups.groups_docx(training, made)),
                  (f"班分け表_{short}.xlsx", groups.groups_xlsx(training, made))]
    return files


def training_files(training: Training, host: str, members: list | None = None,
                   with_participants: bool = False, source: str = PUBLISHED) -> list[tuple[str, bytes]]:
    """Everything for one training: its handouts, its timetable calendar, the invitations
    (of `members` only, when given), and with `with_participants` the participants' papers."""
    files = training_documents(training, host, source)
    holders = set(training.plan.members)
    if members is not None:
        holders &= set(members)
    for member in sorted(holders, key=lambda m: m.id):
        files += [(f"招待状/{name}", data) for name, data in invitations(member, host, training)]
    if with_participants:
        files += [(f"{PARTICIPANTS_FOLDER}/{name}", data) for name, data in participant_outputs(training)]
    return files + material_files(training)


def material_files(training: Training) -> list[tuple[str, bytes]]:
    """The finished materials' latest versions, and a note naming what was left out (case
    files whose anonymity check is not settled never go in)."""
    chosen, notes = final_files(training)
    files = [(f"資料/{name}", data) for name, data in chosen]
    if notes:
        text = "この一式に入れていない資料\r\n\r\n" + "\r\n".join(notes) + "\r\n"
        files.append(("資料/入れていない資料.txt", text.encode("utf-8")))
    return files


def plan_files(plan: Plan, host: str, members: list | None = None,
               with_participants: bool = False) -> list[tuple[str, bytes]]:
    """Every handout and calendar file of a plan, for `flask export`; the meeting requests of
    `members` only, when given (a team member downloads their own, not everyone's); with
    `with_participants`, each training's participants' papers."""
    files = [f for training in plan.trainings for f in training_documents(training, host)
             if not f[0].startswith("役割分担表_")]  # the plan's role sheet has every training
    files.append(("役割分担表.docx", handouts.role_sheet(plan)))
    files.append(("企画スケジュール.docx", handouts.timeline(plan)))
    files.append(("検討会議.ics", meetings_calendar(plan, host)))
    for member in plan.members if members is None else members:
        files += [(f"招待状/{name}", data) for name, data in invitations(member, host)]
    if with_participants:
        files += [(f"{PARTICIPANTS_FOLDER}/{name}", data)
                  for training in plan.trainings for name, data in participant_outputs(training)]
    return files
