"""The planning team of a plan: roster changes, composition advice, coverage and suggestions."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from math import ceil

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.domain import assign, fields
from planner.models import MemberCourse, MemberUnavailable, Plan, RoleSlot, TeamMember, Training, User
from planner.models.db import db
from planner.models.team import MUNICIPALITY_KINDS
from planner.services.errors import ChangeRefused
from planner.services.team.files import MemberRow, RosterError
from planner.services.team.roles import (
    ClaimRefused,
    check_days_keep_holdings,
    check_member_can_hold,
    lock_member,
    slot_times,
)

#: loader option for the roster page, which walks every member
WITH_MEMBERS = (so.selectinload(Plan.members),)


class MemberRefused(ChangeRefused):
    """A roster entry that cannot be saved; `field` names the member form's field it is about."""

    def __init__(self, field: str, message: str):
        super().__init__([message])
        self.field = field


#: built once: every claim runs it, and building a statement with loader options costs more CPU
#: than running it; courses and days load only when read (a claim reads its days fresh)
_MEMBER_BY_EMAIL = (db.select(TeamMember)
                    .where(TeamMember.plan_id == sa.bindparam("plan_id"), TeamMember.email == sa.bindparam("email"))
                    .options(so.lazyload(TeamMember.courses), so.lazyload(TeamMember.unavailable)))


def find_member(member_id: int) -> TeamMember | None:
    """The roster entry with this id, whichever plan's (the caller checks whose it is)."""
    return db.session.get(TeamMember, member_id)


def member_for(plan: Plan, email: str) -> TeamMember | None:
    """The roster entry of the logged-in person in this plan (matched by e-mail)."""
    return db.session.scalar(_MEMBER_BY_EMAIL, {"plan_id": plan.id, "email": email.lower()})


def matching_members(prefecture_id, email) -> tuple:
    """Where a roster entry is someone's: a plan of their prefecture, their e-mail in any case
    (`email` lower case; values or bound parameters)."""
    return Plan.prefecture_id == prefecture_id, sa.func.lower(TeamMember.email) == email


def _memberships(user: User):
    return matching_members(user.prefecture_id, user.email.lower())


def members_of_user(user: User) -> list[TeamMember]:
    """The user's team memberships in every plan of their prefecture (matched by e-mail)."""
    return list(db.session.scalars(
        db.select(TeamMember).join(Plan).where(*_memberships(user))
        .options(so.contains_eager(TeamMember.plan))
        .order_by(TeamMember.id)))


def save_member(plan: Plan, row: MemberRow, member: TeamMember | None = None) -> TeamMember:
    """Create or update one roster entry from validated values (caller commits); ClaimRefused
    when a new unavailable day falls on a slot the member holds."""
    if member is None:
        member = TeamMember(plan=plan, email=row.email)
        db.session.add(member)
    else:
        lock_member(member.id)  # new unavailable days must not cross a claim being checked
        check_days_keep_holdings(member, set(row.unavailable))
    member.name, member.municipality = row.name, row.municipality
    member.municipality_kind, member.email, member.notes = row.municipality_kind, row.email, row.notes
    _replace_courses(member, row.courses)
    _replace_days(member, set(row.unavailable))
    db.session.flush()
    return member


def save_roster_member(plan: Plan, row: MemberRow, member: TeamMember | None = None,
                       before_commit: Callable[[], None] = lambda: None) -> TeamMember:
    """Save one roster entry from the member form and commit (`before_commit()` runs just
    before). MemberRefused (the session rolled back) when the e-mail is another member's, the
    roster is full, or a new unavailable day falls on a slot the member holds."""
    clash = member_for(plan, row.email)
    if clash is not None and clash is not member:
        db.session.rollback()
        raise MemberRefused("email", f"このメールアドレスは {clash.name} さんが使っています。")
    if member is None and roster_full(plan):
        db.session.rollback()  # nothing added: the form's one-time token stays unused
        raise MemberRefused("name", f"名簿はこれ以上増やせません（{len(plan.members)}人まで）。")
    try:
        member = save_member(plan, row, member)
    except ClaimRefused as exc:
        db.session.rollback()
        raise MemberRefused("unavailable", str(exc)) from None
    before_commit()
    db.session.commit()
    return member


