"""What the groups (班) found during the group work, recorded through each group's link.

Roles, not names: each text goes through the anonymity check and is held from the team when
it could name someone, like the survey's comments.
"""
from __future__ import annotations

import sqlalchemy as sa

from planner.models.db import db
from planner.models.survey import FINDING_CATEGORIES, GroupFinding, SurveyLink
from planner.services.errors import ChangeRefused
from planner.services.survey.answers import review_of

TEXT_LIMIT = 500


def findings_of(link: SurveyLink) -> list[GroupFinding]:
    return list(db.session.scalars(sa.select(GroupFinding).filter_by(
        training_id=link.training_id, group_no=link.group_no).order_by(GroupFinding.id)))


def add_finding(link: SurveyLink, category: str, text: str) -> GroupFinding:
    """Add one of the group's findings; refused (rolled back) with a Japanese message when empty or too long. Commits."""
    text = text.strip().replace("\r\n", "\n")
    problems = []
    if category not in FINDING_CATEGORIES:
        problems.append("種類を選んでください。")
    if not text:
        problems.append("内容を入力してください。")
    elif len(text) > TEXT_LIMIT:
        problems.append(f"{TEXT_LIMIT}字以内で書いてください（いま{len(text)}字）。")
    if problems:
        db.session.rollback()
        raise ChangeRefused(problems)
    review, found = review_of(text)
    row = GroupFinding(training_id=link.training_id, group_no=link.group_no, category=category, text=text,
                       review=review, findings=found)
    db.session.add(row)
    db.session.commit()
    return row


def remove_finding(link: SurveyLink, finding_id: int) -> None:
    """The group takes back one of its own findings. Commits."""
    row = db.session.scalar(sa.select(GroupFinding).filter_by(
        id=finding_id, training_id=link.training_id, group_no=link.group_no))
    if row is None:
        raise ChangeRefused(["この記録はありません。"])
    db.session.delete(row)
    db.session.commit()
