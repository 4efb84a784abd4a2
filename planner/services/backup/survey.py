"""The survey in the plan's JSON backup (planner.services.backup.plan), from version 3: each
training's survey questions and its groups' findings (by group number), and each
retrospective's 「次に変えること」 items (by curriculum letter).

Never in the file: the links without an account (participants', shared, groups', follow-up)
and their tokens, because a link is a secret that opens a form to whoever holds it; and the
answers, which are kept with no tie to a person and are not moved with the plan (nor the
municipalities' follow-up answers). A copy starts with no links and no answers; the app
issues links again on the copy. A finding's review state (held from the team, released,
kept hidden) travels with it, so a text held for naming someone stays held.
"""
from __future__ import annotations

import sqlalchemy as sa

from curricula import Curriculum
from planner.domain import fields as rules
from planner.domain.survey import SubjectRef, questions_from_programme
from planner.models import Milestone, Training
from planner.models.db import db
from planner.models.survey import (
    FINDING_CATEGORIES,
    QUESTION_KINDS,
    REVIEW_STATES,
    ChangeItem,
    GroupFinding,
    SurveyQuestion,
)
from planner.services.backup.participants import MAX_GROUP
from planner.services.backup.reader import _Fields, _show
from planner.services.survey import changes as change_service
from planner.services.survey import findings as finding_service

MAX_QUESTIONS = 500  # per training: three per subject and a few for the whole day
MAX_CHOICES = 50
MAX_FINDINGS = 2000  # per training
MAX_CHANGES = 200  # per retrospective
#: what a generated question stands for, as the programme gives them; "" for the official's own
ASPECTS = {"", *(spec.aspect for spec in questions_from_programme([SubjectRef(0, "", "")]))}
#: the survey's own names of fields (reader.LABELS has the others)
QUESTION_LABELS = {"questions": "質問の一覧", "findings": "班の成果の一覧",
                   "kind": "質問の種類", "text": "質問文", "choices": "選択肢", "required": "必須",
                   "aspect": "質問の観点", "subject": "科目"}
FINDING_LABELS = {"group_no": "班の番号", "category": "種類", "text": "内容", "review": "確認の状態",
                  "findings": "匿名化の確認で見つかった語"}


# --------------------------------------------------------------------------- writing

def survey_section(training: Training) -> dict:
    """The training's questions (a subject by its position) and its groups' findings."""
    positions = {row.id: row.position for row in training.subjects}
    questions = sorted(training.survey_questions, key=lambda q: (q.position, q.id))
    findings = db.session.scalars(sa.select(GroupFinding).filter_by(training_id=training.id)
                                  .order_by(GroupFinding.id))
    return {"questions": [{"position": q.position, "kind": q.kind, "text": q.text, "choices": q.choice_list,
                           "required": q.required, "aspect": q.aspect,
                           "subject": positions[q.subject_id] if q.subject_id is not None else None}
                          for q in questions],
            "findings": [{"group_no": f.group_no, "category": f.category, "text": f.text,
                          "review": f.review, "findings": f.findings} for f in findings]}


def change_sections(milestone: Milestone) -> list[dict]:
    """A retrospective's 「次に変えること」 items, oldest first; empty for other milestones."""
    return [{"letter": item.letter, "text": item.text} for item in milestone.change_items]


# --------------------------------------------------------------------------- reading

def read_survey(training_fields: _Fields, training: Training) -> list[GroupFinding]:
    """The training's `survey`: its questions go onto the training; its findings are
    returned, to be written once the training has an id."""
    fields = _Fields(training_fields.require("survey"), f"{training_fields.where}のアンケート", QUESTION_LABELS)
    fields.only({"questions", "findings"})
    subjects = {row.position: row for row in training.subjects}
    training.survey_questions = [
        _read_question(_Fields(item, f"{fields.where}の質問{k}", QUESTION_LABELS), subjects)
        for k, item in enumerate(fields.items("questions", MAX_QUESTIONS), start=1)]
    return [_read_finding(_Fields(item, f"{fields.where}の班の成果{k}", FINDING_LABELS))
            for k, item in enumerate(fields.items("findings", MAX_FINDINGS), start=1)]