def remove_member(member: TeamMember) -> None:
    """Take the member off the roster and commit; the slots they held are open again."""
    db.session.delete(member)
    db.session.commit()


def _replace_courses(member: TeamMember, courses: dict[str, int | None]) -> None:
    """Make the member's courses exactly `courses`, keeping the rows that stay.

    Assigning a fresh list would flush the new rows' INSERTs before the old rows' DELETEs and
    break the (member, course) unique key; so rows are updated, removed or added by key.
    """
    kept = {c.course: c for c in member.courses}
    rows = []
    for key, year in courses.items():
        row = kept.get(key) or MemberCourse(course=key)
        row.year = year
        rows.append(row)
    member.courses = rows


def _replace_days(member: TeamMember, days: set[date]) -> None:
    """Make the member's unavailable days exactly `days`, keeping the rows that stay (see above)."""
    kept = {u.day: u for u in member.unavailable}
    member.unavailable = [kept.get(day) or MemberUnavailable(day=day) for day in sorted(days)]


def import_roster(plan: Plan, rows: list[MemberRow]) -> tuple[int, int]:
    """Add new members and update those with the same e-mail; returns (added, updated)."""
    existing = {m.email: m for m in plan.members}
    new = sum(1 for row in rows if row.email not in existing)
    if len(existing) + new > fields.limit("members"):
        raise RosterError(f"名簿は{fields.limit('members')}人までです（今{len(existing)}人、このファイルで{new}人増えます）。")
    # the members' locks in id order, as accept_suggestion takes them: neither waits on the other
    for member_id in sorted(existing[r.email].id for r in rows if r.email in existing):
        lock_member(member_id)
    added = updated = 0
    for row in rows:
        if row.email in existing:
            save_member(plan, row, existing[row.email])
            updated += 1
        else:
            save_member(plan, row)
            added += 1
    return added, updated


def import_roster_rows(plan: Plan, rows: list[MemberRow],
                       before_commit: Callable[[], None] = lambda: None) -> tuple[int, int]:
    """import_roster, committed (`before_commit()` runs just before); RosterError or
    ClaimRefused roll the whole file back."""
    try:
        counts = import_roster(plan, rows)
    except (RosterError, ClaimRefused):
        db.session.rollback()
        raise
    before_commit()
    db.session.commit()
    return counts


def roster_full(plan: Plan) -> bool:
    """Whether the roster holds as many members as a plan may (the backup reads no more)."""
    return len(plan.members) >= fields.limit("members")


def roster_rows(plan: Plan) -> list[MemberRow]:
    """The roster as file rows; courses and dates in date order."""
    return [MemberRow(name=m.name, municipality=m.municipality, municipality_kind=m.municipality_kind,
                      email=m.email, courses={c.course: c.year for c in m.courses},
                      unavailable=sorted(m.unavailable_days), notes=m.notes)
            for m in plan.members]


def composition_advice(plan: Plan) -> list[str]:
    """The source's advice on who should be on the team; advice only, never a block."""
    kinds = {m.municipality_kind for m in plan.members}
    advice = []
    if not plan.members:
        return ["メンバーがまだいません。国研修の修了者を中心に、県・政令市・中核市から1名ずつ＋数名程度で編成することを手引きは勧めています。"]
    if "prefecture" not in kinds:
        advice.append("県（都道府県）の担当者がいません。手引きでは県がプログラム案の提示やスケジュール管理を担います。")
    for kind in ("designated_city", "core_city"):
        if kind not in kinds:
            advice.append(f"{MUNICIPALITY_KINDS[kind]}のメンバーがいません（県内にある場合は1名加えることを手引きは勧めています）。")
    if "other" not in kinds:
        advice.append("小規模自治体（町村など）のメンバーがいません。手引きは小規模自治体も加わることが望ましいとしています。")
    if not any(m.courses for m in plan.members):
        advice.append("国研修の修了者がいません。修了者が研修の企画段階から参加し、学んだことを伝えるのが伝達研修の基本です。")
    return advice


@dataclass(frozen=True)
class MemberName:
    id: int
    name: str


@dataclass
class Coverage:
    open_count: int
    without_role: list[MemberName]
    too_many: list[tuple[MemberName, int]]
    limit: int
    #: slots held, by member id
    load: dict[int, int]


