"""Downloads (Word handouts, calendar files, a training's zip) and the personal feed."""
from __future__ import annotations

from datetime import UTC

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.http import is_resource_modified

from planner.models import User
from planner.services.accounts import find_user, revoke_feed_links
from planner.services.mail.calendar_state import feed_state
from planner.services.participants.notice_checks import letter_problems
from planner.services.plans.editions import curriculum_for
from planner.services.team.roles import slot_label
from planner.services.team.roster import find_member, members_of_user
from planner.web import survey
from planner.web.access import event_or_404, official_required, plan_or_404, training_or_404, user_or_404
from planner.web.downloads import attachment
from planner.web.isolated import built_in_child
from planner.web.lazy import lazy_module

# the Word and calendar builders load with the first download, not in every server process
files, handouts, ical = lazy_module("exports.files"), lazy_module("exports.handouts"), lazy_module("exports.ical")

bp = Blueprint("exports", __name__)


def _host() -> str:
    """The domain part of calendar UIDs: this installation's random id and CALENDAR_HOST."""
    return current_app.config["CALENDAR_UID_HOST"]


def _base() -> str:
    """The site's address, for the links back to a training's page in calendar events."""
    return request.url_root.rstrip("/")


def _short(training) -> str:
    return curriculum_for(training).short_title


def _source() -> str:
    """Which version a training's document is built from: the published one by default; an
    official may ask for the draft (?source=draft), which is marked 「案」 on every page."""
    if request.args.get("source") == "draft" and current_user.is_official:
        return files.DRAFT
    return files.PUBLISHED


def _document(training, name: str, build) -> bytes:
    return files.training_document(training, name, build, _source())


# --------------------------------------------------------------------------- a training

@bp.route("/trainings/<int:training_id>/agenda.docx")
@login_required
@built_in_child
def agenda(training_id: int):
    training = training_or_404(training_id)
    survey_url = survey.agenda_url(training)
    name = f"研修次第_{_short(training)}.docx"
    return attachment(_document(training, name, lambda: handouts.agenda(training, survey_url=survey_url)),
                      files.DOCX, name)


@bp.route("/trainings/<int:training_id>/roles.docx")
@login_required
@built_in_child
def training_roles(training_id: int):
    training = training_or_404(training_id)
    name = f"役割分担表_{_short(training)}.docx"
    return attachment(_document(training, name, lambda: handouts.role_sheet(training.plan, [training])),
                      files.DOCX, name)


@bp.route("/trainings/<int:training_id>/subjects/<int:subject_id>/briefing.docx")
@login_required
@built_in_child
def briefing(training_id: int, subject_id: int):
    training = training_or_404(training_id)
    row = next((r for r in training.subjects if r.id == subject_id), None)
    if row is None:
        abort(404)
    part = row.letter or f"独自{row.id}_{handouts.safe_filename(row.local_name, 30)}"
    name = f"講師用資料_{_short(training)}_{part}.docx"
    return attachment(_document(training, name, lambda: handouts.briefing(training, row)), files.DOCX, name)


@bp.route("/trainings/<int:training_id>/subjects/<int:subject_id>/request.docx")
@official_required
@built_in_child
def request_letter(training_id: int, subject_id: int):
    """講師依頼書: only for a local subject with its outside lecturer named."""
    training = training_or_404(training_id)
    row = next((r for r in training.subjects if r.id == subject_id), None)
    if row is None or not row.is_local or not row.lecturer_name:
        abort(404)
    problems = letter_problems(training.plan.prefecture)
    if problems:  # a letter to an outside lecturer leaves the office: never without its sender or contact
        flash("講師依頼書を作れません: " + " ".join(problems) + "「県の設定」で入力してください。", "error")
        return redirect(url_for("trainings.timetable", training_id=training.id, _anchor="letter-settings")), 303
    return attachment(handouts.request_letter(training, row), files.DOCX,
                     f"講師依頼書_{_short(training)}_{handouts.safe_filename(row.lecturer_name, 30)}.docx")


@bp.route("/supplements/<int:event_id>/agenda.docx")
@login_required
@built_in_child
def supplement_agenda(event_id: int):
    event = event_or_404(event_id)
    return attachment(handouts.supplement_agenda(event), files.DOCX,
                     f"次第_{event.kind_name}_{handouts.safe_filename(event.title, 30)}.docx")


@bp.route("/trainings/<int:training_id>/timetable.ics")
@login_required
@built_in_child
def training_ics(training_id: int):
    training = training_or_404(training_id)
    name = files.calendar_name(training)
    return attachment(_document(training, name, lambda: files.training_calendar(training, _host(), _base())),
                      files.ICS, name)


def _own_members(plan) -> list | None:
    """Whose meeting requests go into a zip: everyone's for an official (None), only their
    own for a team member (each request names its attendee and their address)."""
    if current_user.is_official:
        return None
    return [m for m in plan.members if m.email.lower() == current_user.email.lower()]


