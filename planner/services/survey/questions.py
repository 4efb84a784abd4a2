"""A training's survey questions: made from its programme, edited by the official, copied
with the plan to the next cycle."""
from __future__ import annotations

import sqlalchemy as sa

from planner.domain.survey import QuestionSpec, QuestionView, SubjectRef, questions_from_programme
from planner.models import Plan, Training, TrainingSubject
from planner.models.db import db
from planner.models.survey import QUESTION_KINDS, SurveyAnswer, SurveyQuestion
from planner.services.errors import ChangeRefused, rolled_back_on
from planner.services.plans.timetables import subject_title


def lecturer_name(training: Training, row: TrainingSubject) -> str:
    """The subject's lecturer as the survey names them: the slot holder or the outside lecturer."""
    if row.is_local:
        return row.lecturer_name
    slot = next((s for s in training.slots if s.kind == "lecturer" and s.subject_id == row.id), None)
    return slot.holder.name if slot is not None and slot.holder is not None else ""


def subject_label(training: Training, row: TrainingSubject) -> str:
    return (f"科目{row.letter} " if row.letter else "") + subject_title(training, row)


def subject_refs(training: Training) -> list[SubjectRef]:
    return [SubjectRef(row.id, subject_label(training, row), lecturer_name(training, row))
            for row in training.subjects if not row.moved_out]


def ensure_questions(training: Training) -> list[SurveyQuestion]:
    """The training's questions; the first time, made from its programme. Commits when made."""
    if not training.survey_questions:
        for position, spec in enumerate(questions_from_programme(subject_refs(training))):
            training.survey_questions.append(_from_spec(spec, position))
        db.session.commit()
    return list(training.survey_questions)


def _from_spec(spec: QuestionSpec, position: int) -> SurveyQuestion:
    return SurveyQuestion(kind=spec.kind, text=spec.text, aspect=spec.aspect, required=spec.required,
                          choices="\n".join(spec.choices), subject_id=spec.subject_id, position=position)


def views(questions: list[SurveyQuestion]) -> list[QuestionView]:
    return [QuestionView(q.id, q.kind, q.text, q.required, tuple(q.choice_list)) for q in questions]


def _check(kind: str, text: str, choices: str) -> None:
    problems = []
    if kind not in QUESTION_KINDS:
        problems.append("質問の種類を選んでください。")
    if not text.strip():
        problems.append("質問文を入力してください。")
    lines = [c.strip() for c in choices.splitlines() if c.strip()]
    if kind in ("single", "multiple") and len(lines) < 2:
        problems.append("選択肢を2つ以上、1行に1つずつ入力してください。")
    if len(set(lines)) != len(lines):
        problems.append("同じ選択肢が2回あります。")
    if problems:
        raise ChangeRefused(problems)


def has_answers(question: SurveyQuestion) -> bool:
    return db.session.scalar(sa.select(sa.func.count(SurveyAnswer.id)).filter_by(question_id=question.id)) > 0


def save_question(training: Training, question: SurveyQuestion | None, kind: str, text: str, choices: str,
                  required: bool) -> SurveyQuestion:
    """Add (question None) or change a question. Once answered, its kind and choices stay, so
    the answers keep their meaning. ChangeRefused (rolled back) for bad input. Commits."""
    with rolled_back_on(ChangeRefused):
        return _save_question(training, question, kind, text, choices, required)


def _save_question(training: Training, question: SurveyQuestion | None, kind: str, text: str, choices: str,
                   required: bool) -> SurveyQuestion:
    choices = "\n".join(c.strip() for c in choices.splitlines() if c.strip())
    _check(kind, text, choices)
    if question is None:
        question = SurveyQuestion(position=len(training.survey_questions), kind=kind, choices=choices)
        training.survey_questions.append(question)
    elif (kind != question.kind or choices != question.choices) and has_answers(question):
        raise ChangeRefused(["回答のある質問は、種類と選択肢を変えられません（質問文と必須かどうかは変えられます）。"])
    question.kind, question.choices = kind, choices
    question.text, question.required = text.strip(), required
    db.session.commit()
    return question


def delete_question(question: SurveyQuestion) -> None:
    """Remove a question without answers. Commits."""
    if has_answers(question):
        raise ChangeRefused(["回答のある質問は削除できません。"])
    db.session.delete(question)
    db.session.commit()


def copy_questions(old_plan: Plan, new_plan: Plan) -> None:
    """Copy each training's questions to the same training of the next cycle (by position),
    per-subject questions to the copied subject (by position). The caller commits."""
    db.session.flush()
    for old, new in zip(old_plan.trainings, new_plan.trainings):
        subjects = {a.id: b.id for a, b in zip(old.subjects, new.subjects)}
        for q in old.survey_questions:
            if q.subject_id is not None and q.subject_id not in subjects:
                continue
            db.session.add(SurveyQuestion(training_id=new.id, position=q.position, kind=q.kind, text=q.text,
                                          choices=q.choices, required=q.required, aspect=q.aspect,
                                          subject_id=subjects.get(q.subject_id)))


def find_question(training: Training, question_id: int) -> SurveyQuestion | None:
    """The training's survey question with this id, or None."""
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.training_id != training.id:
        return None
    return question
