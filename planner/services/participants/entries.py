"""Participants of a training: entering, changing and removing them, and the official's decision
on the waiting list.

Every write takes the training's lock first (an UPDATE of Training.participants_version, then of
the municipality's ApplicationLink.entry_version), and only then counts the seats taken, in the
same transaction: two simultaneous submits run one after the other on PostgreSQL (row lock) and
on SQLite (its single write lock), so the quota and the capacity are never passed together
(the pattern of planner.services.team.roles.lock_member).
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from planner.domain import addresses, fields
from planner.domain.participants import ACCEPTED, DECLINED, WAITING, ParticipantEntry, open_kinds, place_entries
from planner.domain.people import name_key, same_person
from planner.models import ApplicationLink, Municipality, Participant, Training
from planner.models.db import db
from planner.models.participants import PARTICIPANT_KINDS
from planner.services.errors import ChangeRefused

TOKYO = ZoneInfo("Asia/Tokyo")
#: how a participant came in (Participant.entered_via)
VIAS = ("link", "import", "official")
#: the most entries one municipality may send in one go (a reply file, a form)
MOST_AT_ONCE = 200


class NoSeat(ChangeRefused):
    """The entry would go on the waiting list and the caller asked for a seat or nothing."""


def today_in_japan() -> date:
    """The date on the officials' and municipalities' calendars (deadlines are Japanese days)."""
    return datetime.now(TOKYO).date()


def clean_entry(training: Training, entry: ParticipantEntry) -> ParticipantEntry:
    """The entry as stored, every field through its rule; ChangeRefused (Japanese) otherwise."""
    problems = []
    values = {}
    for attr, key in (("name", "participant_name"), ("kana", "participant_kana"),
                      ("affiliation", "participant_affiliation"), ("job", "participant_job"),
                      ("email", "participant_email"), ("needs", "participant_needs")):
        rule = fields.rule(key)
        try:
            values[attr] = fields.check_text(getattr(entry, attr) or "", rule)
        except fields.FieldError as error:
            problems.append(f"{rule.label}: {error}")
    try:
        email = addresses.check_optional_address(values.get("email", ""))
    except fields.FieldError as error:
        email = ""
        problems.append(f"メールアドレス: {error}")
    values["email"] = email
    allowed = open_kinds(training.open_to_officials, training.open_to_agencies)
    if entry.kind not in allowed:
        names = "、".join(PARTICIPANT_KINDS[k] for k in allowed)
        shown = PARTICIPANT_KINDS.get(entry.kind, entry.kind)
        problems.append(f"区分: 「{shown}」はこの研修の対象ではありません（対象は {names}）。")
    if problems:
        raise ChangeRefused(problems)
    return ParticipantEntry(kind=entry.kind, **values)


def lock_entries(training: Training, municipality: Municipality | None) -> None:
    """Serialise every write of the training's participants until the transaction ends.

    The training first, then the municipality's link (always in this order, so two writers
    never wait for each other): the capacity is counted over the whole training, the quota
    over the municipality, both after the previous writer committed.
    """
    db.session.execute(sa.update(Training).where(Training.id == training.id)
                       .values(participants_version=Training.participants_version + 1)
                       .execution_options(synchronize_session=False))
    if municipality is not None:
        db.session.execute(sa.update(ApplicationLink)
                           .where(ApplicationLink.training_id == training.id,
                                  ApplicationLink.municipality_id == municipality.id)
                           .values(entry_version=ApplicationLink.entry_version + 1)
                           .execution_options(synchronize_session=False))


def seats_taken(training: Training, municipality: Municipality | None = None) -> int:
    """How many accepted entries the training (or one municipality of it) has."""
    query = sa.select(sa.func.count()).select_from(Participant).where(
        Participant.training_id == training.id, Participant.status == ACCEPTED)
    if municipality is not None:
        query = query.where(Participant.municipality_id == municipality.id)
    return db.session.scalar(query)


def would_wait(training: Training, municipality: Municipality | None, count: int,
               today: date | None = None) -> list[str]:
    """The waiting reasons `count` new entries would get now ('' for a seat), without writing.
    For the link page's question before it offers the waiting list (the write re-checks)."""
    placements = place_entries(
        count, municipality_accepted=seats_taken(training, municipality) if municipality else 0,
        quota=training.per_municipality if municipality else None,
        training_accepted=seats_taken(training), capacity=training.capacity,
        deadline=training.application_deadline, today=today or today_in_japan())
    return [p.reason for p in placements]


