"""Forms of the one-time password links: setting a password, asking for a reset, and an
official inviting another official."""
from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from planner.web.forms import PASSWORD_LIMITS, REQUIRED, Form, email_field, password_length, text_field


class SetPasswordForm(Form):
    """The page a one-time link opens: the new password, twice."""

    password = PasswordField(f"新しいパスワード（{PASSWORD_LIMITS}）", validators=[DataRequired(REQUIRED), password_length()])
    confirm = PasswordField("新しいパスワード（確認）", validators=[
        DataRequired(REQUIRED), EqualTo("password", "パスワードが一致しません。")])


class ForgotPasswordForm(Form):
    """The address to send a reset link to."""

    email = email_field("登録しているメールアドレス")


class OfficialInvitationForm(Form):
    """Another official of the same prefecture: the address and the name."""

    name = text_field("氏名", "person_name")
    email = email_field()


class PlanTitleForm(Form):
    """A plan's new name; the page opens with the current one."""

    title = text_field("計画の名前", "plan_title")
