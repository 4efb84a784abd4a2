"""Moving a plan to a newer curricula edition: the differences first, then a confirm step."""
from flask import Blueprint, flash, redirect, render_template, url_for

from planner.services.plans.edition_moves import differences, move_plan
from planner.services.plans.editions import EditionRefused, label, newest_edition
from planner.web.access import official_required, plan_or_404
from planner.web.forms import ConfirmForm

bp = Blueprint("editions", __name__)


@bp.route("/plans/<int:plan_id>/edition", methods=["GET", "POST"])
@official_required
def move(plan_id: int):
    """GET shows what changes; only the button on that page (POST) moves the plan."""
    plan = plan_or_404(plan_id)
    target = newest_edition()
    if target == plan.curricula_edition:
        flash(f"この計画は最新の版（{label(target)}）のカリキュラムです。", "info")
        return redirect(url_for("plans.show", plan_id=plan.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            move_plan(plan, target)
        except EditionRefused as refused:
            flash(str(refused), "error")
            return redirect(url_for("editions.move", plan_id=plan.id))
        flash(f"この計画のカリキュラムを{label(target)}にしました。時間割を確認してください。", "success")
        return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/edition.html", plan=plan, form=form, current=label(plan.curricula_edition),
                           target=label(target), diffs=differences(plan, target))
