"""Login lockout and invitation tokens: rules kept in the database, not in one process."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from planner.models import Invitation, LoginAttempts, Plan, TeamMember, User
from planner.models.account import MEMBER, hash_password, revoke_feed, utcnow
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.mail.outbox import MailSettings, queue

MAX_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)
INVITE_MAX_AGE = 7 * 24 * 3600


@cache
def _dummy_hash() -> str:
    """Checked for an unknown address, so that a wrong address costs as long as a wrong password
    (made on first use: a hash at import would slow every process that imports the services)."""
    return hash_password("not a password of anyone")


class LoginLocked(Exception):
    """Too many tries for this address in the window: even the right password is refused."""


def _count_try(email: str) -> int:
    """Count one try for the address and return the count in its window, in one atomic upsert
    (both engines serialise it on the row), committed before the slow password check."""
    now = utcnow()
    expired = LoginAttempts.since < now - LOCK_WINDOW
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(LoginAttempts)
    statement = insert.values(email=email, tries=1, since=now).on_conflict_do_update(
        index_elements=[LoginAttempts.email],
        set_={"tries": db.case((expired, 1), else_=LoginAttempts.tries + 1),
              "since": db.case((expired, now), else_=LoginAttempts.since)},
    ).returning(LoginAttempts.tries)
    tries = db.session.execute(statement).scalar_one()
    # windows that ended are forgotten, so addresses tried once do not pile up
    db.session.execute(db.delete(LoginAttempts).where(LoginAttempts.since < now - LOCK_WINDOW))
    db.session.commit()
    return tries


def clear_failures(email: str) -> None:
    db.session.execute(db.delete(LoginAttempts).where(LoginAttempts.email == email.lower()))
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; raises LoginLocked after MAX_FAILURES tries.

    The try is counted before the password is checked, so tries that arrive together cannot
    all pass the check; a known and an unknown address cost one password hash each.
    """
    email = email.lower()
    if _count_try(email) > MAX_FAILURES:
        raise LoginLocked
    user = db.session.scalar(db.select(User).filter_by(email=email))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    clear_failures(email)
    return user


def find_user(user_id: int) -> User | None:
    """The account with this id, if there is one."""
    return db.session.get(User, user_id)


def end_sessions(user: User) -> None:
    """Every login cookie of the user stops working, this one's included (caller commits)."""
    user.session_version = User.session_version + 1  # in SQL: two at once both count
    db.session.flush()


def log_out(user: User) -> None:
    """End every login cookie of the user (copies of this one too); commits."""
    end_sessions(user)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password and end the user's other sessions; ValueError when `current` is wrong."""
    if not user.check_password(current):
        raise ValueError("現在のパスワードが違います。")
    user.set_password(new)
    end_sessions(user)
    db.session.commit()


def list_users(prefecture_id: int) -> list[User]:
    """The prefecture's accounts, officials first, then in the order they were made."""
    return db.session.scalars(db.select(User).filter_by(prefecture_id=prefecture_id)
                              .order_by(User.role.desc(), User.id)).all()


def join_as_member(prefecture_id: int, email: str, name: str, password: str) -> User:
    """The account an invitation's link makes (a team member's), committed; ChangeRefused when
    the same link was used meanwhile."""
    user = User(prefecture_id=prefecture_id, email=email, name=name, role=MEMBER)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same link submitted twice at once
        db.session.rollback()
        raise ChangeRefused(["この招待はすでに使われています。ログイン画面からログインしてください。"]) from None
    return user


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="member-invitation")


def make_invitation(secret_key: str, prefecture_id: int, email: str, name: str,
                    invitation_id: int | None = None) -> str:
    """A signed token that lets one person join one prefecture as a team member; with the
    id of its Invitation row, withdrawing that row revokes it."""
    data = {"p": prefecture_id, "e": email.lower(), "n": name}
    if invitation_id is not None:
        data["i"] = invitation_id
    return _serializer(secret_key).dumps(data)


def read_invitation(secret_key: str, token: str) -> dict:
    """The invitation's content; a ValueError with a Japanese message when it cannot be used."""
    try:
        data = _serializer(secret_key).loads(token, max_age=INVITE_MAX_AGE)
    except SignatureExpired:
        raise ValueError("招待リンクの有効期限（7日間）が切れています。担当職員に再発行を依頼してください。") from None
    except BadSignature:
        raise ValueError("招待リンクが正しくありません。リンクを最後までコピーしたか確認してください。") from None
    if db.session.scalar(db.select(User).filter_by(email=data["e"])):
        raise ValueError("この招待はすでに使われています。ログイン画面からログインしてください。")
    if "i" in data:
        row = db.session.get(Invitation, data["i"])
        if row is None or row.withdrawn:
            raise ValueError("この招待は取り消されました。担当職員にお問い合わせください。")
    return data


# --------------------------------------------------------------------------- invitations by mail

#: (invitation, token) -> (subject, body); the web layer writes the text and the link
Compose = Callable[[Invitation, str], tuple[str, str]]


def _mail_invitation(settings: MailSettings, secret_key: str, invitation: Invitation,
                     compose: Compose) -> str:
    db.session.flush()  # the id goes into the token
    token = make_invitation(secret_key, invitation.prefecture_id, invitation.email, invitation.name,
                            invitation.id)
    subject, body = compose(invitation, token)
    queue(settings, invitation.prefecture_id, "invitation", invitation.name, invitation.email,
          subject, body)
    return token


def _has_account(email: str) -> bool:
    return db.session.scalar(db.select(User.id).where(sa.func.lower(User.email) == email.lower())) is not None


