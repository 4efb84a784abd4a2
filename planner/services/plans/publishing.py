"""Publishing every changed training of a plan in one action, and telling the official before
any bulk mail who will get it (the confirmation pages of publishing and meeting invitations).

A preview runs the very bookkeeping the send will run (calendar_state.mail_changes) and rolls
it back, so the names shown are the names that will be mailed, however the mails are composed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from planner.models import Milestone, Plan, ProgrammeVersion, TeamMember, Training
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.mail.calendar_state import CalendarEvent, mail_changes, training_scope
from planner.services.mail.outbox import MailSettings
from planner.services.plans import versions

Recipients = list[tuple[TeamMember, list[CalendarEvent]]]


@dataclass(frozen=True)
class Recipient:
    """A person a send will mail, and about how many of their events."""

    name: str
    email: str
    events: int


def changed_trainings(plan: Plan) -> list[Training]:
    """The plan's trainings with changes not yet published, in the order they are held."""
    return [t for t in plan.trainings_by_date if versions.pending_changes(t) is not None]


def _dry_run(pairs: list[tuple[TeamMember, str, list[CalendarEvent]]]) -> list[Recipient]:
    """Who would be mailed for these (member, scope, events); nothing is kept."""
    found: dict[int, Recipient] = {}
    try:
        for member, scope, events in pairs:
            requests, cancels = mail_changes(scope, events)
            count = len(requests) + len(cancels)
            if count and member.email:
                before = found.get(member.id)
                found[member.id] = Recipient(member.name, member.email, count + (before.events if before else 0))
        return list(found.values())
    except IntegrityError:  # another send is writing the same rows right now
        return []
    finally:
        db.session.rollback()


def publish_preview(recipients_of: dict[int, Recipients], trainings: list[Training]) -> list[Recipient]:
    """The people a publish of these trainings mails (one entry per person)."""
    return _dry_run([(member, training_scope(member.id, training.id), events)
                     for training in trainings for member, events in recipients_of[training.id]])


def meeting_preview(meeting: Milestone, recipients: list[tuple[TeamMember, CalendarEvent]]) -> list[Recipient]:
    """The members a meeting invitation mails now (those who have not got this version)."""
    return _dry_run([(member, f"mail-{member.id}-meeting-{meeting.id}", [event]) for member, event in recipients])


@dataclass
class PublishReport:
    published: list[ProgrammeVersion]
    refused: list[str]


def publish_all(plan: Plan, official_name: str, today: date, settings: MailSettings,
                recipients_of: Callable[[Training], Recipients],
                composer_of: Callable[[Training], versions.Compose],
                documents: Callable[[Training], list[tuple[str, bytes]]] | None = None) -> PublishReport:
    """Publish each training of the plan that has changes (each its own commit, as from its
    own page, keeping the same `documents`); a training someone published at the same
    moment is reported, not repeated."""
    report = PublishReport([], [])
    for training in changed_trainings(plan):
        try:
            version = versions.publish(training, official_name, today, settings,
                                       recipients_of(training), composer_of(training), documents)
        except ChangeRefused as refused:
            report.refused.extend(refused.messages)
            continue
        report.published.append(version)
    return report