def _read_question(fields: _Fields, subjects: dict) -> SurveyQuestion:
    """One question, checked as the survey's own form checks it (planner.services.survey.questions)."""
    fields.only({"position", "kind", "text", "choices", "required", "aspect", "subject"})
    kind = fields.text("kind", 10, required=True)
    if kind not in QUESTION_KINDS:
        raise fields.fail("kind", f"「{_show(kind)}」はありません。{', '.join(QUESTION_KINDS)} のいずれかです。")
    choices = []
    for value in fields.items("choices", MAX_CHOICES):
        choice = rules.clean_text(value) if isinstance(value, str) else ""
        if not choice or len(choice) > 200:
            raise fields.fail("choices", f"の「{_show(value)}」は200文字以内の文字列ではありません。")
        choices.append(choice)
    if kind in ("single", "multiple") and len(choices) < 2:
        raise fields.fail("choices", "は2つ以上書きます（1つ選ぶ・複数選ぶ質問）。")
    if len(set(choices)) != len(choices):
        raise fields.fail("choices", "に同じ選択肢が2回あります。")
    aspect = fields.text("aspect", 20)
    if aspect not in ASPECTS:
        raise fields.fail("aspect", f"「{_show(aspect)}」はありません。{', '.join(sorted(ASPECTS - {''}))} "
                                    "のいずれか、または空です。")
    position = fields.integer("subject", 0, 999, optional=True)
    if position is not None and position not in subjects:
        raise fields.fail("subject", f" {position} の科目はこの研修にありません"
                                     f"（科目の順番は {', '.join(map(str, sorted(subjects)))}）。")
    return SurveyQuestion(position=fields.integer("position", 0, 9999), kind=kind,
                          text=fields.text("text", 300, required=True), choices="\n".join(choices),
                          required=fields.boolean("required"), aspect=aspect,
                          subject=subjects[position] if position is not None else None)


def _read_finding(fields: _Fields) -> GroupFinding:
    """One thing a group found, with where it stands with the team; its training is set later."""
    fields.only({"group_no", "category", "text", "review", "findings"})
    category = fields.text("category", 20, required=True)
    if category not in FINDING_CATEGORIES:
        raise fields.fail("category", f"「{_show(category)}」はありません。{', '.join(FINDING_CATEGORIES)} のいずれかです。")
    review = fields.text("review", 10, required=True)
    if review not in REVIEW_STATES:
        raise fields.fail("review", f"「{_show(review)}」はありません。{', '.join(REVIEW_STATES)} のいずれかです。")
    found = fields.text("findings", 2000)
    if (review == "clear") != (found == ""):
        raise fields.fail("findings", "は、確認の状態（review）が clear のときだけ空です。")
    return GroupFinding(group_no=fields.integer("group_no", 1, MAX_GROUP), category=category,
                        text=fields.text("text", finding_service.TEXT_LIMIT, required=True, lines=True),
                        review=review, findings=found)


def read_changes(milestone_fields: _Fields, row: Milestone, curricula: dict[str, Curriculum]) -> list[ChangeItem]:
    """A retrospective's items; a letter must be a subject of its training's curriculum."""
    raw = milestone_fields.items("changes", MAX_CHANGES)
    if raw and row.kind != "retrospective":
        raise milestone_fields.fail("changes", "は振り返り・反省会にだけ書きます。")
    curriculum = (curricula.get(row.training.curriculum_key) if row.training is not None else None)
    letters = {s.letter for s in curriculum.subjects} if curriculum else set()
    items = []
    for k, item in enumerate(raw, start=1):
        fields = _Fields(item, f"{milestone_fields.where}の次に変えること{k}")
        fields.only({"letter", "text"})
        letter = fields.text("letter", 4)
        if letter and letter not in letters:
            raise fields.fail("letter", f"「{_show(letter)}」はこの振り返りの研修の科目にありません。")
        items.append(ChangeItem(letter=letter, text=fields.text("text", change_service.TEXT_LIMIT, required=True)))
    return items
