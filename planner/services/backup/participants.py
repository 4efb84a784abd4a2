"""The participants' part of the JSON backup (planner.services.backup.plan): the municipalities
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
    GroupFacilitator,
    KeepApart,
    Municipality,
    Participant,
)
from planner.models.plan import Plan, Training
from planner.models.team import TeamMember
from planner.services.participants.entries import VIAS
from planner.services.participants.groups import SIZE_RANGE

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


def participation_section(training: Training) -> dict:
    """The training's application settings and its groups' keep-apart pairs (by the
    participants' places in the list) and facilitators (by e-mail)."""
    place = {p.id: i for i, p in enumerate(_participants(training))}
    pairs = db.session.scalars(db.select(KeepApart).filter_by(training_id=training.id).order_by(KeepApart.id))
    facilitators = db.session.scalars(db.select(GroupFacilitator).filter_by(training_id=training.id)
                                      .order_by(GroupFacilitator.group_no))
    return {"application_deadline": _day(training.application_deadline),
            "open_to_officials": training.open_to_officials, "open_to_agencies": training.open_to_agencies,
            "group_size": training.group_size, "notice_number": training.notice_number,
            "notice_date": _day(training.notice_date),
            "keep_apart": [[place[pair.first_id], place[pair.second_id]] for pair in pairs],
            "facilitators": [{"group_no": f.group_no, "member": f.member.email if f.member else None}
                             for f in facilitators]}


def _day(value) -> str | None:
    return value.isoformat() if value else None


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
    #: (training, first, second): participants' places in the training's list
    keep_apart: list[tuple[Training, int, int]] = field(default_factory=list)
    #: (training, group number, member e-mail)
    facilitators: list[tuple[Training, int, str]] = field(default_factory=list)

    def read_training(self, training: Training, training_fields, Fields, emails: set[str]) -> None:
        where = training_fields.where
        count = self._read_people(training, training_fields, Fields)
        if "participation" not in training_fields.data:  # files written before it existed
            return
        f = Fields(training_fields.require("participation"), f"{where}の申込と班")
        f.only({"application_deadline", "open_to_officials", "open_to_agencies", "group_size",
                "notice_number", "notice_date", "keep_apart", "facilitators"})
        training.application_deadline = f.day("application_deadline")
        training.open_to_officials = f.boolean("open_to_officials")
        training.open_to_agencies = f.boolean("open_to_agencies")
        training.group_size = f.integer("group_size", *SIZE_RANGE)
        training.notice_number = f.typed("notice_number", "notice_number")
        training.notice_date = f.day("notice_date")
        for k, pair in enumerate(f.items("keep_apart", MAX_PARTICIPANTS), start=1):
            if (not isinstance(pair, list) or len(pair) != 2 or pair[0] == pair[1]
                    or not all(type(i) is int and 0 <= i < count for i in pair)):
                raise f.fail("keep_apart", f"の{k}番目は受講者の番号（0〜{count - 1}）2つの組ではありません。")
            self.keep_apart.append((training, *sorted(pair)))
        for k, item in enumerate(f.items("facilitators", MAX_GROUP), start=1):
            g = Fields(item, f"{where}の班{k}")
            g.only({"group_no", "member"})
            member = g.require("member")
            if member is not None and member not in emails:
                raise g.fail("member", f"「{str(member)[:60]}」はチームのメンバーにいません。")
            if member is not None:
                self.facilitators.append((training, g.integer("group_no", 1, MAX_GROUP), member))

    def _read_people(self, training: Training, training_fields, Fields) -> int:
        where = training_fields.where
        count = 0
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
            count += 1
        return count


def _moment(f, name: str) -> datetime | None:
    value = f.require(name)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except (TypeError, ValueError):
        raise f.fail(name, f"「{str(value)[:30]}」は日時として読めません（YYYY-MM-DDTHH:MM:SS）。") from None


def add_participants(prefecture: Prefecture, plan: Plan, read: ReadParticipants) -> None:
    """Add the participants (their trainings are flushed), each to the prefecture's municipality
    of the same code; a municipality the prefecture does not have yet is added. Then the
    keep-apart pairs and the facilitators (the plan's members are flushed)."""
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
    db.session.flush()
    people: dict[int, list[Participant]] = {}
    for training, _, person in read.participants:
        people.setdefault(id(training), []).append(person)
    for training, first, second in read.keep_apart:
        listed = people[id(training)]
        db.session.add(KeepApart(training_id=training.id, first_id=listed[first].id, second_id=listed[second].id))
    members = {m.email: m.id for m in db.session.scalars(db.select(TeamMember).filter_by(plan_id=plan.id))}
    for training, group_no, email in read.facilitators:
        db.session.add(GroupFacilitator(training_id=training.id, group_no=group_no, member_id=members[email]))
