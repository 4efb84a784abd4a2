"""Dates that make sense today: a plan made mid-cycle proposes nothing already gone, and the
demo is the cycle under way, with past steps done and later ones planned."""
from datetime import date

import pytest

from planner.domain.timeline import generate_timeline, proposed_training_dates, validate_order
from planner.models import Plan
from planner.models.db import db
from planner.services.demo import load_demo
from tests.factories import login, make_prefecture, make_user


@pytest.mark.parametrize("today", [date(2026, 11, 1), date(2026, 11, 27), date(2027, 1, 20),
                                   date(2027, 3, 1), date(2027, 6, 1), date(2027, 8, 20)])
def test_plan_made_mid_cycle_proposes_nothing_in_the_past(today):
    dates = proposed_training_dates(2026, today)
    steps = generate_timeline(2026, dates, today=today)

    assert min(dates.values()) > today
    assert min(m.start for m in steps) >= today
    assert validate_order(steps, 2026) == []


def test_plan_made_before_its_cycle_keeps_the_source_dates():
    assert proposed_training_dates(2026, date(2026, 6, 1)) == proposed_training_dates(2026)


def test_new_plan_made_late_november_is_not_overdue(app, client):
    today = date.today()
    cycle = today.year if today.month >= 11 else today.year - 1
    with app.app_context():
        make_user(make_prefecture("みどり県"), "official@midori.example.jp")
    login(client, "official@midori.example.jp")

    client.post("/plans/new", data={"title": "今年度の計画", "cycle_year": cycle, "propose_dates": "y"})

    with app.app_context():
        plan = db.session.scalar(db.select(Plan))
        assert min(t.first_date for t in plan.trainings) > today
        assert min(m.end for m in plan.milestones) >= today
        page = client.get(f"/plans/{plan.id}/timeline/").get_data(as_text=True)
        assert "期限切れ" not in page


def test_demo_is_the_cycle_under_way_with_past_steps_done(app, client):
    today = date.today()
    with app.app_context():
        load_demo()
        plan = db.session.scalar(db.select(Plan))
        assert plan.cycle_start <= today <= plan.cycle_end
        for m in plan.milestones:
            assert m.is_done == (m.end < today), (m.title, m.end)
        assert [t.first_date for t in plan.trainings_by_date] == sorted(t.first_date for t in plan.trainings)
    login(client, "tanaka@midori.example.jp", "demo-pass-2026")

    page = client.get(f"/plans/{plan.id}/timeline/").get_data(as_text=True)

    assert "期限切れ" not in page
