"""The plan's timeline page (年間の流れ) and its changes; handlers call planner.services.timeline."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from planner.domain.dates import era_year, fiscal_year, format_date_ja
from planner.domain.timeline import CHECKLIST, KIND_NAMES, TRAINING_NAMES, TimelineError
from planner.models import CarriedTodo, Milestone, Plan, SupplementaryEvent, Training
from planner.services import timeline as ops
from planner.web import confirm, once
from planner.web.access import found_or_404, official_required, plan_or_404
from planner.web.timeline_forms import ChecklistForm, GenerateForm, MilestoneForm, RetrospectiveForm, TodoForm

bp = Blueprint("timeline", __name__, url_prefix="/plans/<int:plan_id>/timeline")

MONTHS = (11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)


def _months(plan: Plan) -> list[tuple[int, int]]:
    """The cycle's twelve (year, month) columns, November to October."""
    return [(plan.cycle_year + (m < 11), m) for m in MONTHS]


def _cells(start: date, end: date, months: list[tuple[int, int]]) -> list[tuple[int, int] | None]:
    """Per month column, the first and last day the milestone covers in it, or None."""
    cells = []
    for year, month in months:
        first = date(year, month, 1)
        last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        if start > last or end < first:
            cells.append(None)
        else:
            cells.append((max(start, first).day, min(end, last).day))
    return cells


def _status(step, item, today: date) -> tuple[str, str]:
    """A row's state as a CSS class and its Japanese label (text, not colour alone)."""
    if isinstance(item, (Training, SupplementaryEvent)):
        return ("held", "開催済み") if step.end < today else ("planned", "開催予定")
    if item.is_done:
        return "done", "済み"
    if step.end < today:
        return "overdue", "期限切れ（未了）"
    return "planned", "予定"


def _key(item) -> str:
    """The form prefix and anchor of a row: m<id> for milestones, t<id> for trainings,
    s<id> for supplementary events."""
    if isinstance(item, SupplementaryEvent):
        return f"s{item.id}"
    return f"t{item.id}" if isinstance(item, Training) else f"m{item.id}"


def _milestone_form(plan: Plan, item, formdata=None) -> MilestoneForm:
    cycle = (plan.cycle_start, plan.cycle_end)
    if formdata is False:  # a fresh form showing the saved dates
        form = MilestoneForm(formdata=None, prefix=_key(item), cycle=cycle)
        if isinstance(item, Training):
            form.start.data, form.end.data = item.first_date, item.last_day
        else:
            form.start.data, form.end.data, form.done.data = item.start, item.end, item.done
        if form.end.data == form.start.data:
            form.end.data = None  # a one-day item: moving the start alone moves it whole
        return form
    return MilestoneForm(prefix=_key(item), cycle=cycle)


def _retro_form(m: Milestone) -> RetrospectiveForm:
    form = RetrospectiveForm(formdata=None, prefix=f"r{m.id}")
    form.went_well.data, form.to_change.data = m.went_well, m.to_change
    return form


def _page(plan: Plan, status: int = 200, forms: dict | None = None, refused: dict | None = None,
          checklist_form=None, generate_form=None):
    """The timeline page; `forms` replaces a row's form, `refused` holds a row's refusal."""
    forms, refused = forms or {}, refused or {}
    today = date.today()
    rows = ops.timeline_rows(plan)
    months = _months(plan)
    cells = {_key(r.item): _cells(r.step.start, r.step.end, months) for r in rows}
    statuses = {_key(r.item): _status(r.step, r.item, today) for r in rows}
    today_index = next((i for i, (y, m) in enumerate(months) if (y, m) == (today.year, today.month)),
                       None)
    retros = [m for m in plan.milestones if m.kind == "retrospective"]
    move_forms = {_key(r.item): forms.get(_key(r.item)) or _milestone_form(plan, r.item, False)
                  for r in rows if not r.is_supplement}
    retro_forms = {m.id: forms.get(f"r{m.id}") or _retro_form(m) for m in retros}
    if generate_form is None:
        generate_form = GenerateForm(formdata=None, chief_after=plan.chief_after)
    return render_template(
        "timeline/show.html", plan=plan, rows=rows, months=months, today=today, cells=cells,
        status=statuses, today_index=today_index, key=_key,
        overdue=[r for r in rows if statuses[_key(r.item)][0] == "overdue"],
        in_cycle=plan.cycle_start <= today <= plan.cycle_end,
        problems=ops.order_problems(plan), proposals=ops.proposed_dates(plan),
        undated=[t for t in plan.trainings if t.first_date is None],
        groups=ops.checklist_groups(plan), ticks=ops.ticks(plan), retros=retros,
        move_forms=move_forms, retro_forms=retro_forms, refused=refused,
        checklist_form=checklist_form or ChecklistForm(formdata=None),
        generate_form=generate_form, todo_form=TodoForm(formdata=None),
        checklist_count=len(CHECKLIST), kind_names=KIND_NAMES, training_names=TRAINING_NAMES,
    ), status


def _to_page(plan: Plan, anchor: str = ""):
    return redirect(url_for("timeline.show", plan_id=plan.id) + (f"#{anchor}" if anchor else ""))


