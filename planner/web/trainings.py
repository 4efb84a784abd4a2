"""A training's settings and its timetable; every change goes through the scheduler."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from curricula import SESSION_KINDS
from planner.domain.schedule import DEFAULT_LONGEST_BLOCK
from planner.domain.timeline import TimelineError
from planner.models import PROGRAMME_FIELDS, Training
from planner.services import usual_day
from planner.services.errors import ChangeRefused
from planner.services.participants.notice_checks import has_contact, letter_problems
from planner.services.plans import changes as plans
from planner.services.plans import programme
from planner.services.plans.editions import curriculum_for
from planner.services.plans.local import add_local_training, local_values
from planner.services.plans.supplements import training_events as training_supplements
from planner.services.plans.timetables import curriculum_subject, subject_spec, timetable_of, training_warnings
from planner.services.plans.versions import version_label
from planner.services.timeline import check_training_dates
from planner.web import once
from planner.web.access import official_required, plan_or_404, training_or_404
from planner.web.date_list import iso_dates
from planner.web.forms import (
    DraftSubjectForm,
    LocalSubjectForm,
    LocalTrainingForm,
    MinutesForm,
    ProgrammeForm,
    TrainingForm,
)

bp = Blueprint("trainings", __name__, url_prefix="/trainings")

SETTING_FIELDS = ("first_date", "day_count", "later_dates", "venue", "capacity", "per_municipality", "start_time",
                  "end_time", "lunch_minutes", "lunch_earliest", "lunch_latest", "break_minutes",
                  "longest_block", "opening_title", "opening_minutes", "closing_title", "closing_minutes",
                  "venue_address", "venue_access", "reception_time", "belongings",
                  "materials_deadline", "equipment")


def _page(training: Training, status: int = 200, refused=None, local_form=None):
    """The timetable page; `refused` carries the reasons of a change that was not saved."""
    curriculum = curriculum_for(training)
    rows = [(row, subject_spec(training, row)) for row in training.subjects]
    return render_template(
        "trainings/timetable.html", training=training, curriculum=curriculum, rows=rows,
        timetable=timetable_of(training), refused=refused, warnings=training_warnings(training),
        local_form=local_form or LocalSubjectForm(), minutes_form=MinutesForm(),
        version_label=version_label(training), letter_problems=letter_problems(training.plan.prefecture),
        has_contact=has_contact(training.plan.prefecture),
        session_kinds=SESSION_KINDS, programmes={row.id: programme.current(row) for row, _ in rows},
        supplements=training_supplements(training), frame_note=usual_day.frame_note(training),
        subjects={row.letter: curriculum_subject(training, row) for row, _ in rows if row.letter},
    ), status


@bp.route("/<int:training_id>")
@login_required
def timetable(training_id: int):
    return _page(training_or_404(training_id))


@bp.route("/<int:training_id>/edit", methods=["GET", "POST"])
@official_required
def edit(training_id: int):
    training = training_or_404(training_id)
    plan = training.plan
    form = TrainingForm(obj=training, cycle=(plan.cycle_start, plan.cycle_end))
    if form.validate_on_submit():
        try:
            # the date is also a step of the year's timeline: keep that order sensible too
            later = form.later_dates.data if form.day_count.data > 1 else []
            check_training_dates(plan, training, form.first_date.data, form.day_count.data,
                                 last=later[-1] if later else None)
            values = {f: getattr(form, f).data for f in SETTING_FIELDS}
            values["later_dates"] = iso_dates(later)  # blank: the days after day one
            # left blank: the usual 90 minutes
            values["longest_block"] = values["longest_block"] or DEFAULT_LONGEST_BLOCK
            if training.is_local:  # its own title and aim, and one or two days
                values.update(local_values(form.local_title.data or "", form.aim.data or "", form.day_count.data))
            plans.update_training(training, **values)
        except (ChangeRefused, TimelineError) as exc:
            return render_template("trainings/edit.html", training=training, form=form,
                                   curriculum=curriculum_for(training),
                                   refused=exc.messages), 422
        flash("研修の設定を保存しました。", "success")
        for warning in training_warnings(training):
            flash(warning, "warning")
        return redirect(url_for("trainings.timetable", training_id=training.id))
    status = 422 if form.errors else 200
    return render_template("trainings/edit.html", training=training, form=form,
                           curriculum=curriculum_for(training), refused=None), status


def _apply(training: Training, change, success: str, local_form=None):
    """Run one timetable change; a refused change re-renders the page with its reasons."""
    try:
        change()
    except ChangeRefused as exc:
        return _page(training, 422, refused=exc, local_form=local_form)
    flash(success, "success")
    return redirect(url_for("trainings.timetable", training_id=training.id) + "#timetable")


@bp.route("/<int:training_id>/subjects/<int:subject_id>/minutes", methods=["POST"])
@official_required
def set_minutes(training_id: int, subject_id: int):
    training = training_or_404(training_id)
    form = MinutesForm()
    if not form.validate_on_submit():
        return _page(training, 422, refused=ChangeRefused(
            [f"時間: {m}" for m in form.minutes.errors] or ["入力を確認してください。"]))
    return _apply(training, lambda: plans.set_minutes(training, subject_id, form.minutes.data),
                  "時間を変更しました。")


@bp.route("/<int:training_id>/subjects/<int:subject_id>/move", methods=["POST"])
@official_required
def move(training_id: int, subject_id: int):
    training = training_or_404(training_id)
    offset = -1 if request.form.get("direction") == "up" else 1
    return _apply(training, lambda: plans.move_subject(training, subject_id, offset),
                  "順番を変更しました。")


@bp.route("/<int:training_id>/subjects/<int:subject_id>/separate", methods=["POST"])
@official_required
def separate(training_id: int, subject_id: int):
    training = training_or_404(training_id)
    separate_day = request.form.get("separate") == "1"
    return _apply(training, lambda: plans.set_separate_day(training, subject_id, separate_day,
                                                           allow_separate=False),
                  "本日の時間割に戻しました。")


@bp.route("/<int:training_id>/subjects/<int:subject_id>/delete", methods=["POST"])
@official_required
def remove_local(training_id: int, subject_id: int):
    training = training_or_404(training_id)
    return _apply(training, lambda: plans.remove_local_subject(training, subject_id),
                  "独自科目を削除しました。")


@bp.route("/<int:training_id>/subjects", methods=["POST"])
@official_required
def add_local(training_id: int):
    training = training_or_404(training_id)
    form = LocalSubjectForm()
    if not form.validate_on_submit():
        return _page(training, 422, local_form=form)
    back = url_for("trainings.timetable", training_id=training.id) + "#timetable"
    if repeat := once.first_submit(back):
        return repeat
    once.remember(back)
    local = training.is_local  # the team lecturer and cases belong to a local training's subjects
    return _apply(training, lambda: plans.add_local_subject(
        training, form.name.data, form.minutes.data, form.lecturer_name.data or "",
        form.lecturer_org.data or "", team_lecturer=local and form.team_lecturer.data,
        uses_cases=local and form.uses_cases.data), "独自科目を追加しました。", local_form=form)


@bp.route("/local/new/<int:plan_id>", methods=["GET", "POST"])
@official_required
def add_local_training_view(plan_id: int):
    """Add a local training (地域の実情に応じた研修) with its first local subject."""
    plan = plan_or_404(plan_id)
    form = LocalTrainingForm()
    refused = None
    if form.validate_on_submit():
        back = url_for("plans.show", plan_id=plan.id)
        if repeat := once.first_submit(back):
            return repeat
        try:
            training = add_local_training(
                plan, form.title.data, form.aim.data or "", form.first_date.data, form.second_date.data,
                form.subjects())
        except ChangeRefused as exc:
            refused = exc.messages
        else:
            flash(f"地域の実情に応じた研修「{training.local_title}」を追加しました。", "success")
            return redirect(url_for("trainings.timetable", training_id=training.id))
    status = 422 if form.errors or refused else 200
    return render_template("trainings/new_local.html", plan=plan, form=form, refused=refused), status


def _programme_page(training: Training, row, form: ProgrammeForm, status: int = 200, refused=None):
    curriculum = curriculum_for(training)
    return render_template("trainings/programme.html", training=training, row=row, form=form,
                           curriculum=curriculum, subject=curriculum.subject(row.letter),
                           history=row.programme, refused=refused,
                           option_label=lambda keys: programme.option_label(training, row, keys)), status


@bp.route("/<int:training_id>/subjects/<int:subject_id>/programme", methods=["GET", "POST"])
@login_required
def programme_edit(training_id: int, subject_id: int):
    """The team's programme for a subject: any member of the prefecture's team may write it."""
    training = training_or_404(training_id)
    row = next((r for r in training.subjects if r.id == subject_id and not r.is_local), None)
    if row is None:
        abort(404)
    subject = curriculum_for(training).subject(row.letter)
    latest = programme.current(row)
    # the form opens with what the timetable runs: the subject's options, the latest texts
    shown = (latest.values() if latest else {}) | {"option_keys": list(row.chosen_keys)}
    form = ProgrammeForm(data=shown if request.method == "GET" else None)
    form.option_keys.choices = [(o.key, o.label) for o in subject.options]
    if request.method == "GET":
        return _programme_page(training, row, form)
    if not form.validate_on_submit():
        return _programme_page(training, row, form, 422)
    try:
        changed = programme.save(training, row, current_user, option_keys=form.option_keys.data or (),
                                 **{name: form[name].data or "" for name in PROGRAMME_FIELDS})
    except ChangeRefused as exc:
        return _programme_page(training, row, form, 422, refused=exc)
    flash("チームのプログラムを保存しました。" if changed else "変更はありませんでした。", "success")
    return redirect(url_for("trainings.timetable", training_id=training.id) + f"#programme-{row.id}")


@bp.route("/<int:training_id>/adopt", methods=["POST"])
@official_required
def adopt(training_id: int):
    """The official adopts the job-support draft as the prefecture's programme, or takes it back."""
    training = training_or_404(training_id)
    adopted = request.form.get("adopted") == "1"
    try:
        plans.adopt_draft(training, current_user, adopted)
    except ChangeRefused as exc:
        return _page(training, 422, refused=exc)
    flash("県のプログラムとして確定しました。参加者向けの資料からたたき台の表示がなくなります。" if adopted
          else "確定を取り消し、たたき台に戻しました。", "success")
    return redirect(url_for("trainings.timetable", training_id=training.id))


