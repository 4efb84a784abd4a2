"""An official's edit of a training (date, days, times, minutes, order, the draft's subjects,
supplementary events) re-checks every slot holder of that training: a holder who would then
hold two slots at the same time, or work on a day they said they cannot come, is listed
before anything is saved. The official then keeps the edit with those conflicts (recorded,
shown on the roles page) or keeps it and releases those slots; nothing is kept silently.

The decision travels with the request (`deciding`), so every change path
(planner.services.plans.changes.change_training) asks the same question without new parameters.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa

from planner.domain.dates import format_date_wareki
from planner.models import RoleSlot, SlotConflict, TeamMember, Training
from planner.models.db import db
from planner.services.team.roles import SlotTime, slot_label, slot_times

ASK, KEEP, RELEASE = "ask", "keep", "release"
_decision: ContextVar[str] = ContextVar("holder_decision", default=ASK)


@dataclass(frozen=True)
class Conflict:
    slot_id: int
    member_id: int
    member_name: str
    label: str
    reason: str


class HoldersAffected(Exception):
    """The change would break slot holders' days: nothing was saved; the official decides."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__("; ".join(c.reason for c in conflicts))
        self.conflicts = conflicts


@contextmanager
def deciding(decision: str | None):
    """Run changes with the official's answer (keep / release); anything else asks."""
    token = _decision.set(decision if decision in (KEEP, RELEASE) else ASK)
    try:
        yield
    finally:
        _decision.reset(token)


def begin_decision(decision: str | None):
    """Like `deciding`, for a request: returns the token to give `end_decision`."""
    return _decision.set(decision if decision in (KEEP, RELEASE) else ASK)


def end_decision(token) -> None:
    _decision.reset(token)


def conflicts_of(training: Training) -> list[Conflict]:
    """Every held slot of the training (material preparation aside: done beforehand) whose
    holder is away that day or holds another slot at the same time, as the training is now
    (flushed)."""
    held = [s for s in training.slots if s.holder_id is not None and s.kind != "material_preparer"]
    if not held:
        return []
    members = {m.id: m for m in db.session.scalars(
        db.select(TeamMember).where(TeamMember.id.in_({s.holder_id for s in held})))}
    others = db.session.scalars(db.select(RoleSlot).where(
        RoleSlot.holder_id.in_(members), RoleSlot.kind != "material_preparer",
        RoleSlot.training_id != training.id)).all()
    times: dict[int, dict[int, SlotTime]] = {training.id: slot_times(training)}
    for other in others:
        if other.training_id not in times:
            times[other.training_id] = slot_times(other.training)
    found = []
    for slot in sorted(held, key=lambda s: s.id):
        member = members[slot.holder_id]
        label = slot_label(slot)
        away = sorted(set(training.days) & member.unavailable_days)
        if away:
            found.append(Conflict(slot.id, member.id, member.name, label,
                                  f"{member.name}さんは「{label}」の日（{format_date_wareki(away[0])}）を参加できない日に登録しています。"))
        mine = times[training.id].get(slot.id)
        for other in [s for s in held if s.holder_id == slot.holder_id and s.id != slot.id] + \
                [s for s in others if s.holder_id == slot.holder_id]:
            theirs = times[other.training_id].get(other.id)
            if mine and theirs and mine.overlaps(theirs):
                found.append(Conflict(slot.id, member.id, member.name, label,
                                      f"{member.name}さんは「{label}」と「{slot_label(other)}」が同じ時間帯になります。"))
    return found


def _recorded(training: Training) -> set[tuple[int, int, str]]:
    return set(db.session.execute(
        db.select(SlotConflict.slot_id, SlotConflict.member_id, SlotConflict.reason)
        .join(RoleSlot, RoleSlot.id == SlotConflict.slot_id).where(RoleSlot.training_id == training.id)).all())


def conflict_keys(training: Training) -> set[tuple[int, int, str]]:
    """The conflicts of the training before a change (to ask only about the ones it makes)."""
    # no autoflush: a caller may hold new rows not yet complete (the programme's entries)
    with db.session.no_autoflush:
        if not any(s.holder_id is not None and s.kind != "material_preparer" for s in training.slots):
            return set()
        return {(c.slot_id, c.member_id, c.reason) for c in conflicts_of(training)}


def settle(training: Training, before: set[tuple[int, int, str]] = frozenset()) -> None:
    """Called inside a training change, after the slots are in step and before the commit:
    raise HoldersAffected for the conflicts this change makes (not there `before`, not kept
    earlier; the caller rolls back), or apply the official's decision. Kept conflicts that
    went away are forgotten."""
    conflicts = conflicts_of(training)
    recorded = _recorded(training)
    new = [c for c in conflicts if (c.slot_id, c.member_id, c.reason) not in recorded | before]
    decision = _decision.get()
    if new and decision == ASK:
        raise HoldersAffected(new)
    current = {(c.slot_id, c.member_id, c.reason) for c in conflicts}
    if decision == RELEASE and new:
        released = {c.slot_id for c in new}
        for slot in training.slots:
            if slot.id in released:
                slot.holder_id, slot.locked = None, False
        current = {key for key in current if key[0] not in released}
    elif new:
        db.session.add_all(SlotConflict(slot_id=c.slot_id, member_id=c.member_id, reason=c.reason[:500])
                           for c in new)
    gone = recorded - current
    slot_ids = [s.id for s in training.slots]
    if gone and slot_ids:
        db.session.execute(db.delete(SlotConflict).where(
            SlotConflict.slot_id.in_(slot_ids),
            sa.tuple_(SlotConflict.slot_id, SlotConflict.member_id, SlotConflict.reason).in_(list(gone))))
    db.session.flush()


def kept_conflicts(plan_id: int) -> list[SlotConflict]:
    """The conflicts officials kept in a plan whose slot still has that holder (roles page)."""
    return list(db.session.scalars(
        db.select(SlotConflict).join(RoleSlot, RoleSlot.id == SlotConflict.slot_id).join(Training)
        .where(Training.plan_id == plan_id, RoleSlot.holder_id == SlotConflict.member_id)
        .order_by(SlotConflict.slot_id, SlotConflict.id)))
