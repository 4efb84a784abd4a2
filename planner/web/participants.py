"""The official's pages for participants: the prefecture's municipalities, and per training
the application settings, the 開催通知, each municipality's link and the entries."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.domain.municipalities import municipalities_of
from planner.domain.participants import WAITING
from planner.models import ApplicationLink, Municipality, Participant, Training
from planner.models.participants import MUNICIPALITY_TYPES, PARTICIPANT_KINDS, PARTICIPANT_STATUSES
from planner.services.errors import ChangeRefused
from planner.services.mail import link_mailing
from planner.services.participants import entries as participants
from planner.services.participants import links
from planner.services.participants import municipalities as service
from planner.services.participants.notice_checks import notice_problems
from planner.services.plans.editions import curriculum_for
from planner.web import once
from planner.web.access import official_required, training_or_404
from planner.web.downloads import attachment
from planner.web.isolated import built_in_child
from planner.web.lazy import lazy_module
from planner.web.mail import settings as mail_settings
from planner.web.participant_forms import ApplicationSettingsForm, MunicipalityForm

# the Word and Excel builders load with the first download, not in every server process
handouts, participant_notice = lazy_module("exports.handouts"), lazy_module("exports.participant_notice")
municipality_mails = lazy_module("exports.municipality_mails")

bp = Blueprint("participants", __name__)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def municipality_or_404(municipality_id: int) -> Municipality:
    municipality = service.find_municipality(current_user.prefecture_id, municipality_id)
    if municipality is None:
        abort(404)
    return municipality


def participant_or_404(participant_id: int) -> Participant:
    participant = participants.find_participant(participant_id)
    if participant is None:
        abort(404)
    training_or_404(participant.training_id)
    return participant


def link_url(link: ApplicationLink) -> str:
    return url_for("apply.show", token=links.token_of(link, current_app.config["SECRET_KEY"]), _external=True)


# --------------------------------------------------------------------------- municipalities

def _municipalities_page(form=None, refused=None, status=200):
    prefecture = current_user.prefecture
    return render_template("participants/municipalities.html", prefecture=prefecture,
                           municipalities=service.municipalities(prefecture), kinds=MUNICIPALITY_TYPES,
                           form=form or MunicipalityForm(), refused=refused,
                           in_national_list=bool(municipalities_of(prefecture.name))), status


@bp.route("/municipalities")
@official_required
def municipalities():
    return _municipalities_page()


@bp.route("/municipalities/load", methods=["POST"])
@official_required
def load_municipalities():
    prefecture = current_user.prefecture
    try:
        result = service.load_list(prefecture, municipalities_of(prefecture.name))
    except ChangeRefused as refused:
        return _municipalities_page(refused=refused.messages, status=422)
    flash(f"市町村の一覧を読み込みました（追加 {len(result.added)}、更新 {len(result.updated)}）。", "success")
    if result.not_in_list:
        flash(f"全国の一覧にない自治体があります（合併など）: {'、'.join(result.not_in_list)}。"
              "必要なければ削除してください。", "warning")
    return redirect(url_for("participants.municipalities"))


@bp.route("/municipalities", methods=["POST"])
@official_required
def add_municipality():
    form = MunicipalityForm()
    if not form.validate_on_submit():
        return _municipalities_page(form=form, status=422)
    answer = once.first_submit(url_for("participants.municipalities"))
    if answer:
        return answer
    try:
        municipality = service.add_municipality(current_user.prefecture, form.code.data, form.name.data,
                                                form.kind.data, form.contact_name.data, form.contact_email.data,
                                                lambda: once.remember(url_for("participants.municipalities")))
    except ChangeRefused as refused:
        return _municipalities_page(form=form, refused=refused.messages, status=422)
    flash(f"{municipality.name}を追加しました。", "success")
    return redirect(url_for("participants.municipalities"))


@bp.route("/municipalities/<int:municipality_id>/edit", methods=["GET", "POST"])
@official_required
def edit_municipality(municipality_id: int):
    municipality = municipality_or_404(municipality_id)
    form = MunicipalityForm(obj=municipality)
    refused = None
    if form.validate_on_submit():
        try:
            values = service.check_values(municipality.prefecture, form.code.data, form.name.data, form.kind.data,
                                          form.contact_name.data, form.contact_email.data, municipality)
            service.save_municipality(municipality.prefecture, values, municipality)
        except ChangeRefused as exc:
            refused = exc.messages
        else:
            flash(f"{municipality.name}を保存しました。", "success")
            return redirect(url_for("participants.municipalities"))
    status = 422 if form.errors or refused else 200
    return render_template("participants/municipality_edit.html", municipality=municipality, form=form,
                           refused=refused), status


@bp.route("/municipalities/<int:municipality_id>/delete", methods=["POST"])
@official_required
def delete_municipality(municipality_id: int):
    municipality = municipality_or_404(municipality_id)
    name = municipality.name
    try:
        service.remove_municipality(municipality)
    except ChangeRefused as refused:
        return _municipalities_page(refused=refused.messages, status=409)
    flash(f"{name}を削除しました。", "success")
    return redirect(url_for("participants.municipalities"))


# --------------------------------------------------------------------------- a training's participants

def _page(training: Training, form=None, refused=None, status=200):
    prefecture = training.plan.prefecture
    entries = participants.entries_of(training)
    by_municipality: dict[int | None, list[Participant]] = {}
    for entry in entries:
        by_municipality.setdefault(entry.municipality_id, []).append(entry)
    rows = links.link_rows(training, service.municipalities(prefecture))
    today = participants.today_in_japan()
    # in the order of the municipalities' codes, then those the official entered without one
    ordered = [e for row in rows for e in by_municipality.get(row.municipality.id, [])] + by_municipality.get(None, [])
    return render_template(
        "participants/training.html", training=training, curriculum=curriculum_for(training),
        form=form or ApplicationSettingsForm(obj=training), refused=refused, rows=rows,
        by_municipality=by_municipality, ordered=ordered, waiting=[e for e in entries if e.status == WAITING],
        accepted=participants.seats_taken(training), total=len(entries),
        notice_problems=notice_problems(training),
        urls={row.link.id: link_url(row.link) for row in rows if row.link},
        open_links={row.link.id for row in rows if row.link and links.is_open(row.link, today)},
        kinds=PARTICIPANT_KINDS, statuses=PARTICIPANT_STATUSES, types=MUNICIPALITY_TYPES), status


@bp.route("/trainings/<int:training_id>/participants")
@official_required
def training(training_id: int):
    return _page(training_or_404(training_id))


@bp.route("/trainings/<int:training_id>/participants/settings", methods=["POST"])
@official_required
def settings(training_id: int):
    training = training_or_404(training_id)
    form = ApplicationSettingsForm()
    if not form.validate_on_submit():
        return _page(training, form=form, status=422)
    try:
        participants.update_settings(training, **{name: getattr(form, name).data
                                                  for name in participants.SETTING_FIELDS})
    except ChangeRefused as refused:
        return _page(training, form=form, refused=refused.messages, status=422)
    flash("申込の設定を保存しました。", "success")
    return redirect(url_for("participants.training", training_id=training.id))


@bp.route("/trainings/<int:training_id>/participants/notice.docx")
@official_required
@built_in_child
def notice_docx(training_id: int):
    training = training_or_404(training_id)
    return attachment(participant_notice.notice(training, date.today()), DOCX_TYPE,
                      f"{handouts.safe_filename(participant_notice.notice_subject(training))}.docx")


@bp.route("/trainings/<int:training_id>/links/<int:municipality_id>/notice.docx")
@official_required
@built_in_child
def link_notice_docx(training_id: int, municipality_id: int):
    """The notice addressed to one municipality, with its own link."""
    training, municipality = training_or_404(training_id), municipality_or_404(municipality_id)
    link = links.link_of(training, municipality)
    if link is None or link.revoked_at is not None:
        abort(404)
    problems = notice_problems(training)
    if problems:  # a notice addressed to a municipality leaves the office: never with gaps
        flash("開催通知を作れません: " + " ".join(problems) + "申込の設定（「県の設定」とある項目は県の設定）で入力してください。",
              "error")
        return redirect(url_for("participants.training", training_id=training.id)), 303
    data = participant_notice.notice(training, date.today(), link_url(link),
                  f"{municipality.name} 生活困窮者自立支援制度主管課長　様")
    name = handouts.safe_filename(f"{municipality.name} {participant_notice.notice_subject(training)}")
    return attachment(data, DOCX_TYPE, f"{name}.docx")


@bp.route("/trainings/<int:training_id>/links/<int:municipality_id>/issue", methods=["POST"])
@official_required
def issue_link(training_id: int, municipality_id: int):
    training, municipality = training_or_404(training_id), municipality_or_404(municipality_id)
    reissue = links.link_of(training, municipality) is not None
    links.issue(training, municipality)
    flash(f"{municipality.name}の申込URLを{'再発行しました。前のURLは使えなくなりました' if reissue else '発行しました'}。",
          "success")
    return redirect(url_for("participants.training", training_id=training.id, _anchor="links"))


@bp.route("/trainings/<int:training_id>/links/<int:municipality_id>/revoke", methods=["POST"])
@official_required
def revoke_link(training_id: int, municipality_id: int):
    training, municipality = training_or_404(training_id), municipality_or_404(municipality_id)
    link = links.link_of(training, municipality)
    if link is None:
        abort(404)
    links.revoke(link)
    flash(f"{municipality.name}の申込URLを取り消しました（入力済みの受講者はそのままです）。", "success")
    return redirect(url_for("participants.training", training_id=training.id, _anchor="links"))


@bp.route("/trainings/<int:training_id>/links/<int:municipality_id>/mail", methods=["POST"])
@official_required
def mail_link(training_id: int, municipality_id: int):
    """Send the link to the municipality's contact person through the outbox."""
    training, municipality = training_or_404(training_id), municipality_or_404(municipality_id)
    link = links.link_of(training, municipality)
    if link is None or link.revoked_at is not None or not municipality.contact_email:
        flash("送れません: URLが発行されていないか、担当者のメールアドレスがありません。", "error")
        return redirect(url_for("participants.training", training_id=training.id, _anchor="links"))
    subject = f"【申込のお願い】{participant_notice.notice_subject(training)}"
    body = render_template("participants/link_mail.txt", training=training, municipality=municipality,
                           url=link_url(link), prefecture=training.plan.prefecture,
                           curriculum=curriculum_for(training))
    link_mailing.mail_link(mail_settings(), training, municipality, link, subject, body)
    flash(f"{municipality.name}の担当者あてに申込URLのメールを送りました（送信トレイ）。", "success")
    return redirect(url_for("participants.training", training_id=training.id, _anchor="links"))


@bp.route("/participants/<int:participant_id>/decide", methods=["POST"])
@official_required
def decide(participant_id: int):
    participant = participant_or_404(participant_id)
    accept = request.form.get("accept") == "1"
    try:
        mailed = link_mailing.decide_with_mail(participant, accept, mail_settings(), municipality_mails.decision_mail)
    except ChangeRefused as refused:
        flash(refused.messages[0], "error")
    else:
        flash(f"{participant.name}さんを{'受講決定にしました' if accept else 'お断りにしました'}。"
              + (f"{participant.municipality.name}の担当者にメールで知らせます（送信トレイ）。" if mailed
                 else "担当者のメールアドレスがないため、メールは送りません。"), "success")
    return redirect(url_for("participants.training", training_id=participant.training_id, _anchor="waiting"))


@bp.route("/participants/<int:participant_id>/delete", methods=["POST"])
@official_required
def delete(participant_id: int):
    participant = participant_or_404(participant_id)
    training_id, name = participant.training_id, participant.name
    participants.remove_entry(participant)
    flash(f"{name}さんの申込を削除しました。", "success")
    return redirect(url_for("participants.training", training_id=training_id))
