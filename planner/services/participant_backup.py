"""The participants' part of the JSON backup (planner.services.backup): the municipalities
they come from, by 全国地方公共団体コード, and each training's participants with their status,
reception tick and group. Read with the backup's own checked field reader and the same text
rules as the link page and the reply files; restored into the prefecture's municipalities
(matched by code, added when missing)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from planner.models.account import Prefecture
from planner.models.db import db
from planner.models.participants import (
    MUNICIPALITY_TYPES,
    PARTICIPANT_KINDS,
    PARTICIPANT_STATUSES,
    Municipality,
    Participant,
)
from planner.models.plan import Plan, Training
from planner.services.participants import VIAS

#: a prefecture has at most a few hundred municipalities; a training at most its capacity
MAX_MUNICIPALITIES = 2000
MAX_PARTICIPANTS = 2000
MAX_GROUP = 500
_CODE = re.compile(r"[0-9]{6}")
_TEXTS = {"name": "participant_name", "kana": "participant_kana", "affiliation": "participant_affiliation",
          "job": "participant_job", "email": "participant_email", "needs": "participant_needs"}
_PARTICIPANT_KEYS = {"municipality", "kind", "status", "waiting_reason", "entered_via", "attended_at",
                     "group_no", "pinned_group", *_TEXTS}


# --------------------------------------------------------------------------- writing

def _participants(training: Training) -> list[Participant]:
    return list(db.session.scalars(db.select(Participant).filter_by(training_id=training.id)
                                   .order_by(Participant.id)))


def participant_sections(training: Training) -> list[dict]:
    """A training's participants in the order they came; the municipality by its code."""
    return [{"municipality": p.municipality.code if p.municipality else None,
             **{name: getattr(p, name) for name in _TEXTS}, "kind": p.kind, "status": p.status,
             "waiting_reason": p.waiting_reason, "entered_via": p.entered_via,
             "attended_at": p.attended_at.isoformat(timespec="seconds") if p.attended_at else None,
             "group_no": p.group_no, "pinned_group": p.pinned_group}
            for p in _participants(training)]


def municipality_sections(plan: Plan) -> list[dict]:
    """The municipalities the plan's participants come from, by code."""
    ids = {p.municipality_id for t in plan.trainings for p in _participants(t) if p.municipality_id}
    rows = db.session.scalars(db.select(Municipality).where(Municipality.id.in_(ids))
                              .order_by(Municipality.code)) if ids else []
    return [{"code": m.code, "name": m.name, "kind": m.kind, "contact_name": m.contact_name,
             "contact_email": m.contact_email} for m in rows]


# --------------------------------------------------------------------------- reading

def read_municipalities(plan_fields, Fields) -> dict[str, Municipality]:
    """The file's municipalities by code, as new (unsaved) rows."""
    found: dict[str, Municipality] = {}
    for i, item in enumerate(plan_fields.items("municipalities", MAX_MUNICIPALITIES), start=1):
        f = Fields(item, f"市町村{i}")
        f.only({"code", "name", "kind", "contact_name", "contact_email"})
        code = f.text("code", 6, required=True)
        if not _CODE.fullmatch(code):
            raise f.fail("code", f"「{code}」は6桁の全国地方公共団体コードではありません。")
        if code in found:
            raise f.fail("code", f" {code} が2回あります。")
        kind = f.text("kind", 20, required=True)
        if kind not in MUNICIPALITY_TYPES:
            raise f.fail("kind", f"「{kind}」は {'・'.join(MUNICIPALITY_TYPES)} のいずれかです。")
        found[code] = Municipality(code=code, kind=kind, name=f.typed("name", "municipality_name"),
                                   contact_name=f.typed("contact_name", "contact_name"),
                                   contact_email=f.typed("contact_email", "participant_email").lower())
    return found


@dataclass
class ReadParticipants:
    """What the file holds about participants, checked, not yet in the session."""

    municipalities: dict[str, Municipality]
    #: (training, municipality code or None, participant)
    participants: list[tuple[Training, str | None, Participant]] = field(default_factory=list)

    def read_training(self, training: Training, training_fields, Fields) -> None:
        where = training_fields.where
        for j, item in enumerate(training_fields.items("participants", MAX_PARTICIPANTS), start=1):
            f = Fields(item, f"{where}の受講者{j}")
            f.only(_PARTICIPANT_KEYS)
            code = f.require("municipality")
            if code is not None and (not isinstance(code, str) or code not in self.municipalities):
                raise f.fail("municipality", f"「{code}」はファイルの市町村（municipalities）にありません。")
            person = Participant(**{name: f.typed(name, rule) for name, rule in _TEXTS.items()})
            person.email = person.email.lower()
            for name, allowed in (("kind", PARTICIPANT_KINDS), ("status", PARTICIPANT_STATUSES),
                                  ("entered_via", VIAS)):
                value = f.text(name, 20, required=True)
                if value not in allowed:
                    raise f.fail(name, f"「{value}」は {'・'.join(allowed)} のいずれかです。")
                setattr(person, name, value)
            person.waiting_reason = f.text("waiting_reason", 200)
            person.group_no = f.integer("group_no", 1, MAX_GROUP, optional=True)
            person.pinned_group = f.integer("pinned_group", 1, MAX_GROUP, optional=True)
            person.attended_at = _moment(f, "attended_at")
            self.participants.append((training, code, person))


def _moment(f, name: str) -> datetime | None:
    value = f.require(name)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except (TypeError, ValueError):
        raise f.fail(name, f"「{str(value)[:30]}」は日時として読めません（YYYY-MM-DDTHH:MM:SS）。") from None


def add_participants(prefecture: Prefecture, read: ReadParticipants) -> None:
    """Add the participants (their trainings are flushed), each to the prefecture's municipality
    of the same code; a municipality the prefecture does not have yet is added."""
    existing = {m.code: m for m in db.session.scalars(
        db.select(Municipality).filter_by(prefecture_id=prefecture.id))}
    for code, municipality in read.municipalities.items():
        if code not in existing:
            municipality.prefecture_id = prefecture.id
            db.session.add(municipality)
            existing[code] = municipality
    db.session.flush()
    for training, code, person in read.participants:
        person.training_id = training.id
        person.municipality_id = existing[code].id if code else None
        db.session.add(person)
