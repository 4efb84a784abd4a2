"""Role slots: which slots a training needs, when each happens, and claiming one safely.

A claim is one conditional UPDATE (`... WHERE holder_id IS NULL AND NOT locked`): on
PostgreSQL the second writer waits and re-checks the row, on SQLite the write lock
serialises writers, so exactly one of many simultaneous claims wins on both.

The rules about the member (no two slots at overlapping times, none on a day they cannot
attend) span several rows, so every write that gives a member a slot first takes the
member's lock (`lock_member`) and only then reads what they hold: two such writes for one
member run one after the other, whoever makes them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm.attributes import set_committed_value

from planner.domain.dates import format_date_wareki
from planner.models import MemberUnavailable, Plan, RoleSlot, TeamMember, Training, TrainingSubject
from planner.models.db import db
from planner.models.team import ROLE_NAMES
from planner.services.errors import rolled_back_on
from planner.services.plans.editions import curriculum_for
from planner.services.plans.timetables import subject_key, subject_title, timetable_clock


class ClaimRefused(Exception):
    """A claim or release that cannot be done; the message is Japanese."""


#: what the roles page walks, loaded with the plan: each training's subjects (with the events
#: that may take one over) and slots with their holders' names (not their courses or days).
#: The plan, its few trainings, their subjects and events come in one joined query (each query
#: costs more in the ORM than the rows it repeats); the slots, many more, in a second.
ROLES_PAGE = (
    orm.joinedload(Plan.trainings).joinedload(Training.subjects).joinedload(TrainingSubject.supplements),
    orm.joinedload(Plan.trainings).selectinload(Training.slots).joinedload(RoleSlot.holder)
    .options(orm.lazyload(TeamMember.courses), orm.lazyload(TeamMember.unavailable)),
)

#: the slot with its training, plan and subject (all its label needs), in the user's prefecture,
#: and the user's roster entry in that plan (matched by e-mail as roster.member_for does, None
#: when not on the roster); built once, as every claim and release runs it
_SLOT_TO_CLAIM = (
    db.select(RoleSlot, TeamMember).join(Training).join(Plan)
    .outerjoin(TeamMember, sa.and_(TeamMember.plan_id == Plan.id, TeamMember.email == sa.bindparam("email")))
    .where(RoleSlot.id == sa.bindparam("slot_id"), Training.plan_id == sa.bindparam("plan_id"),
           Plan.prefecture_id == sa.bindparam("prefecture_id"))
    .options(orm.contains_eager(RoleSlot.training).contains_eager(Training.plan), orm.joinedload(RoleSlot.subject),
             orm.lazyload(TeamMember.courses), orm.lazyload(TeamMember.unavailable)))


def find_slot_to_claim(prefecture_id: int, plan_id: int, slot_id: int,
                       email: str) -> tuple[RoleSlot, TeamMember | None] | None:
    """The slot and the roster entry of `email` in its plan, in one query, if the plan is the
    prefecture's; else None."""
    found = db.session.execute(_SLOT_TO_CLAIM, {"slot_id": slot_id, "plan_id": plan_id, "email": email.lower(),
                                                "prefecture_id": prefecture_id}).first()
    if found is None:
        return None
    return found.RoleSlot, found.TeamMember


def find_slot(plan_id: int, slot_id: int) -> RoleSlot | None:
    """The slot if it belongs to one of the plan's trainings."""
    return db.session.scalar(db.select(RoleSlot).join(Training)
                             .where(RoleSlot.id == slot_id, Training.plan_id == plan_id))


@dataclass(frozen=True)
class SlotTime:
    """When a slot's work happens; material preparation is done beforehand, so it has none."""

    day: date | None
    start: time | None
    end: time | None

    def overlaps(self, other: SlotTime) -> bool:
        if None in (self.start, other.start) or self.day != other.day:
            return False
        return self.start < other.end and other.start < self.end


