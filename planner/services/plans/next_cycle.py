"""Copying a plan to the next cycle: trainings, settings, team, and last year's lessons as to-dos."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from planner.models import MemberCourse, Plan, ProgrammeEntry, TeamMember, Training, TrainingSubject
from planner.models.db import db
from planner.services.survey.changes import carry_change_items
from planner.services.survey.questions import copy_questions
from planner.services.team.roles import sync_slots
from planner.services.timeline import carry_over_retrospectives

# A year later on the same weekday: 52 weeks.
NEXT_CYCLE = timedelta(days=364)


def copy_to_next_cycle(plan: Plan, before_commit: Callable[[Plan], None] = lambda copy: None) -> Plan:
    """Copy the plan for the next cycle (copy_plan) and commit; `before_commit(copy)` runs
    after the flush (the copy has its id), just before the commit."""
    copy = copy_plan(plan)
    db.session.flush()
    before_commit(copy)
    db.session.commit()
    return copy


def copy_plan(plan: Plan) -> Plan:
    """The plan for the next cycle: same trainings, settings, local subjects and team (with the
    courses they completed), the team's latest programme per subject with its chosen option,
    dates a year on; roles, unavailable dates and supplementary events start empty."""
    year = plan.cycle_year + 1
    copy = Plan(prefecture_id=plan.prefecture_id, cycle_year=year, chief_after=plan.chief_after)
    copy.title = f"{copy.years_label} 伝達研修計画"
    db.session.add(copy)
    for member in plan.members:
        db.session.add(TeamMember(
            plan=copy, name=member.name, municipality=member.municipality,
            municipality_kind=member.municipality_kind, email=member.email, notes=member.notes,
            courses=[MemberCourse(course=c.course, year=c.year) for c in member.courses]))
    for training in plan.trainings:
        fields = {c.key: getattr(training, c.key) for c in Training.__table__.columns
                  if c.key not in ("id", "plan_id", "revision")}
        if training.first_date:
            moved = training.first_date + NEXT_CYCLE
            # 52 weeks can fall a day or two short of the new cycle (1 November)
            fields["first_date"] = moved if moved >= copy.cycle_start else moved + timedelta(weeks=1)
            # chosen later days keep their distance from day one (a week apart stays a week apart)
            shift = fields["first_date"] - training.first_date
            fields["later_dates"] = ",".join((d + shift).isoformat() for d in training.chosen_later_dates)
        new = Training(plan=copy, **fields)
        # SQLAlchemy 2 does not cascade along the backref: without this the copy loses it
        db.session.add(new)
        for row in training.subjects:
            copied = TrainingSubject(**{c.key: getattr(row, c.key) for c in TrainingSubject.__table__.columns
                                        if c.key not in ("id", "training_id")})
            if row.programme:  # the team's latest programme (and chosen option) carries on
                latest = row.programme[0]
                copied.programme = [ProgrammeEntry(**latest.values(), version=1, author_id=latest.author_id,
                                                   author_name=latest.author_name,
                                                   created_at=latest.created_at)]
            new.subjects.append(copied)
    db.session.flush()
    for training in copy.trainings:
        sync_slots(training)
    carry_over_retrospectives(plan, copy)
    copy_questions(plan, copy)
    carry_change_items(plan, copy)
    return copy
