"""A new plan from the plan form: its four trainings and, when dates are proposed, the year's
timeline; committed. (Separate from plans.changes, which planner.services.timeline imports.)"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from planner.models import Plan, Prefecture
from planner.models.db import db
from planner.services.plans.changes import create_plan
from planner.services.timeline import generate_plan_timeline


def start_plan(prefecture: Prefecture, title: str, cycle_year: int, dates: dict[str, date] | None,
               venue: str, today: date, before_commit: Callable[[Plan], None] = lambda plan: None) -> Plan:
    """Create the plan (create_plan) and, with dates in place, its timeline, and commit;
    `before_commit(plan)` runs after the flush (the plan has its id), just before the commit."""
    plan = create_plan(prefecture, title, cycle_year, dates=dates, venue=venue)
    if dates:
        generate_plan_timeline(plan, today=today)  # with dates in place, the year's schedule follows
    db.session.flush()
    before_commit(plan)
    db.session.commit()
    return plan