@bp.route("/trainings/<int:training_id>/export.zip")
@login_required
@built_in_child
def training_zip(training_id: int):
    training = training_or_404(training_id)
    return attachment(files.zip_bytes(files.training_files(training, _host(), _own_members(training.plan),
                                                          with_participants=current_user.is_official,
                                                          source=_source())),
                     files.ZIP,
                     f"伝達研修_{_short(training)}_一式.zip")


# --------------------------------------------------------------------------- a plan

@bp.route("/plans/<int:plan_id>/roles.docx")
@login_required
@built_in_child
def plan_roles(plan_id: int):
    return attachment(handouts.role_sheet(plan_or_404(plan_id)), files.DOCX, "役割分担表.docx")


@bp.route("/plans/<int:plan_id>/timeline.docx")
@login_required
@built_in_child
def timeline(plan_id: int):
    return attachment(handouts.timeline(plan_or_404(plan_id)), files.DOCX, "企画スケジュール.docx")


@bp.route("/plans/<int:plan_id>/export.zip")
@login_required
@built_in_child
def plan_zip(plan_id: int):
    """Everything of the plan in one download: the same files as `flask export`."""
    plan = plan_or_404(plan_id)
    return attachment(files.zip_bytes(files.plan_files(plan, _host(), _own_members(plan),
                                                      with_participants=current_user.is_official)), files.ZIP,
                     f"伝達研修計画_{plan.cycle_year}_一式.zip")


@bp.route("/plans/<int:plan_id>/meetings.ics")
@login_required
@built_in_child
def meetings_ics(plan_id: int):
    return attachment(files.meetings_calendar(plan_or_404(plan_id), _host()), files.ICS, "検討会議.ics")


# --------------------------------------------------------------------------- personal feed

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="calendar-feed")


def feed_token(user: User) -> str:
    """The secret part of the user's feed URL: their id and current feed secret, signed."""
    return _serializer().dumps({"u": user.id, "s": user.feed_secret})


def token_owner(token: str) -> tuple[int, str] | None:
    """The user id and feed secret a token carries, or None when forged. Whether the secret is
    still the user's (not revoked) is checked with the feed's state, in the same query."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("s", ""))


@bp.route("/feeds/<token>.ics")
def feed(token: str):
    """The subscribed feed: no login (calendar apps cannot log in), the URL is the secret.
    Calendar apps poll it: an unchanged feed answers 304 from a digest of its rows
    (If-None-Match, or If-Modified-Since), without being built."""
    owner = token_owner(token)
    state = feed_state(*owner, _host(), _base()) if owner else None
    if state is None:
        abort(404)
    modified = state.modified.replace(tzinfo=UTC)
    if is_resource_modified(request.environ, etag=state.etag, last_modified=modified):
        response = Response(files.member_feed(find_user(owner[0]), _host(), _base(), now=modified),
                            content_type=files.ICS)
        response.headers["Content-Disposition"] = "inline; filename=\"feed.ics\""
    else:
        response = Response(status=304)
    response.set_etag(state.etag)
    response.last_modified = modified
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/feeds")
@login_required
def my_feed():
    """The member's feed links (https and webcal://) and invitations to download."""
    # in the scheme the site is served with: an https:// link to a site served over http
    # (an intranet server) would not answer
    https = url_for("exports.feed", token=feed_token(current_user), _external=True, _scheme=request.scheme)
    webcal = "webcal://" + https.split("://", 1)[1]
    invitations = [(m, found, event.summary) for m in members_of_user(current_user)
                   for _, found, _, event in files.published_roles(m) if found is not None]
    return render_template("exports/feed.html", https=https, webcal=webcal,
                           invitations=invitations, slot_label=slot_label)


@bp.route("/feeds/revoke", methods=["POST"])
@login_required
def revoke():
    """A new feed secret: every old link of this user answers 404 from now on."""
    revoke_feed_links(current_user)
    flash("以前のカレンダー購読URLを無効にしました。新しいURLを登録し直してください。", "success")
    return redirect(url_for("exports.my_feed"))


@bp.route("/users/<int:user_id>/feed/revoke", methods=["POST"])
@official_required
def revoke_for(user_id: int):
    """An official revokes a member's feed links (a lost phone, a member who left)."""
    user = user_or_404(user_id)
    revoke_feed_links(user)
    flash(f"{user.name}さんのカレンダー購読URLを無効にしました。", "success")
    return redirect(url_for("auth.invite"))


@bp.route("/members/<int:member_id>/invitations/<int:slot_id>.ics")
@login_required
@built_in_child
def invitation(member_id: int, slot_id: int):
    """One meeting request for one role of the member (their own, or any member for an official)."""
    member = find_member(member_id)
    if member is None or member.plan.prefecture_id != current_user.prefecture_id:
        abort(404)
    if not current_user.is_official and member.email.lower() != current_user.email.lower():
        abort(404)
    found = files.invitations(member, _host(), slot_id=slot_id, base_url=_base())
    if not found:
        abort(404)
    name, data = found[0]
    return attachment(data, files.ICS_REQUEST, name)
