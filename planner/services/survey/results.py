"""The survey's results as everyone reads them: the page, the report, the .xlsx and the CLI.

Free texts are listed in the order of their random keys (never the order they came in). The
team sees a held text only after the official released it; the official sees all with what
the anonymity check found.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from planner.domain.survey import Summary, rate, summarise
from planner.models import Training
from planner.models.db import db
from planner.models.survey import (
    FINDING_CATEGORIES,
    GroupFinding,
    SurveyAnswer,
    SurveyLink,
    SurveyQuestion,
    SurveyResponse,
)
from planner.services.errors import ChangeRefused
from planner.services.survey import questions as question_service
from planner.services.survey.links import MunicipalityRate, response_rates

VISIBLE = ("clear", "released")


@dataclass
class Comment:
    id: str
    question_id: int
    text: str
    review: str
    findings: str


@dataclass
class Results:
    """Everything the results show for one training."""

    training: Training
    responses: int
    expected: int
    answered_links: int
    rate: Decimal | None
    municipalities: list[MunicipalityRate]
    summaries: list[Summary]
    comments: dict[int, list[Comment]]
    held: int
    findings: dict[str, list[GroupFinding]]

    def summary_of(self, question_id: int) -> Summary:
        return next(s for s in self.summaries if s.question.id == question_id)


def answer_rows(training: Training) -> list[tuple[int, int | None, str]]:
    """(question id, number, text) of every answer of the training, in one query."""
    return list(db.session.execute(
        sa.select(SurveyAnswer.question_id, SurveyAnswer.number, SurveyAnswer.text)
        .join(SurveyResponse).where(SurveyResponse.training_id == training.id)))


def _comments(training: Training, official: bool) -> tuple[dict[int, list[Comment]], int]:
    rows = db.session.execute(
        sa.select(SurveyAnswer.id, SurveyAnswer.question_id, SurveyAnswer.text, SurveyAnswer.review,
                  SurveyAnswer.findings)
        .join(SurveyResponse).join(SurveyQuestion, SurveyAnswer.question_id == SurveyQuestion.id)
        .where(SurveyResponse.training_id == training.id, SurveyQuestion.kind == "text", SurveyAnswer.text != "")
        .order_by(SurveyAnswer.id))
    comments: dict[int, list[Comment]] = {}
    held = 0
    for answer_id, question_id, text, review, found in rows:
        held += review == "held"
        if official or review in VISIBLE:
            comments.setdefault(question_id, []).append(Comment(answer_id, question_id, text, review, found))
    return comments, held


def group_findings(training: Training, official: bool) -> dict[str, list[GroupFinding]]:
    """The groups' findings by category, by group; held ones for the official only."""
    rows = db.session.scalars(sa.select(GroupFinding).filter_by(training_id=training.id)
                              .order_by(GroupFinding.group_no, GroupFinding.id))
    found: dict[str, list[GroupFinding]] = {key: [] for key in FINDING_CATEGORIES}
    for row in rows:
        if official or row.review in VISIBLE:
            found.setdefault(row.category, []).append(row)
    return found


def results(training: Training, official: bool = False) -> Results:
    """The training's results; `official` includes held texts (marked) for settling."""
    questions = question_service.ensure_questions(training)
    summaries = summarise(question_service.views(questions), answer_rows(training))
    responses = db.session.scalar(sa.select(sa.func.count(SurveyResponse.id)).filter_by(training_id=training.id))
    municipalities = response_rates(training)
    expected = sum(m.expected for m in municipalities)
    answered = sum(m.answered for m in municipalities)
    comments, held = _comments(training, official)
    return Results(training, responses, expected, answered, rate(answered, expected), municipalities,
                   summaries, comments, held, group_findings(training, official))


def settle_comment(training: Training, answer_id: str, release: bool) -> None:
    """The official read a held text: release it to the team or keep it from them. Commits."""
    row = db.session.scalar(sa.select(SurveyAnswer).join(SurveyResponse)
                            .where(SurveyAnswer.id == answer_id, SurveyResponse.training_id == training.id))
    if row is None or row.review not in ("held", "released", "hidden"):
        raise ChangeRefused(["この記述は確認の対象ではありません。"])
    row.review = "released" if release else "hidden"
    db.session.commit()


def settle_finding(training: Training, finding_id: int, release: bool) -> None:
    """The same for a group's finding. Commits."""
    row = db.session.scalar(sa.select(GroupFinding).filter_by(id=finding_id, training_id=training.id))
    if row is None or row.review == "clear":
        raise ChangeRefused(["この記述は確認の対象ではありません。"])
    row.review = "released" if release else "hidden"
    db.session.commit()


def used_link_count(training: Training) -> int:
    return db.session.scalar(sa.select(sa.func.count(SurveyLink.id)).filter_by(
        training_id=training.id, purpose="participant", used=True))


def response_table(training: Training) -> list[dict[int, tuple[int | None, str, str]]]:
    """Each response as {question id: (number, text, review)}, in the order of the random keys
    (never the order they came in), for the anonymous .xlsx."""
    rows = db.session.execute(
        sa.select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.number, SurveyAnswer.text,
                  SurveyAnswer.review)
        .join(SurveyResponse).where(SurveyResponse.training_id == training.id)
        .order_by(SurveyAnswer.response_id))
    table: dict[str, dict[int, tuple[int | None, str, str]]] = {}
    for response_id, question_id, number, text, review in rows:
        table.setdefault(response_id, {})[question_id] = (number, text, review)
    empty = db.session.scalars(sa.select(SurveyResponse.id).filter_by(training_id=training.id)
                               .order_by(SurveyResponse.id))
    return [table.get(rid, {}) for rid in empty]
