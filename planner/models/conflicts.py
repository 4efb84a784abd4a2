"""Conflicts an official chose to keep: a slot whose holder, after an official's edit of the
training, also holds an overlapping slot or is away that day. Shown on the roles page until
the slot changes hands or the conflict goes away."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import utcnow
from planner.models.db import db
from planner.models.team import RoleSlot


class SlotConflict(db.Model):
    """One kept conflict of one slot with its holder at the time (a new holder has none)."""

    __table_args__ = (sa.UniqueConstraint("slot_id", "member_id", "reason"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slot_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("role_slot.id", ondelete="CASCADE"), index=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("team_member.id", ondelete="CASCADE"), index=True)
    reason: so.Mapped[str] = so.mapped_column(sa.String(500))
    recorded_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    slot: so.Mapped[RoleSlot] = so.relationship()
