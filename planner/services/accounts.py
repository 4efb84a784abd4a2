"""Login lockout and invitation tokens: rules kept in the database, not in one process."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from planner.models import Invitation, LoginFailure, Plan, TeamMember, User
from planner.models.account import revoke_feed, utcnow
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.mail import MailSettings, queue

MAX_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)
INVITE_MAX_AGE = 7 * 24 * 3600


def is_locked(email: str) -> bool:
    """Too many failures for this address in the window: refuse even a right password."""
    since = utcnow() - LOCK_WINDOW
    count = db.session.scalar(db.select(db.func.count(LoginFailure.id))
                              .where(LoginFailure.email == email.lower(), LoginFailure.at >= since))
    return count >= MAX_FAILURES


def record_failure(email: str) -> None:
    db.session.add(LoginFailure(email=email.lower()))
    db.session.commit()


def clear_failures(email: str) -> None:
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.email == email.lower()))
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; failures are counted per address."""
    user = db.session.scalar(db.select(User).filter_by(email=email.lower()))
    if user is None or not user.active or not user.check_password(password):
        record_failure(email)
        return None
    clear_failures(email)
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