def add_entries(training: Training, municipality: Municipality | None, entries: list[ParticipantEntry],
                via: str, *, today: date | None = None, waiting_ok: bool = True,
                commit: bool = True) -> list[Participant]:
    """Add the entries all together or none, each accepted or on the waiting list by
    planner.domain.participants.place_entries, and commit (with `commit=False` the caller
    commits, so a file of several municipalities lands whole or not at all).

    `via` is 'link', 'import' or 'official'. With `waiting_ok=False` (the link page before its
    contact person chose the waiting list) an entry that would wait refuses the whole submit (NoSeat).
    Raises ChangeRefused (Japanese) for invalid input; nothing is written then.
    """
    if via not in VIAS:
        raise ValueError(f"unknown via {via!r}")
    if municipality is not None and municipality.prefecture_id != training.plan.prefecture_id:
        raise ChangeRefused(["この自治体はこの研修の都道府県のものではありません。"])
    if not entries:
        raise ChangeRefused(["受講者がいません。"])
    if len(entries) > MOST_AT_ONCE:
        raise ChangeRefused([f"一度に登録できるのは{MOST_AT_ONCE}名までです（{len(entries)}名あります）。"])
    problems, cleaned = [], []
    for number, entry in enumerate(entries, start=1):
        try:
            cleaned.append(clean_entry(training, entry))
        except ChangeRefused as refused:
            prefix = f"{number}人目: " if len(entries) > 1 else ""
            problems.extend(prefix + message for message in refused.messages)
    if problems:
        raise ChangeRefused(problems)
    try:
        lock_entries(training, municipality)
        _refuse_people_twice(training, municipality, cleaned)
        # the numbers as the official last saved them, read under the lock like the counts
        db.session.refresh(training, ["per_municipality", "capacity", "application_deadline"])
        reasons = would_wait(training, municipality, len(cleaned), today)
        if not waiting_ok and any(reasons):
            first = next(reason for reason in reasons if reason)
            raise NoSeat([f"{first}。この申込は受講決定にできません。"])
        rows = [Participant(training_id=training.id, municipality_id=municipality.id if municipality else None,
                            status=WAITING if reason else ACCEPTED, waiting_reason=reason, entered_via=via,
                            name=e.name, kana=e.kana, affiliation=e.affiliation, kind=e.kind, job=e.job,
                            email=e.email, needs=e.needs)
                 for e, reason in zip(cleaned, reasons)]
        db.session.add_all(rows)
        if commit:
            db.session.commit()
        else:
            db.session.flush()  # the next municipality's counts see these rows
    except Exception:
        db.session.rollback()
        raise
    return rows


def registered_same(training: Training, municipality: Municipality | None, entry: ParticipantEntry,
                    among: list[Participant] | None = None) -> Participant | None:
    """The participant of this training and municipality (for no municipality: the same
    affiliation) who is the same person as `entry` (name and kana), if any."""
    if among is None:
        among = _same_place(training, municipality)
    for person in among:
        if municipality is None and name_key(person.affiliation) != name_key(entry.affiliation):
            continue
        if same_person(person.name, person.kana, entry.name, entry.kana):
            return person
    return None


def _same_place(training: Training, municipality: Municipality | None) -> list[Participant]:
    """The training's entries of this municipality (of none: partner organisations)."""
    return list(db.session.scalars(db.select(Participant).where(
        Participant.training_id == training.id,
        Participant.municipality_id == municipality.id if municipality else Participant.municipality_id.is_(None))
        .order_by(Participant.id)))


