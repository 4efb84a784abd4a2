"""Yearly plans, their trainings, and the subjects of each training's timetable."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.domain.dates import as_of_ja, fiscal_year, fiscal_years_label
from planner.domain.timeline import cycle_bounds
from planner.models.account import Prefecture, utcnow
from planner.models.db import db
from planner.models.programme import split_option_keys


class Plan(db.Model):
    """One yearly cycle of a prefecture's trainings, from November to October."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    prefecture_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("prefecture.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: the cycle starts in November of this year (team launch) and ends in the next October
    cycle_year: so.Mapped[int]
    #: where the chief-counselor training goes: after the common one, or with the late terms
    chief_after: so.Mapped[str] = so.mapped_column(sa.String(10), default="common", server_default="common")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    #: the curricula edition the plan was made on (a CurriculaEdition name); empty: the bundled one
    curricula_edition: so.Mapped[str] = so.mapped_column(sa.String(40), default="", server_default="")

    prefecture: so.Mapped[Prefecture] = so.relationship()
    trainings: so.Mapped[list[Training]] = so.relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Training.position")
    members: so.Mapped[list["TeamMember"]] = so.relationship(  # noqa: F821
        back_populates="plan", cascade="all, delete-orphan", order_by="TeamMember.id")

    @property
    def trainings_by_date(self) -> list[Training]:
        """The trainings in the order they are held; undated ones last, in the source's order."""
        return sorted(self.trainings, key=lambda t: (t.first_date or date.max, t.position))

    @property
    def cycle_start(self) -> date:
        return cycle_bounds(self.cycle_year)[0]

    @property
    def cycle_end(self) -> date:
        return cycle_bounds(self.cycle_year)[1]

    @property
    def years_label(self) -> str:
        """The fiscal years the cycle spans, e.g. 令和7〜8年度（2025〜2026年度）."""
        return fiscal_years_label(fiscal_year(self.cycle_start), fiscal_year(self.cycle_end))


class Training(db.Model):
    """One cascade training of a plan: a curriculum, its dates, venue and day settings."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    #: one of curricula.CURRICULUM_KEYS, or "local" (curricula.LOCAL_KEY): a training on local needs
    curriculum_key: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: a local training's own title (「ひきこもり支援の実践」) and aim; empty for the four
    local_title: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    aim: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    first_date: so.Mapped[date | None]
    #: 1 for the usual one-day training; 2 or 3 when split over several days
    day_count: so.Mapped[int] = so.mapped_column(default=1)
    #: the dates of days 2..n as ISO dates joined by commas ("2027-02-19,2027-02-24"), when
    #: they are not simply the days after first_date; empty: consecutive days
    later_dates: so.Mapped[str] = so.mapped_column(sa.String(60), default="", server_default="")
    venue: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: what the agenda prints under the venue: its address and how to get there
    venue_address: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    venue_access: so.Mapped[str] = so.mapped_column(sa.String(300), default="", server_default="")
    #: reception opens (受付); None prints nothing on the agenda
    reception_time: so.Mapped[time | None]
    #: 持ち物 for the participants
    belongings: so.Mapped[str] = so.mapped_column(sa.String(300), default="", server_default="")
    #: for the lecturers: when their materials are due and what the room has
    materials_deadline: so.Mapped[date | None]
    equipment: so.Mapped[str] = so.mapped_column(sa.String(300), default="", server_default="")
    capacity: so.Mapped[int | None]
    #: participants per municipality, by the size of the venue (source: 1 to several)
    per_municipality: so.Mapped[int] = so.mapped_column(default=1)
    #: applications close at the end of this day (municipality links stop accepting entries)
    application_deadline: so.Mapped[date | None]
    #: who may attend besides the training's 支援員 (source: 「関係機関や自治体担当者の参加も可能」)
    open_to_officials: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    open_to_agencies: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    #: people per group in the group work
    group_size: so.Mapped[int] = so.mapped_column(default=6, server_default="6")
    #: the 開催通知's 文書番号 and date
    notice_number: so.Mapped[str] = so.mapped_column(sa.String(50), default="", server_default="")
    notice_date: so.Mapped[date | None]
    #: raised by every write that could pass the capacity, so those writes run one at a time
    participants_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    start_time: so.Mapped[time] = so.mapped_column(default=time(9, 0))
    end_time: so.Mapped[time] = so.mapped_column(default=time(17, 45))
    lunch_minutes: so.Mapped[int] = so.mapped_column(default=45)
    lunch_earliest: so.Mapped[time] = so.mapped_column(default=time(11, 30))
    lunch_latest: so.Mapped[time] = so.mapped_column(default=time(13, 30))
    break_minutes: so.Mapped[int] = so.mapped_column(default=10)
    #: the longest run of sessions without a break; a longer subject gets a break inside
    longest_block: so.Mapped[int] = so.mapped_column(default=90, server_default="90")
    opening_title: so.Mapped[str] = so.mapped_column(sa.String(100), default="開会・オリエンテーション")
    opening_minutes: so.Mapped[int] = so.mapped_column(default=10)
    closing_title: so.Mapped[str] = so.mapped_column(sa.String(100), default="アンケート記入・閉会")
    closing_minutes: so.Mapped[int] = so.mapped_column(default=10)
    #: for the job-support draft: when and by whom the prefecture adopted it as its programme
    adopted_at: so.Mapped[datetime | None]
    adopted_by: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    #: counts its changes (calendar SEQUENCE comes from the per-event digests of calendar_state)
    revision: so.Mapped[int] = so.mapped_column(default=1)

    plan: so.Mapped[Plan] = so.relationship(back_populates="trainings")
    subjects: so.Mapped[list[TrainingSubject]] = so.relationship(
        back_populates="training", cascade="all, delete-orphan", order_by="TrainingSubject.position")
    slots: so.Mapped[list["RoleSlot"]] = so.relationship(  # noqa: F821
        back_populates="training", cascade="all, delete-orphan", order_by="RoleSlot.id")

    @property
    def is_local(self) -> bool:
        """A training on local needs (地域の実情に応じた研修), not one of the four curricula."""
        return self.curriculum_key == "local"

    @property
    def chosen_later_dates(self) -> list[date]:
        """Days 2..n as chosen (empty when they follow first_date day by day)."""
        try:
            later = [date.fromisoformat(x) for x in (self.later_dates or "").split(",") if x.strip()]
        except ValueError:
            return []
        return later if len(later) == self.day_count - 1 else []

    @property
    def days(self) -> list[date]:
        """The training's dates in order (chosen days, or consecutive ones); empty while undecided."""
        if self.first_date is None:
            return []
        later = self.chosen_later_dates
        if later:
            return [self.first_date, *later]
        return [self.first_date + timedelta(days=i) for i in range(self.day_count)]

    @property
    def last_day(self) -> date | None:
        """The training's last date; None while undecided."""
        days = self.days
        return days[-1] if days else None


