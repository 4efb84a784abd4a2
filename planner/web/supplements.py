"""Supplementary events: added, changed and removed from the timetable page of the training
whose subject they supplement; each has its own page and agenda handout."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from planner.models import SUPPLEMENT_EFFECTS, SUPPLEMENT_KINDS, Training
from planner.services.errors import ChangeRefused
from planner.services.plans import supplements
from planner.services.plans.editions import curriculum_for
from planner.services.plans.supplements import EventValues
from planner.services.plans.timetables import subject_title
from planner.web.access import event_or_404, official_required, training_or_404
from planner.web.forms import SupplementForm

bp = Blueprint("supplements", __name__, url_prefix="/supplements")

FIELDS = ("kind", "title", "day", "start_time", "end_time", "place", "lecturer_name",
          "lecturer_org", "effect", "shortened_minutes", "coordinator_name", "coordinator_org")


def _subjects(training: Training) -> list[tuple[int, str]]:
    """Every subject of the curriculum: the source's general step lets any be supplemented."""
    return [(row.id, f"{row.letter} {subject_title(training, row)}") for row in training.subjects
            if not row.is_local]


def _form(training: Training, **kwargs) -> SupplementForm:
    plan = training.plan
    return SupplementForm(cycle=(plan.cycle_start, plan.cycle_end), subjects=_subjects(training),
                          kinds=SUPPLEMENT_KINDS, effects=SUPPLEMENT_EFFECTS, **kwargs)


def _values(form: SupplementForm) -> EventValues:
    values = {f: getattr(form, f).data for f in FIELDS}
    for name in ("place", "lecturer_name", "lecturer_org", "coordinator_name", "coordinator_org"):
        values[name] = values[name] or ""
    return EventValues(**values, symposists=supplements.parse_symposists(form.symposists_text.data))


def _edit_page(training: Training, form: SupplementForm, event=None, status=200, refused=None):
    return render_template("supplements/edit.html", training=training, form=form, event=event,
                           curriculum=curriculum_for(training),
                           refused=refused), status


@bp.route("/new/<int:training_id>", methods=["GET", "POST"])
@official_required
def new(training_id: int):
    training = training_or_404(training_id)
    form = _form(training)
    if not form.is_submitted():
        form.kind.data, form.effect.data = "symposium", "stays"
    if form.validate_on_submit():
        try:
            event = supplements.add_event(training, form.subject_id.data, _values(form))
        except ChangeRefused as exc:
            return _edit_page(training, form, status=422, refused=exc.messages)
        flash(f"{event.full_title}を登録しました。", "success")
        note = supplements.effect_note(training, event.subject, _values(form))
        if note:
            flash(note, "warning")
        return redirect(url_for("supplements.show", event_id=event.id))
    return _edit_page(training, form, status=422 if form.errors else 200)


@bp.route("/<int:event_id>")
@login_required
def show(event_id: int):
    event = event_or_404(event_id)
    training = event.training
    return render_template("supplements/show.html", event=event, training=training,
                           curriculum=curriculum_for(training),
                           subject_name=subject_title(training, event.subject))


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@official_required
def edit(event_id: int):
    event = event_or_404(event_id)
    training = event.training
    form = _form(training, obj=event)
    if not form.is_submitted():
        form.symposists_text.data = supplements.symposists_text(event)
    # the subject an event supplements stays; shown, not sent
    form.subject_id.data = event.subject_id
    form.subject_id.render_kw = {"disabled": True}
    if form.validate_on_submit():
        try:
            supplements.update_event(event, _values(form))
        except ChangeRefused as exc:
            return _edit_page(training, form, event, 422, exc.messages)
        flash("催しを変更しました。", "success")
        note = supplements.effect_note(training, event.subject, _values(form))
        if note:
            flash(note, "warning")
        return redirect(url_for("supplements.show", event_id=event.id))
    return _edit_page(training, form, event, 422 if form.errors else 200)


@bp.route("/<int:event_id>/delete", methods=["GET", "POST"])
@official_required
def delete(event_id: int):
    """GET asks for confirmation; POST (its CSRF token checked app-wide) removes the event."""
    event = event_or_404(event_id)
    training = event.training
    if request.method == "POST":
        try:
            supplements.delete_event(event)
        except ChangeRefused as exc:
            return render_template("supplements/delete.html", event=event, training=training,
                                   refused=exc.messages), 422
        flash("催しを削除しました。", "success")
        return redirect(url_for("trainings.timetable", training_id=training.id) + "#supplements")
    return render_template("supplements/delete.html", event=event, training=training, refused=None)