def wanted_slots(training: Training) -> set[tuple[str, int | None, int]]:
    """(kind, subject_id, day_index) of every slot the training should have."""
    curriculum = curriculum_for(training)
    wanted = {("timekeeper", None, day) for day in range(training.day_count)}
    for row in training.subjects:
        if training.is_local:  # a local training: the team prepares every subject's materials
            if row.moved_out:
                continue
            wanted.add(("material_preparer", row.id, 0))
            if row.team_lecturer:
                wanted.add(("lecturer", row.id, 0))
            if row.uses_cases:
                wanted.add(("case_reporter", row.id, 0))
            continue
        # Local subjects have an outside lecturer; a subject a supplementary event takes over
        # (or, in old backups, moved to a separate day) has none here.
        if row.is_local or row.moved_out:
            continue
        wanted |= {("lecturer", row.id, 0), ("material_preparer", row.id, 0)}
        if curriculum.subject(row.letter).uses_cases:
            wanted.add(("case_reporter", row.id, 0))
    return wanted


def sync_slots(training: Training) -> None:
    """Create missing slots and drop those whose subject or day is gone (caller commits)."""
    db.session.flush()
    wanted = wanted_slots(training)
    existing = {(s.kind, s.subject_id, s.day_index): s for s in training.slots}
    for key, slot in existing.items():
        if key not in wanted:
            training.slots.remove(slot)
    for kind, subject_id, day_index in sorted(wanted - existing.keys(), key=str):
        training.slots.append(RoleSlot(kind=kind, subject_id=subject_id, day_index=day_index))
    db.session.flush()


def slot_times(training: Training) -> dict[int, SlotTime]:
    """The time of every slot, from the training's timetable."""
    by_key, day_spans = timetable_clock(training)
    days = training.days
    times = {}
    for slot in training.slots:
        day = days[slot.day_index] if slot.day_index < len(days) else None
        if slot.kind == "timekeeper" and slot.day_index < len(day_spans):
            times[slot.id] = SlotTime(day, *day_spans[slot.day_index])
        elif slot.kind in ("lecturer", "case_reporter") and slot.subject_id:
            found = by_key.get(subject_key(training.id, slot.subject_id))
            if found:
                times[slot.id] = SlotTime(*found)
                continue
            times[slot.id] = SlotTime(day, None, None)
        else:
            times[slot.id] = SlotTime(day if slot.kind != "material_preparer" else None, None, None)
    return times


def slots_by_day(training: Training, times: dict[int, SlotTime]) -> list[RoleSlot]:
    """The training's slots as the roles page lists them: day by day (a subject's roles on
    the day the timetable puts it, its preparation with it), then in the usual order."""
    days = training.days
    subject_day: dict[int, int] = {}
    for slot in training.slots:
        when = times.get(slot.id)
        if slot.subject_id is not None and when is not None and when.day in days:
            subject_day.setdefault(slot.subject_id, days.index(when.day))

    def key(slot: RoleSlot) -> tuple:
        day = slot.day_index if slot.subject_id is None else subject_day.get(slot.subject_id, 0)
        return (day, slot.sort_key)
    return sorted(training.slots, key=key)


def link_loaded_slots(trainings: list[Training]) -> None:
    """Point every loaded slot at its training and subject, already loaded with the training,
    so that a page reading them for each slot (labels, sort keys) skips the ORM's lazy loader."""
    for training in trainings:
        subjects = {row.id: row for row in training.subjects}
        for slot in training.slots:
            set_committed_value(slot, "training", training)
            if slot.subject_id is None or slot.subject_id in subjects:
                set_committed_value(slot, "subject", subjects.get(slot.subject_id))


