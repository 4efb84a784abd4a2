"""Login lockout and invitation tokens: rules kept in the database, not in one process."""
from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from planner.models import LoginFailure, User
from planner.models.account import utcnow
from planner.models.db import db

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
    if user is None or not user.check_password(password):
        record_failure(email)
        return None
    clear_failures(email)
    return user


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
