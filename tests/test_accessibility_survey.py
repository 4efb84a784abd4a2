"""The survey's pages pass axe-core's WCAG 2.1 A and AA rules at 1280 and 390 px, and never
scroll sideways: the official's survey page, the results (official and member), the
retrospective page, and the pages opened without an account (answer, group, follow-up), on
the demo's last-cycle training (answers, findings, a follow-up under way). Each page is loaded
once and checked at both widths, the window resized in between (tests/axe_check.py)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from planner.models import Milestone, Municipality, Plan, SurveyLink, Training
from planner.models.db import db
from planner.services.survey import links
from tests.axe_check import failures_at_widths
from tests.test_accessibility import (  # noqa: F401 (sessions and tab are module fixtures)
    DESKTOP,
    LIVE_SECRET,
    WIDTHS,
    as_who,
    sessions,
    tab,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def paths(demo_server) -> dict[str, tuple[str, str]]:
    """(who, path) of each page, on the demo's last-cycle training with answers."""
    base, app = demo_server
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan).where(Plan.title.contains("前年度")))
        training = db.session.scalar(sa.select(Training).join(SurveyLink).where(Training.plan_id == plan.id).limit(1))
        retro = db.session.scalar(sa.select(Milestone).where(Milestone.plan_id == plan.id, Milestone.kind == "retrospective",
                                                             Milestone.training_id == next(
                                                                 t.id for t in plan.trainings if t.curriculum_key == "common")))
        place = db.session.scalar(sa.select(Municipality).join(SurveyLink, SurveyLink.municipality_id == Municipality.id)
                                  .where(SurveyLink.purpose == "followup").limit(1))
        upcoming = db.session.scalar(sa.select(Training).join(Plan).where(
            Plan.id != plan.id, Training.curriculum_key == "common"))  # this cycle's: its survey is open
        shared = links.token_of(links.shared_link(upcoming, LIVE_SECRET), LIVE_SECRET)
        group = links.token_of(links.group_link(upcoming, 1, LIVE_SECRET), LIVE_SECRET)
        follow = links.token_of(links.followup_link(training, place, LIVE_SECRET), LIVE_SECRET)
        return {"official-survey": ("official", f"/trainings/{training.id}/survey"),
                "official-survey-results": ("official", f"/trainings/{training.id}/survey/results"),
                "member-survey-results": ("member", f"/trainings/{training.id}/survey/results"),
                "official-retrospective": ("official", f"/plans/{plan.id}/retrospectives/{retro.id}"),
                "official-year-reach": ("official", f"/plans/{plan.id}/participants/coverage"),
                "survey-answer": ("anonymous", f"/s/{shared}"),
                "survey-group": ("anonymous", f"/g/{group}"),
                "survey-followup": ("anonymous", f"/f/{follow}")}


PAGES = ["official-survey", "official-survey-results", "member-survey-results", "official-retrospective",
         "official-year-reach", "survey-answer", "survey-group", "survey-followup"]


@pytest.mark.parametrize("name", PAGES)
def test_survey_page_has_no_wcag_aa_violations(name, demo_server, paths, sessions, tab, artifacts):  # noqa: F811
    base, _ = demo_server
    who, path = paths[name]
    page = tab
    as_who(page, sessions[who], WIDTHS[0])
    response = page.goto(base + path)
    assert response.status == 200
    failures = failures_at_widths(page, name, WIDTHS, artifacts)
    assert not failures, "\n".join(failures)
