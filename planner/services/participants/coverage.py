"""Which municipalities send participants: per training and over the plan's year.

The source warns that municipalities must not fall behind each other (「管内市町村で支援水準に
格差が生じることがないよう」): the official sees who has sent nobody, how many seats are left,
and, in the last days before the deadline, whom to remind. Read-only.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from planner.models.db import db
from planner.models.participants import Municipality, Participant
from planner.models.plan import Plan, Training
from planner.services.participants.entries import today_in_japan

#: the warning before the deadline starts this many days ahead
WARN_DAYS = 7
#: entries that count as sent (a declined entry did not get a seat, but the municipality did reply)
SENT_STATUSES = ("accepted", "waiting", "declined")


@dataclass
class TrainingCoverage:
    training: Training
    municipalities: list[Municipality]
    #: accepted and waiting participants per municipality id
    accepted: Counter = field(default_factory=Counter)
    waiting: Counter = field(default_factory=Counter)
    sent: set[int] = field(default_factory=set)
    total_accepted: int = 0
    #: capacity minus accepted; None when the training has no capacity
    seats_left: int | None = None
    #: days until the deadline (0 on the day), None without a deadline or after it
    days_to_deadline: int | None = None
    deadline_passed: bool = False

    @property
    def silent(self) -> list[Municipality]:
        """The municipalities that have sent nobody (no entry at all)."""
        return [m for m in self.municipalities if m.id not in self.sent]

    @property
    def warn(self) -> bool:
        """In the last WARN_DAYS days before the deadline, with municipalities still silent."""
        return self.days_to_deadline is not None and self.days_to_deadline <= WARN_DAYS and bool(self.silent)


def prefecture_municipalities(prefecture_id: int) -> list[Municipality]:
    return list(db.session.scalars(sa.select(Municipality).filter_by(prefecture_id=prefecture_id)
                                   .order_by(Municipality.code)))


def _counts(training_ids: list[int]) -> list[tuple[int, int | None, str, int]]:
    """(training id, municipality id, status, count) for the trainings, in one query."""
    return list(db.session.execute(
        sa.select(Participant.training_id, Participant.municipality_id, Participant.status, sa.func.count())
        .where(Participant.training_id.in_(training_ids))
        .group_by(Participant.training_id, Participant.municipality_id, Participant.status)))


def training_coverage(training: Training, today: date | None = None,
                      municipalities: list[Municipality] | None = None,
                      counts: list | None = None) -> TrainingCoverage:
    """Coverage of one training as of `today` (the Japanese day by default)."""
    today = today or today_in_japan()
    if municipalities is None:
        municipalities = prefecture_municipalities(training.plan.prefecture_id)
    coverage = TrainingCoverage(training, municipalities)
    for training_id, municipality_id, status, count in (counts if counts is not None else _counts([training.id])):
        if training_id != training.id:
            continue
        if status == "accepted":
            coverage.total_accepted += count
            coverage.accepted[municipality_id] += count
        elif status == "waiting":
            coverage.waiting[municipality_id] += count
        if municipality_id is not None and status in SENT_STATUSES:
            coverage.sent.add(municipality_id)
    if training.capacity is not None:
        coverage.seats_left = max(0, training.capacity - coverage.total_accepted)
    deadline = training.application_deadline
    if deadline is not None:
        coverage.deadline_passed = today > deadline
        if not coverage.deadline_passed:
            coverage.days_to_deadline = (deadline - today).days
    return coverage


@dataclass
class YearCoverage:
    plan: Plan
    municipalities: list[Municipality]
    trainings: list[TrainingCoverage]

    def sent_to(self, municipality: Municipality) -> int:
        """How many of the plan's trainings the municipality sent someone to."""
        return sum(1 for t in self.trainings if municipality.id in t.sent)

    @property
    def silent(self) -> list[Municipality]:
        """The municipalities that have sent nobody to any training of the year."""
        return [m for m in self.municipalities if self.sent_to(m) == 0]


def year_coverage(plan: Plan, today: date | None = None) -> YearCoverage:
    """Coverage of every training of the plan, in two queries."""
    municipalities = prefecture_municipalities(plan.prefecture_id)
    trainings = plan.trainings_by_date
    counts = _counts([t.id for t in trainings])
    return YearCoverage(plan, municipalities,
                        [training_coverage(t, today, municipalities, counts) for t in trainings])
