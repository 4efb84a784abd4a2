"""State changes on a plan's timeline, as verb-named functions; views and the CLI call these.

The dates come from the pure module planner.domain.timeline. Launch, meetings and retrospectives
are stored as Milestone rows; a training's place is the training's own date, changed only
through planner.services.plans.changes.update_training so that its timetable is checked again. A refused
change raises TimelineError (a ValueError) with Japanese messages and leaves nothing changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from planner.domain import fields, timeline
from planner.domain.dates import outside_cycle_message
from planner.domain.timeline import CHECKLIST, TimelineError
from planner.models import CarriedTodo, ChecklistTick, Milestone, Plan, SupplementaryEvent, Training
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.plans.changes import update_training
from planner.services.plans.editions import curriculum_for
from planner.services.plans.supplements import plan_events

#: the longest training the training form allows, in days
MAX_TRAINING_DAYS = 3


@dataclass(frozen=True)
class Row:
    """One line of the timeline: a stored milestone or a dated training, and its pure form."""

    item: Milestone | Training | SupplementaryEvent
    step: timeline.Milestone

    @property
    def is_training(self) -> bool:
        return isinstance(self.item, Training)

    @property
    def is_supplement(self) -> bool:
        return isinstance(self.item, SupplementaryEvent)


def training_name(training: Training) -> str:
    """「前期共通プログラムの伝達研修」, or a local training's own title with its kind."""
    if training.is_local:
        return curriculum_for(training).title
    key = training.curriculum_key
    return f"{timeline.TRAINING_NAMES.get(key, key)}の伝達研修"


def _training_step(training: Training, start: date | None = None,
                   end: date | None = None) -> timeline.Milestone:
    # a local training has no place in the source's order: its own key, one per training
    key = f"local-{training.id}" if training.is_local else training.curriculum_key
    return timeline.Milestone("training", training_name(training),
                              start or training.first_date, end or training.last_day, key)


def _stored_step(row: Milestone) -> timeline.Milestone:
    if row.kind == "retrospective":
        key = row.training.curriculum_key if row.training is not None else None
        return timeline.Milestone(row.kind, row.title, row.start, row.end, key)
    prepares = row.prepares_keys
    return timeline.Milestone(row.kind, row.title, row.start, row.end,
                              prepares[0] if prepares else None, row.order, prepares)


def supplement_step(event: SupplementaryEvent) -> timeline.Milestone:
    """A supplementary event as a step of the timeline: its own milestone, one day."""
    return timeline.Milestone("supplement", event.full_title, event.day,
                              event.day, event.training.curriculum_key)


def find_plan_item(plan: Plan, model: type, item_id: int):
    """The plan's milestone, training or carried to-do (`model`) with this id, else None."""
    item = db.session.get(model, item_id)
    if item is None or item.plan_id != plan.id:
        return None
    return item


def timeline_rows(plan: Plan) -> list[Row]:
    """The stored milestones, the dated trainings and the supplementary events, in date order."""
    rows = [Row(m, _stored_step(m)) for m in plan.milestones]
    rows += [Row(t, _training_step(t)) for t in plan.trainings if t.first_date is not None]
    rows += [Row(e, supplement_step(e)) for e in plan_events(plan)]
    kinds = ("launch", "meeting", "training", "supplement", "retrospective")
    return sorted(rows, key=lambda r: (r.step.start, r.step.end, kinds.index(r.step.kind),
                                       r.step.order))


def order_problems(plan: Plan) -> list[str]:
    """Japanese messages for every impossible order in the plan as saved."""
    return timeline.validate_order([r.step for r in timeline_rows(plan)], plan.cycle_year)


def check_training_dates(plan: Plan, training: Training, first_date: date | None,
                         day_count: int, last: date | None = None) -> None:
    """Refuse new training dates that would put the saved timeline out of order.

    Only problems the new dates create count, as when a milestone is moved on the timeline.
    """
    if first_date is None or not plan.milestones:
        return
    steps = [r.step for r in timeline_rows(plan) if r.item is not training]
    before = set(timeline.validate_order(steps, plan.cycle_year))
    steps.append(_training_step(training, first_date, last or first_date + timedelta(days=day_count - 1)))
    new = [m for m in timeline.validate_order(steps, plan.cycle_year) if m not in before]
    if new:
        raise TimelineError(new)