class TrainingSubject(db.Model):
    """A subject on a training's timetable: from the curriculum (by letter) or a local one."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    #: the curriculum subject's letter; empty for a local subject
    letter: so.Mapped[str] = so.mapped_column(sa.String(4), default="")
    #: a local subject's own name and minutes, and its outside lecturer
    local_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    local_minutes: so.Mapped[int | None]
    lecturer_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    lecturer_org: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: a local subject of a local training taught by a team member (a lecturer role) instead
    team_lecturer: so.Mapped[bool] = so.mapped_column(default=False, server_default="0")
    #: a local subject of a local training that works on real cases (a case reporter role)
    uses_cases: so.Mapped[bool] = so.mapped_column(default=False, server_default="0")
    #: minutes the official fixed; None lets the scheduler choose inside the range
    minutes_override: so.Mapped[int | None]
    #: from old backups: moved to a separate day; now read as a supplementary event that "moves"
    separate_day: so.Mapped[bool] = so.mapped_column(default=False)
    #: the source's options the team switched on, their keys comma-joined in the source's order
    #: (see ProgrammeEntry); they change the timetable
    option_keys: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    #: the job-support draft as the prefecture settles it (empty / None: the draft's own value)
    draft_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    draft_minutes_min: so.Mapped[int | None]
    draft_minutes_max: so.Mapped[int | None]
    #: one national lecture a line
    draft_lectures: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    #: the minutes of each session in order, comma-separated
    draft_session_minutes: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")

    training: so.Mapped[Training] = so.relationship(back_populates="subjects")
    #: the team's programme for this subject, newest version first
    programme: so.Mapped[list["ProgrammeEntry"]] = so.relationship(  # noqa: F821
        back_populates="subject", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ProgrammeEntry.id.desc()")
    #: symposiums, lectures and case-study meetings that supplement this subject
    supplements: so.Mapped[list[SupplementaryEvent]] = so.relationship(
        back_populates="subject", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SupplementaryEvent.day")

    @property
    def is_local(self) -> bool:
        return not self.letter

    @property
    def chosen_keys(self) -> tuple[str, ...]:
        """The keys of the source's options switched on for this subject."""
        return split_option_keys(self.option_keys)

    @property
    def draft_edited(self) -> bool:
        return bool(self.draft_name or self.draft_minutes_min or self.draft_lectures
                    or self.draft_session_minutes)

    @property
    def moved_out(self) -> bool:
        """Not held on the training day: a supplementary event takes it over."""
        return self.separate_day or any(e.effect == "moves" for e in self.supplements)

    @property
    def shortened_to(self) -> int | None:
        """The minutes left on the day when a supplementary event covers part of the subject."""
        minutes = [e.shortened_minutes for e in self.supplements
                   if e.effect == "shortened" and e.shortened_minutes]
        return min(minutes) if minutes else None