def slot_label(slot: RoleSlot) -> str:
    """'前期共通 B 支援員に求められる… 講師役'; on a training of several days the role's day
    too: '相談後期 2日目（7月22日） D 地域の… 講師役', '相談後期 1日目（7月15日） タイムキーパー役'."""
    curriculum = curriculum_for(slot.training)
    # the job-support draft is marked wherever it appears, role labels included
    short = curriculum.short_title if curriculum.official else f"{curriculum.short_title}（たたき台）"
    day = slot_day_text(slot)
    day = f"{day} " if day else ""
    if slot.subject is None:
        return f"{short} {day}{ROLE_NAMES[slot.kind]}"
    title = subject_title(slot.training, slot.subject)
    if slot.subject.is_local:
        return f"{short} {day}{title} {ROLE_NAMES[slot.kind]}"
    return f"{short} {day}{slot.subject.letter} {title} {ROLE_NAMES[slot.kind]}"


def slot_day_text(slot: RoleSlot) -> str:
    """'2日目（7月22日）' for a role on one day of a training held on several; empty for a
    one-day training, for preparation (done beforehand) and while the timetable cannot place it."""
    training = slot.training
    if training.day_count < 2 or slot.kind == "material_preparer":
        return ""
    number = slot_day(slot)
    if number is None:
        return ""
    days = training.days
    day = days[number - 1] if number <= len(days) else None
    return f"{number}日目" + (f"（{day.month}月{day.day}日）" if day else "")


def lock_member(member_id: int) -> None:
    """Serialise the writes that give this member a slot, until the transaction ends.

    An UPDATE of the member's own row: PostgreSQL holds its row lock to the end of the
    transaction (a second writer waits, then reads what the first committed), and SQLite
    takes its single write lock at a transaction's first write (pysqlite begins the
    transaction there), so later reads see every committed holding. One statement that
    both engines honour, rather than SELECT ... FOR UPDATE, which SQLite does not have.
    """
    db.session.execute(db.update(TeamMember).where(TeamMember.id == member_id)
                       .values(holding_version=TeamMember.holding_version + 1)
                       .execution_options(synchronize_session=False))


def _who(member: TeamMember, yourself: bool) -> str:
    """The person a message is about: あなた to the member who acted, else the name."""
    return "あなた" if yourself else f"{member.name}さん"


def slot_days(slot: RoleSlot, times: dict[int, dict[int, SlotTime]] | None = None) -> set[date]:
    """The days a slot's work happens: its subject's day, or its own day for a timekeeper;
    every day of the training while the timetable cannot place it; none for preparation."""
    training = slot.training
    if slot.kind == "material_preparer":
        return set()  # done beforehand
    if training.day_count == 1:
        return set(training.days)
    times = {} if times is None else times
    if training.id not in times:
        times[training.id] = slot_times(training)
    found = times[training.id].get(slot.id)
    return {found.day} if found is not None and found.day else set(training.days)


def slot_day(slot: RoleSlot) -> int | None:
    """Which day of its training (1, 2, …) a slot's work falls on: its subject's day, or the
    timekeeper's own day; None while the timetable cannot place it, or for preparation."""
    if slot.kind == "timekeeper":
        return slot.day_index + 1
    if slot.training.day_count == 1:
        return 1 if slot.kind != "material_preparer" else None
    days = slot_days(slot)
    training_days = slot.training.days
    if len(days) == 1 and training_days and next(iter(days)) in training_days:
        return training_days.index(next(iter(days))) + 1
    return None


def slot_day_number(slot: RoleSlot) -> int:
    """slot_day, or 1 where it has none (a file name always names a day)."""
    return slot_day(slot) or 1


def _unavailable_problem(slot: RoleSlot, member: TeamMember, unavailable: set[date],
                         times: dict[int, dict[int, SlotTime]] | None = None, yourself: bool = False) -> str | None:
    clash = slot_days(slot, times) & unavailable
    if clash:
        day = min(clash)
        which = ""
        if slot.training.day_count > 1 and day in slot.training.days:
            which = f"（{slot.training.days.index(day) + 1}日目）"
        return f"{_who(member, yourself)}は{format_date_wareki(day, weekday=False)}{which}を参加できない日に登録しています。"
    return None


