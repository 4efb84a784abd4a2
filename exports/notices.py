"""The text of the mails the app sends (templates/mail/*.txt) and their calendar parts.

Builders like the other exports: they return text and bytes and never commit. The web views
and the `demo` command both use them, so a mail reads the same whoever caused it.
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from exports import ical, one_wave_dash
from planner.domain.dates import format_date_wareki
from planner.models import Invitation, Prefecture, ProgrammeVersion, TeamMember, Training
from planner.services.mail.calendar_state import CalendarEvent
from planner.services.mail.outbox import CalendarPart
from planner.services.plans.editions import curriculum_for

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"
_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False,
                   keep_trailing_newline=True)


def invitation_mail(invitation: Invitation, link: str, official_name: str,
                    prefecture: Prefecture) -> tuple[str, str]:
    """(subject, plain-text body) of an invitation to join the planning team."""
    body = _env.get_template("invitation.txt").render(invitation=invitation, link=link,
                                                      official_name=official_name, prefecture=prefecture)
    return f"【伝達研修】{prefecture.name} 企画会議チームへのご招待", body


def _when(event: CalendarEvent) -> str:
    """令和8年7月15日（水） 9:10～10:35, or the day alone for an all-day event."""
    day = format_date_wareki(event.start if not isinstance(event.start, datetime) else event.start.date())
    if isinstance(event.start, datetime):
        return f"{day} {event.start.hour}:{event.start.minute:02d}～{event.end.hour}:{event.end.minute:02d}"
    return f"{day}（終日）"


def version_recipients(training: Training, host: str, base_url: str) -> list[tuple[TeamMember, list[CalendarEvent]]]:
    """Every team member with their role events of this training (none: only CANCELs)."""
    return [(member, [e for t, _, e in ical.invitation_events(member, host, base_url) if t.id == training.id])
            for member in training.plan.members]


def _part_name(event: CalendarEvent, method: str, number: int) -> str:
    return f"{'cancel' if method == 'CANCEL' else 'invite'}-{number}.ics"


def version_composer(training: Training, official_name: str, page_url: str):
    """The function services.versions.publish calls for each member whose own events
    changed: one mail listing only their changes, one iMIP part per event."""
    organizer = ical.plan_official(training.plan)
    short = curriculum_for(training).short_title

    def compose(member: TeamMember, requests: list[CalendarEvent], cancels: list[CalendarEvent],
                version: ProgrammeVersion):
        parts = [CalendarPart(method, ical.invitation_bytes(event, organizer, member, method=method),
                              _part_name(event, method, number))
                 for number, (method, event) in enumerate(
                     [("REQUEST", e) for e in requests] + [("CANCEL", e) for e in cancels], start=1)]
        if requests:
            subject = f"【伝達研修】{short} {version.label}：あなたの担当の予定（{len(requests) + len(cancels)}件）"
        else:
            subject = f"【伝達研修・取消】{short} {version.label}：あなたの担当の取消（{len(cancels)}件）"
        body = _env.get_template("programme.txt").render(
            member=member, requests=requests, cancels=cancels, when=_when, version=version,
            training=training, short=short, page=page_url, official_name=official_name)
        return subject, one_wave_dash(body), parts

    return compose


#: a number someone typed or the checklist gave at the start of an agenda line: ①, 【3】, (3), 3. , 3）
_NUMBERED = re.compile(r"^\s*(?:[\u2460-\u2473]|【[0-9０-９]+】|[(（][0-9０-９]+[)）]|[0-9０-９]+[.．、)）]|[0-9０-９]+\s)\s*")


def agenda_lines(lines: list[str]) -> list[str]:
    """A meeting's agenda numbered one way (1. 2. 3.), whatever numbering its lines carried."""
    items = [_NUMBERED.sub("", line.lstrip("・").strip()) for line in lines if line.strip().startswith("・")]
    return [f"{number}. {item}" for number, item in enumerate((i for i in items if i), start=1)]


def meeting_composer(meeting, official_name: str, page_url: str, answer_link):
    """Mails for a meeting invitation: the event (REQUEST) and yes/no links for 出欠.
    `answer_link(member, attending)` gives the signed link of each answer."""
    organizer = ical.plan_official(meeting.plan)

    def compose(member: TeamMember, event: CalendarEvent, method: str):
        data = ical.invitation_bytes(event, organizer, member, method=method)
        body = _env.get_template("meeting.txt").render(
            member=member, meeting=meeting, event=event, when=_when(event), page=page_url,
            yes=answer_link(member, True), no=answer_link(member, False), official_name=official_name,
            agenda=agenda_lines(event.description.split("議題：", 1)[-1].splitlines()))
        return (f"【伝達研修】{meeting.title}のご案内（出欠のご回答のお願い）", one_wave_dash(body),
                CalendarPart(method, data))

    return compose
