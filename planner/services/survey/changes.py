"""A retrospective's 「次に変えること」 as items, each optionally about one subject (by its
curriculum letter), and where they reappear: on the agenda of the plan's next planning
meeting after the retrospective (February's 前期 findings on April's 後期 agenda), in the
lecturer's briefing for that subject, and, with the plan copied, as next year's to-dos."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from planner.models import CarriedTodo, Milestone, Plan, Training, TrainingSubject
from planner.models.db import db
from planner.models.survey import ChangeItem
from planner.services.errors import ChangeRefused
from planner.services.plans.editions import curriculum_for

TEXT_LIMIT = 500


@dataclass(frozen=True)
class ChangeLine:
    """An item as an agenda or a briefing prints it: 【前期共通・科目A】text."""

    label: str
    text: str

    def __str__(self) -> str:
        return f"【{self.label}】{self.text}"


def _label(item: ChangeItem) -> str:
    training = item.milestone.training
    name = curriculum_for(training).short_title if training is not None else item.milestone.title
    return f"{name}・科目{item.letter}" if item.letter else name


def line_of(item: ChangeItem) -> ChangeLine:
    return ChangeLine(_label(item), item.text)


def subject_letters(milestone: Milestone) -> list[tuple[str, str]]:
    """(letter, 科目A name) of the retrospective's training, for the item form."""
    training = milestone.training
    if training is None:
        return []
    curriculum = curriculum_for(training)
    return [(s.letter, f"科目{s.letter} {s.name}") for s in curriculum.subjects]


def add_change(milestone: Milestone, letter: str, text: str) -> ChangeItem:
    """Record a change for next time; refused (rolled back) with a Japanese message when wrong. Commits."""
    text = " ".join(text.split())
    problems = []
    if milestone.kind != "retrospective":
        problems.append("「次に変えること」を記録できるのは振り返り・反省会だけです。")
    if letter and letter not in dict(subject_letters(milestone)):
        problems.append("この研修にない科目です。")
    if not text:
        problems.append("次に変えることを入力してください。")
    elif len(text) > TEXT_LIMIT:
        problems.append(f"{TEXT_LIMIT}字以内で書いてください（いま{len(text)}字）。")
    if problems:
        db.session.rollback()
        raise ChangeRefused(problems)
    item = ChangeItem(milestone_id=milestone.id, letter=letter, text=text)
    db.session.add(item)
    db.session.commit()
    return item


def remove_change(milestone: Milestone, item_id: int) -> None:
    """Take back one of the retrospective's changes; refused (rolled back) when it is not there. Commits."""
    item = db.session.scalar(sa.select(ChangeItem).filter_by(id=item_id, milestone_id=milestone.id))
    if item is None:
        db.session.rollback()
        raise ChangeRefused(["この項目はありません。"])
    db.session.delete(item)
    db.session.commit()


def next_meeting(retrospective: Milestone) -> Milestone | None:
    """The plan's first planning meeting on or after the retrospective."""
    return db.session.scalar(sa.select(Milestone).where(
        Milestone.plan_id == retrospective.plan_id, Milestone.kind == "meeting",
        Milestone.start >= retrospective.start).order_by(Milestone.start, Milestone.order).limit(1))


def changes_for_meeting(meeting: Milestone) -> list[ChangeLine]:
    """The items of the retrospectives whose next meeting is this one, oldest first."""
    if meeting.kind != "meeting":
        return []
    retros = db.session.scalars(sa.select(Milestone).where(
        Milestone.plan_id == meeting.plan_id, Milestone.kind == "retrospective",
        Milestone.start <= meeting.start).order_by(Milestone.start))
    lines = []
    for retro in retros:
        following = next_meeting(retro)
        if following is not None and following.id == meeting.id:
            lines += [line_of(item) for item in retro.change_items]
    return lines


def changes_for_subject(training: Training, row: TrainingSubject) -> list[ChangeLine]:
    """Items about this subject from the prefecture's earlier retrospectives of the same
    curriculum (this cycle and the one before), for the lecturer's briefing."""
    if not row.letter:
        return []
    query = (sa.select(ChangeItem).join(Milestone, ChangeItem.milestone_id == Milestone.id)
             .join(Training, Milestone.training_id == Training.id).join(Plan, Training.plan_id == Plan.id)
             .where(Plan.prefecture_id == training.plan.prefecture_id, Training.curriculum_key == training.curriculum_key,
                    ChangeItem.letter == row.letter, Plan.cycle_year >= training.plan.cycle_year - 1,
                    Plan.cycle_year <= training.plan.cycle_year)
             .order_by(Milestone.start, ChangeItem.id))
    if training.first_date is not None:
        query = query.where(Milestone.start < training.first_date)
    return [line_of(item) for item in db.session.scalars(query)]


def carry_change_items(old_plan: Plan, new_plan: Plan) -> None:
    """The old plan's change items become to-dos of the new plan. The caller commits."""
    for retro in sorted((m for m in old_plan.milestones if m.kind == "retrospective"), key=lambda m: m.start):
        for item in retro.change_items:
            new_plan.carried_todos.append(CarriedTodo(text=str(line_of(item)), source_title=old_plan.title))


def find_retrospective(plan: Plan, milestone_id: int) -> Milestone | None:
    """The plan's retrospective milestone with this id, or None."""
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.plan_id != plan.id or milestone.kind != "retrospective":
        return None
    return milestone
