"""Prefectures and their users (officials and team members)."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from planner.models.db import db

OFFICIAL = "official"
MEMBER = "member"


def new_feed_secret() -> str:
    return secrets.token_urlsafe(32)


def revoke_feed(user: "User") -> None:
    """A new secret: every calendar link made with the old one stops working (caller commits)."""
    user.feed_secret = new_feed_secret()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Prefecture(db.Model):
    """A prefecture: every plan and user belongs to exactly one, and sees only its own."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)


class User(UserMixin, db.Model):
    """A person who logs in: an official (manages plans) or a team member (takes roles)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    prefecture_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("prefecture.id"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    role: so.Mapped[str] = so.mapped_column(sa.String(10), default=MEMBER)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    #: signs the member's personal calendar feed; replacing it revokes every old link
    feed_secret: so.Mapped[str] = so.mapped_column(sa.String(64), default=lambda: new_feed_secret())
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: an official can deactivate an account: it can no longer log in or read its feed
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())

    prefecture: so.Mapped[Prefecture] = so.relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_official(self) -> bool:
        return self.role == OFFICIAL

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class LoginFailure(db.Model):
    """One failed login, kept in the database so the lockout holds across worker processes."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)


class Invitation(db.Model):
    """An invitation mailed to someone who has no account yet. Its link carries this row's id,
    so withdrawing the row makes every link sent for it useless; accepted = a user now exists.
    One row per address and prefecture: two simultaneous invitations of one person collide."""

    __table_args__ = (sa.UniqueConstraint("prefecture_id", "email"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    prefecture_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("prefecture.id", ondelete="CASCADE"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: when the last mail for it was queued (the link's 7 days count from here)
    sent_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    send_count: so.Mapped[int] = so.mapped_column(default=1)
    withdrawn: so.Mapped[bool] = so.mapped_column(default=False)