def _item_or_404(plan: Plan, model, item_id: int):
    return found_or_404(ops.find_plan_item(plan, model, item_id))


@bp.route("/")
@login_required
def show(plan_id: int):
    return _page(plan_or_404(plan_id))


@bp.route("/generate", methods=["POST"])
@official_required
def generate(plan_id: int):
    plan = plan_or_404(plan_id)
    form = GenerateForm()
    if not form.validate_on_submit():
        return _page(plan, 422, generate_form=form)
    if confirm.asking() and plan.milestones:
        return confirm.page(
            "年間の流れを作り直しますか", f"立ち上げ・検討会議・振り返りの日付（{len(plan.milestones)}件）を提案どおりに戻します。"
            "あなたが動かした日付は元に戻ります。済みの印と振り返りの記録は残り、研修の開催日は変わりません。",
            "作り直す", url_for("timeline.show", plan_id=plan.id), mailing=False, danger=True)
    ops.save_plan_timeline(plan, form.chief_after.data)
    flash("年間の流れを作成しました。日程を確認し、必要なら変更してください。", "success")
    return _to_page(plan)


def _move(plan: Plan, item, change):
    """Validate the row's form, then run `change(form)`; refusals re-render with the reasons."""
    form = _milestone_form(plan, item)
    key = _key(item)
    if not form.validate_on_submit():
        return _page(plan, 422, forms={key: form}, refused={key: ["入力内容を確認してください。"]})
    try:
        warnings = change(form)
    except TimelineError as exc:
        return _page(plan, 422, forms={key: form}, refused={key: exc.messages})
    flash("日程を保存しました。", "success")
    for warning in warnings:
        flash(warning, "warning")
    return _to_page(plan, f"row-{key}")


@bp.route("/milestones/<int:milestone_id>", methods=["POST"])
@official_required
def update_milestone(plan_id: int, milestone_id: int):
    plan = plan_or_404(plan_id)
    milestone = _item_or_404(plan, Milestone, milestone_id)
    return _move(plan, milestone, lambda form: ops.update_milestone(
        plan, milestone, form.start.data, form.end.data,
        None if milestone.kind == "retrospective" else form.done.data))


@bp.route("/trainings/<int:training_id>", methods=["POST"])
@official_required
def move_training(plan_id: int, training_id: int):
    plan = plan_or_404(plan_id)
    training = _item_or_404(plan, Training, training_id)
    if training.first_date is None:
        abort(404)
    return _move(plan, training, lambda form: ops.move_milestone(
        plan, training, form.start.data, form.end.data))


@bp.route("/trainings/<int:training_id>/adopt", methods=["POST"])
@official_required
def adopt(plan_id: int, training_id: int):
    plan = plan_or_404(plan_id)
    training = _item_or_404(plan, Training, training_id)
    try:
        day = ops.adopt_proposed_date(plan, training)
    except TimelineError as exc:
        for message in exc.messages:
            flash(message, "error")
        return _to_page(plan)
    flash(f"開催日を{format_date_ja(day)}にしました。", "success")
    return _to_page(plan)


@bp.route("/checklist", methods=["POST"])
@official_required
def checklist(plan_id: int):
    plan = plan_or_404(plan_id)
    form = ChecklistForm()
    if not form.validate_on_submit():
        return _page(plan, 422, checklist_form=form)
    if repeat := once.first_submit(url_for("timeline.show", plan_id=plan.id) + "#checklist"):
        return repeat
    once.remember(url_for("timeline.show", plan_id=plan.id) + "#checklist")
    try:
        ops.save_checklist(plan, set(form.items.data or []))
    except TimelineError as exc:
        form.items.errors = list(exc.messages)
        return _page(plan, 422, checklist_form=form)
    flash("チェックリストを保存しました。", "success")
    return _to_page(plan, "checklist")


@bp.route("/milestones/<int:milestone_id>/retrospective", methods=["POST"])
@official_required
def retrospective(plan_id: int, milestone_id: int):
    plan = plan_or_404(plan_id)
    milestone = _item_or_404(plan, Milestone, milestone_id)
    if milestone.kind != "retrospective":
        abort(404)
    form = RetrospectiveForm(prefix=f"r{milestone.id}")
    if not form.validate_on_submit():
        return _page(plan, 422, forms={f"r{milestone.id}": form})
    ops.save_retrospective(milestone, form.went_well.data or "", form.to_change.data or "")
    flash(f"{milestone.title}の記録を保存しました。次の年度にコピーすると、やることとして引き継がれます。",
          "success")
    return _to_page(plan, f"retro-{milestone.id}")


@bp.route("/todos/<int:todo_id>", methods=["POST"])
@official_required
def todo(plan_id: int, todo_id: int):
    plan = plan_or_404(plan_id)
    item = _item_or_404(plan, CarriedTodo, todo_id)
    form = TodoForm()
    if not form.validate_on_submit():
        abort(400)
    ops.set_todo_done(item, form.done.data)
    flash("引き継ぎ事項を更新しました。", "success")
    return _to_page(plan, "todos")


@bp.app_template_filter("fy_era")
def _fy_era(d: date) -> str:
    """The fiscal year of a date in the Japanese era, e.g. 令和7年度."""
    return era_year(fiscal_year(d))