def proposed_timeline(plan: Plan, today: date | None = None) -> list[timeline.Milestone]:
    """The pure generator's timeline for the plan: training dates kept, missing ones proposed;
    with `today`, nothing is proposed before it (see timeline.generate_timeline)."""
    dates = {t.curriculum_key: t.first_date for t in plan.trainings
             if t.curriculum_key in timeline.TRAINING_KEYS}
    return timeline.generate_timeline(plan.cycle_year, dates, plan.chief_after, today)


def proposed_dates(plan: Plan) -> dict[int, date]:
    """For each training without a date, the date the generator proposes (by training id)."""
    proposals = {m.training_key: m.start for m in proposed_timeline(plan) if m.kind == "training"}
    return {t.id: proposals[t.curriculum_key] for t in plan.trainings
            if t.first_date is None and t.curriculum_key in proposals}


def _identity(kind: str, training_id: int | None, prepares: str, order: int) -> tuple:
    return kind, training_id, prepares, order


def generate_plan_timeline(plan: Plan, chief_after: str | None = None,
                           today: date | None = None) -> list[Milestone]:
    """Store the proposed launch, meetings and retrospectives; training dates are untouched.

    Run again, it puts the rows back on the proposed dates but keeps done marks and
    retrospective notes of the rows that remain. The caller commits.
    """
    if chief_after is not None:
        plan.chief_after = chief_after  # the form offers only CHIEF_PLACEMENTS
    by_key = {t.curriculum_key: t for t in plan.trainings}
    existing = {_identity(m.kind, m.training_id, m.prepares, m.order): m for m in plan.milestones}
    kept = []
    for step in proposed_timeline(plan, today):
        if step.kind == "training":
            continue
        training = by_key.get(step.training_key) if step.kind == "retrospective" else None
        prepares = ",".join(step.prepares)
        ident = _identity(step.kind, training.id if training else None, prepares, step.order)
        row = existing.pop(ident, None)
        if row is None:
            row = Milestone(kind=step.kind, order=step.order, prepares=prepares, training=training)
            plan.milestones.append(row)
        row.title, row.start, row.end = step.title, step.start, step.end
        kept.append(row)
    for row in existing.values():
        plan.milestones.remove(row)
    db.session.flush()
    return kept


def save_plan_timeline(plan: Plan, chief_after: str | None = None) -> None:
    """Generate the plan's timeline (see generate_plan_timeline) and commit."""
    generate_plan_timeline(plan, chief_after)
    db.session.commit()


def _check_dates(plan: Plan, start: date, end: date) -> None:
    """Refuse an end before the start or a date outside the plan's cycle."""
    messages = []
    if end < start:
        messages.append("終了日が開始日より前になっています。")
    for day in sorted({start, end}):
        outside = outside_cycle_message(day, plan.cycle_start, plan.cycle_end)
        if outside:
            messages.append(outside)
    if messages:
        raise TimelineError(messages)


def move_milestone(plan: Plan, item: Milestone | Training, start: date,
                   end: date | None = None) -> list[str]:
    """Move a milestone or a training and commit; returns warnings (weekend, holiday).

    A training keeps its length when no end is given. An order that makes no sense raises
    TimelineError and the session is rolled back, so nothing is changed.
    """
    try:
        return _move(plan, item, start, end)
    except TimelineError:
        db.session.rollback()
        raise