def _overlap_problem(slot: RoleSlot, held: list[RoleSlot], times: dict[int, dict[int, SlotTime]],
                     who: str = "") -> str | None:
    """The first held slot at the same time as `slot`, as a message; `times` is filled as needed."""
    if slot.kind == "material_preparer" or not held:
        return None  # nothing to overlap with: no timetable to build
    for training in {slot.training, *(other.training for other in held)}:
        if training.id not in times:
            times[training.id] = slot_times(training)
    mine = times[slot.training_id].get(slot.id)
    for other in held:
        other_time = times[other.training_id].get(other.id)
        if other.id != slot.id and mine and other_time and mine.overlaps(other_time):
            return (f"{who + 'は' if who else ''}同じ時間帯に「{slot_label(other)}」を担当しているため、"
                    f"「{slot_label(slot)}」は担当できません。")
    return None


def check_member_can_hold(slot: RoleSlot, member: TeamMember,
                          times: dict[int, dict[int, SlotTime]] | None = None, yourself: bool = False) -> None:
    """Refuse a slot on a day the member cannot attend, or at a time they already hold.

    Reads the member's days and slots fresh from the database: call after lock_member.
    `times` caches slot times by training across calls in one transaction. `yourself`: the
    member acts (a claim), so the refusal says あなた.
    """
    unavailable = set(db.session.scalars(db.select(MemberUnavailable.day)
                                         .where(MemberUnavailable.member_id == member.id)))
    times = {} if times is None else times
    problem = _unavailable_problem(slot, member, unavailable, times, yourself)
    if problem is None and slot.kind != "material_preparer":
        held = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == member.id,
                                                            RoleSlot.id != slot.id,
                                                            RoleSlot.kind != "material_preparer")).all()
        problem = _overlap_problem(slot, list(held), times, "あなた" if yourself else "")
    if problem:
        raise ClaimRefused(problem)


def check_days_keep_holdings(member: TeamMember, days: set[date]) -> None:
    """Refuse to mark `days` unavailable while the member holds a slot on one of them
    (call after lock_member; the official releases or reassigns the slot first)."""
    held = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == member.id,
                                                        RoleSlot.kind != "material_preparer")
                              .order_by(RoleSlot.id)).all()
    times: dict[int, dict[int, SlotTime]] = {}
    for slot in held:
        clash = slot_days(slot, times) & days
        if clash:
            raise ClaimRefused(f"{member.name}さんは{format_date_wareki(min(clash), weekday=False)}に「{slot_label(slot)}」を担当しているため、"
                               "その日を参加できない日にはできません。先にその担当を外してください。")


def holding_problems(slots: list[RoleSlot]) -> list[str]:
    """Every slot of `slots` whose holder also holds an overlapping one, or is away that day
    (for rows not yet committed, such as a plan read from a backup)."""
    times: dict[int, dict[int, SlotTime]] = {}
    problems = []
    by_member: dict[int, list[RoleSlot]] = {}
    for slot in sorted(slots, key=lambda s: s.id):
        if slot.holder is None:
            continue
        member = slot.holder
        problem = (_unavailable_problem(slot, member, member.unavailable_days)
                   or _overlap_problem(slot, by_member.get(member.id, []), times))
        if problem:
            problems.append(problem)
        by_member.setdefault(member.id, []).append(slot)
    return problems


def _lock_and_check(slot: RoleSlot, member: TeamMember, check: bool = True, yourself: bool = False) -> None:
    """Take the member's lock and check the holding rules, rolling back if they refuse.

    Material preparation clashes with nothing, so it needs neither. The slot times are
    worked out before the lock, from the slots the member holds now, so that the lock
    (SQLite's only write lock) is held for a few short queries; a slot taken meanwhile in
    another training gets its times inside.
    """
    if slot.kind == "material_preparer":
        return
    times: dict[int, dict[int, SlotTime]] = {}
    if check:
        held = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == member.id,
                                                            RoleSlot.kind != "material_preparer")).all()
        if held:
            _overlap_problem(slot, list(held), times)  # fills `times`; the answer is read again below
    lock_member(member.id)
    if not check:
        return
    with rolled_back_on(ClaimRefused):
        check_member_can_hold(slot, member, times, yourself)


