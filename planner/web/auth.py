"""Login, logout, and members joining by invitation."""
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from planner.models import User
from planner.models.account import MEMBER
from planner.models.db import db
from planner.services.accounts import (
    MAX_FAILURES,
    LoginLocked,
    authenticate,
    change_password,
    end_sessions,
    make_invitation,
    read_invitation,
)
from planner.web import once
from planner.web.access import official_required
from planner.web.forms import AcceptInvitationForm, InvitationForm, LoginForm, PasswordForm

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
    end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("ログアウトしました。", "success")
    return redirect(url_for("auth.login"))


@bp.route("/invitations", methods=["GET", "POST"])
@official_required
def invite():
    form = InvitationForm()
    link = None
    if form.validate_on_submit():
        token = make_invitation(current_app.config["SECRET_KEY"], current_user.prefecture_id,
                                form.email.data.strip(), form.name.data.strip())
        link = url_for("auth.accept", token=token, _external=True)
        flash("招待リンクを作りました。7日間有効です。メール等で本人に送ってください。", "success")
    members = db.session.scalars(db.select(User).filter_by(prefecture_id=current_user.prefecture_id)
                                 .order_by(User.role.desc(), User.id)).all()
    return render_template("auth/invite.html", form=form, link=link, members=members)


@bp.route("/join/<token>", methods=["GET", "POST"])
def accept(token: str):
    try:
        data = read_invitation(current_app.config["SECRET_KEY"], token)
    except ValueError as exc:
        return render_template("auth/invalid_invitation.html", message=str(exc)), 400
    form = AcceptInvitationForm(data={"name": data["n"]} if request.method == "GET" else None)
    if form.validate_on_submit():
        if repeat := once.first_submit(url_for("auth.login")):
            return repeat
        user = User(prefecture_id=data["p"], email=data["e"], name=form.name.data.strip(), role=MEMBER)
        user.set_password(form.password.data)
        db.session.add(user)
        once.remember(url_for("plans.index"))
        db.session.commit()
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