def _refuse_people_twice(training: Training, municipality: Municipality | None,
                         cleaned: list[ParticipantEntry]) -> None:
    """Refuse (Japanese, naming who) a person already registered, or twice in one submission."""
    existing = _same_place(training, municipality)
    problems = []
    for number, entry in enumerate(cleaned, start=1):
        prefix = f"{number}人目: " if len(cleaned) > 1 else ""
        who = f"{entry.name}さん" + (f"（{entry.kana}）" if entry.kana else "")
        if registered_same(training, municipality, entry, existing):
            problems.append(f"{prefix}{who}はすでにこの研修に登録されています。変更は登録済みの方の「変更」から行ってください。")
        elif any(same_person(entry.name, entry.kana, other.name, other.kana)
                 and (municipality is not None or name_key(entry.affiliation) == name_key(other.affiliation))
                 for other in cleaned[:number - 1]):
            problems.append(f"{prefix}{who}が同じ申込の中に2回あります。")
    if problems:
        raise ChangeRefused(problems)


def update_entry(participant: Participant, entry: ParticipantEntry, *, commit: bool = True) -> Participant:
    """Change a participant's details (not their seat) and commit (with `commit=False` the caller
    commits, e.g. with the receipt mail); ChangeRefused for invalid input."""
    training = participant.training
    cleaned = clean_entry(training, entry)
    try:
        lock_entries(training, participant.municipality)
        for attr in ("name", "kana", "affiliation", "kind", "job", "email", "needs"):
            setattr(participant, attr, getattr(cleaned, attr))
        db.session.commit() if commit else db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return participant


def remove_entry(participant: Participant, *, commit: bool = True) -> None:
    """Delete a participant and commit (`commit=False`: the caller does). A seat freed is not
    given to a waiting entry by itself: the official decides on the waiting list."""
    try:
        lock_entries(participant.training, participant.municipality)
        db.session.delete(participant)
        db.session.commit() if commit else db.session.flush()
    except Exception:
        db.session.rollback()
        raise


def decide_waiting(participant: Participant, accept: bool, *, commit: bool = True) -> Participant:
    """The official accepts (a seat, beyond the quota or capacity if she so decides) or declines
    a waiting entry, and commits (`commit=False`: the caller does, with the decision mail)."""
    if participant.status != WAITING:
        raise ChangeRefused(["この受講者はキャンセル待ちではありません（ほかの人がすでに決めた可能性があります）。"])
    try:
        lock_entries(participant.training, participant.municipality)
        db.session.refresh(participant)
        if participant.status != WAITING:
            raise ChangeRefused(["この受講者はキャンセル待ちではありません（ほかの人がすでに決めた可能性があります）。"])
        participant.status = ACCEPTED if accept else DECLINED
        db.session.commit() if commit else db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return participant


#: the application settings the participants page changes (Training columns)
SETTING_FIELDS = ("capacity", "per_municipality", "open_to_officials", "open_to_agencies",
                  "application_deadline", "notice_number", "notice_date")


def update_settings(training: Training, **values) -> None:
    """Change who may apply, how many and until when; commit. Under the entries' lock, so a
    submit running now counts with the old numbers or the new, never a mix. Entries already
    placed keep their place: the official decides on them."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValueError(f"not application settings: {sorted(unknown)}")
    deadline = values.get("application_deadline", training.application_deadline)
    if deadline and training.first_date and deadline > training.first_date:
        raise ChangeRefused([(f"申込締切は開催日（{training.first_date.month}月{training.first_date.day}日）"
                             "以前にしてください。")])
    try:
        lock_entries(training, None)
        for name, value in values.items():
            setattr(training, name, value)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def entries_of(training: Training, municipality: Municipality | None = None) -> list[Participant]:
    """The training's entries (or one municipality's), in the order they came."""
    query = db.select(Participant).filter_by(training_id=training.id).order_by(Participant.id)
    if municipality is not None:
        query = query.filter_by(municipality_id=municipality.id)
    return list(db.session.scalars(query))


def find_participant(participant_id: int) -> Participant | None:
    """The participant with this id, or None."""
    return db.session.get(Participant, participant_id)