def invite(settings: MailSettings, secret_key: str, prefecture_id: int, email: str, name: str,
           compose: Compose) -> str:
    """Invite one person by mail (a withdrawn or earlier invitation of the same address is
    renewed); commits with its mail, and returns the link's token."""
    email = email.strip().lower()
    if _has_account(email):
        raise ChangeRefused([f"{email} はすでにアカウントがあります。"])
    with _one_invitation_per_address():
        token = _mail_invitation(settings, secret_key, _renew(prefecture_id, email, name), compose)
    return token


def _renew(prefecture_id: int, email: str, name: str) -> Invitation:
    """The address's invitation row, new or renewed (7 more days, not withdrawn). Renewal is
    conditional on the row as read, so two simultaneous submissions send one mail."""
    row = db.session.scalar(db.select(Invitation).filter_by(prefecture_id=prefecture_id, email=email))
    if row is None:
        row = Invitation(prefecture_id=prefecture_id, email=email, name=name, send_count=1)
        db.session.add(row)
        return row
    _renew_row(row, name=name)
    return row


def _renew_row(row: Invitation, **values) -> None:
    renewed = db.session.execute(
        db.update(Invitation).where(Invitation.id == row.id, Invitation.send_count == row.send_count)
        .values(withdrawn=False, sent_at=utcnow(), send_count=Invitation.send_count + 1, **values)
        .execution_options(synchronize_session=False))
    if renewed.rowcount != 1:
        raise IntegrityError("invitation renewed meanwhile", None, Exception())
    db.session.refresh(row)


def roster_without_account(prefecture_id: int) -> list[TeamMember]:
    """Roster members (of every plan of the prefecture, one per address) with neither an
    account nor a pending invitation."""
    invited = {e for (e,) in db.session.execute(db.select(Invitation.email).where(
        Invitation.prefecture_id == prefecture_id, Invitation.withdrawn.is_(False)))}
    users = {e.lower() for (e,) in db.session.execute(db.select(User.email))}
    seen, out = set(), []
    for member in db.session.scalars(db.select(TeamMember).join(Plan)
                                     .where(Plan.prefecture_id == prefecture_id)
                                     .order_by(Plan.cycle_year.desc(), TeamMember.id)):
        email = member.email.strip().lower()
        if email and email not in seen and email not in users and email not in invited:
            seen.add(email)
            out.append(member)
    return out


def invite_roster(settings: MailSettings, secret_key: str, prefecture_id: int,
                  compose: Compose) -> int:
    """Invite every roster member without an account or pending invitation, in one commit;
    returns how many. A simultaneous second click invites nobody twice: a new invitation
    collides on the unique address, a withdrawn one is taken back by one conditional UPDATE,
    and a pending one (invited meanwhile) is left alone."""
    invited = 0
    with _one_invitation_per_address():
        for member in roster_without_account(prefecture_id):
            row = _take_for_roster(prefecture_id, member.email.strip().lower(), member.name)
            if row is not None:
                _mail_invitation(settings, secret_key, row, compose)
                invited += 1
    return invited


def _take_for_roster(prefecture_id: int, email: str, name: str) -> Invitation | None:
    row = db.session.scalar(db.select(Invitation).filter_by(prefecture_id=prefecture_id, email=email))
    if row is None:
        row = Invitation(prefecture_id=prefecture_id, email=email, name=name, send_count=1)
        db.session.add(row)
        return row
    if not row.withdrawn:
        return None  # invited by someone else since the roster was read
    taken = db.session.execute(
        db.update(Invitation).where(Invitation.id == row.id, Invitation.withdrawn.is_(True))
        .values(withdrawn=False, name=name, sent_at=utcnow(), send_count=Invitation.send_count + 1)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return None
    db.session.refresh(row)
    return row


def pending_invitations(prefecture_id: int) -> list[Invitation]:
    """Invitations neither withdrawn nor accepted, newest first."""
    rows = db.session.scalars(db.select(Invitation).where(
        Invitation.prefecture_id == prefecture_id, Invitation.withdrawn.is_(False))
        .order_by(Invitation.sent_at.desc(), Invitation.id.desc())).all()
    return [r for r in rows if not _has_account(r.email)]


def invitation_of(prefecture_id: int, invitation_id: int) -> Invitation | None:
    row = db.session.get(Invitation, invitation_id)
    return row if row is not None and row.prefecture_id == prefecture_id else None


def resend_invitation(settings: MailSettings, secret_key: str, invitation: Invitation,
                      compose: Compose) -> None:
    """A fresh link (7 more days) in a new mail."""
    if invitation.withdrawn or _has_account(invitation.email):
        raise ChangeRefused(["この招待は取り消されたか、すでに登録済みです。"])
    with _one_invitation_per_address():
        _renew_row(invitation)
        _mail_invitation(settings, secret_key, invitation, compose)


def withdraw_invitation(invitation: Invitation) -> None:
    """Every link sent for it stops working."""
    invitation.withdrawn = True
    db.session.commit()


def revoke_feed_links(user: User) -> None:
    """A new feed secret for the user, committed: every old calendar link answers 404."""
    revoke_feed(user)
    db.session.commit()


def set_active(user: User, active: bool) -> None:
    """Deactivate (no login, no feed, sessions end) or reactivate an account."""
    user.active = active
    if not active:
        revoke_feed(user)
    db.session.commit()


@contextmanager
def _one_invitation_per_address():
    """Commit at the end; a simultaneous invitation of the same address (the unique
    constraint, at flush or commit) undoes everything, mails included."""
    try:
        yield
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ChangeRefused(["同じ招待が同時に行われました。一覧を確かめてください。"]) from None
