"""The outbox page (what waits to be sent, and why) and sending right after a commit."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from planner.domain.fields import FieldError
from planner.models import OutboxMessage
from planner.models.db import db
from planner.models.mail import FAILED, SENT
from planner.services.mail import outbox as mail_service
from planner.web.access import official_required

bp = Blueprint("mail", __name__)


def settings() -> mail_service.MailSettings:
    return mail_service.MailSettings.from_config(current_app.config)


def send_committed(response):
    """After a request: send the messages its transaction committed (the cron command
    `send-mail` picks up whatever fails here)."""
    ids = mail_service.take_committed_ids()
    if ids:
        try:
            mail_service.deliver(settings(), ids=ids)
        except Exception:  # the mail waits in the outbox; the user's change is saved
            db.session.rollback()
            current_app.logger.exception("sending after commit failed; left in the outbox")
    return response


def _messages(sent: bool, failed: bool = False) -> list[OutboxMessage]:
    query = db.select(OutboxMessage).where(OutboxMessage.prefecture_id == current_user.prefecture_id)
    if sent:
        query = query.where(OutboxMessage.status == SENT).order_by(OutboxMessage.sent_at.desc()).limit(50)
    elif failed:
        query = query.where(OutboxMessage.status == FAILED).order_by(OutboxMessage.id)
    else:
        query = query.where(OutboxMessage.status.not_in((SENT, FAILED))).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


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
        db.session.rollback()
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
    return render_template("mail/outbox.html", waiting=_messages(False), sent=_messages(True),
                           failed=_messages(False, failed=True), server=s.server,
                           folder=s.outbox_dir), status


@bp.route("/outbox/<int:message_id>.eml")
@official_required
def message_file(message_id: int):
    """The message exactly as it is (or was) sent; mail programs open .eml files."""
    row = db.session.get(OutboxMessage, message_id)
    if row is None or row.prefecture_id != current_user.prefecture_id:
        abort(404)
    response = Response(row.raw, content_type="message/rfc822")
    response.headers["Content-Disposition"] = f'attachment; filename="message-{row.id}.eml"'
    return response
