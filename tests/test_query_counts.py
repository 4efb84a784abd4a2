"""The main pages run the same number of SQL queries whatever the size of the roster or the
number of plans (no query per member, slot or plan), and a claim runs a handful of statements."""
from __future__ import annotations

from datetime import date, time

import pytest

from planner.models import MemberCourse, MemberUnavailable, Plan, RoleSlot, SupplementaryEvent, TeamMember, Training
from planner.models.db import db
from planner.services.plans.changes import add_local_subject
from planner.services.plans.supplements import EventValues, add_event
from tests.factories import (
    OITA_MEMBER,
    OITA_OFFICIAL,
    add_roster,
    capture_statements,
    counting_queries,
    login,
    make_oita,
    make_plan,
)


def _page_queries(app, client, url: str) -> int:
    with app.app_context():
        engine = db.engine
    assert client.get(url).status_code == 200  # the first request loads templates and curricula
    with counting_queries(engine) as count:
        response = client.get(url)
    assert response.status_code == 200, url
    return count[0]


def _roster_world(app, members: int) -> int:
    with app.app_context():
        world = make_oita()
        add_roster(db.session.get(Plan, world.plan), members)
        return world.plan


def test_plan_pages_run_as_many_queries_for_200_members_as_for_10(app):
    counts = {}
    for members in (10, 200):
        with app.app_context():
            db.drop_all()
            db.create_all()
        plan_id = _roster_world(app, members)
        client = app.test_client()
        assert login(client, OITA_OFFICIAL).status_code == 302
        urls = {"plan": f"/plans/{plan_id}", "roles": f"/plans/{plan_id}/roles", "roster": f"/plans/{plan_id}/team"}
        counts[members] = {page: _page_queries(app, client, url) for page, url in urls.items()}
        with app.app_context():  # the world really has that many members, some holding slots
            assert db.session.scalar(db.select(db.func.count(TeamMember.id))) == members
            assert db.session.scalar(db.select(db.func.count(RoleSlot.holder_id))) > 0
            open_slots = db.session.scalar(db.select(db.func.count(RoleSlot.id)).where(RoleSlot.holder_id.is_(None)))
        # and the counts the aggregate queries give are on the pages
        assert f"研修チーム名簿（{members}人）" in client.get(urls["plan"]).get_data(as_text=True)
        assert f"空き枠 {open_slots}件" in client.get(urls["roles"]).get_data(as_text=True)
        assert f"メンバー {members}人" in client.get(urls["roster"]).get_data(as_text=True)
    assert counts[10] == counts[200], counts


def test_plan_list_runs_as_many_queries_for_50_plans_as_for_1(app):
    counts = {}
    with app.app_context():
        world = make_oita()
        prefecture = db.session.get(Plan, world.plan).prefecture
    client = app.test_client()
    assert login(client, OITA_OFFICIAL).status_code == 302
    counts[1] = _page_queries(app, client, "/")
    with app.app_context():
        prefecture = db.session.merge(prefecture)
        for i in range(49):
            make_plan(prefecture, cycle_year=1990 + i)
    counts[50] = _page_queries(app, client, "/")
    assert client.get("/").get_data(as_text=True).count("/plans/") >= 50
    assert counts[1] == counts[50], counts


@pytest.mark.parametrize(("kind", "most"), [("material_preparer", 3), ("lecturer", 7)])
def test_a_claim_runs_a_handful_of_statements(app, kind, most):
    """The login, the slot with its plan, label and the user's membership, and the UPDATE; a slot at a
    time of day adds the member's lock, days and holdings (before and after the lock). Nothing
    per member or course, and nothing after the commit (the label is built before it)."""
    with app.app_context():
        world = make_oita()
        plan = db.session.get(Plan, world.plan)
        add_roster(plan, 20)
        db.session.add(TeamMember(plan=plan, name="自分", municipality="県", municipality_kind="prefecture",
                                  email=OITA_MEMBER, courses=[MemberCourse(course="common", year=2024)],
                                  unavailable=[MemberUnavailable(day=date(2026, 5, 1))]))
        slot_id = next(s.id for s in plan.trainings[0].slots if s.kind == kind and s.holder_id is None)
        db.session.commit()
        engine = db.engine
    client = app.test_client()
    assert login(client, OITA_MEMBER).status_code == 302
    with capture_statements(engine) as statements:
        response = client.post(f"/plans/{world.plan}/roles/{slot_id}/claim", headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RoleSlot, slot_id).holder.email == OITA_MEMBER
    assert len(statements) <= most, statements


def test_roles_page_runs_as_many_queries_with_supplementary_events_and_local_subjects(app):
    """The subjects' events (which may take a subject off the day or shorten it) and local
    subjects load with the plan: events on every subject add rows, not queries."""
    with app.app_context():
        world = make_oita()
    client = app.test_client()
    assert login(client, OITA_OFFICIAL).status_code == 302
    url = f"/plans/{world.plan}/roles"
    plain = _page_queries(app, client, url)
    with app.app_context():
        common = db.session.get(Training, world.trainings["common"])
        add_event(common, world.subjects["C"], EventValues(
            kind="symposium", title="シンポジウム", day=date(2026, 3, 5), start_time=time(14), end_time=time(16),
            effect="shortened", shortened_minutes=30))
        add_event(common, world.subjects["C"], EventValues(
            kind="lecture", title="講演会", day=date(2026, 3, 6), start_time=time(14), end_time=time(16)))
        add_local_subject(common, "県の独自科目", 20, "講師 太郎")  # in the time the shortening freed
        assert db.session.scalar(db.select(db.func.count(SupplementaryEvent.id))) == 2
    assert "独自科目 県の独自科目" in client.get(url).get_data(as_text=True)
    assert _page_queries(app, client, url) == plain
