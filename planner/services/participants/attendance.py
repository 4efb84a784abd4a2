"""The training day: who is expected (accepted participants, in print order) and reception.

A tick at reception is one conditional UPDATE (`SET attended_at = now WHERE attended_at IS
NULL`): two receptionists ticking the same person at once both succeed, the first time
stands, and nothing else on the row is written, so a tick never undoes another change.
"""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from planner.domain.dates import format_date_wareki
from planner.models.account import utcnow
from planner.models.db import db
from planner.models.participants import Municipality, Participant
from planner.models.plan import Training
from planner.services.errors import ChangeRefused

TOKYO = ZoneInfo("Asia/Tokyo")


def day_participants(training: Training) -> list[Participant]:
    """The accepted participants, by municipality code (none last), then kana and name."""
    return list(db.session.scalars(
        sa.select(Participant).outerjoin(Municipality, Participant.municipality_id == Municipality.id)
        .where(Participant.training_id == training.id, Participant.status == "accepted")
        .order_by(Municipality.code.is_(None), Municipality.code, Participant.kana, Participant.name,
                  Participant.id)
        .options(sa.orm.contains_eager(Participant.municipality))))


def attendees(training: Training) -> list[Participant]:
    """Those who were ticked at reception: the certificates go to them."""
    return [p for p in day_participants(training) if p.attended_at is not None]


def set_arrived(training: Training, participant_id: int, arrived: bool,
                now: datetime | None = None) -> bool:
    """Tick (or untick) one accepted participant of the training; True when this call changed
    the row, False when it already was so (a second receptionist's tick). Commits."""
    exists = db.session.scalar(sa.select(Participant.id).where(
        Participant.id == participant_id, Participant.training_id == training.id,
        Participant.status == "accepted"))
    if exists is None:
        raise ChangeRefused(["この受講者はこの研修の受講決定者にいません。"])
    today = ((now or utcnow()).replace(tzinfo=UTC)).astimezone(TOKYO).date()
    if arrived and (training.first_date is None or today < training.first_date):
        # a tick before the day would let certificates be printed for a day not yet held
        day = format_date_wareki(training.first_date) if training.first_date else "開催日が決まってから"
        raise ChangeRefused([f"受付は研修の当日（{day}）から使えます。"])
    condition = Participant.attended_at.is_(None) if arrived else Participant.attended_at.is_not(None)
    result = db.session.execute(
        sa.update(Participant).where(Participant.id == participant_id, condition)
        .values(attended_at=(now or utcnow()) if arrived else None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def display_name(participant: Participant) -> str:
    """The municipality's name, or the participant's affiliation when it has none."""
    if participant.municipality is not None:
        return participant.municipality.name
    return participant.affiliation or "（所属なし）"
