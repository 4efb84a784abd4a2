"""The role slots in the plan's JSON backup (planner.services.backup.plan): each training's
claimed or locked slots (the subject by its position, the holder by e-mail) and the holder
conflicts an official chose to keep. The slots themselves are not in the file: they are made
as for a plan made in the app (planner.services.team.roles.sync_slots) and then given their
holders; a kept conflict is recorded again only when the copy has exactly that conflict.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from planner.domain import fields as rules
from planner.models import RoleSlot, SlotConflict, Training
from planner.models.db import db
from planner.models.team import ROLE_NAMES
from planner.services.backup.reader import BackupError, _Fields, _show
from planner.services.plans import holder_conflicts
from planner.services.team.roles import wanted_slots

MAX_ROLES = rules.limit("roles")
#: the kept conflicts of one slot (planner.services.plans.holder_conflicts): a few in practice
MAX_KEPT = 50


def _role_section(slot: RoleSlot, kept: dict[int, list[str]]) -> dict:
    """A claimed or locked slot: the subject by its position, the holder by e-mail, and the
    conflicts an official kept for this holder (only when there are some: older files lack them)."""
    section = {"kind": slot.kind, "subject": slot.subject.position if slot.subject else None,
               "day_index": slot.day_index, "holder": slot.holder.email if slot.holder else None,
               "locked": slot.locked}
    if kept.get(slot.id):
        section["kept"] = kept[slot.id]
    return section


def _kept_reasons(training: Training) -> dict[int, list[str]]:
    """The conflicts officials kept, by slot, for the slot's present holder only (as shown)."""
    if not any(s.holder_id is not None for s in training.slots):
        return {}
    kept: dict[int, list[str]] = {}
    for slot_id, reason in db.session.execute(
            db.select(SlotConflict.slot_id, SlotConflict.reason)
            .join(RoleSlot, RoleSlot.id == SlotConflict.slot_id)
            .where(RoleSlot.training_id == training.id, RoleSlot.holder_id == SlotConflict.member_id)
            .order_by(SlotConflict.reason)):
        kept.setdefault(slot_id, []).append(reason)
    return kept


@dataclass
class _Role:
    """A role holder read from the file, waiting for its slot: (kind, subject position, day)."""

    where: str
    kind: str
    subject: int | None
    day_index: int
    holder: str | None
    locked: bool
    #: the conflicts an official kept for this holder (their reasons), restored as kept
    kept: tuple[str, ...] = ()


def _read_role(fields: _Fields, training: Training, emails: set[str]) -> _Role:
    """One role holder of a training, checked against its subjects and the roster."""
    fields.only({"kind", "subject", "day_index", "holder", "locked", "kept"})
    kind = fields.text("kind", 20, required=True)
    if kind not in ROLE_NAMES:
        raise fields.fail("kind", f"「{_show(kind)}」という役割はありません。{', '.join(ROLE_NAMES)} のいずれかです。")
    subject = fields.integer("subject", 0, 999, optional=True)
    if kind == "timekeeper" and subject is not None:
        raise fields.fail("subject", "はタイムキーパー役には書きません（null にします）。")
    if kind != "timekeeper" and subject is None:
        raise fields.fail("subject", f"がありません。{ROLE_NAMES[kind]}は科目ごとの役割です。")
    rows = {s.position: s for s in training.subjects}
    if subject is not None and subject not in rows:
        raise fields.fail("subject", f" {subject} の科目はこの研修にありません"
                                     f"（科目の順番は {', '.join(map(str, sorted(rows)))}）。")
    day_index = fields.integer("day_index", 0, 4)
    if day_index >= training.day_count:
        raise fields.fail("day_index", f" {day_index} はこの研修の日数（{training.day_count}日）を超えています"
                                       "（1日目が 0 です）。")
    holder = fields.require("holder")
    if holder is not None:
        holder = fields.text("holder", 254, required=True).lower()
        if holder not in emails:
            raise BackupError(f"{fields.where}: 担当者 {_show(holder)} は名簿にいません。")
    return _Role(fields.where, kind, subject, day_index, holder, fields.boolean("locked"), _read_kept(fields, holder))


def _read_kept(fields: _Fields, holder: str | None) -> tuple[str, ...]:
    """The reasons of the conflicts an official kept for the holder; files before them lack it."""
    if "kept" not in fields.data:
        return ()
    reasons = fields.items("kept", MAX_KEPT)
    if reasons and holder is None:
        raise fields.fail("kept", "は担当者のいない役割には書きません。")
    for reason in reasons:
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise fields.fail("kept", f"の「{_show(reason)}」は500文字以内の文字列ではありません。")
    return tuple(reasons)


def _check_roles(where: str, training: Training, roles: list[_Role]) -> None:
    """Each role once, and only for a slot the app makes for this training (planner.services.team.roles)."""
    # The slots are made after writing, from subject ids; before writing, positions stand in.
    shadow = SimpleNamespace(curriculum_key=training.curriculum_key, day_count=training.day_count, plan=training.plan,
                             is_local=training.is_local, local_title=training.local_title,
                             subjects=[SimpleNamespace(id=s.position, letter=s.letter, is_local=not s.letter,
                                                       separate_day=s.separate_day, moved_out=s.moved_out,
                                                       team_lecturer=s.team_lecturer, uses_cases=s.uses_cases)
                                       for s in training.subjects])
    wanted = wanted_slots(shadow)
    seen = {}
    rows = {s.position: s for s in training.subjects}
    for i, role in enumerate(roles, start=1):
        key = (role.kind, role.subject, role.day_index)
        if key in seen:
            raise BackupError(f"{role.where}: 役割{seen[key]}と同じ役割です。")
        seen[key] = i
        if key not in wanted:
            if role.subject is None:
                what = f"{role.day_index + 1}日目の{ROLE_NAMES[role.kind]}"
                raise BackupError(f"{role.where}: {what}はこの研修にありません。")
            row = rows[role.subject]
            name = f"科目{row.letter}" if row.letter else f"独自科目「{_show(row.local_name, 20)}」"
            if row.moved_out:
                reason = "別日扱いの科目には、この研修の役割がありません。"
            elif not row.letter and training.is_local:
                reason = "チームが講師役の科目・事例を使う科目にだけ、その役割があります。"
            elif not row.letter:
                reason = "独自科目は外部の講師が担当するため、役割がありません。"
            elif role.day_index:
                reason = "科目ごとの役割の日の番号（day_index）は 0 です。"
            else:
                reason = "この科目にはない役割です。"
            raise BackupError(f"{role.where}: {name}の{ROLE_NAMES[role.kind]}はこの研修にありません。{reason}")


def _restore_kept(kept: dict[RoleSlot, set[str]]) -> None:
    """Record again the conflicts the file says an official kept, and refuse a slot with
    kept conflicts that has any other (the file was edited, or the team's days changed)."""
    records = []
    for training in sorted({slot.training for slot in kept}, key=lambda t: t.position):
        by_id = {slot.id: reasons for slot, reasons in kept.items() if slot.training is training}
        for conflict in holder_conflicts.conflicts_of(training):
            if conflict.slot_id not in by_id:
                continue  # a slot without kept conflicts: checked by the holding rules above
            reason = conflict.reason[:500]  # as recorded (planner.services.plans.holder_conflicts.settle)
            if reason not in by_id[conflict.slot_id]:
                raise BackupError(f"役割の担当: {conflict.reason}")
            records.append(SlotConflict(slot_id=conflict.slot_id, member_id=conflict.member_id, reason=reason))
    db.session.add_all(records)
    db.session.flush()
