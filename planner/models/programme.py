"""The team's own programme for a subject, kept as versions: who changed it and when."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import utcnow
from planner.models.db import db


def split_option_keys(text: str) -> tuple[str, ...]:
    """The keys of a comma-joined `option_keys` column."""
    return tuple(key for key in (text or "").split(",") if key)


def join_option_keys(keys) -> str:
    return ",".join(keys)


#: the fields the team writes, with their Japanese names (form labels, history, briefing)
PROGRAMME_FIELDS = {
    "emphasis": "特に伝えたい内容",
    "key_points": "チームの解説のポイント",
    "how_to_run": "チームの進め方",
    "worksheets": "使うワークシート・資料",
}


class ProgrammeEntry(db.Model):
    """One saved version of the team's programme for a training subject; the newest is current."""

    #: two saves at once cannot both become version n+1 (compare-and-insert, see services)
    __table_args__ = (sa.UniqueConstraint("subject_id", "version", name="uq_programme_entry_version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    subject_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_subject.id", ondelete="CASCADE"), index=True)
    emphasis: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    key_points: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    how_to_run: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    worksheets: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the source's options the team switched on for the subject, comma-joined in the source's
    #: order; empty for the standard programme
    option_keys: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    #: 1, 2, 3 ... per subject
    version: so.Mapped[int] = so.mapped_column(default=1)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: kept as written, so the history still names a person whose login was removed
    author_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    subject: so.Mapped["TrainingSubject"] = so.relationship(back_populates="programme")  # noqa: F821

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in PROGRAMME_FIELDS} | {"option_keys": self.option_keys}

    @property
    def chosen_keys(self) -> tuple[str, ...]:
        return split_option_keys(self.option_keys)

    @property
    def is_empty(self) -> bool:
        return not any(self.values().values())
