"""The survey pages. Without an account: a participant's one-time answer page (personal or
shared link), a group's findings page, a municipality's follow-up page. Behind the login: the
official's survey page (questions, links, response rate, reminders, downloads) and the
results, which the team reads with held comments left out."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from planner.domain.survey import SCALE_LABELS
from planner.models import Milestone
from planner.models.survey import FINDING_CATEGORIES, QUESTION_KINDS, SurveyLink, SurveyQuestion
from planner.services.errors import ChangeRefused
from planner.services.participants import entries as participants
from planner.services.plans.editions import curriculum_for
from planner.services.survey import answers, changes, findings, followup, links, questions, reminders, results
from planner.web.access import official_required, plan_or_404, training_or_404
from planner.web.downloads import attachment
from planner.web.lazy import lazy_module
from planner.web.mail import settings as mail_settings
from planner.web.survey_forms import FindingForm, QuestionForm

report = lazy_module("exports.survey_report")
papers = lazy_module("exports.survey_papers")

bp = Blueprint("survey", __name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def answer_url(token: str) -> str:
    return url_for("survey.answer", token=token, _external=True)


def agenda_url(training) -> str | None:
    """The shared survey URL the 研修次第 prints as a QR code, or None while the training has
    no survey. Makes the link the first time (commits): call it before a publish starts."""
    return links.shared_url(training, _secret(), answer_url)


@bp.errorhandler(links.LinkRefused)
def _refused(refused: links.LinkRefused):
    """A used, expired or forged link: a Japanese page with its 4xx, never a traceback."""
    return render_template("survey/refused.html", message=refused.message, status=refused.status), refused.status


def _open(token: str, *purposes: str) -> SurveyLink:
    return links.open_link(token, purposes, participants.today_in_japan())


# --------------------------------------------------------------------------- answering

def _answer_page(link: SurveyLink, token: str, values=None, errors=None, status: int = 200):
    training = link.training
    return render_template("survey/answer.html", token=token, training=training,
                           curriculum=curriculum_for(training),
                           questions=questions.ensure_questions(training), values=values or {},
                           errors=errors or {}, scale=SCALE_LABELS,
                           subjects={r.id: questions.subject_label(training, r) for r in training.subjects}), status


@bp.route("/s/<token>")
def answer(token: str):
    return _answer_page(_open(token, "participant", "shared"), token)


@bp.route("/s/<token>", methods=["POST"])
def submit(token: str):
    link = _open(token, "participant", "shared")
    form = {key: request.form.getlist(key) for key in request.form if key.startswith("q")}
    try:
        answers.submit(link, form, participants.today_in_japan())
    except answers.AnswerInvalid as invalid:
        return _answer_page(link, token, form, invalid.errors, 422)
    return redirect(url_for("survey.thanks", shared=1 if link.purpose == "shared" else None))


@bp.route("/s/thanks")
def thanks():
    return render_template("survey/thanks.html", shared=request.args.get("shared") == "1")


# --------------------------------------------------------------------------- the official's page

def _question_or_404(training, question_id: int) -> SurveyQuestion:
    question = questions.find_question(training, question_id)
    if question is None:
        abort(404)
    return question


@bp.route("/trainings/<int:training_id>/survey")
@official_required
def manage(training_id: int):
    training = training_or_404(training_id)
    shared = links.shared_link(training, _secret())
    data = results.results(training, official=True)
    groups = sorted({p.group_no for p in participants.entries_of(training) if p.group_no})
    group_urls = {n: url_for("survey.group", token=links.token_of(links.group_link(training, n, _secret()), _secret()),
                             _external=True) for n in groups}
    return render_template("survey/manage.html", training=training, curriculum=curriculum_for(training),
                           questions=questions.ensure_questions(training), kinds=QUESTION_KINDS, data=data,
                           shared_url=answer_url(links.token_of(shared, _secret())), group_urls=group_urls,
                           links_made=bool(links.links_of(training, "participant")),
                           waiting=len(links.not_answered(training)),
                           followup_due=followup.due(training, participants.today_in_japan()),
                           followups=links.links_of(training, "followup"))


@bp.route("/trainings/<int:training_id>/survey/links", methods=["POST"])
@official_required
def make_links(training_id: int):
    training = training_or_404(training_id)
    made = links.ensure_participant_links(training, _secret())
    sent = reminders.send_links(training, mail_settings(), _secret(), answer_url, remind=False)
    flash(f"受講者{len(made)}名の回答用URLを用意し、メールアドレスのある{sent}名に送りました。"
          "名札・受付票にQRコードが入ります。", "success")
    return redirect(url_for("survey.manage", training_id=training.id))


@bp.route("/trainings/<int:training_id>/survey/remind", methods=["POST"])
@official_required
def remind(training_id: int):
    training = training_or_404(training_id)
    sent = reminders.send_links(training, mail_settings(), _secret(), answer_url, remind=True)
    flash(f"未回答でメールアドレスのある{sent}名に、回答のお願いを送りました。", "success")
    return redirect(url_for("survey.manage", training_id=training.id))


@bp.route("/trainings/<int:training_id>/survey/followups", methods=["POST"])
@official_required
def send_followups(training_id: int):
    training = training_or_404(training_id)
    if not followup.due(training, participants.today_in_japan()):
        abort(409, "フォローアップ調査は研修の3か月後から送れます。")
    sent = reminders.send_followups(training, mail_settings(), _secret(),
                                    lambda token: url_for("survey.followup_page", token=token, _external=True))
    flash(f"市町村の担当者{sent}名にフォローアップ調査を送りました。", "success")
    return redirect(url_for("survey.manage", training_id=training.id))


@bp.route("/trainings/<int:training_id>/survey/questions/new", methods=["GET", "POST"])
@bp.route("/trainings/<int:training_id>/survey/questions/<int:question_id>", methods=["GET", "POST"])
@official_required
def edit_question(training_id: int, question_id: int | None = None):
    training = training_or_404(training_id)
    question = _question_or_404(training, question_id) if question_id else None
    form = QuestionForm(obj=question)
    refused = None
    if form.validate_on_submit():
        try:
            questions.save_question(training, question, form.kind.data, form.text.data, form.choices.data or "",
                                    form.required.data)
        except ChangeRefused as exc:
            refused = exc.messages
        else:
            flash("質問を保存しました。", "success")
            return redirect(url_for("survey.manage", training_id=training.id, _anchor="questions"))
    status = 422 if form.errors or refused else 200
    return render_template("survey/question.html", training=training, question=question, form=form,
                           refused=refused), status


@bp.route("/trainings/<int:training_id>/survey/questions/delete", methods=["POST"])
@official_required
def delete_question(training_id: int):
    """One form for the page's delete buttons (each sends its question's id)."""
    training = training_or_404(training_id)
    value = request.form.get("question_id", "")
    if not value.isdigit():
        abort(400, "削除する質問を選んでください。")
    question = _question_or_404(training, int(value))
    try:
        questions.delete_question(question)
    except ChangeRefused as exc:
        abort(409, exc.messages[0])
    flash("質問を削除しました。", "success")
    return redirect(url_for("survey.manage", training_id=training.id, _anchor="questions"))


@bp.route("/trainings/<int:training_id>/survey/comments/<answer_id>", methods=["POST"], endpoint="settle")
@bp.route("/trainings/<int:training_id>/survey/findings/<int:finding_id>", methods=["POST"],
          endpoint="settle_finding")
@official_required
def settle(training_id: int, answer_id: str | None = None, finding_id: int | None = None):
    """The official releases a held comment or group finding to the team, or keeps it from them."""
    training = training_or_404(training_id)
    release = request.form.get("release") == "1"
    try:
        if finding_id is None:
            results.settle_comment(training, answer_id, release)
        else:
            results.settle_finding(training, finding_id, release)
    except ChangeRefused as exc:
        abort(404, exc.messages[0])
    flash("記述の扱いを決めました。", "success")
    return redirect(url_for("survey.show_results", training_id=training.id,
                            _anchor="comments" if finding_id is None else "findings"))


# --------------------------------------------------------------------------- results and files

@bp.route("/trainings/<int:training_id>/survey/results")
@login_required
def show_results(training_id: int):
    training = training_or_404(training_id)
    official = current_user.is_official
    return render_template("survey/results.html", training=training, curriculum=curriculum_for(training),
                           data=results.results(training, official=official), official=official,
                           categories=FINDING_CATEGORIES, scale=SCALE_LABELS)


@bp.route("/trainings/<int:training_id>/survey/report.docx")
@login_required
def report_docx(training_id: int):
    training = training_or_404(training_id)
    name, data = report.report_docx(results.results(training))
    return attachment(data, DOCX, name)


@bp.route("/trainings/<int:training_id>/survey/answers.xlsx")
@official_required
def answers_xlsx(training_id: int):
    training = training_or_404(training_id)
    name, data = report.answers_xlsx(training, results.results(training, official=True))
    return attachment(data, XLSX, name)


@bp.route("/trainings/<int:training_id>/survey/slips.docx")
@official_required
def slips_docx(training_id: int):
    training = training_or_404(training_id)
    urls = links.participant_urls(training, _secret(), answer_url)
    name, data = papers.reception_slips(training, urls)
    return attachment(data, DOCX, name)


# --------------------------------------------------------------------------- groups and follow-up

@bp.route("/g/<token>", methods=["GET", "POST"])
def group(token: str):
    link = _open(token, "group")
    form = FindingForm()
    refused, status = None, 200
    if request.method == "POST" and request.form.get("remove", "").isdigit():
        try:
            findings.remove_finding(link, int(request.form["remove"]))
        except ChangeRefused as exc:
            abort(404, exc.messages[0])
        flash("記録を取り消しました。", "success")
        return redirect(url_for("survey.group", token=token))
    if form.validate_on_submit():
        try:
            row = findings.add_finding(link, form.category.data, form.text.data)
        except ChangeRefused as exc:
            refused, status = exc.messages, 422
        else:
            flash("記録しました。" + ("人や場所の名前かもしれない語があるため、県の担当者が確認してから共有されます。"
                                  if row.review == "held" else ""), "success")
            return redirect(url_for("survey.group", token=token))
    elif request.method == "POST":
        status = 422
    return render_template("survey/group.html", link=link, token=token, form=form, refused=refused,
                           rows=findings.findings_of(link), categories=FINDING_CATEGORIES,
                           curriculum=curriculum_for(link.training)), status


@bp.route("/f/<token>", methods=["GET", "POST"])
def followup_page(token: str):
    link = _open(token, "followup")
    refused, status = None, 200
    if request.method == "POST":
        try:
            followup.save_answer(link, request.form.get("held", ""), request.form.get("activity", ""),
                                 request.form.get("people", ""), participants.today_in_japan())
        except ChangeRefused as exc:
            refused, status = exc.messages, 422
        else:
            flash("回答を受け付けました。ご協力ありがとうございました。", "success")
            return redirect(url_for("survey.followup_page", token=token))
    return render_template("survey/followup.html", link=link, token=token, refused=refused,
                           municipality=followup.municipality_of(link),
                           answer=followup.answer_of(link), values=request.form,
                           curriculum=curriculum_for(link.training)), status


# --------------------------------------------------------------------------- retrospective

@bp.app_template_global()
def survey_reach(plan):
    """For templates/participants/year_coverage.html: the follow-up reach per municipality."""
    return followup.plan_reach(plan)


@bp.app_template_global()
def survey_meeting_changes(meeting):
    """For templates/timeline/meeting.html: the retrospectives' changes this meeting takes up."""
    return changes.changes_for_meeting(meeting)


