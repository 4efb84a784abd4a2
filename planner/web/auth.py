"""Login, logout, and members joining by invitation."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from planner.models import User
from planner.services import accounts
from planner.services.accounts import (
    MAX_FAILURES,
    LoginLocked,
    authenticate,
    change_password,
    join_as_member,
    list_users,
    log_out,
    read_invitation,
)
from planner.services.errors import ChangeRefused
from planner.web import confirm, once
from planner.web.access import official_required, user_or_404
from planner.web.forms import AcceptInvitationForm, InvitationForm, LoginForm, PasswordForm
from planner.web.lazy import lazy_module
from planner.web.mail import settings as mail_settings

# mail and calendar texts load when first sent (see planner/web/lazy.py)
notices = lazy_module("exports.notices")

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site; anything else would be an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("plans.index")


def _start_session(user: User) -> None:
    """A fresh session that ends after PERMANENT_SESSION_LIFETIME, or at logout."""
    session.clear()
    session.permanent = True
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        try:
            user = authenticate(email, form.password.data)
        except LoginLocked:
            flash(f"ログインに{MAX_FAILURES}回続けて失敗したため、15分間ログインできません。", "error")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            form.password.errors.append("メールアドレスまたはパスワードが違います。")
            return render_template("auth/login.html", form=form), 401
        _start_session(user)
        flash(f"{user.name} さん、ようこそ。", "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # the cookie itself is not enough: a copy of it must stop working too
    log_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("ログアウトしました。", "success")
    return redirect(url_for("auth.login"))


def _compose(invitation, token: str) -> tuple[str, str]:
    """The invitation mail: Japanese plain text with the link (exports.notices)."""
    link = url_for("auth.accept", token=token, _external=True)
    return notices.invitation_mail(invitation, link, current_user.name, current_user.prefecture)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


@bp.route("/invitations", methods=["GET", "POST"])
@official_required
def invite():
    form = InvitationForm()
    link = None
    status = 200
    if form.validate_on_submit():
        try:
            token = accounts.invite(mail_settings(), _secret(), current_user.prefecture_id,
                                    form.email.data, form.name.data.strip(), _compose)
        except ChangeRefused as refused:
            form.email.errors.append(refused.messages[0])
            status = 409
        else:
            link = url_for("auth.accept", token=token, _external=True)
            flash("招待メールを送信トレイに入れました。リンクは7日間有効です。", "success")
    elif form.is_submitted():
        status = 422
    prefecture_id = current_user.prefecture_id
    users = list_users(prefecture_id)
    return render_template("auth/invite.html", form=form, link=link, members=users,
                           pending=accounts.pending_invitations(prefecture_id),
                           uninvited=accounts.roster_without_account(prefecture_id)), status


@bp.route("/invitations/roster", methods=["POST"])
@official_required
def invite_roster():
    """Everyone on the rosters without an account gets an invitation mail, in one click
    (after the confirmation page that names them)."""
    if confirm.asking():
        people = [confirm.Person(m.name, m.email) for m in accounts.roster_without_account(current_user.prefecture_id)]
        return confirm.page("名簿のメンバーをまとめて招待しますか",
                            f"アカウントも招待もない名簿のメンバーに、登録用のリンクを書いた招待メールを送ります（{len(people)}人）。"
                            "リンクは7日間有効です。", f"{len(people)}人に招待メールを送る", url_for("auth.invite"),
                            people=people)
    try:
        count = accounts.invite_roster(mail_settings(), _secret(), current_user.prefecture_id, _compose)
    except ChangeRefused as refused:
        flash(refused.messages[0], "error")
        return redirect(url_for("auth.invite")), 303
    if count:
        flash(f"{count}人に招待メールを送りました（送信トレイ）。", "success")
    else:
        flash("招待していない名簿のメンバーはいません。", "success")
    return redirect(url_for("auth.invite"))


def _invitation_or_404(invitation_id: int):
    row = accounts.invitation_of(current_user.prefecture_id, invitation_id)
    if row is None:
        abort(404)
    return row


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@official_required
def resend(invitation_id: int):
    row = _invitation_or_404(invitation_id)
    try:
        accounts.resend_invitation(mail_settings(), _secret(), row, _compose)
    except ChangeRefused as refused:
        flash(refused.messages[0], "error")
        return redirect(url_for("auth.invite")), 303
    flash(f"{row.name}さんに招待メールを再送しました。新しいリンクは7日間有効です。", "success")
    return redirect(url_for("auth.invite"))


@bp.route("/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@official_required
def withdraw(invitation_id: int):
    row = _invitation_or_404(invitation_id)
    accounts.withdraw_invitation(row)
    flash(f"{row.name}さんへの招待を取り消しました。送ったリンクは使えなくなります。", "success")
    return redirect(url_for("auth.invite"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@official_required
def set_active(user_id: int):
    """Deactivate or reactivate another account of the prefecture (never one's own)."""
    user = user_or_404(user_id)
    if user.id == current_user.id:
        flash("自分のアカウントは無効にできません。", "error")
        return redirect(url_for("auth.invite")), 303
    active = request.form.get("active") == "1"
    if not active and confirm.asking():
        return confirm.page(
            f"{user.name}さんのアカウントを無効にしますか", f"{user.name}さん（{user.email}）はログインできなくなり、"
            "カレンダーの購読も更新されなくなります。名簿と役割の担当はそのまま残ります。あとで「有効に戻す」で戻せます。",
            "無効にする", url_for("auth.invite"), mailing=False, danger=True)
    accounts.set_active(user, active)
    flash(f"{user.name}さんのアカウントを{'有効' if active else '無効'}にしました。", "success")
    return redirect(url_for("auth.invite"))


@bp.route("/join/<token>", methods=["GET", "POST"])
def accept(token: str):
    try:
        data = read_invitation(current_app.config["SECRET_KEY"], token)
    except ValueError as exc:
        # a double click: the second submit arrives after the first made the account
        if repeat := once.earlier_submit(url_for("auth.login")):
            return repeat
        return render_template("auth/invalid_invitation.html", message=str(exc)), 400
    form = AcceptInvitationForm(data={"name": data["n"]} if request.method == "GET" else None)
    if form.validate_on_submit():
        if repeat := once.first_submit(url_for("auth.login")):
            return repeat
        once.remember(url_for("plans.index"))  # the token's row commits with the account, or not at all
        try:
            user = join_as_member(data["p"], data["e"], form.name.data.strip(), form.password.data)
        except ChangeRefused as refused:
            return render_template("auth/invalid_invitation.html", message=refused.messages[0]), 409
        _start_session(user)
        flash("登録しました。", "success")
        return redirect(url_for("plans.index"))
    return render_template("auth/accept.html", form=form, email=data["e"])


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's password; every other session of the user ends, this one goes on."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current.data, form.password.data)
        except ValueError as exc:
            form.current.errors.append(str(exc))
        else:
            _start_session(user)
            flash("パスワードを変更しました。ほかの端末のログインは終了しました。", "success")
            return redirect(url_for("plans.index"))
    return render_template("auth/password.html", form=form), 422 if form.errors else 200
