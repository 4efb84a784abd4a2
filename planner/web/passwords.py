"""Setting a password through a one-time link, asking for one when it is forgotten, and an
official inviting another official of the prefecture (who sets a password through a link)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from planner.models.password_tokens import RESET, SETUP
from planner.services import password_links
from planner.services.errors import ChangeRefused
from planner.services.password_links import LIFETIME_TEXT, LinkRefused
from planner.web.access import official_required
from planner.web.account_forms import ForgotPasswordForm, OfficialInvitationForm, SetPasswordForm
from planner.web.lazy import lazy_module
from planner.web.mail import settings as mail_settings

# the mail texts load when first sent (see planner/web/lazy.py)
account_mails = lazy_module("exports.account_mails")

bp = Blueprint("passwords", __name__)

#: the one answer to a reset request, whether or not the address has an account
RESET_ANSWER = (f"入力されたアドレスのアカウントがあれば、パスワードを再設定するリンクをメールで送りました"
                f"（{LIFETIME_TEXT[RESET]}有効、1回だけ使えます）。メールが届かない場合は、アドレスを確かめるか、県の担当職員にお問い合わせください。")


def _compose(user, token: str, purpose: str, inviter: str = "") -> tuple[str, str]:
    link = url_for("passwords.set_password", token=token, _external=True)
    return account_mails.password_mail(user, link, purpose, inviter)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """A new account's first password, or a forgotten one: the link works once."""
    try:
        link = password_links.link_of(token)
    except LinkRefused as refused:
        return render_template("passwords/refused.html", message=refused.message), refused.status
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            password_links.set_password(token, form.password.data)
        except LinkRefused as refused:
            return render_template("passwords/refused.html", message=refused.message), refused.status
        flash("パスワードを設定しました。メールアドレスと新しいパスワードでログインしてください。", "success")
        return redirect(url_for("auth.login"))
    return render_template("passwords/set.html", form=form, user=link.user, new=link.purpose == SETUP), \
        422 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a reset link; the answer never says whether the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_links.request_reset(mail_settings(), form.email.data, _compose)
        return render_template("passwords/forgot.html", form=None, sent=RESET_ANSWER)
    return render_template("passwords/forgot.html", form=form, sent=None), 422 if form.errors else 200


@bp.route("/officials/new", methods=["GET", "POST"])
@official_required
def invite_official():
    """Another official of the same prefecture; the new account's set-password link goes by mail."""
    form = OfficialInvitationForm()
    if form.validate_on_submit():
        inviter = current_user.name

        def compose(user, token, purpose):
            return _compose(user, token, purpose, inviter)
        try:
            created = password_links.create_official(mail_settings(), current_user.prefecture, form.email.data,
                                                     form.name.data, compose)
        except ChangeRefused as refused:
            form.email.errors.append(refused.messages[0])
            return render_template("passwords/invite_official.html", form=form), 409
        flash(f"{created.user.name}さんを担当職員として登録し、パスワードを設定するリンクをメールで送りました"
              f"（{LIFETIME_TEXT[SETUP]}有効）。", "success")
        return redirect(url_for("auth.invite"))
    return render_template("passwords/invite_official.html", form=form), 422 if form.errors else 200
