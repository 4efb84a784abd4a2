"""Planning meetings for real: hours, place or online link, agenda, minutes, attendance,
and invitations by mail (REQUEST again only to those for whom the meeting changed)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import time

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from planner.domain.timeline import CHECKLIST
from planner.models import MeetingAnswer, Milestone, TeamMember
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.mail.calendar_state import CalendarEvent, mail_changes
from planner.services.mail.outbox import CalendarPart, MailSettings, queue

#: (member, event, method) -> (subject, body, calendar part); written by exports.notices
Compose = Callable[[TeamMember, CalendarEvent, str], tuple[str, str, CalendarPart]]


def default_agenda() -> str:
    """The source's steps done at the planning meetings, one a line."""
    return "\n".join(f"{item.step} {item.text}" for item in CHECKLIST if item.kind == "meeting")


def find_meeting(plan_id: int, meeting_id: int) -> Milestone | None:
    """The plan's meeting (or launch) with this id; None for any other milestone."""
    meeting = db.session.get(Milestone, meeting_id)
    if meeting is None or meeting.plan_id != plan_id or meeting.kind not in ("meeting", "launch"):
        return None
    return meeting


def agenda_of(meeting: Milestone) -> str:
    return default_agenda() if meeting.agenda is None else meeting.agenda


def update_meeting(meeting: Milestone, start_time: time | None, end_time: time | None, place: str,
                   online_url: str, agenda: str, minutes: str) -> None:
    """Save the meeting's details (the form checked them); commits."""
    if (start_time is None) != (end_time is None) or (start_time and end_time <= start_time):
        raise ChangeRefused(["開始と終了の時刻を両方、終了を開始より後に入力してください。"])
    meeting.start_time, meeting.end_time = start_time, end_time
    meeting.place, meeting.online_url = place.strip(), online_url.strip()
    # the default agenda saved unchanged stays the default (None), so it follows the checklist
    agenda = agenda.replace("\r\n", "\n").strip()
    meeting.agenda = None if agenda in ("", default_agenda()) else agenda
    meeting.minutes = minutes.strip()
    db.session.commit()


def ready_to_invite(meeting: Milestone) -> bool:
    """An invitation needs the hours and a place or an online link: before that, a
    calendar invitation would say nothing a member can act on."""
    return meeting.start_time is not None and bool(meeting.place or meeting.online_url)


def answer(meeting: Milestone, member: TeamMember, attending: bool) -> None:
    """Record (or change) a member's 出欠; a simultaneous double answer keeps the last one."""
    for _ in range(2):
        row = db.session.scalar(db.select(MeetingAnswer).filter_by(milestone_id=meeting.id, member_id=member.id))
        if row is None:
            row = MeetingAnswer(milestone_id=meeting.id, member_id=member.id, attending=attending)
            db.session.add(row)
        row.attending = attending
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()


def answers(meeting: Milestone) -> dict[int, bool]:
    """Member id -> attending, for those who answered."""
    return {a.member_id: a.attending for a in meeting.answers}


def invite(meeting: Milestone, settings: MailSettings,
           recipients: list[tuple[TeamMember, CalendarEvent]], compose: Compose) -> int:
    """Mail the meeting to every member it is new or changed for; returns how many (commits)."""
    count = 0
    for member, event in recipients:
        requests, _ = mail_changes(f"mail-{member.id}-meeting-{meeting.id}", [event])
        for chosen in requests:
            subject, body, part = compose(member, chosen, "REQUEST")
            queue(settings, meeting.plan.prefecture_id, "meeting", member.name, member.email, subject, body, part)
            count += 1
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ChangeRefused(["同時に別の送信が行われました。もう一度お試しください。"]) from None
    return count


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="meeting-answer")


def answer_token(secret_key: str, meeting: Milestone, member: TeamMember, attending: bool) -> str:
    """The signed part of a mail's 出席/欠席 link: who answers what, for which meeting."""
    return _serializer(secret_key).dumps({"m": meeting.id, "t": member.id, "a": attending})


def read_answer_token(secret_key: str, token: str) -> tuple[Milestone, TeamMember, bool] | None:
    """The meeting, member and answer of a link; None when forged or stale."""
    try:
        data = _serializer(secret_key).loads(token)
        meeting = db.session.get(Milestone, int(data["m"]))
        member = db.session.get(TeamMember, int(data["t"]))
        attending = bool(data["a"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if meeting is None or member is None or member.plan_id != meeting.plan_id:
        return None
    return meeting, member, attending
