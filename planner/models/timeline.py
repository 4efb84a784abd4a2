"""The stored planning timeline of a plan: milestones, checklist ticks and carried-over to-dos.

Trainings are not stored here: a training's place on the timeline is its own `first_date`
(and `day_count`), so a date changed on the training page and on the timeline is one value.
"""
from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import utcnow
from planner.models.db import db
from planner.models.plan import Plan, Training


class Milestone(db.Model):
    """A launch, planning meeting or retrospective of a plan, with its dates."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    #: "launch", "meeting" or "retrospective" ("training" rows are the plan's trainings)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    start: so.Mapped[date]
    end: so.Mapped[date]
    #: the meeting's number (第n回); 0 for the other kinds
    order: so.Mapped[int] = so.mapped_column(default=0)
    #: the training a retrospective looks back on
    training_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    #: for a meeting, the curriculum keys of the trainings it prepares, comma-separated
    prepares: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    #: the launch or meeting was held (a retrospective is done when its notes are saved)
    done: so.Mapped[bool] = so.mapped_column(default=False)
    #: the retrospective's notes: what went well, what to change next time
    went_well: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    to_change: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: a meeting's hours (on its start date), place or online link, agenda and minutes (議事録)
    start_time: so.Mapped[time | None]
    end_time: so.Mapped[time | None]
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    online_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    #: None until edited: the source's checklist items for meetings are the agenda
    agenda: so.Mapped[str | None] = so.mapped_column(sa.Text)
    minutes: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")

    plan: so.Mapped[Plan] = so.relationship(backref=so.backref(
        "milestones", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Milestone.start"))
    training: so.Mapped[Training | None] = so.relationship()

    @property
    def prepares_keys(self) -> tuple[str, ...]:
        return tuple(k for k in self.prepares.split(",") if k)

    @property
    def is_done(self) -> bool:
        if self.kind == "retrospective":
            return bool(self.went_well.strip() or self.to_change.strip())
        return self.done


class ChecklistTick(db.Model):
    """One preparation step of the checklist, ticked (or unticked) for a plan."""

    __table_args__ = (sa.UniqueConstraint("plan_id", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    #: the item's key, with "@" and the meeting series for steps done at meetings
    key: so.Mapped[str] = so.mapped_column(sa.String(80))
    done: so.Mapped[bool] = so.mapped_column(default=False)

    plan: so.Mapped[Plan] = so.relationship(backref=so.backref(
        "checklist_ticks", cascade="all, delete-orphan", passive_deletes=True))


class CarriedTodo(db.Model):
    """A retrospective note of an earlier plan, carried over as a to-do of this one."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    #: the title of the plan the note was written in
    source_title: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    done: so.Mapped[bool] = so.mapped_column(default=False)

    plan: so.Mapped[Plan] = so.relationship(backref=so.backref(
        "carried_todos", cascade="all, delete-orphan", passive_deletes=True,
        order_by="CarriedTodo.id"))


class MeetingAnswer(db.Model):
    """A team member's answer to a meeting invitation (出欠): attending or not."""

    __table_args__ = (sa.UniqueConstraint("milestone_id", "member_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    milestone_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("milestone.id", ondelete="CASCADE"), index=True)
    member_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("team_member.id", ondelete="CASCADE"), index=True)
    attending: so.Mapped[bool]
    answered_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    milestone: so.Mapped[Milestone] = so.relationship(backref=so.backref(
        "answers", cascade="all, delete-orphan", passive_deletes=True))