def _move(plan: Plan, item: Milestone | Training, start: date, end: date | None) -> list[str]:
    rows = timeline_rows(plan)
    index = next((i for i, r in enumerate(rows) if r.item is item), None)
    if index is None:
        raise TimelineError(["この項目はこの計画のスケジュールにありません。"])
    old = rows[index].step
    if end is None:
        end = start + (old.end - old.start)
    _check_dates(plan, start, end)
    # chosen later days move with the training when its span stays; otherwise the days follow day one
    later = item.chosen_later_dates if isinstance(item, Training) else []
    keep = bool(later) and item.first_date is not None and (end - start) == (item.last_day - item.first_date)
    if isinstance(item, Training) and not keep and (end - start).days + 1 > MAX_TRAINING_DAYS:
        raise TimelineError([f"研修の日数は1〜{MAX_TRAINING_DAYS}日にしてください。"])
    _, warnings = timeline.move_milestone([r.step for r in rows], index, start, end,
                                          cycle_year=plan.cycle_year)
    if isinstance(item, Training):
        try:
            if keep:
                shift = start - item.first_date
                update_training(item, first_date=start,
                                later_dates=",".join((d + shift).isoformat() for d in later))
            else:
                update_training(item, first_date=start, day_count=(end - start).days + 1, later_dates="")
        except ChangeRefused as exc:
            raise TimelineError(exc.messages) from None
    else:
        item.start, item.end = start, end
        db.session.commit()
    return warnings


def set_done(milestone: Milestone, done: bool) -> None:
    """Mark a launch or meeting as held (or not yet)."""
    if milestone.kind == "retrospective":
        raise TimelineError(["振り返り・反省会は、記録を保存すると済みになります。"])
    milestone.done = done
    db.session.commit()


def update_milestone(plan: Plan, milestone: Milestone, start: date, end: date | None,
                     done: bool | None = None) -> list[str]:
    """Move a milestone and set its done mark in one change: both or neither are saved."""
    if done is not None and milestone.kind != "retrospective":
        milestone.done = done  # committed by move_milestone; rolled back if it refuses
    return move_milestone(plan, milestone, start, end)


# --------------------------------------------------------------------------- checklist

@dataclass(frozen=True)
class ChecklistGroup:
    """The checklist items done at one milestone (the launch, or one series of meetings)."""

    title: str
    items: tuple[tuple[str, timeline.ChecklistItem], ...]  # (stored key, item)


def checklist_groups(plan: Plan) -> list[ChecklistGroup]:
    """The seed's preparation steps for this plan: once at the launch, per meeting series."""
    launch_items = tuple((i.key, i) for i in CHECKLIST if i.kind == "launch")
    meeting_items = [i for i in CHECKLIST if i.kind == "meeting"]
    groups = [ChecklistGroup(timeline.KIND_NAMES["launch"], launch_items)]
    series = {}
    for step in proposed_timeline(plan):
        if step.kind == "meeting":
            series.setdefault(",".join(step.prepares), step.title.split("（")[0])
    for prepares, title in series.items():
        groups.append(ChecklistGroup(title, tuple((f"{i.key}@{prepares}", i) for i in meeting_items)))
    return groups


def ticks(plan: Plan) -> dict[str, bool]:
    """The saved state of each ticked item, by key."""
    return {t.key: t.done for t in plan.checklist_ticks}


def tick(plan: Plan, key: str, done: bool, commit: bool = True) -> None:
    """Save one checklist item as done or not done."""
    keys = {k for g in checklist_groups(plan) for k, _ in g.items}
    if key not in keys:
        raise TimelineError(["このチェック項目はこの計画にありません。"])
    row = next((t for t in plan.checklist_ticks if t.key == key), None)
    if row is None:
        row = ChecklistTick(key=key)
        plan.checklist_ticks.append(row)
    row.done = done
    if commit:
        db.session.commit()


def save_checklist(plan: Plan, done_keys: set[str]) -> None:
    """Save the whole checklist at once: the given keys done, every other item not done.
    An unknown key rolls the session back (a form's one-time token with it) and raises."""
    keys = [k for g in checklist_groups(plan) for k, _ in g.items]
    unknown = done_keys - set(keys)
    if unknown:
        db.session.rollback()
        raise TimelineError(["このチェック項目はこの計画にありません。"])
    for key in keys:
        tick(plan, key, key in done_keys, commit=False)
    db.session.commit()


# --------------------------------------------------------------------------- retrospectives

