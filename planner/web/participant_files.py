"""The training day and the participants' files: reception, the day's papers, the
municipalities' reply files, and who has sent nobody. Officials only: participants' names,
contacts and needs are personal data of their prefecture."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.file import FileField, FileRequired

from planner.services.errors import ChangeRefused
from planner.services.participants import attendance, coverage
from planner.services.participants.files import (
    COLUMNS,
    DuplicateLines,
    duplicate_groups,
    example_csv,
    example_xlsx,
    import_reply,
    parse_reply,
)
from planner.services.spreadsheets import XLSX_TYPE, SheetError
from planner.services.survey import links as survey_links
from planner.web import once, survey
from planner.web.access import official_required, plan_or_404, training_or_404
from planner.web.downloads import attachment
from planner.web.forms import Form
from planner.web.isolated import built_in_child
from planner.web.lazy import lazy_module
from planner.web.numbers import bounded_int

# the Word and Excel builders load with the first download, not in every server process
files, outputs = lazy_module("exports.files"), lazy_module("exports.participants")

bp = Blueprint("participant_files", __name__)


class ReplyFileForm(Form):
    file = FileField("申込ファイル（Excel .xlsx または CSV）", validators=[FileRequired("ファイルを選んでください。")])


@bp.app_template_global()
def participant_coverage(training):
    """For templates/participants/_coverage.html, which any training page can include."""
    return coverage.training_coverage(training)


# --------------------------------------------------------------------------- reception

def _filtered(people, query: str, municipality_id: int | None):
    """Those whose name or kana holds `query` (spaces ignored), of one municipality if given."""
    needle = "".join(query.split())
    return [p for p in people
            if (municipality_id is None or p.municipality_id == municipality_id)
            and (not needle or needle in "".join(p.kana.split()) or needle in "".join(p.name.split()))]


def _municipality_filter() -> int | None:
    return bounded_int(request.values.get("m", ""))


@bp.route("/trainings/<int:training_id>/reception")
@official_required
def reception(training_id: int):
    training = training_or_404(training_id)
    people = attendance.day_participants(training)
    query = request.args.get("q", "").strip()[:50]
    municipality_id = _municipality_filter()
    shown = _filtered(people, query, municipality_id)
    places = {p.municipality_id: attendance.display_name(p) for p in people if p.municipality_id}
    return render_template("participants/reception.html", training=training, people=shown, query=query,
                           municipality_id=municipality_id, places=places, expected=len(people),
                           arrived=sum(1 for p in people if p.attended_at),
                           shown_arrived=sum(1 for p in shown if p.attended_at))


@bp.route("/trainings/<int:training_id>/reception/<int:participant_id>", methods=["POST"])
@official_required
def tick(training_id: int, participant_id: int):
    """Tick (arrived=1) or untick (arrived=0); the same tick twice changes nothing."""
    training = training_or_404(training_id)
    arrived = request.form.get("arrived") == "1"
    try:
        attendance.set_arrived(training, participant_id, arrived)
    except ChangeRefused as exc:
        abort(404, exc.messages[0])
    people = attendance.day_participants(training)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(arrived=sum(1 for p in people if p.attended_at), expected=len(people),
                       participant=participant_id,
                       attended=next((p.attended_at is not None for p in people if p.id == participant_id), False))
    return redirect(url_for("participant_files.reception", training_id=training.id,
                            q=request.form.get("q") or None, m=_municipality_filter(),
                            _anchor=f"p{participant_id}"))


# --------------------------------------------------------------------------- the day's papers

@bp.route("/trainings/<int:training_id>/participants/papers/<name>.docx", defaults={"suffix": "docx"})
@bp.route("/trainings/<int:training_id>/participants/papers/<name>.xlsx", defaults={"suffix": "xlsx"})
@official_required
@built_in_child
def paper(training_id: int, name: str, suffix: str):
    training = training_or_404(training_id)
    if f"{name}.{suffix}" not in outputs.OUTPUTS:
        abort(404)
    options = {}
    if name == "cards":  # each card carries its holder's survey QR code once the links are made
        options["survey_urls"] = survey_links.existing_participant_urls(
            training, current_app.config["SECRET_KEY"], survey.answer_url)
    name, data = outputs.output_file(training, f"{name}.{suffix}", **options)
    mimetype = XLSX_TYPE if name.endswith(".xlsx") else files.DOCX
    return attachment(data, mimetype, name)


@bp.route("/trainings/<int:training_id>/participants/papers")
@official_required
def papers(training_id: int):
    """The day's papers, the reply file import, and who has sent nobody."""
    return _papers_page(training_or_404(training_id))


