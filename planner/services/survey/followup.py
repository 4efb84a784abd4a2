"""The follow-up three to six months after a training: did the municipality hold or join a
local training or case meeting on its subjects, and how many took part. The plan shows the
reach per municipality and year beside the coverage of who attended."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from planner.models import Municipality, Participant, Plan, Training
from planner.models.db import db
from planner.models.survey import FollowUp, SurveyLink
from planner.services.errors import ChangeRefused
from planner.services.survey.links import FOLLOWUP_FROM, LinkRefused, followup_link

PEOPLE_LIMIT = 10000


def due(training: Training, today: date) -> bool:
    """The follow-up may be sent: three months after the training's last day."""
    return training.last_day is not None and today >= training.last_day + FOLLOWUP_FROM


def answer_of(link: SurveyLink) -> FollowUp | None:
    return db.session.scalar(sa.select(FollowUp).filter_by(training_id=link.training_id,
                                                           municipality_id=link.municipality_id))


def save_answer(link: SurveyLink, held: str, activity: str, people: str, today: date) -> FollowUp:
    """Store (or replace) the municipality's answer; ChangeRefused for bad input (rolled back). Commits."""
    if not due(link.training, today):
        db.session.rollback()
        raise LinkRefused(403, "フォローアップ調査は研修の3か月後から回答できます。")
    problems = []
    if held not in ("yes", "no"):
        problems.append("実施・参加したかどうかを選んでください。")
    count = 0
    if held == "yes":
        if not people.strip().isdigit() or not 0 < int(people) <= PEOPLE_LIMIT:
            problems.append(f"参加した人数を1〜{PEOPLE_LIMIT}の数字で入力してください。")
        else:
            count = int(people)
        if not activity.strip():
            problems.append("実施・参加した研修や事例検討会を入力してください。")
    if len(activity) > 200:
        problems.append("内容は200字以内で書いてください。")
    if problems:
        db.session.rollback()
        raise ChangeRefused(problems)
    row = answer_of(link) or FollowUp(training_id=link.training_id, municipality_id=link.municipality_id)
    row.held, row.activity, row.people, row.answered_on = held == "yes", activity.strip() if held == "yes" else "", count, today
    db.session.add(row)
    db.session.commit()
    return row


def issue_followups(training: Training, secret_key: str) -> list[tuple[Municipality, SurveyLink]]:
    """A follow-up link for every municipality that sent a participant. Commits."""
    municipalities = db.session.scalars(
        sa.select(Municipality).join(Participant, Participant.municipality_id == Municipality.id)
        .where(Participant.training_id == training.id, Participant.status == "accepted")
        .distinct().order_by(Municipality.code))
    return [(m, followup_link(training, m, secret_key)) for m in municipalities]


@dataclass(frozen=True)
class Reach:
    """One municipality's follow-up answers over the plan's trainings."""

    municipality: str
    trainings: int
    asked: int
    answered: int
    held: int
    people: int


def plan_reach(plan: Plan) -> list[Reach]:
    """Per municipality: trainings it attended, follow-ups asked and answered, local events held
    and people reached, for the plan's cycle."""
    ids = [t.id for t in plan.trainings]
    attended = dict(iter(db.session.execute(
        sa.select(Participant.municipality_id, sa.func.count(sa.distinct(Participant.training_id)))
        .where(Participant.training_id.in_(ids), Participant.status == "accepted")
        .group_by(Participant.municipality_id))))
    asked = dict(iter(db.session.execute(
        sa.select(SurveyLink.municipality_id, sa.func.count(SurveyLink.id))
        .where(SurveyLink.training_id.in_(ids), SurveyLink.purpose == "followup")
        .group_by(SurveyLink.municipality_id))))
    answers: dict[int, list[FollowUp]] = {}
    for row in db.session.scalars(sa.select(FollowUp).where(FollowUp.training_id.in_(ids))):
        answers.setdefault(row.municipality_id, []).append(row)
    municipalities = db.session.scalars(sa.select(Municipality).where(
        Municipality.id.in_(set(attended) | set(asked))).order_by(Municipality.code))
    return [Reach(m.name, attended.get(m.id, 0), asked.get(m.id, 0), len(answers.get(m.id, [])),
                  sum(a.held for a in answers.get(m.id, [])), sum(a.people for a in answers.get(m.id, [])))
            for m in municipalities]


def municipality_of(link: SurveyLink) -> Municipality | None:
    """The municipality a follow-up link asks."""
    return db.session.get(Municipality, link.municipality_id)
