"""The team's materials per subject (slides, worksheets, case material), their versions as
files, and the anonymity check of case material with its findings."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import utcnow
from planner.models.db import db
from planner.models.plan import TrainingSubject
from planner.models.team import TeamMember

MATERIAL_CATEGORIES = {"slides": "スライド", "worksheet": "ワークシート", "case": "事例資料", "other": "その他"}
MATERIAL_STATUSES = {"todo": "未着手", "drafting": "作成中", "review": "確認待ち", "done": "完了"}
FINDING_STATUSES = {"open": "未対応", "false_alarm": "誤検出", "replaced": "置き換え済み"}


class Material(db.Model):
    """One file a subject needs, e.g. 「事例ワークシート」; its content is in its versions."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    subject_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_subject.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(100))
    category: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: case material: every version is checked for what could identify someone
    is_case: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="todo", server_default="todo")
    #: None: the holder of the subject's 資料作成役 slot
    owner_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("team_member.id", ondelete="SET NULL"), index=True)
    #: None: the training's materials deadline (Training.materials_deadline or its default)
    due_on: so.Mapped[date | None]
    #: raised by every write of a version or a settlement, so those writes run one at a time
    version_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    subject: so.Mapped[TrainingSubject] = so.relationship(backref=so.backref(
        "materials", cascade="all, delete-orphan", passive_deletes=True, order_by="Material.id"))
    owner: so.Mapped[TeamMember | None] = so.relationship()
    versions: so.Mapped[list[MaterialVersion]] = so.relationship(
        back_populates="material", cascade="all, delete-orphan", passive_deletes=True,
        order_by="MaterialVersion.number")

    @property
    def latest(self) -> MaterialVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def category_name(self) -> str:
        return MATERIAL_CATEGORIES.get(self.category, self.category)

    @property
    def status_name(self) -> str:
        return MATERIAL_STATUSES.get(self.status, self.status)


class MaterialVersion(db.Model):
    """One uploaded file of a material (第1版, 第2版 …); the bytes live in the database so that
    every app server and the JSON backup see the same files."""

    __table_args__ = (sa.UniqueConstraint("material_id", "number", name="uq_material_version_number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    material_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("material.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    #: the name as uploaded, Japanese kept
    file_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: docx, pptx, xlsx or pdf, judged by the content
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    size: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: loaded only when the file is downloaded, never with a list of versions
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    uploaded_by: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    uploaded_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: how the version came about when the app wrote it, e.g. the replacements made
    note: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    #: who uploaded it (a case file is theirs and the officials' alone until it is settled)
    uploaded_by_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="", server_default="")
    #: a case version whose identifying text was replaced in a later one: its bytes are gone
    destroyed_at: so.Mapped[datetime | None]
    destroyed_by: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")

    material: so.Mapped[Material] = so.relationship(back_populates="versions")
    check: so.Mapped[AnonymityCheck | None] = so.relationship(
        back_populates="version", cascade="all, delete-orphan", passive_deletes=True, uselist=False)


class AnonymityCheck(db.Model):
    """The anonymity check of one version of case material: who ran it, when, what it found."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("material_version.id", ondelete="CASCADE"), unique=True)
    checked_by: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    checked_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    finding_count: so.Mapped[int] = so.mapped_column(default=0)

    version: so.Mapped[MaterialVersion] = so.relationship(back_populates="check")
    findings: so.Mapped[list[CheckFinding]] = so.relationship(
        back_populates="check", cascade="all, delete-orphan", passive_deletes=True,
        order_by="CheckFinding.id")

    @property
    def settled(self) -> bool:
        return all(f.status != "open" for f in self.findings)


class CheckFinding(db.Model):
    """Something in the text that could identify a person, place or organisation, and how the
    team settled it (a false alarm, or replaced in a new version)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    check_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("anonymity_check.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(30))
    text: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: where in the file, e.g. 「段落 12」「スライド 3」
    location: so.Mapped[str] = so.mapped_column(sa.String(50))
    #: the text around it, and the finding's place inside that text
    context: so.Mapped[str] = so.mapped_column(sa.String(500))
    start: so.Mapped[int]
    end: so.Mapped[int]
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="open", server_default="open")
    replacement: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    settled_by: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    settled_at: so.Mapped[datetime | None]

    check: so.Mapped[AnonymityCheck] = so.relationship(back_populates="findings")

    @property
    def status_name(self) -> str:
        return FINDING_STATUSES.get(self.status, self.status)

    @property
    def before(self) -> str:
        return self.context[:self.start]

    @property
    def found(self) -> str:
        return self.context[self.start:self.end]

    @property
    def after(self) -> str:
        return self.context[self.end:]