def _papers_page(training, status: int = 200, form: ReplyFileForm | None = None, refused: str = "",
                 duplicates: list[str] | None = None):
    people = attendance.day_participants(training)
    return render_template("participants/papers.html", training=training, form=form or ReplyFileForm(),
                           accepted=len(people), attended=sum(1 for p in people if p.attended_at),
                           columns=COLUMNS, refused=refused, duplicates=duplicates or []), status


# --------------------------------------------------------------------------- reply files

@bp.route("/trainings/<int:training_id>/participants/import", methods=["POST"])
@official_required
def import_file(training_id: int):
    training = training_or_404(training_id)
    back = url_for("participant_files.papers", training_id=training.id)
    form = ReplyFileForm()
    if not form.validate_on_submit():
        return _papers_page(training, 422, form, "ファイルを選んでください。")
    try:
        lines = parse_reply(form.file.data.read(), training)
    except SheetError as exc:
        return _papers_page(training, 422, form, str(exc))
    if repeat := once.first_submit(back):
        return repeat
    once.remember(back)
    duplicates = "first" if request.form.get("duplicates") == "first" else "ask"
    try:
        added = import_reply(training, lines, duplicates=duplicates)
    except DuplicateLines as exc:
        return _papers_page(training, 409, form, "同じ方が複数の行にあるため、まだ取り込んでいません。",
                            duplicates=exc.messages)
    except ChangeRefused as exc:
        return _papers_page(training, 422, form, " ".join(exc.messages))
    waiting = sum(1 for p in added if p.status != "accepted")
    merged = sum(len(group) - 1 for group in duplicate_groups(lines))
    already = len(lines) - merged - len(added)
    if not added:
        flash(f"ファイルの{len(lines) - merged}名は全員すでに登録されています。変更はありません。", "success")
        return redirect(back)
    flash(f"申込ファイルから{len(added)}名を登録しました"
          + (f"（うち{waiting}名は定員・締切のためキャンセル待ち）" if waiting else "")
          + (f"。{already}名はすでに登録済みのため、そのままにしました" if already else "")
          + (f"。重複していた{merged}行は最初の行だけを取り込みました" if merged else "") + "。", "success")
    return redirect(back)


@bp.route("/trainings/<int:training_id>/participants/reply-example.xlsx", defaults={"ext": "xlsx"})
@bp.route("/trainings/<int:training_id>/participants/reply-example.csv", defaults={"ext": "csv"})
@official_required
@built_in_child
def reply_example(training_id: int, ext: str):
    """The reply file to send to the municipalities, filled in with fictitious people."""
    training = training_or_404(training_id)
    places = coverage.prefecture_municipalities(training.plan.prefecture_id)
    if ext == "xlsx":
        data, mimetype = example_xlsx(places), XLSX_TYPE
    else:
        data, mimetype = example_csv(places), "text/csv; charset=utf-8"
    return attachment(data, mimetype, f"受講申込書_記入例.{ext}")


# --------------------------------------------------------------------------- coverage

@bp.route("/plans/<int:plan_id>/participants/coverage")
@official_required
def year_coverage(plan_id: int):
    plan = plan_or_404(plan_id)
    return render_template("participants/year_coverage.html", plan=plan, year=coverage.year_coverage(plan))