def coverage(plan: Plan) -> Coverage:
    """Open slots, members with no role, and members holding more than their fair share + 1.

    Two aggregate queries (slots held per member; slots and open slots of the plan), so a page
    showing it loads no member, course or slot row.
    """
    plan_slots = db.select(RoleSlot.id).join(Training).where(Training.plan_id == plan.id)
    held = db.session.execute(
        db.select(TeamMember.id, TeamMember.name, sa.func.count(RoleSlot.id))
        .outerjoin(RoleSlot, sa.and_(RoleSlot.holder_id == TeamMember.id, RoleSlot.id.in_(plan_slots)))
        .where(TeamMember.plan_id == plan.id)
        .group_by(TeamMember.id, TeamMember.name).order_by(TeamMember.id)).all()
    total, taken = db.session.execute(
        db.select(sa.func.count(RoleSlot.id), sa.func.count(RoleSlot.holder_id))
        .join(Training).where(Training.plan_id == plan.id)).one()
    load = {member_id: count for member_id, _, count in held}
    limit = ceil(total / len(held)) + 1 if held else 0
    return Coverage(
        open_count=total - taken,
        without_role=[MemberName(i, name) for i, name, count in held if count == 0],
        too_many=[(MemberName(i, name), count) for i, name, count in held if count > limit],
        limit=limit,
        load=load,
    )


def member_count(plan: Plan) -> int:
    """How many members the roster has, without loading them."""
    return db.session.scalar(db.select(sa.func.count(TeamMember.id)).where(TeamMember.plan_id == plan.id))


def _solver_slots(plan: Plan) -> list[assign.Slot]:
    """The plan's slots as the solver sees them, in date and time order (the order the suggestion
    lists and explains them in); a training with no date yet is skipped."""
    out = []
    for training in plan.trainings_by_date:
        if not training.first_date:
            continue
        times = slot_times(training)
        for slot in sorted(training.slots, key=lambda s: s.sort_key):
            when = times[slot.id]
            course = training.curriculum_key if slot.kind == "lecturer" else None
            out.append(assign.Slot(
                id=slot.id, kind=slot.kind, training_key=training.curriculum_key,
                day=when.day or training.first_date, start=when.start, end=when.end,
                holder=slot.holder_id, locked=slot.locked, course=course))
    return out


def suggest(plan: Plan) -> assign.Suggestion:
    """An optimal suggestion for the plan's open slots, keeping every existing holder."""
    members = [assign.Member(id=m.id, name=m.name, graduate_of=frozenset(m.graduate_of),
                             unavailable=frozenset(m.unavailable_days),
                             graduated_in={c.course: c.year for c in m.courses if c.year})
               for m in plan.members]
    return assign.suggest_assignment(members, _solver_slots(plan))


def accept_suggestion(plan: Plan, pairs: list[tuple[int, int]]) -> tuple[int, int]:
    """Give each open slot its suggested member; a slot claimed meanwhile keeps its claim, and
    a member who meanwhile took a slot at the same time (or marked the day) is not given it.

    Returns (accepted, skipped). Takes every member's lock first, in id order (so two
    acceptances cannot wait on each other), then one conditional UPDATE per slot, like a claim.
    """
    members = {m.id: m for m in plan.members}
    slots = {s.id: s for t in plan.trainings for s in t.slots}
    valid = list(dict.fromkeys((s, m) for s, m in pairs if s in slots and m in members))
    skipped = len(pairs) - len(valid)
    for member_id in sorted({m for _, m in valid}):
        lock_member(member_id)
    accepted = 0
    times: dict = {}
    for slot_id, member_id in valid:
        try:
            check_member_can_hold(slots[slot_id], members[member_id], times)
        except ClaimRefused:
            skipped += 1
            continue
        result = db.session.execute(
            db.update(RoleSlot).where(RoleSlot.id == slot_id, RoleSlot.holder_id.is_(None),
                                      RoleSlot.locked.is_(False)).values(holder_id=member_id)
            .execution_options(synchronize_session=False))
        accepted += result.rowcount
        skipped += 1 - result.rowcount
    db.session.commit()
    return accepted, skipped


def slots_of_member(member_ids: list[int]) -> list[RoleSlot]:
    """Every slot held by these roster entries, by training date."""
    slots = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id.in_(member_ids))).all()
    return sorted(slots, key=lambda s: (s.training.first_date or date.max, s.training.position, s.id))
