"""Deleting participants' personal data once their plan's cycle is over (個人情報の保存期間).

Each prefecture sets how many days after the cycle's end (October of the plan's second year)
its participants' data is kept (Prefecture.participant_retention_days). What is deleted, per
participant: name, kana, affiliation, job, e-mail and needs (配慮事項), and the keep-apart
pairs between participants. What stays, with no person in it: the municipality, the kind
(支援員/自治体担当者/関係機関), the status, whether they attended and their group, so the
year's coverage of municipalities can still be counted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from planner.models.account import Prefecture
from planner.models.db import db
from planner.models.participants import KeepApart, Participant
from planner.models.plan import Plan, Training

#: what a participant's name reads after the deletion
PURGED_NAME = "（削除済み）"
#: the columns that hold a person, emptied by the purge
PERSONAL = ("kana", "affiliation", "job", "email", "needs")


@dataclass
class Purged:
    plan: Plan
    kept_until: date
    participants: int


def due_plans(today: date) -> list[tuple[Plan, date]]:
    """Plans whose cycle ended more than their prefecture's retention days before `today`."""
    due = []
    for plan, days in db.session.execute(
            sa.select(Plan, Prefecture.participant_retention_days).join(Prefecture).order_by(Plan.id)):
        kept_until = plan.cycle_end + timedelta(days=days)
        if today > kept_until:
            due.append((plan, kept_until))
    return due


def purge_plan(plan: Plan) -> int:
    """Delete the personal data of the plan's participants (not yet deleted); the count."""
    trainings = sa.select(Training.id).where(Training.plan_id == plan.id)
    db.session.execute(sa.delete(KeepApart).where(KeepApart.training_id.in_(trainings)))
    result = db.session.execute(
        sa.update(Participant)
        .where(Participant.training_id.in_(trainings), Participant.name != PURGED_NAME)
        .values(name=PURGED_NAME, **{column: "" for column in PERSONAL})
        .execution_options(synchronize_session=False))
    return result.rowcount


def purge_due(today: date, dry_run: bool = False) -> list[Purged]:
    """Purge every plan that is due, in one transaction (committed unless `dry_run`)."""
    done = []
    for plan, kept_until in due_plans(today):
        count = purge_plan(plan)
        if count:
            done.append(Purged(plan, kept_until, count))
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return done
