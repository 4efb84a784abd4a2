"""Prefectures and their users (officials and team members)."""
from __future__ import annotations

import os
import secrets
from datetime import datetime, time, timezone

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



def hash_password(password: str) -> str:
    """Werkzeug's scrypt hash of `password`. PASSWORD_HASH_METHOD (e.g. pbkdf2:sha256:1) names a
    cheaper method where no real password is kept: the test suite sets it, as Django's test
    settings do, since one scrypt hash costs a quarter of a second of CPU and tests make thousands.
    Checking reads the method from the stored hash, so either kind of hash still logs in."""
    return generate_password_hash(password, method=os.environ.get("PASSWORD_HASH_METHOD", "scrypt"))


class Prefecture(db.Model):
    """A prefecture: every plan and user belongs to exactly one, and sees only its own."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    #: the organiser as handouts print it after the prefecture (主催), e.g. 福祉保健部 地域福祉課
    department: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    #: who signs a lecturer request letter (発信者), e.g. みどり県福祉保健部長
    letter_sender: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    #: what an outside lecturer is paid, as a 講師依頼書 states it (謝金・旅費)
    lecturer_fee: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    travel_expenses: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    #: 問い合わせ先 on every handout: section, person, phone and e-mail
    contact_section: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    contact_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    contact_phone: so.Mapped[str] = so.mapped_column(sa.String(30), default="", server_default="")
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="", server_default="")
    #: the prefecture's own part of a 文書番号 (e.g. み福), printed as み福第　　号 until numbered
    document_number_prefix: so.Mapped[str] = so.mapped_column(sa.String(20), default="", server_default="")
    #: participants' personal data is deleted this many days after their plan's cycle ends
    participant_retention_days: so.Mapped[int] = so.mapped_column(default=90, server_default="90")
    #: the prefecture's usual training day, the default of every new training's timetable
    day_start: so.Mapped[time] = so.mapped_column(default=time(9, 0), server_default="09:00:00")
    day_end: so.Mapped[time] = so.mapped_column(default=time(17, 45), server_default="17:45:00")
    lunch_earliest: so.Mapped[time] = so.mapped_column(default=time(11, 30), server_default="11:30:00")
    lunch_latest: so.Mapped[time] = so.mapped_column(default=time(13, 30), server_default="13:30:00")
    lunch_minutes: so.Mapped[int] = so.mapped_column(default=45, server_default="45")


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
    #: part of the login cookie; raising it (logout, password change) ends every session
    session_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: an official can deactivate an account: it can no longer log in or read its feed
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())

    prefecture: so.Mapped[Prefecture] = so.relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_official(self) -> bool:
        return self.role == OFFICIAL

    def get_id(self) -> str:
        """What the session cookie holds: a cookie made before the version changed no longer loads."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class LoginAttempts(db.Model):
    """Login tries per address in the current lockout window: one row, raised by one atomic
    upsert before the password is checked, so tries arriving together are counted together."""

    email: so.Mapped[str] = so.mapped_column(sa.String(254), primary_key=True)
    tries: so.Mapped[int]
    #: when the window of the counted tries began
    since: so.Mapped[datetime]


class FormSubmission(db.Model):
    """The one-time token of a rendered form that creates something: saved in the same
    transaction as what it creates, so a second submit of the same form finds it taken."""

    token: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    #: where the first submit led, shown to the second one
    result_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
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
