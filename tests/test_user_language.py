"""The app speaks to an official, not to a server's administrator: no command lines, library
names or server paths on pages; a member is told あなた with 和暦 dates and is not offered a
role on a day they cannot attend; the demo's groups page fits a 390 px phone."""
from __future__ import annotations

import re

import pytest

from planner.domain.dates import format_date_wareki
from planner.models import Plan, RoleSlot, Training, User
from planner.models.db import db
from planner.services.demo import DEMO_PASSWORD, DEMO_PEOPLE
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, log_in_browser, login, make_oita

#: what an official should never have to read
TECHNICAL = re.compile(r"flask|--app|HiGHS|scipy|ソルバー|instance/|/tmp/|outbox-|\.eml ファイル|cron")


@pytest.fixture
def world(app):
    with app.app_context():
        return make_oita()


def test_settings_outbox_and_suggestions_pages_name_no_commands_libraries_or_paths(app, client, world):
    login(client, OITA_OFFICIAL)

    pages = {url: client.get(url) for url in ("/settings", "/outbox", f"/plans/{world.plan}/roles/suggest")}

    for url, page in pages.items():
        text = re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))
        assert page.status_code == 200, url
        assert TECHNICAL.findall(text) == [], url
    assert "この画面に残ります" in pages["/outbox"].get_data(as_text=True)


def test_member_is_told_you_with_a_wareki_date_and_not_offered_their_unavailable_day(app, client, world):
    with app.app_context():
        from planner.models import TeamMember
        from planner.services.team.files import MemberRow
        from planner.services.team.roster import save_member
        plan = db.session.get(Plan, world.plan)
        common = next(t for t in plan.trainings if t.curriculum_key == "common")
        away_day = common.first_date
        member = db.session.scalar(db.select(TeamMember).filter(TeamMember.email == OITA_MEMBER))
        if member is None:
            user = db.session.scalar(db.select(User).filter_by(email=OITA_MEMBER))
            member = save_member(plan, MemberRow(name=user.name, municipality="大分市", municipality_kind="other",
                                                 email=OITA_MEMBER))
        save_member(plan, MemberRow(name=member.name, municipality=member.municipality,
                                    municipality_kind=member.municipality_kind, email=member.email,
                                    unavailable=[away_day]), member)
        db.session.commit()
        away_slot = next(s.id for s in common.slots if s.kind == "timekeeper")
        other = next(t for t in plan.trainings if t.curriculum_key == "counselor")
        free_slot = next(s.id for s in other.slots if s.kind == "timekeeper")
        name = member.name
    login(client, OITA_MEMBER)

    page = client.get(f"/plans/{world.plan}/roles").get_data(as_text=True)
    refused = client.post(f"/plans/{world.plan}/roles/{away_slot}/claim", headers={"Accept": "application/json"})
    official_view = app.test_client()
    login(official_view, OITA_OFFICIAL)
    assigned = official_view.post(f"/plans/{world.plan}/roles/{away_slot}/assign",
                                  data={"member_id": str(_member_id(app, world.plan))})

    assert f'action="/plans/{world.plan}/roles/{away_slot}/claim"' not in page
    assert f'action="/plans/{world.plan}/roles/{free_slot}/claim"' in page
    assert "あなたの参加できない日" in page
    assert refused.status_code == 409
    assert refused.get_json()["message"] == (
        f"あなたは{format_date_wareki(away_day, weekday=False)}を参加できない日に登録しています。")
    assert (f"{name}さんは{format_date_wareki(away_day, weekday=False)}を参加できない日に登録しています。"
            in assigned.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(RoleSlot, away_slot).holder_id is None


def _member_id(app, plan_id: int) -> int:
    from planner.models import TeamMember
    with app.app_context():
        return db.session.scalar(db.select(TeamMember.id).filter_by(plan_id=plan_id, email=OITA_MEMBER))


@pytest.mark.browser
def test_demo_groups_page_fits_a_390_px_phone(demo_server, browser, artifacts):
    base_url, app = demo_server
    with app.app_context():
        training_id = db.session.scalar(db.select(Training.id).where(Training.curriculum_key == "common"))
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in_browser(page, base_url, DEMO_PEOPLE[0][0], DEMO_PASSWORD)
        page.wait_for_url(f"{base_url}/")
        page.goto(f"{base_url}/trainings/{training_id}/groups")
        page.screenshot(path=str(artifacts / "groups-demo-390.png"), full_page=True)
        widest = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .map(e => [e.getBoundingClientRect().right, e.tagName + '.' + e.className])
            .filter(([r]) => r > 390).slice(0, 5)""")

        assert page.get_by_role("heading", name=re.compile("班（")).count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, widest
    finally:
        context.close()


def test_official_assigning_their_own_entry_on_their_unavailable_day_is_told_you(app, client, world):
    from planner.models import TeamMember
    from planner.services.team.files import MemberRow
    from planner.services.team.roster import save_member
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        common = next(t for t in plan.trainings if t.curriculum_key == "common")
        me = save_member(plan, MemberRow(name="担当職員", municipality="大分県", municipality_kind="prefecture",
                                         email=OITA_OFFICIAL, unavailable=[common.first_date]))
        db.session.commit()
        slot_id, member_id, day = next(s.id for s in common.slots if s.kind == "lecturer"), me.id, common.first_date
    login(client, OITA_OFFICIAL)

    refused = client.post(f"/plans/{world.plan}/roles/{slot_id}/assign", data={"member_id": str(member_id)})

    assert refused.status_code == 422
    assert f"あなたは{format_date_wareki(day, weekday=False)}を参加できない日に登録しています。" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TeamMember, member_id).plan_id == world.plan