@bp.route("/<int:training_id>/subjects/<int:subject_id>/draft", methods=["GET", "POST"])
@official_required
def draft_subject(training_id: int, subject_id: int):
    """Settle one subject of the job-support draft before adopting it."""
    training = training_or_404(training_id)
    curriculum = curriculum_for(training)
    row = next((r for r in training.subjects if r.id == subject_id and not r.is_local), None)
    if row is None or curriculum.official:
        abort(404)
    draft, settled = curriculum.subject(row.letter), curriculum_subject(training, row)
    form = DraftSubjectForm()
    if not form.is_submitted():
        form.name.data = settled.name
        if row.draft_minutes_min:
            form.minutes_min.data, form.minutes_max.data = row.draft_minutes_min, row.draft_minutes_max
        form.lectures.data = "\n".join(settled.national_lectures)
        form.session_minutes.data = ",".join(str(s.minutes_min or "") for s in settled.sessions
                                             ) if row.draft_session_minutes else ""
    refused = None
    if form.validate_on_submit():
        try:
            plans.edit_draft_subject(training, row.id, form.name.data, form.minutes_min.data,
                                     form.minutes_max.data, form.lectures.data or "", form.session_list)
        except ChangeRefused as exc:
            refused = exc
        else:
            flash(f"科目{row.letter}（たたき台）を変更しました。", "success")
            return redirect(url_for("trainings.timetable", training_id=training.id) + "#edit-heading")
    status = 422 if form.errors or refused else 200
    return render_template("trainings/draft_subject.html", training=training, curriculum=curriculum,
                           row=row, draft=draft, form=form, refused=refused), status
