"""Curricula editions loaded after the bundled one: each row is one curriculum's TOML text."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import utcnow
from planner.models.db import db


class CurriculaEdition(db.Model):
    """One curriculum of an edition (e.g. 令和9年度版 of 相談後期), as the file that was loaded.

    The text is kept, not parsed columns: the same parser reads it as reads the bundled files,
    and a plan made on it reads the same curriculum for as long as it lives."""

    __table_args__ = (sa.UniqueConstraint("name", "curriculum_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the edition's name as the file says it (令和9年度版)
    name: so.Mapped[str] = so.mapped_column(sa.String(40))
    curriculum_key: so.Mapped[str] = so.mapped_column(sa.String(20))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    toml_text: so.Mapped[str] = so.mapped_column(sa.Text)
    loaded_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
