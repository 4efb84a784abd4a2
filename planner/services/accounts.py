"""Login lockout and invitation tokens: rules kept in the database, not in one process."""
from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

from planner.models import LoginAttempts, User
from planner.models.account import utcnow
from planner.models.db import db

MAX_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)
INVITE_MAX_AGE = 7 * 24 * 3600
#: checked for an unknown address, so that a wrong address costs as long as a wrong password
_DUMMY_HASH = generate_password_hash("not a password of anyone")


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
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password):
        return None
    clear_failures(email)
    return user


def end_sessions(user: User) -> None:
    """Every login cookie of the user stops working, this one's included (caller commits)."""
    user.session_version = User.session_version + 1  # in SQL: two at once both count
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password and end the user's other sessions; ValueError when `current` is wrong."""
    if not user.check_password(current):
        raise ValueError("現在のパスワードが違います。")
    user.set_password(new)
    end_sessions(user)
    db.session.commit()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="member-invitation")


def make_invitation(secret_key: str, prefecture_id: int, email: str, name: str) -> str:
    """A signed token that lets one person join one prefecture as a team member."""
    return _serializer(secret_key).dumps({"p": prefecture_id, "e": email.lower(), "n": name})


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
    return data
