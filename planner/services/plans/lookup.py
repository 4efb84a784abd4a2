"""Finding a plan, a training or a supplementary event by id for a request: None when there
is none, or when it belongs to another prefecture (the view answers 404)."""
from __future__ import annotations

from sqlalchemy import orm

from planner.models import Plan, SupplementaryEvent, Training
from planner.models.db import db

#: loader option for pages that walk the plan's trainings: one query for all of them
WITH_TRAININGS = (orm.selectinload(Plan.trainings),)


def find_plan(prefecture_id: int, plan_id: int, *options) -> Plan | None:
    """The plan if it belongs to the prefecture; `options` are loader options for what the
    page walks, so it loads in one go."""
    return db.session.scalar(db.select(Plan).filter_by(id=plan_id, prefecture_id=prefecture_id)
                             .options(*options))


def list_plans(prefecture_id: int) -> list[Plan]:
    """The prefecture's plans, newest cycle first, with their trainings (one query for all)."""
    return db.session.scalars(db.select(Plan).filter_by(prefecture_id=prefecture_id)
                              .options(*WITH_TRAININGS)
                              .order_by(Plan.cycle_year.desc(), Plan.id.desc())).all()


def find_training(prefecture_id: int, training_id: int) -> Training | None:
    """The training if its plan belongs to the prefecture."""
    return db.session.scalar(
        db.select(Training).join(Plan).where(Training.id == training_id,
                                             Plan.prefecture_id == prefecture_id))


def find_event(event_id: int) -> SupplementaryEvent | None:
    """A supplementary event by id, whichever prefecture's (the caller checks its training)."""
    return db.session.get(SupplementaryEvent, event_id)
