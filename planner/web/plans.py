"""Plans: the yearly list, one plan's trainings, copying and JSON backup."""
from datetime import date
from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from planner.services.backup import plan as backup
from planner.services.errors import ChangeRefused
from planner.services.plans.changes import delete_plan, proposed_dates, rename_plan
from planner.services.plans.editions import label, newest_edition, plan_curricula
from planner.services.plans.lookup import WITH_TRAININGS, list_plans
from planner.services.plans.next_cycle import copy_to_next_cycle
from planner.services.plans.start import start_plan
from planner.services.team import roster as team
from planner.web import bulk, once
from planner.web.access import official_required, plan_or_404
from planner.web.account_forms import PlanTitleForm
from planner.web.forms import ConfirmForm, ImportForm, PlanForm

bp = Blueprint("plans", __name__)


def _remember_plan(plan) -> None:
    """The new plan's page is where a form's first submit led (see planner.web.once)."""
    once.remember(url_for("plans.show", plan_id=plan.id))


@bp.route("/")
@login_required
def index():
    # the list shows every plan's trainings: load them in one query, not one per plan
    plans = list_plans(current_user.prefecture_id)
    return render_template("plans/index.html", plans=plans, import_form=ImportForm())


@bp.route("/plans/new", methods=["GET", "POST"])
@official_required
def new():
    form = PlanForm()
    this_year = date.today().year
    form.cycle_year.choices = [SelectChoice(y, f"{y}年11月〜{y + 1}年10月")
                               for y in range(this_year - 2, this_year + 3)]
    if not form.is_submitted():
        form.cycle_year.data = this_year if date.today().month >= 6 else this_year - 1
    if form.validate_on_submit():
        if repeat := once.first_submit(url_for("plans.index")):
            return repeat
        today = date.today()
        dates = proposed_dates(form.cycle_year.data, today) if form.propose_dates.data else None
        plan = start_plan(current_user.prefecture, form.title.data.strip(), form.cycle_year.data, dates,
                          (form.venue.data or "").strip(), today, _remember_plan)
        flash("計画を作りました。4つの研修の時間割と年間の流れは標準の設定で作ってあります。開催日と会場を確認してください。"
              if dates else "計画を作りました。4つの研修の開催日と会場を入れてください。", "success")
        return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/new.html", form=form)


@bp.route("/plans/<int:plan_id>")
@login_required
def show(plan_id: int):
    plan = plan_or_404(plan_id, *WITH_TRAININGS)
    year = bulk.year_context(plan) if current_user.is_official else {}
    newest = newest_edition()
    return render_template("plans/show.html", plan=plan, curricula=plan_curricula(plan),
                           edition=label(plan.curricula_edition),
                           newer=label(newest) if newest != plan.curricula_edition else "",
                           member_count=team.member_count(plan), **year)


@bp.route("/plans/<int:plan_id>/copy", methods=["POST"])
@official_required
def copy(plan_id: int):
    plan = plan_or_404(plan_id)
    if repeat := once.first_submit(url_for("plans.show", plan_id=plan.id)):
        return repeat
    new_plan = copy_to_next_cycle(plan, _remember_plan)
    flash("次の年度の計画にコピーしました。開催日は1年後の同じ曜日にしてあります。確認してください。", "success")
    return redirect(url_for("plans.show", plan_id=new_plan.id))


@bp.route("/plans/<int:plan_id>/rename", methods=["GET", "POST"])
@official_required
def rename(plan_id: int):
    """A new name for the plan; the form opens with the current one."""
    plan = plan_or_404(plan_id)
    form = PlanTitleForm(data={"title": plan.title} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            rename_plan(plan, form.title.data)
        except ChangeRefused as refused:
            form.title.errors.append(refused.messages[0])
            return render_template("plans/rename.html", plan=plan, form=form), 422
        flash(f"計画の名前を「{plan.title}」に変更しました。", "success")
        return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/rename.html", plan=plan, form=form), 422 if form.errors else 200


@bp.route("/plans/<int:plan_id>/delete", methods=["GET", "POST"])
@official_required
def delete(plan_id: int):
    """A confirmation page that offers the backup first; deleting needs its own button press."""
    plan = plan_or_404(plan_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = plan.title
        delete_plan(plan)
        flash(f"計画「{title}」を削除しました。", "success")
        return redirect(url_for("plans.index"))
    return render_template("plans/delete.html", plan=plan, form=form)


@bp.route("/plans/<int:plan_id>/export.json")
@official_required  # the full backup holds every member's contacts and notes
def export_json(plan_id: int):
    plan = plan_or_404(plan_id)
    return send_file(BytesIO(backup.dump_plan(plan).encode("utf-8")), mimetype="application/json",
                     as_attachment=True, download_name=f"伝達研修計画_{plan.cycle_year}_{plan.id}.json")


@bp.route("/plans/import", methods=["POST"])
@official_required
def import_json():
    form = ImportForm()
    if not form.validate_on_submit():
        for message in form.file.errors:
            flash(message, "error")
        return index(), 422
    if repeat := once.first_submit(url_for("plans.index")):
        return repeat
    try:
        plan = backup.restore_plan(current_user.prefecture, form.file.data.read(), _remember_plan)
    except backup.BackupError as exc:
        flash(f"取り込みませんでした: {exc}", "error")
        return index(), 422  # the list again, with the reason; nothing was saved
    flash("計画を取り込みました。", "success")
    return redirect(url_for("plans.show", plan_id=plan.id))
