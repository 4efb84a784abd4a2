"""Publishing a training's programme as a numbered version, and mailing only the people a
new version affects (METHOD:REQUEST for their new or changed roles, CANCEL for roles they
lost or that were removed), all in the transaction that records the version."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from sqlalchemy.exc import IntegrityError

from planner.domain.dates import as_of_ja
from planner.domain.versions import changelog
from planner.models import ProgrammeVersion, PublishedDocument, TeamMember, Training
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.mail.calendar_state import CalendarEvent, mail_changes_for, training_scope
from planner.services.mail.outbox import CalendarPart, MailSettings, queue
from planner.services.plans.timetables import timetable_of
from planner.services.team.roles import slot_label

#: (member, their REQUEST events, their CANCEL events, version) -> (subject, body, one
#: calendar part per event); written by exports.notices
Compose = Callable[[TeamMember, list[CalendarEvent], list[CalendarEvent], ProgrammeVersion],
                   tuple[str, str, list[CalendarPart]]]


def snapshot(training: Training) -> dict:
    """What a version publishes: dates, venue, timetable items, role holders and the survey
    questions (the published 研修次第 carries the survey's QR code, and the questions are what
    the participants answer)."""
    items = []
    timetable = timetable_of(training)
    if training.days and timetable.feasible:
        for index, (day, plan) in enumerate(zip(training.days, timetable.days)):
            counts: dict[str, int] = {}
            for item in plan.items:
                if item.kind == "subject":
                    key = item.key
                elif item.kind in ("opening", "closing"):
                    counts[item.kind] = counts.get(item.kind, -1) + 1
                    key = f"day-{index}-{item.kind}-{counts[item.kind]}"
                else:
                    continue
                items.append({"key": key, "title": item.title, "day": day.isoformat(),
                              "start": item.start.strftime("%H:%M"), "end": item.end.strftime("%H:%M")})
    roles = [{"slot": s.id, "label": slot_label(s), "holder": s.holder_id,
              "holder_name": s.holder.name if s.holder else ""}
             for s in sorted(training.slots, key=lambda s: s.sort_key)]
    survey = [{"id": q.id, "kind": q.kind, "text": q.text, "choices": q.choices, "required": q.required}
              for q in training.survey_questions]
    return {"days": [d.isoformat() for d in training.days], "venue": training.venue,
            "items": items, "roles": roles, "survey": survey}


def _comparable(old: dict, current: dict) -> dict:
    """`current` as `old` can be compared with: a version recorded before snapshots held the
    survey has no "survey", and is not a draft for that alone."""
    if "survey" not in old:
        return {key: value for key, value in current.items() if key != "survey"}
    return current


def latest(training: Training) -> ProgrammeVersion | None:
    return training.versions[-1] if training.versions else None


def pending_changes(training: Training) -> list[str] | None:
    """The changes since the latest version; None when there are none (not a draft)."""
    last = latest(training)
    current = snapshot(training)
    old = json.loads(last.snapshot) if last else None
    if old is not None and _without_labels(old) == _without_labels(_comparable(old, current)):
        return None
    return changelog(old, current)


def _without_labels(state: dict) -> dict:
    """A snapshot without its roles' labels: a label is made from what the snapshot holds
    anyway (the subject, its day), and its wording may change with the app (the day of a
    two-day training's role was added to it), which alone is no change to publish."""
    return state | {"roles": [{k: v for k, v in role.items() if k != "label"} for role in state.get("roles", [])]}


def published_document(training: Training, name: str) -> bytes | None:
    """A file of the latest version as it was published, or None."""
    last = latest(training)
    if last is None:
        return None
    return db.session.scalar(db.select(PublishedDocument.data).where(
        PublishedDocument.version_id == last.id, PublishedDocument.name == name))


def draft_mark(training: Training, today: date | None = None) -> str:
    """「案」 and the date, for every page of a document built from an unpublished draft;
    empty when the training stands as published."""
    if latest(training) is not None and pending_changes(training) is None:
        return ""
    return f"【案】{as_of_ja(today or date.today())}の下書き（未公開）"


def version_label(training: Training) -> str:
    """第2版（令和8年1月20日現在）, or what makes it a draft."""
    last = latest(training)
    if last is None:
        return "下書き（未公開）"
    if pending_changes(training) is not None:
        return f"下書き（{last.label}の公開後に変更あり）"
    return last.label


def publish(training: Training, official_name: str, today: date, settings: MailSettings,
            recipients: list[tuple[TeamMember, list[CalendarEvent]]], compose: Compose,
            documents: Callable[[Training], list[tuple[str, bytes]]] | None = None) -> ProgrammeVersion:
    """Record the next version and queue the mails it causes, in one commit. `recipients`
    are the team members with their current role events of this training (an empty list
    for a member who holds none: they get CANCEL for what they were sent before).
    `documents` builds the training's handouts as published; they are kept with the version
    (what a download gives while a later draft is not published)."""
    changes = pending_changes(training)
    if changes is None:
        raise ChangeRefused([f"{latest(training).label}から変更がないため、公開する必要はありません。"])
    last = latest(training)
    version = ProgrammeVersion(training=training, number=(last.number + 1) if last else 1,
                               published_on=today, published_by=official_name,
                               snapshot=json.dumps(snapshot(training), ensure_ascii=False),
                               changes="\n".join(changes))
    db.session.add(version)
    try:
        db.session.flush()
        changes = mail_changes_for([(training_scope(member.id, training.id), events)
                                    for member, events in recipients])
        for (member, _), (requests, cancels) in zip(recipients, changes):
            if not requests and not cancels:
                continue  # nothing of theirs changed: no mail
            # one mail per member, with one calendar part per event (Outlook imports only
            # one event of a REQUEST file)
            subject, body, parts = compose(member, requests, cancels, version)
            queue(settings, training.plan.prefecture_id, "calendar", member.name, member.email,
                  subject, body, parts)
        for name, data in (documents(training) if documents else []):
            db.session.add(PublishedDocument(version=version, name=name, data=data))
        db.session.commit()
    except IntegrityError:  # the same version published twice at once
        db.session.rollback()
        raise ChangeRefused(["同時に別の公開が行われました。版の一覧を確かめてください。"]) from None
    return version