def claim_slot(slot: RoleSlot, member: TeamMember) -> None:
    """Take an open slot for `member`; if someone was faster, say who holds it."""
    if slot.locked:
        raise ClaimRefused("この役割は担当職員が確定済みのため、申し込めません。")
    _lock_and_check(slot, member, yourself=True)
    result = db.session.execute(
        db.update(RoleSlot)
        .where(RoleSlot.id == slot.id, RoleSlot.holder_id.is_(None), RoleSlot.locked.is_(False))
        .values(holder_id=member.id))
    if result.rowcount != 1:
        db.session.rollback()
        holder = db.session.scalar(db.select(TeamMember).join(RoleSlot, RoleSlot.holder_id == TeamMember.id)
                                   .where(RoleSlot.id == slot.id))
        if holder is not None and holder.id == member.id:
            raise ClaimRefused("この役割はすでにあなたが担当しています。")
        if holder is None and db.session.scalar(db.select(RoleSlot.locked).where(RoleSlot.id == slot.id)):
            raise ClaimRefused("この役割は担当職員が確定済みのため、申し込めません。")
        who = f"{holder.name}さん（{holder.municipality}）" if holder else "他の人"
        raise ClaimRefused(f"この役割はすでに{who}が担当しています。")
    db.session.commit()


def release_slot(slot: RoleSlot, member: TeamMember) -> None:
    """Give back a slot the member holds (not once an official locked it)."""
    result = db.session.execute(
        db.update(RoleSlot)
        .where(RoleSlot.id == slot.id, RoleSlot.holder_id == member.id, RoleSlot.locked.is_(False))
        .values(holder_id=None))
    if result.rowcount != 1:
        db.session.rollback()
        raise ClaimRefused("この役割は取り消せません（担当していないか、確定済みです）。")
    db.session.commit()


class SlotChanged(ClaimRefused):
    """The slot's holder changed since the official's form was shown; the message says to whom."""


#: assign_slot's default: write whatever the slot holds now
ANY_HOLDER = object()


def assign_slot(slot: RoleSlot, member: TeamMember | None, locked: bool | None = None,
                expected_holder: int | None | object = ANY_HOLDER, check: bool = True,
                yourself: bool = False) -> None:
    """An official sets or clears a slot's holder (and its lock, unless None), and commits.

    `expected_holder` is the holder the form was shown with: if someone claimed or released
    the slot since, nothing is written and SlotChanged says who holds it now. `yourself`: the
    official assigns their own roster entry, so a refusal says あなた.
    """
    if member is not None:
        _lock_and_check(slot, member, check, yourself)
    values = {"holder_id": member.id if member else None}
    if locked is not None:
        values["locked"] = locked
    statement = db.update(RoleSlot).where(RoleSlot.id == slot.id)
    if expected_holder is not ANY_HOLDER:
        statement = statement.where(RoleSlot.holder_id.is_(None) if expected_holder is None
                                    else RoleSlot.holder_id == expected_holder)
    result = db.session.execute(statement.values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        holder = db.session.scalar(db.select(TeamMember).join(RoleSlot, RoleSlot.holder_id == TeamMember.id)
                                   .where(RoleSlot.id == slot.id))
        now = f"{holder.name}さん（{holder.municipality}）が担当しています" if holder else "空きになっています"
        raise SlotChanged(f"この画面を開いた後に担当が変わり、今は{now}。"
                          "保存しませんでした。内容を確かめて、もう一度保存してください。")
    db.session.commit()
    db.session.refresh(slot)


def lock_held_slots(trainings: list[Training]) -> int:
    """Confirm (lock) every held, unlocked slot of these trainings at once; returns how many."""
    result = db.session.execute(
        db.update(RoleSlot).where(RoleSlot.training_id.in_([t.id for t in trainings]),
                                  RoleSlot.holder_id.is_not(None), RoleSlot.locked.is_(False))
        .values(locked=True).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount
