"""The exception every service raises when a change is refused, in one place so that services
can raise and callers catch it without importing each other; and what the error pages need
from the database (which failures are a lost race or a database down, and a safe rollback),
so that the web layer never imports SQLAlchemy."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from planner.domain.schedule import Timetable
from planner.models.db import db

#: a unique key or foreign key refused a write: another request changed the same rows
RaceLost = IntegrityError
#: the database cannot be reached (or stays locked)
DatabaseDown = OperationalError


class ChangeRefused(Exception):
    """A change was refused; `messages` say why, in Japanese."""

    def __init__(self, messages: list[str], timetable: Timetable | None = None):
        super().__init__("\n".join(messages))
        self.messages = messages
        self.timetable = timetable


def connection_lost(exc: BaseException | None) -> bool:
    """Whether `exc` is a database error whose connection was lost (invalidated)."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def forget_transaction() -> None:
    """Drop the failed transaction, so that the page itself can read (or not) in peace."""
    try:
        db.session.rollback()
    except DBAPIError:
        pass


@contextmanager
def rolled_back_on(*refusals: type[BaseException]) -> Iterator[None]:
    """Roll the session back and raise again when the block raises one of `refusals`, so that a
    refused change leaves nothing half written in the session (nor a form token spent)."""
    try:
        yield
    except refusals:
        db.session.rollback()
        raise
