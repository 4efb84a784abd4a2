"""One-time links that let a person set a password: the first one of a new account (setup)
and a forgotten one (reset)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import User, utcnow
from planner.models.db import db

SETUP = "setup"
RESET = "reset"


class PasswordToken(db.Model):
    """A link's token, kept only as its SHA-256 digest: a copy of the table opens no account.
    Used once (used_at is set by one conditional UPDATE), and only until expires_at."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: hex SHA-256 of the token in the link
    digest: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: SETUP (a new account's first password) or RESET (a forgotten one)
    purpose: so.Mapped[str] = so.mapped_column(sa.String(10))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    expires_at: so.Mapped[datetime]
    used_at: so.Mapped[datetime | None]

    user: so.Mapped[User] = so.relationship()
