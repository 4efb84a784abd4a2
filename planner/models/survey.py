"""The participants' survey of a training, the groups' findings, the municipalities' follow-up
and the retrospective's changes for next time.

Anonymity is a property of the tables: a SurveyResponse and its SurveyAnswers carry neither a
participant, a municipality nor a link id, no time of day (only the date), and their keys are
random, so neither a column nor the key order tells who wrote what or in which order. A
SurveyLink records only *that* it was used (a flag, no time).
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import utcnow
from planner.models.db import db
from planner.models.plan import Training, TrainingSubject
from planner.models.timeline import Milestone

#: what a question asks for
QUESTION_KINDS = {"scale": "5段階", "single": "1つ選ぶ", "multiple": "複数選ぶ", "text": "自由記述"}
#: what a link opens: a participant's one-time survey, the shared survey of the 研修次第,
#: a group's findings page, a municipality's follow-up
LINK_PURPOSES = {"participant": "個人用アンケート", "shared": "共用アンケート", "group": "班の成果",
                 "followup": "フォローアップ調査"}
#: where a free text stands with the team: no finding (clear), held for the official, released
#: by the official after reading it, or kept from the team
REVIEW_STATES = {"clear": "確認不要", "held": "確認待ち", "released": "公開", "hidden": "非公開"}
#: what a group records (the source: 地域課題, 方策, キーパーソン as roles)
FINDING_CATEGORIES = {"issue": "地域の課題", "measure": "方策", "key_role": "キーパーソンになりそうな役割"}


class SurveyQuestion(db.Model):
    """One question of a training's survey; made from the programme, then edited by the official."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    #: scale, single, multiple or text (QUESTION_KINDS)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    text: so.Mapped[str] = so.mapped_column(sa.String(300))
    #: the choices of single and multiple questions, one a line
    choices: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    required: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    #: what a generated question stands for (understanding, usefulness, comment, satisfaction,
    #: themes, free, participant_kind); "" for the official's own questions
    aspect: so.Mapped[str] = so.mapped_column(sa.String(20), default="", server_default="")
    #: the subject a per-subject question is about
    subject_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("training_subject.id", ondelete="CASCADE"), index=True)

    training: so.Mapped[Training] = so.relationship(backref=so.backref(
        "survey_questions", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SurveyQuestion.position"))
    subject: so.Mapped[TrainingSubject | None] = so.relationship()

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class SurveyLink(db.Model):
    """A link without an account: a participant's one-time survey link, the training's shared
    survey link, a group's findings link or a municipality's follow-up link. Only the SHA-256 of
    the token is stored; the token itself is an HMAC of the row's salt with the app's secret,
    so the server can print it again (name cards) while a copy of the database cannot."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    purpose: so.Mapped[str] = so.mapped_column(sa.String(20))
    participant_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    municipality_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    group_no: so.Mapped[int | None]
    salt: so.Mapped[str] = so.mapped_column(sa.String(64))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: a participant's link was used to answer; nothing says when, or which answer
    used: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    #: the link works up to and including this day (Japan)
    expires_on: so.Mapped[date | None]
    #: a reminder went out (participant links)
    reminded: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    training: so.Mapped[Training] = so.relationship()


class SurveyResponse(db.Model):
    """One filled-in survey, with nothing about who filled it in or when in the day."""

    #: SQLite: no hidden rowid counting the inserts; rows are kept in key (random) order
    __table_args__ = {"sqlite_with_rowid": False}

    #: random (secrets.token_hex), so the key order says nothing about the order of answers
    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    answered_on: so.Mapped[date]

    answers: so.Mapped[list[SurveyAnswer]] = so.relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True)


class SurveyAnswer(db.Model):
    """One question's answer within a response."""

    __table_args__ = {"sqlite_with_rowid": False}

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    response_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("survey_response.id", ondelete="CASCADE"), index=True)
    question_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    #: 1..5 for a scale question
    number: so.Mapped[int | None]
    #: chosen choices (one a line) or the free text
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    #: free text only: REVIEW_STATES, and what the anonymity check found
    review: so.Mapped[str] = so.mapped_column(sa.String(10), default="clear", server_default="clear")
    findings: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")

    response: so.Mapped[SurveyResponse] = so.relationship(back_populates="answers")
    question: so.Mapped[SurveyQuestion] = so.relationship()


class GroupFinding(db.Model):
    """One thing a group (班) of the group work found: a local issue, a measure or a key role."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    group_no: so.Mapped[int]
    category: so.Mapped[str] = so.mapped_column(sa.String(20))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    review: so.Mapped[str] = so.mapped_column(sa.String(10), default="clear", server_default="clear")
    findings: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class FollowUp(db.Model):
    """A municipality's answer, months after the training, on passing it on locally."""

    __table_args__ = (sa.UniqueConstraint("training_id", "municipality_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    municipality_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    #: held or joined a local training or case meeting on the training's subjects
    held: so.Mapped[bool]
    #: what it was (研修, 事例検討会, ...) and how many took part
    activity: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    people: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    answered_on: so.Mapped[date]


class ChangeItem(db.Model):
    """A retrospective's 「次に変えること」, optionally about one subject (by curriculum letter)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    milestone_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("milestone.id", ondelete="CASCADE"), index=True)
    #: the curriculum subject's letter; "" for the training as a whole
    letter: so.Mapped[str] = so.mapped_column(sa.String(4), default="", server_default="")
    text: so.Mapped[str] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    milestone: so.Mapped[Milestone] = so.relationship(backref=so.backref(
        "change_items", cascade="all, delete-orphan", passive_deletes=True, order_by="ChangeItem.id"))
