"""The groups of a training's group work (班分け): make them from the accepted participants,
pin someone to a group, keep two apart, set a facilitator by hand.

Every write first raises the training's participants_version (`lock_training`), as
planner.services.team.roles.lock_member does for a member: two officials pressing 「班を作る」 at
once run one after the other, and the second groups what the first committed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy.orm as so

from planner.domain.grouping import Facilitator, Grouping, GroupingInputError, Person, assess, make_groups
from planner.models import GroupFacilitator, KeepApart, Participant, TeamMember, Training
from planner.models.db import db
from planner.services.errors import ChangeRefused

#: the group sizes an official may choose (a group of one has nobody to talk to)
SIZE_RANGE = (2, 20)


@dataclass
class Group:
    number: int
    members: list[Participant]
    facilitator: TeamMember | None


@dataclass
class Overview:
    """What the groups page and the 班分け表 show."""

    groups: list[Group]
    #: accepted participants without a group (accepted after the groups were made)
    ungrouped: list[Participant]
    accepted: list[Participant]
    pairs: list[tuple[KeepApart, Participant, Participant]]
    #: the stored arrangement's cost and explanations; None before groups are made or when stale
    grouping: Grouping | None
    notes: list[str] = field(default_factory=list)

    @property
    def made(self) -> bool:
        return bool(self.groups)


def lock_training(training_id: int) -> None:
    """Serialise the writes of a training's participants and groups until the transaction ends
    (an UPDATE of the training's row; see planner.services.team.roles.lock_member for why)."""
    db.session.execute(db.update(Training).where(Training.id == training_id)
                       .values(participants_version=Training.participants_version + 1)
                       .execution_options(synchronize_session=False))


def accepted_participants(training: Training) -> list[Participant]:
    """The participants the groups are made of: those accepted, in the order they applied."""
    return list(db.session.scalars(
        db.select(Participant).where(Participant.training_id == training.id, Participant.status == "accepted")
        .options(so.selectinload(Participant.municipality))
        .order_by(Participant.id).execution_options(populate_existing=True)))


def keep_apart_pairs(training: Training) -> list[KeepApart]:
    return list(db.session.scalars(db.select(KeepApart).filter_by(training_id=training.id)
                                   .order_by(KeepApart.id).execution_options(populate_existing=True)))


def facilitator_candidates(training: Training) -> list[TeamMember]:
    """The plan's team members free on the training's days, those holding a role at the
    training first (they are there anyway), then in roster order."""
    days = set(training.days)
    holders = {s.holder_id for s in training.slots}
    members = [m for m in training.plan.members if not (m.unavailable_days & days)]
    return sorted(members, key=lambda m: (m.id not in holders, m.id))


def _people(participants: list[Participant]) -> list[Person]:
    return [Person(p.id, p.name, p.municipality.name if p.municipality else None, p.kind, p.pinned_group)
            for p in participants]


def _facilitators(training: Training, members: list[TeamMember]) -> list[Facilitator]:
    holders = {s.holder_id for s in training.slots}
    return [Facilitator(m.id, m.name, m.municipality, m.id in holders) for m in members]


def make(training: Training, group_size: int) -> Grouping:
    """Group the accepted participants into groups of about `group_size` and store the groups
    and their facilitators; the previous groups and facilitators are replaced."""
    low, high = SIZE_RANGE
    if not low <= group_size <= high:
        raise ChangeRefused([f"班の人数は{low}〜{high}名にしてください。"])
    lock_training(training.id)
    participants = accepted_participants(training)
    if not participants:
        raise ChangeRefused(["受講決定の参加者がいないため、班を作れません。"])
    pairs = [(k.first_id, k.second_id) for k in keep_apart_pairs(training)]
    try:
        result = make_groups(_people(participants), group_size, pairs,
                             _facilitators(training, facilitator_candidates(training)))
    except GroupingInputError as exc:
        raise ChangeRefused([str(exc)]) from None
    training.group_size = group_size
    group_of = result.group_of()
    everyone = db.session.scalars(db.select(Participant).filter_by(training_id=training.id)
                                  .execution_options(populate_existing=True))
    for participant in everyone:
        participant.group_no = group_of.get(participant.id)
    db.session.execute(db.delete(GroupFacilitator).where(GroupFacilitator.training_id == training.id))
    for number, member_id in enumerate(result.facilitators, 1):
        db.session.add(GroupFacilitator(training_id=training.id, group_no=number, member_id=member_id))
    db.session.commit()
    return result


def _participant(training: Training, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id, populate_existing=True)
    if participant is None or participant.training_id != training.id:
        raise ChangeRefused(["その参加者はこの研修にいません。"])
    return participant


def group_count(training: Training) -> int:
    """The number of groups made (0 before)."""
    return db.session.scalar(db.select(db.func.count()).select_from(GroupFacilitator)
                             .filter_by(training_id=training.id))


def pin(training: Training, participant_id: int, group_no: int | None) -> Participant:
    """Pin a participant to a group (None: unpin); it holds from the next 「班を作る」 on."""
    lock_training(training.id)
    participant = _participant(training, participant_id)
    if group_no is not None:
        groups = group_count(training)
        if not 1 <= group_no <= groups:
            raise ChangeRefused([f"第{group_no}班はありません（班は{groups}つです）。"] if groups else
                                ["先に「班を作る」で班を作ってください。"])
    participant.pinned_group = group_no
    db.session.commit()
    return participant


def add_keep_apart(training: Training, first_id: int, second_id: int) -> KeepApart:
    """Keep two participants in different groups from the next 「班を作る」 on."""
    if first_id == second_id:
        raise ChangeRefused(["別の班にするには、ちがう2人を選んでください。"])
    lock_training(training.id)
    first, second = sorted((_participant(training, first_id), _participant(training, second_id)),
                           key=lambda p: p.id)
    if any({k.first_id, k.second_id} == {first.id, second.id} for k in keep_apart_pairs(training)):
        raise ChangeRefused([f"{first.name}さんと{second.name}さんはすでに別の班にする指定です。"])
    pair = KeepApart(training_id=training.id, first_id=first.id, second_id=second.id)
    db.session.add(pair)
    db.session.commit()
    return pair


def remove_keep_apart(training: Training, pair_id: int) -> None:
    lock_training(training.id)
    pair = db.session.get(KeepApart, pair_id)
    if pair is None or pair.training_id != training.id:
        raise ChangeRefused(["その指定はもうありません。"])
    db.session.delete(pair)
    db.session.commit()


def set_facilitator(training: Training, group_no: int, member_id: int | None) -> None:
    """Set (or clear, with None) a group's facilitator by hand; one group per member."""
    lock_training(training.id)
    row = db.session.scalar(db.select(GroupFacilitator).filter_by(training_id=training.id, group_no=group_no)
                            .execution_options(populate_existing=True))
    if row is None:
        raise ChangeRefused([f"第{group_no}班はありません。"])
    if member_id is not None:
        member = db.session.get(TeamMember, member_id)
        if member is None or member.plan_id != training.plan_id:
            raise ChangeRefused(["そのチーム員はこの計画にいません。"])
        if set(training.days) & member.unavailable_days:
            raise ChangeRefused([f"{member.name}さんは研修の日に参加できない日を登録しています。"])
        other = db.session.scalar(db.select(GroupFacilitator).filter_by(training_id=training.id, member_id=member_id))
        if other is not None and other.group_no != group_no:
            raise ChangeRefused([f"{member.name}さんは第{other.group_no}班のファシリテーターです。"])
    row.member_id = member_id
    db.session.commit()


def overview(training: Training) -> Overview:
    """The stored groups with their facilitators, and what they could not avoid."""
    accepted = accepted_participants(training)
    by_id = {p.id: p for p in accepted}
    rows = list(db.session.scalars(db.select(GroupFacilitator).filter_by(training_id=training.id)
                                   .options(so.selectinload(GroupFacilitator.member))
                                   .order_by(GroupFacilitator.group_no)))
    groups = [Group(row.group_no, [p for p in accepted if p.group_no == row.group_no], row.member) for row in rows]
    ungrouped = [p for p in accepted if p.group_no is None or p.group_no > len(groups)]
    pairs = [(k, by_id[k.first_id], by_id[k.second_id]) for k in keep_apart_pairs(training)
             if k.first_id in by_id and k.second_id in by_id]
    result = Overview(groups, ungrouped, accepted, pairs, None)
    if not groups:
        return result
    if ungrouped or any(not g.members for g in groups):
        result.notes.append("班を作った後に参加者が変わりました。もう一度「班を作る」を押してください。")
        return result
    try:
        result.grouping = assess(_people(accepted), [[p.id for p in g.members] for g in groups],
                                 [(k.first_id, k.second_id) for k, _, _ in pairs],
                                 _facilitators(training, facilitator_candidates(training)),
                                 [g.facilitator.id if g.facilitator else None for g in groups])
    except GroupingInputError as exc:
        result.notes.append(str(exc))
    return result