def _retro_or_404(plan_id: int, milestone_id: int) -> Milestone:
    plan = plan_or_404(plan_id)
    milestone = changes.find_retrospective(plan, milestone_id)
    if milestone is None:
        abort(404)
    return milestone


@bp.route("/plans/<int:plan_id>/retrospectives/<int:milestone_id>", methods=["GET", "POST"])
@login_required
def retrospective(plan_id: int, milestone_id: int):
    """The retrospective opens with the training's survey results and the groups' findings,
    then its 「次に変えること」, each about a subject or the whole training."""
    milestone = _retro_or_404(plan_id, milestone_id)
    refused, status = None, 200
    if request.method == "POST":
        if not current_user.is_official:
            abort(403)
        try:
            if request.form.get("remove", "").isdigit():
                changes.remove_change(milestone, int(request.form["remove"]))
            else:
                changes.add_change(milestone, request.form.get("letter", ""), request.form.get("text", ""))
        except ChangeRefused as exc:
            refused, status = exc.messages, 422
        else:
            flash("次に変えることを更新しました。", "success")
            return redirect(url_for("survey.retrospective", plan_id=plan_id, milestone_id=milestone.id))
    training = milestone.training
    data = results.results(training, official=current_user.is_official) if training is not None else None
    following = changes.next_meeting(milestone)
    return render_template("survey/retrospective.html", milestone=milestone, plan=milestone.plan, training=training,
                           data=data, official=current_user.is_official, categories=FINDING_CATEGORIES,
                           letters=changes.subject_letters(milestone), items=milestone.change_items,
                           line_of=changes.line_of, following=following, refused=refused,
                           values=request.form), status
