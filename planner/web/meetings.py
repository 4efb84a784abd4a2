"""A planning meeting's page: hours, place, agenda, minutes, attendance and invitations."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from planner.models import Milestone, TeamMember
from planner.services import meetings
from planner.services.errors import ChangeRefused
from planner.services.plans import publishing
from planner.services.team.roster import members_of_user
from planner.web import confirm
from planner.web.access import found_or_404, official_required, plan_or_404
from planner.web.lazy import lazy_module
from planner.web.mail import settings as mail_settings
from planner.web.timeline_forms import MeetingForm

# mail and calendar texts load when first sent (see planner/web/lazy.py)
ical, notices = lazy_module("exports.ical"), lazy_module("exports.notices")

bp = Blueprint("meetings", __name__)


def _meeting_or_404(plan_id: int, meeting_id: int) -> Milestone:
    plan = plan_or_404(plan_id)
    return found_or_404(meetings.find_meeting(plan.id, meeting_id))


def _answer_link(meeting: Milestone):
    def link(member: TeamMember, attending: bool) -> str:
        token = meetings.answer_token(current_app.config["SECRET_KEY"], meeting, member, attending)
        return url_for("meetings.answer_by_link", token=token, _external=True)
    return link


def _page(meeting: Milestone, form: MeetingForm | None = None, status: int = 200):
    if form is None:
        form = MeetingForm(obj=meeting)
        # obj wins over data in WTForms: an unedited agenda (None) would open empty, and saving
        # it would drop the default agenda the page shows; fill it with what is shown
        form.agenda.data = meetings.agenda_of(meeting)
    mine = [m for m in members_of_user(current_user) if m.plan_id == meeting.plan_id]
    return render_template("timeline/meeting.html", meeting=meeting, plan=meeting.plan, form=form,
                           answers=meetings.answers(meeting), mine=mine[0] if mine else None,
                           agenda=meetings.agenda_of(meeting).splitlines()), status


@bp.route("/plans/<int:plan_id>/meetings/<int:meeting_id>", methods=["GET", "POST"])
@login_required
def show(plan_id: int, meeting_id: int):
    meeting = _meeting_or_404(plan_id, meeting_id)
    if request.method == "GET":
        return _page(meeting)
    if not current_user.is_official:
        abort(403)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _page(meeting, form, 422)
    try:
        meetings.update_meeting(meeting, form.start_time.data, form.end_time.data, form.place.data or "",
                                form.online_url.data or "", form.agenda.data or "", form.minutes.data or "")
    except ChangeRefused as refused:
        form.end_time.errors.append(refused.messages[0])
        return _page(meeting, form, 422)
    flash("会議の情報を保存しました。", "success")
    return redirect(url_for("meetings.show", plan_id=plan_id, meeting_id=meeting_id))


@bp.route("/plans/<int:plan_id>/meetings/<int:meeting_id>/answer", methods=["POST"])
@login_required
def answer(plan_id: int, meeting_id: int):
    """The logged-in member answers for themself."""
    meeting = _meeting_or_404(plan_id, meeting_id)
    mine = [m for m in members_of_user(current_user) if m.plan_id == meeting.plan_id]
    if not mine or request.form.get("attending") not in ("1", "0"):
        abort(400)
    meetings.answer(meeting, mine[0], request.form["attending"] == "1")
    flash("出欠を登録しました。", "success")
    return redirect(url_for("meetings.show", plan_id=plan_id, meeting_id=meeting_id))


@bp.route("/meetings/answer/<token>", methods=["GET", "POST"])
def answer_by_link(token: str):
    """The link in the invitation mail: no login; GET only shows the answer (mail scanners
    open links), the button on that page records it."""
    found = meetings.read_answer_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        return render_template("timeline/answer.html", meeting=None, member=None, attending=None,
                               done=False), 404
    meeting, member, attending = found
    done = request.method == "POST"
    if done:
        meetings.answer(meeting, member, attending)
    return render_template("timeline/answer.html", meeting=meeting, member=member, attending=attending,
                           done=done)


@bp.route("/plans/<int:plan_id>/meetings/<int:meeting_id>/invite", methods=["POST"])
@official_required
def invite(plan_id: int, meeting_id: int):
    """Mail the meeting to the team; members who already have this version get nothing."""
    meeting = _meeting_or_404(plan_id, meeting_id)
    back = url_for("meetings.show", plan_id=plan_id, meeting_id=meeting_id)
    if not meetings.ready_to_invite(meeting):
        flash("先に会議の時刻と会場（またはオンライン会議のURL）を保存してください。", "error")
        return _page(meeting, status=409)
    host = current_app.config["CALENDAR_UID_HOST"]
    event = ical.meeting_event(meeting, host, request.url_root.rstrip("/"))
    page = url_for("meetings.show", plan_id=plan_id, meeting_id=meeting_id, _external=True)
    compose = notices.meeting_composer(meeting, current_user.name, page, _answer_link(meeting))
    organizer = ical.plan_official(meeting.plan)
    recipients = [(m, event) for m in meeting.plan.members
                  if m.email and (organizer is None or m.email.lower() != organizer.email.lower())]
    if confirm.asking():
        people = [confirm.Person(r.name, r.email) for r in publishing.meeting_preview(meeting, recipients)]
        return confirm.page(f"{meeting.title}の案内メールを送りますか",
                            f"チームのメンバーに、カレンダーの招待と出欠の回答リンクを送ります（{len(people)}人）。"
                            "最新の案内を受け取っている人には送りません。", f"{len(people)}人に送る", back,
                            people=people)
    try:
        count = meetings.invite(meeting, mail_settings(), recipients, compose)
    except ChangeRefused as refused:
        flash(refused.messages[0], "error")
        return redirect(url_for("meetings.show", plan_id=plan_id, meeting_id=meeting_id)), 303
    flash(f"{count}人に会議の案内を送りました（送信トレイ）。" if count
          else "全員に最新の案内を送信済みです。", "success")
    return redirect(url_for("meetings.show", plan_id=plan_id, meeting_id=meeting_id))
