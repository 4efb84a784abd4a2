"""The documents of a published version, as they were built when it was published."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.db import db
from planner.models.plan import ProgrammeVersion


class PublishedDocument(db.Model):
    """One handout or calendar file of a training (研修次第, 役割分担表, 講師用資料, 時間割.ics …)
    built at the moment its version was published: what a download gives by default while
    the training has unpublished changes, so no one receives a draft as final."""

    __table_args__ = (sa.UniqueConstraint("version_id", "name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("programme_version.id", ondelete="CASCADE"), index=True)
    #: the file name, as the training's zip names it
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)

    version: so.Mapped[ProgrammeVersion] = so.relationship(backref=so.backref(
        "documents", cascade="all, delete-orphan", passive_deletes=True, lazy="dynamic"))
