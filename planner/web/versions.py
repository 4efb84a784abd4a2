"""Published versions of a training's programme: the changelog, publishing, and its mails."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from planner.services.errors import ChangeRefused
from planner.services.plans import versions
from planner.services.plans.editions import curriculum_for
from planner.web import confirm, survey
from planner.web.access import official_required, training_or_404
from planner.web.bulk import publish_people
from planner.web.lazy import lazy_module
from planner.web.mail import settings as mail_settings

# mail and calendar texts load when first sent (see planner/web/lazy.py)
notices, files = lazy_module("exports.notices"), lazy_module("exports.files")

bp = Blueprint("versions", __name__, url_prefix="/trainings")


@bp.route("/<int:training_id>/versions")
@login_required
def index(training_id: int):
    training = training_or_404(training_id)
    return render_template("trainings/versions.html", training=training,
                           curriculum=curriculum_for(training),
                           label=versions.version_label(training),
                           pending=versions.pending_changes(training),
                           history=list(reversed(training.versions)))


def _confirm_publish(training):
    """Who the publish will mail, before it does (planner.web.bulk shares the preview)."""
    last = versions.latest(training)
    label = f"第{last.number + 1 if last else 1}版"
    short = curriculum_for(training).short_title
    back = url_for("versions.index", training_id=training.id)
    people = publish_people([training])
    return confirm.page(f"{short}を{label}として公開しますか",
                        f"時間割と役割分担を{label}として公開し、担当に変更のあるメンバーにだけカレンダーの招待"
                        f"または取消をメールで送ります（{len(people)}人）。", f"{label}として公開する", back,
                        people=people)


@bp.route("/<int:training_id>/publish", methods=["POST"])
@official_required
def publish(training_id: int):
    """Publish the programme as the next version; mail only the people it affects."""
    training = training_or_404(training_id)
    if confirm.asking() and versions.pending_changes(training) is not None:
        return _confirm_publish(training)
    page = url_for("trainings.timetable", training_id=training.id, _external=True)
    host = current_app.config["CALENDAR_UID_HOST"]
    recipients = notices.version_recipients(training, host, request.url_root.rstrip("/"))
    compose = notices.version_composer(training, current_user.name, page)
    survey_url = survey.agenda_url(training)
    try:
        version = versions.publish(training, current_user.name, date.today(), mail_settings(),
                                   recipients, compose, lambda t: files.published_set(t, host, survey_url))
    except ChangeRefused as refused:
        flash(refused.messages[0], "error")
        return redirect(url_for("versions.index", training_id=training.id)), 303
    flash(f"{version.label}として公開しました。影響のある人にメールを送ります（送信トレイ）。", "success")
    return redirect(url_for("versions.index", training_id=training.id))