#: the kinds of supplementary event the source names (「シンポジウムや講演会、事例検討会」)
SUPPLEMENT_KINDS = {"symposium": "シンポジウム", "lecture": "講演会", "case_meeting": "事例検討会",
                    "report_meeting": "報告会", "training": "別の研修"}
#: what happens to the supplemented subject on the training day
SUPPLEMENT_EFFECTS = {"stays": "研修当日もそのまま行う", "shortened": "研修当日は短くして行う",
                      "moves": "研修当日は行わず、この催しで扱う"}


class SupplementaryEvent(db.Model):
    """A symposium, lecture or case-study meeting of the plan that supplements one subject
    (source: 「不足する視点は補う」); it has its own date, place, lecturer and handout."""

    #: one event per subject and start: the same form sent twice at once adds it once
    __table_args__ = (sa.UniqueConstraint("subject_id", "day", "start_time", name="uq_supplementary_event_start"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    subject_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_subject.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    day: so.Mapped[date]
    start_time: so.Mapped[time]
    end_time: so.Mapped[time]
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    lecturer_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    lecturer_org: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: a symposium's コーディネーター, who leads the discussion (its lecturer, if any, gives the keynote)
    coordinator_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    coordinator_org: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    #: stays, shortened or moves (SUPPLEMENT_EFFECTS)
    effect: so.Mapped[str] = so.mapped_column(sa.String(20), default="stays")
    #: the subject's minutes on the training day when shortened
    shortened_minutes: so.Mapped[int | None]
    #: counts its changes (calendar SEQUENCE comes from the per-event digests of calendar_state)
    revision: so.Mapped[int] = so.mapped_column(default=1)

    subject: so.Mapped[TrainingSubject] = so.relationship(back_populates="supplements")
    #: a symposium's シンポジスト, in the order they report
    symposists: so.Mapped[list[Symposist]] = so.relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Symposist.position")

    @property
    def training(self) -> Training:
        return self.subject.training

    @property
    def kind_name(self) -> str:
        return SUPPLEMENT_KINDS.get(self.kind, self.kind)

    @property
    def full_title(self) -> str:
        """「シンポジウム「地域で支える」」, the kind said once: a title that already starts
        with its kind (「シンポジウム「地域で支える」」) is not wrapped again."""
        title = self.title.strip()
        if title.startswith(self.kind_name):
            return title
        return f"{self.kind_name}「{title}」"

    @property
    def effect_name(self) -> str:
        if self.effect == "shortened" and self.shortened_minutes:
            return f"研修当日は{self.shortened_minutes}分に短くして行う"
        return SUPPLEMENT_EFFECTS.get(self.effect, self.effect)


class Symposist(db.Model):
    """One シンポジスト of a symposium: who reports, from where, on what."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("supplementary_event.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int]
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: 所属・役職
    affiliation: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: the theme of their report
    topic: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    event: so.Mapped[SupplementaryEvent] = so.relationship(back_populates="symposists")


class ProgrammeVersion(db.Model):
    """A published version of a training's programme (第1版, 第2版 …): what was published,
    as a snapshot (JSON: dates, timetable items, roles and holders), so the next version can
    say what changed. The programme is a draft while it differs from the latest version."""

    __table_args__ = (sa.UniqueConstraint("training_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    published_on: so.Mapped[date]
    published_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    published_by: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    snapshot: so.Mapped[str] = so.mapped_column(sa.Text)
    #: the changelog against the version before, one line each
    changes: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    training: so.Mapped[Training] = so.relationship(backref=so.backref(
        "versions", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ProgrammeVersion.number"))

    @property
    def label(self) -> str:
        """第2版（令和8年1月20日現在）"""
        return f"第{self.number}版（{as_of_ja(self.published_on)}）"
