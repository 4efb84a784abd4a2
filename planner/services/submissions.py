"""One-time form tokens: a form that creates something is done once, however often it is sent.

The token's row is written first in the transaction that does the work. A second submit of
the same form waits for the first (PostgreSQL waits on the primary key, SQLite on its write
lock) and then finds the key taken, so the work is never done twice; if the first failed and
rolled back, the token is free again and the second does the work.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from planner.models import FormSubmission
from planner.models.account import utcnow
from planner.models.db import db

#: how long a used token is remembered
KEEP = timedelta(days=2)


def take(token: str) -> FormSubmission | None:
    """Take the token for this transaction; None when an earlier submit already took it
    (the session is then rolled back). Returns the new row, whose result the caller may set."""
    row = FormSubmission(token=token)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    # a form left open longer than this is sent as a new one; keep the table small
    db.session.execute(db.delete(FormSubmission).where(FormSubmission.at < utcnow() - KEEP))
    return row


def find(token: str) -> FormSubmission | None:
    """The row of an earlier submit that took the token (its work committed), if any."""
    return db.session.get(FormSubmission, token)


def result_of(token: str) -> str:
    """Where the first submit of this token led ('' when it did not say)."""
    return db.session.scalar(db.select(FormSubmission.result_url).filter_by(token=token)) or ""
