"""Role slots: which slots a training needs, when each happens, and claiming one safely.

A claim is one conditional UPDATE (`... WHERE holder_id IS NULL AND NOT locked`): on
PostgreSQL the second writer waits and re-checks the row, on SQLite the write lock
serialises writers, so exactly one of many simultaneous claims wins on both.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from curricula import get_curriculum
from planner.models import RoleSlot, TeamMember, Training
from planner.models.db import db
from planner.models.team import ROLE_NAMES
from planner.services.timetables import subject_title, timetable_of


class ClaimRefused(Exception):
    """A claim or release that cannot be done; the message is Japanese."""


@dataclass(frozen=True)
class SlotTime:
    """When a slot's work happens; material preparation is done beforehand, so it has none."""

    day: date | None
    start: time | None
    end: time | None

    def overlaps(self, other: "SlotTime") -> bool:
        if None in (self.start, other.start) or self.day != other.day:
            return False
        return self.start < other.end and other.start < self.end


def wanted_slots(training: Training) -> set[tuple[str, int | None, int]]:
    """(kind, subject_id, day_index) of every slot the training should have."""
    curriculum = get_curriculum(training.curriculum_key)
    wanted = {("timekeeper", None, day) for day in range(training.day_count)}
    for row in training.subjects:
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
    timetable = timetable_of(training)
    by_key = {}
    for index, day in enumerate(timetable.days):
        for item in day.subjects:
            if item.key:
                by_key[item.key] = (index, day.day, item.start, item.end)
    days = training.days
    times = {}
    for slot in training.slots:
        day = days[slot.day_index] if slot.day_index < len(days) else None
        if slot.kind == "timekeeper" and timetable.days and slot.day_index < len(timetable.days):
            items = timetable.days[slot.day_index].items
            times[slot.id] = SlotTime(day, items[0].start, items[-1].end)
        elif slot.kind in ("lecturer", "case_reporter") and slot.subject_id:
            found = by_key.get(f"training-{training.id}-subject-{slot.subject_id}")
            if found:
                index, day, start, end = found
                times[slot.id] = SlotTime(day, start, end)
                continue
            times[slot.id] = SlotTime(day, None, None)
        else:
            times[slot.id] = SlotTime(day if slot.kind != "material_preparer" else None, None, None)
    return times


def slot_label(slot: RoleSlot) -> str:
    """'前期共通 B 支援員に求められる… 講師役' or '前期共通 1日目 タイムキーパー役'."""
    curriculum = get_curriculum(slot.training.curriculum_key)
    # the job-support draft is marked wherever it appears, role labels included
    short = curriculum.short_title if curriculum.official else f"{curriculum.short_title}（たたき台）"
    if slot.subject is None:
        day = f"{slot.day_index + 1}日目 " if slot.training.day_count > 1 else ""
        return f"{short} {day}{ROLE_NAMES[slot.kind]}"
    title = subject_title(slot.training, slot.subject)
    return f"{short} {slot.subject.letter} {title} {ROLE_NAMES[slot.kind]}"


def _check_member_can_hold(slot: RoleSlot, member: TeamMember) -> None:
    """Refuse a slot on a day the member cannot attend, or at a time they already hold."""
    training = slot.training
    days = set(training.days)
    if slot.kind != "material_preparer" and days & member.unavailable_days:
        day = min(days & member.unavailable_days)
        raise ClaimRefused(f"{member.name}さんは {day:%Y-%m-%d} を参加できない日に登録しています。")
    if slot.kind == "material_preparer":
        return  # done beforehand: it clashes with nothing
    held = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == member.id,
                                                        RoleSlot.id != slot.id,
                                                        RoleSlot.kind != "material_preparer")).all()
    if not held:
        return
    # One timetable per training involved, not one per slot.
    times_by_training = {training.id: slot_times(training)}
    mine = times_by_training[training.id].get(slot.id)
    for other in held:
        if other.training_id not in times_by_training:
            times_by_training[other.training_id] = slot_times(other.training)
        other_time = times_by_training[other.training_id].get(other.id)
        if mine and other_time and mine.overlaps(other_time):
            raise ClaimRefused(f"同じ時間帯に「{slot_label(other)}」を担当しているため、"
                               f"「{slot_label(slot)}」は担当できません。")


def claim_slot(slot: RoleSlot, member: TeamMember) -> None:
    """Take an open slot for `member`; if someone was faster, say who holds it."""
    if slot.locked:
        raise ClaimRefused("この役割は担当職員が確定済みのため、申し込めません。")
    _check_member_can_hold(slot, member)
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


def assign_slot(slot: RoleSlot, member: TeamMember | None, check: bool = True) -> None:
    """An official sets or clears a slot's holder, locked or not (caller commits)."""
    if member is not None and check:
        _check_member_can_hold(slot, member)
    slot.holder_id = member.id if member else None
