"""Published versions of a training's programme: the changelog, publishing, and its mails."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from curricula import get_curriculum
from exports import ical
from planner.models import ProgrammeVersion, TeamMember
from planner.services import versions
from planner.services.calendar_state import CalendarEvent
from planner.services.errors import ChangeRefused
from planner.services.mail import CalendarPart
from planner.web.access import official_required, training_or_404
from planner.web.mail import settings as mail_settings

bp = Blueprint("versions", __name__, url_prefix="/trainings")


@bp.route("/<int:training_id>/versions")
@login_required
def index(training_id: int):
    training = training_or_404(training_id)
    return render_template("trainings/versions.html", training=training,
                           curriculum=get_curriculum(training.curriculum_key),
                           label=versions.version_label(training),
                           pending=versions.pending_changes(training),
                           history=list(reversed(training.versions)))


def _when(event: CalendarEvent) -> str:
    if hasattr(event.start, "hour"):
        return f"{event.start:%Y年%m月%d日 %H:%M}〜{event.end:%H:%M}"
    return f"{event.start:%Y年%m月%d日}（終日）"


@bp.route("/<int:training_id>/publish", methods=["POST"])
@official_required
def publish(training_id: int):
    """Publish the programme as the next version; mail only the people it affects."""
    training = training_or_404(training_id)
    host = current_app.config["CALENDAR_UID_HOST"]
    base = request.url_root.rstrip("/")
    organizer = ical.plan_official(training.plan)
    page = url_for("trainings.timetable", training_id=training.id, _external=True)
    short = get_curriculum(training.curriculum_key).short_title

    def compose(member: TeamMember, event: CalendarEvent, method: str, version: ProgrammeVersion):
        data = ical.invitation_bytes(event, organizer, member, method=method)
        if method == "CANCEL":
            subject = f"【伝達研修・取消】{event.summary}"
            lead = "次の担当の予定を取り消します（担当の変更、または科目の削除によるものです）。"
        else:
            subject = f"【伝達研修】{event.summary}（{short} {version.label}）"
            lead = "次の担当の予定をお送りします。カレンダーに追加してください。"
        body = render_template("mail/programme.txt", member=member, event=event, lead=lead,
                               when=_when(event), version=version, training=training,
                               short=short, page=page, official=current_user)
        return subject, body, CalendarPart(method, data)

    recipients = [(m, [e for t, _, e in ical.invitation_events(m, host, base) if t.id == training.id])
                  for m in training.plan.members]
    try:
        version = versions.publish(training, current_user.name, date.today(), mail_settings(),
                                   recipients, compose)
    except ChangeRefused as refused:
        flash(refused.messages[0], "error")
        return redirect(url_for("versions.index", training_id=training.id)), 303
    flash(f"{version.label}として公開しました。影響のある人にメールを送ります（送信トレイ）。", "success")
    return redirect(url_for("versions.index", training_id=training.id))
