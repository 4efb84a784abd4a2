"""One-time links to set a password: a new official's first one (from the command line or an
official's invitation) and a forgotten one (from the login page).

The link carries a random token; the database keeps only its SHA-256, so a copy of the table
opens no account. A link works once: setting the password marks it used by one conditional
UPDATE, so two submits of the same link (or two tabs) set one password, and the second gets a
Japanese refusal. Setting a password also ends the user's other sessions.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from planner.domain import addresses, fields
from planner.models import Prefecture, User
from planner.models.account import OFFICIAL, utcnow
from planner.models.db import db
from planner.models.password_tokens import RESET, SETUP, PasswordToken
from planner.services.accounts import end_sessions
from planner.services.errors import ChangeRefused
from planner.services.mail.outbox import MailSettings, queue

#: how long a link works: a new account's for a week (like a member's invitation), a reset's
#: for an hour (it is asked for by whoever knows the address, so it should not lie around)
LIFETIME = {SETUP: timedelta(days=7), RESET: timedelta(hours=1)}
LIFETIME_TEXT = {SETUP: "7日間", RESET: "1時間"}
#: reset mails per address and hour: enough for a lost mail, too few to flood a mailbox
RESETS_PER_HOUR = 3
PASSWORD_MIN, PASSWORD_MAX = 10, 200

#: (user, token, purpose) -> (subject, body); the caller writes the link (web: url_for, CLI: PUBLIC_URL)
Compose = Callable[[User, str, str], tuple[str, str]]


class LinkRefused(Exception):
    """A link that cannot be used; `message` is Japanese, `status` the HTTP answer."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user: User, purpose: str) -> str:
    """A new link's token for the user (the caller commits, with the mail that carries it)."""
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordToken(user_id=user.id, digest=_digest(token), purpose=purpose,
                                 expires_at=utcnow() + LIFETIME[purpose]))
    return token


def _mail(settings: MailSettings, user: User, token: str, purpose: str, compose: Compose) -> None:
    subject, body = compose(user, token, purpose)
    queue(settings, user.prefecture_id, f"password_{purpose}", user.name, user.email, subject, body)


def link_of(token: str) -> PasswordToken:
    """The link's row if it can still be used; LinkRefused (Japanese, 4xx) otherwise."""
    row = db.session.scalar(db.select(PasswordToken).filter_by(digest=_digest(token)))
    if row is None:
        raise LinkRefused("このリンクは正しくありません。メールのリンクを最後までコピーしたか確かめてください。", 404)
    if row.used_at is not None:
        raise LinkRefused("このリンクはすでに使われています。パスワードを忘れた場合は、ログイン画面の"
                          "「パスワードを忘れた場合」から新しいリンクを受け取ってください。", 410)
    if row.expires_at < utcnow() or not row.user.active:
        raise LinkRefused(f"このリンクの有効期限（{LIFETIME_TEXT[row.purpose]}）が切れています。ログイン画面の"
                          "「パスワードを忘れた場合」から新しいリンクを受け取ってください。", 410)
    return row


def set_password(token: str, password: str) -> User:
    """Set the password through the link, once: the link is taken by one conditional UPDATE,
    then every other session of the user ends; commit. LinkRefused when it cannot be used."""
    row = link_of(token)
    taken = db.session.execute(
        db.update(PasswordToken)
        .where(PasswordToken.id == row.id, PasswordToken.used_at.is_(None), PasswordToken.expires_at >= utcnow())
        .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        db.session.rollback()
        raise LinkRefused("このリンクはすでに使われています。ログイン画面からログインしてください。", 410)
    user = row.user
    user.set_password(password)
    end_sessions(user)
    # the other links of the user stop too: the password they would set is set
    db.session.execute(db.update(PasswordToken)
                       .where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
                       .values(used_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return user


def request_reset(settings: MailSettings, email: str, compose: Compose) -> None:
    """Mail a reset link to the address if an active account has it; commit. The caller says
    the same whatever happened, so the page tells nobody which addresses have accounts."""
    user = db.session.scalar(db.select(User).where(sa.func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        return
    recent = db.session.scalar(db.select(sa.func.count(PasswordToken.id)).where(
        PasswordToken.user_id == user.id, PasswordToken.purpose == RESET,
        PasswordToken.created_at > utcnow() - timedelta(hours=1)))
    if recent >= RESETS_PER_HOUR:
        return
    _mail(settings, user, issue(user, RESET), RESET, compose)
    db.session.commit()


# --------------------------------------------------------------------------- new officials

@dataclass(frozen=True)
class NewOfficial:
    user: User
    token: str


def create_official(settings: MailSettings | None, prefecture: Prefecture, email: str, name: str,
                    compose: Compose | None = None) -> NewOfficial:
    """A new official of the prefecture with a one-time link to set the password (mailed when
    `settings` is given; the command line prints it too); commit. ChangeRefused (Japanese) for
    an address that has an account or is no address."""
    email = fields.clean_text(email or "").lower()
    problems = []
    try:
        email = addresses.check_address(email)  # the one address rule every field uses
    except fields.FieldError:
        problems.append(f"メールアドレス「{email}」は形式が正しくありません。")
    if not problems and db.session.scalar(db.select(User.id).where(sa.func.lower(User.email) == email)) is not None:
        problems.append(f"{email} はすでにアカウントがあります。パスワードを忘れた場合は、ログイン画面の"
                        "「パスワードを忘れた場合」から再設定できます。")
    try:
        name = fields.check_text(name or "", fields.rule("person_name"), required=False) or email.split("@")[0]
    except fields.FieldError as error:
        problems.append(f"氏名: {error}")
    if problems:
        raise ChangeRefused(problems)
    # no password anyone knows until the link is used
    user = User(prefecture_id=prefecture.id, email=email, name=name, role=OFFICIAL)
    user.set_password(secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    token = issue(user, SETUP)
    if settings is not None and compose is not None:
        _mail(settings, user, token, SETUP, compose)
    db.session.commit()
    return NewOfficial(user, token)