def save_retrospective(milestone: Milestone, went_well: str, to_change: str) -> None:
    """Save a retrospective's notes; saving them marks it done."""
    if milestone.kind != "retrospective":
        raise TimelineError(["記録を残せるのは振り返り・反省会だけです。"])
    went_well, to_change = went_well.strip(), to_change.strip()
    if not (went_well or to_change):
        raise TimelineError(["「良かった点」か「次に変えること」のどちらかを入力してください。"])
    milestone.went_well, milestone.to_change = went_well, to_change
    db.session.commit()


def _lines(text: str) -> list[str]:
    return [line.strip(" ・-　") for line in text.splitlines() if line.strip(" ・-　")]


def carry_over_retrospectives(old_plan: Plan, new_plan: Plan) -> list[CarriedTodo]:
    """Copy the old plan's retrospective notes, and its open to-dos, as to-dos of the new plan.

    Called by planner.services.plans.next_cycle.copy_plan; the caller commits.
    """
    new_plan.chief_after = old_plan.chief_after
    fresh = []
    for m in sorted((m for m in old_plan.milestones if m.kind == "retrospective"),
                    key=lambda m: m.start):
        name = m.title.removesuffix("の振り返り・反省会")
        fresh += [CarriedTodo(text=f"【{name}・変えること】{line}", source_title=old_plan.title)
                  for line in _lines(m.to_change)]
        fresh += [CarriedTodo(text=f"【{name}・続けること】{line}", source_title=old_plan.title)
                  for line in _lines(m.went_well)]
    # no more than a plan's backup reads: this year's notes first, then the open to-dos that fit
    limit = fields.limit("carried_todos")
    fresh = fresh[:limit]
    todos = [CarriedTodo(text=t.text, source_title=t.source_title)
             for t in old_plan.carried_todos if not t.done][:limit - len(fresh)] + fresh
    new_plan.carried_todos.extend(todos)
    return todos


def set_todo_done(todo: CarriedTodo, done: bool) -> None:
    """Tick a carried-over to-do as done (or open again)."""
    todo.done = done
    db.session.commit()


def adopt_proposed_date(plan: Plan, training: Training) -> date:
    """Give an undated training the date the timeline proposes, checked like any other change;
    refused, the session is rolled back and TimelineError raised."""
    proposed = proposed_dates(plan).get(training.id)
    if proposed is None:
        db.session.rollback()
        raise TimelineError(["この研修には提案する日程がありません（開催日が入っています）。"])
    try:
        update_training(training, first_date=proposed)
    except ChangeRefused as exc:
        db.session.rollback()
        raise TimelineError(exc.messages) from None
    return proposed


# --------------------------------------------------------------------------- demo

#: the demo's (fictitious) retrospective notes, written for the trainings already held
DEMO_RETROSPECTIVES = {
    "common": ("グループワークの時間を多めに取ったので、市町村を越えた顔の見える関係ができた。",
               "事例報告の匿名化の確認を前日までに済ませる。\n会場の音響を事前に確かめる。"),
    "chief": ("主任同士で職場づくりの悩みを共有でき、事例検討が深まった。", "資料の配布を1週間前にする。"),
    "counselor": ("アセスメントの演習で、記録の書き方をそろえられた。", "休憩を10分から15分にする。"),
    "job_support": ("企業開拓の実例を聞けて、すぐ動ける内容になった。", "協力企業にも声をかける。"),
}


def load_demo_timeline(plan: Plan, today: date) -> None:
    """The demo plan's timeline as it stands on `today`: the launch and meetings already past
    are done with their checklist ticked, past trainings have their retrospective written, and
    nothing later is done, so a new user sees a plan in progress rather than a wall of overdue."""
    generate_plan_timeline(plan)
    past = [m for m in plan.milestones if m.end < today]
    for row in past:
        if row.kind in ("launch", "meeting"):
            row.done = True
    for group in checklist_groups(plan):
        for key, item in group.items:
            series = key.partition("@")[2]
            if any(m.kind == item.kind and (item.kind == "launch" or m.prepares == series) for m in past):
                tick(plan, key, True, commit=False)
    db.session.commit()
    for row in past:
        if row.kind == "retrospective" and row.training is not None:
            save_retrospective(row, *DEMO_RETROSPECTIVES[row.training.curriculum_key])
