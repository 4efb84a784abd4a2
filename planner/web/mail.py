"""The outbox page (what waits to be sent, and why) and sending right after a commit."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from planner.domain.fields import FieldError
from planner.services.mail import outbox as mail_service
from planner.web.access import official_required

bp = Blueprint("mail", __name__)


def settings() -> mail_service.MailSettings:
    return mail_service.MailSettings.from_config(current_app.config)


def send_committed(response):
    """After a request: send the messages its transaction committed (the cron command
    `send-mail` picks up whatever fails here)."""
    try:
        mail_service.deliver_committed(current_app.config)
    except Exception:  # the mail waits in the outbox; the user's change is saved
        current_app.logger.exception("sending after commit failed; left in the outbox")
    return response


@bp.route("/outbox")
@official_required
def outbox():
    return render_outbox()


@bp.route("/outbox/send", methods=["POST"])
@official_required
def send_now():
    report = mail_service.deliver(settings(), force=True)
    if report.failed:
        flash(f"{report.sent}件送信しました。{report.failed}件は送れませんでした（{report.last_error}）。"
              "あとで自動的に再送します。", "error")
    else:
        flash(f"{report.sent}件送信しました。", "success")
    return redirect(url_for("mail.outbox"))


@bp.route("/outbox/<int(max=2147483647):message_id>/resend", methods=["POST"])
@official_required
def resend(message_id: int):
    """Correct the address of a message that could not be sent and send it again (same
    Message-ID and body)."""
    address = request.form.get("email", "")
    try:
        row = mail_service.resend(current_user.prefecture_id, message_id, address)
    except FieldError as exc:
        flash(f"宛先を直せませんでした。{exc}", "error")
        return render_outbox(422)
    if row is None:
        abort(404)
    report = mail_service.deliver(settings(), ids=[row.id], force=True)
    if report.sent:
        flash(f"{row.recipient} に送信しました。", "success")
    else:
        flash(f"{row.recipient} に送れませんでした（{report.last_error}）。", "error")
    return redirect(url_for("mail.outbox"))


def render_outbox(status: int = 200):
    s = settings()
    lists = mail_service.list_outbox(current_user.prefecture_id)
    return render_template("mail/outbox.html", waiting=lists.waiting, sent=lists.sent, failed=lists.failed,
                           server=s.server, folder=s.outbox_dir), status


@bp.route("/outbox/<int:message_id>.eml")
@official_required
def message_file(message_id: int):
    """The message exactly as it is (or was) sent; mail programs open .eml files."""
    row = mail_service.find_message(current_user.prefecture_id, message_id)
    if row is None:
        abort(404)
    response = Response(row.raw, content_type="message/rfc822")
    response.headers["Content-Disposition"] = f'attachment; filename="message-{row.id}.eml"'
    return response
