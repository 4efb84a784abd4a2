"""The exception every service raises when a change is refused, in one place so that services
can raise and callers catch it without importing each other."""
from __future__ import annotations

from planner.domain.schedule import Timetable


class ChangeRefused(Exception):
    """A change was refused; `messages` say why, in Japanese."""

    def __init__(self, messages: list[str], timetable: Timetable | None = None):
        super().__init__("\n".join(messages))
        self.messages = messages
        self.timetable = timetable
