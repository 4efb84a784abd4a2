"""The planning team of a plan (the roster) and the role slots its members hold."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.db import db
from planner.models.plan import Plan, Training, TrainingSubject

#: national courses a member may have completed; the same keys as the curricula
COURSES = ("common", "counselor", "chief", "job_support")
COURSE_NAMES = {"common": "前期共通", "counselor": "相談支援員", "chief": "主任相談支援員",
                "job_support": "就労支援員"}
#: the kinds of municipality a member can come from (source: 都道府県、政令市、中核市 + 小規模自治体)
MUNICIPALITY_KINDS = {"prefecture": "都道府県", "designated_city": "政令指定都市",
                      "core_city": "中核市", "other": "その他の市町村"}
#: the roles of the source's Oita example, in its order
ROLE_NAMES = {"lecturer": "講師役", "case_reporter": "事例報告役",
              "material_preparer": "資料作成役", "timekeeper": "タイムキーパー役"}


class TeamMember(db.Model):
    """One member of a plan's planning team (研修チーム), with or without a login."""

    __table_args__ = (sa.UniqueConstraint("plan_id", "email"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    municipality: so.Mapped[str] = so.mapped_column(sa.String(100))
    municipality_kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: the member's login is the user with this e-mail in the same prefecture
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    notes: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    #: raised by every write that gives the member a slot or changes their days, so those
    #: writes run one at a time per member (see planner.services.team.roles.lock_member)
    holding_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    plan: so.Mapped[Plan] = so.relationship(back_populates="members")
    # small lists shown with every member: load them with the roster, not one query each
    courses: so.Mapped[list[MemberCourse]] = so.relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="MemberCourse.course",
        lazy="selectin")
    unavailable: so.Mapped[list[MemberUnavailable]] = so.relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="MemberUnavailable.day",
        lazy="selectin")

    @property
    def graduate_of(self) -> set[str]:
        return {c.course for c in self.courses}

    @property
    def courses_in_date_order(self) -> list[MemberCourse]:
        """Completed courses by year (a course with no year last), then in curriculum order."""
        return sorted(self.courses, key=lambda c: (c.year is None, c.year or 0,
                                                   COURSES.index(c.course) if c.course in COURSES else 9))

    @property
    def unavailable_days(self) -> set[date]:
        return {u.day for u in self.unavailable}


class MemberCourse(db.Model):
    """A national course the member completed (修了), and the year."""

    __table_args__ = (sa.UniqueConstraint("member_id", "course"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("team_member.id", ondelete="CASCADE"), index=True)
    course: so.Mapped[str] = so.mapped_column(sa.String(20))
    year: so.Mapped[int | None]

    member: so.Mapped[TeamMember] = so.relationship(back_populates="courses")


class MemberUnavailable(db.Model):
    """A date the member cannot attend."""

    __table_args__ = (sa.UniqueConstraint("member_id", "day"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("team_member.id", ondelete="CASCADE"), index=True)
    day: so.Mapped[date]

    member: so.Mapped[TeamMember] = so.relationship(back_populates="unavailable")


class RoleSlot(db.Model):
    """One role to fill at a training: per subject (lecturer, case reporter, material preparer)
    or per training day (timekeeper). `holder_id` is claimed with one conditional UPDATE."""

    __table_args__ = (sa.UniqueConstraint("training_id", "kind", "subject_id", "day_index"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: the subject for subject roles; None for the timekeeper
    subject_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("training_subject.id", ondelete="CASCADE"), index=True)
    #: 0 for the first training day; the timekeeper has one slot per day
    day_index: so.Mapped[int] = so.mapped_column(default=0)
    holder_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("team_member.id", ondelete="SET NULL"), index=True)
    #: an official locked the slot: members can no longer claim or release it
    locked: so.Mapped[bool] = so.mapped_column(default=False)

    training: so.Mapped[Training] = so.relationship(back_populates="slots")
    subject: so.Mapped[TrainingSubject | None] = so.relationship()
    holder: so.Mapped[TeamMember | None] = so.relationship()

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.kind]

    @property
    def sort_key(self) -> tuple:
        """Timekeepers first, then by subject order and the source's role order."""
        position = self.subject.position if self.subject else -1
        return (position, self.day_index, list(ROLE_NAMES).index(self.kind))
