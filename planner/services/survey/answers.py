"""Storing a survey answer with no tie to the person who gave it.

One transaction writes the response, its answers and the link's `used` flag (a conditional
UPDATE: a second submission through the same link stores nothing). The response and answers
get random keys and only the date; free texts go through the anonymity check
(planner.domain.anonymity) and are held from the team when they name a person, a place or an
organisation, until the official settles them.
"""
from __future__ import annotations

import secrets
from datetime import date

from planner.domain.anonymity import KIND_NAMES, find_identifiers
from planner.domain.survey import ParsedAnswer, parse_answers
from planner.models.db import db
from planner.models.survey import SurveyAnswer, SurveyLink, SurveyResponse
from planner.services.survey import questions as question_service
from planner.services.survey.links import LinkRefused, mark_used


class AnswerInvalid(Exception):
    """The form has mistakes: a Japanese message per question id."""

    def __init__(self, errors: dict[int, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def review_of(text: str) -> tuple[str, str]:
    """("held", what was found) when the text could name someone, else ("clear", "")."""
    findings = find_identifiers([("コメント", text)])
    if not findings:
        return "clear", ""
    return "held", "、".join(dict.fromkeys(f"{KIND_NAMES.get(f.kind, f.kind)}「{f.text}」" for f in findings))


def _answer_row(parsed: ParsedAnswer, kind: str) -> SurveyAnswer:
    row = SurveyAnswer(id=secrets.token_hex(16), question_id=parsed.question_id, number=parsed.number,
                       text=parsed.text, review="clear", findings="")
    if kind == "text":
        row.review, row.findings = review_of(parsed.text)
    return row


def submit(link: SurveyLink, form: dict[str, list[str]], today: date) -> SurveyResponse:
    """Store an answer given through `link`; AnswerInvalid for mistakes (nothing stored),
    LinkRefused when the one-time link was used meanwhile. Commits."""
    questions = question_service.ensure_questions(link.training)
    answers, errors = parse_answers(question_service.views(questions), form)
    if errors:
        raise AnswerInvalid(errors)
    kinds = {q.id: q.kind for q in questions}
    if link.purpose == "participant" and not mark_used(link):
        db.session.rollback()
        raise LinkRefused(410, "このアンケートは、このURLからすでに回答済みです。ご協力ありがとうございました。")
    response = SurveyResponse(id=secrets.token_hex(16), training_id=link.training_id, answered_on=today,
                              answers=[_answer_row(a, kinds[a.question_id]) for a in answers])
    db.session.add(response)
    db.session.commit()
    return response
