"""A member claims a role in Chromium and sees it under 私の役割; a second member is told it is taken."""
import pytest
from playwright.sync_api import expect

from planner.models.db import db
from planner.services.team.files import MemberRow
from planner.services.team.roster import save_member
from tests.factories import PASSWORD, log_in_browser, make_plan, make_prefecture, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def plan_with_two_members(app):
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        plan = make_plan(prefecture, title="令和8年度 伝達研修計画")
        for email, name, town in (("sato@aoba.example.jp", "佐藤 健一", "あおば市"),
                                  ("ito@kawabe.example.jp", "伊藤 直子", "かわべ市")):
            make_user(prefecture, email, role="member", name=name)
            save_member(plan, MemberRow(name=name, municipality=town, municipality_kind="other", email=email))
        db.session.commit()
        return plan.id


def log_in(page, base, email):
    log_in_browser(page, base, email, PASSWORD)


def test_member_claims_a_role_and_a_second_member_is_told_it_is_taken(
        plan_with_two_members, live_server, browser, artifacts):
    plan_id = plan_with_two_members
    label = "（前期共通 タイムキーパー役）"  # Chromium puts a space before the visually hidden part
    # the first member is on a phone: two taps, one to claim and one to read 私の役割
    first = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844},
                                has_touch=True, is_mobile=True).new_page()
    second = browser.new_context(locale="ja-JP").new_page()
    log_in(first, live_server, "sato@aoba.example.jp")
    log_in(second, live_server, "ito@kawabe.example.jp")
    first.goto(f"{live_server}/plans/{plan_id}/roles")
    second.goto(f"{live_server}/plans/{plan_id}/roles")  # both see the slot open

    first.get_by_role("button", name=f"申し込む {label}").tap()
    expect(first.get_by_text("「前期共通 タイムキーパー役」を担当します。")).to_be_visible()
    first.get_by_role("link", name="私の役割").tap()
    expect(first.get_by_role("listitem").filter(has_text="前期共通 タイムキーパー役")).to_be_visible()
    assert first.evaluate("document.documentElement.scrollWidth") <= 390
    first.screenshot(path=str(artifacts / "my-roles.png"), full_page=True)

    second.get_by_role("button", name=f"申し込む {label}").click()
    message = second.get_by_role("alert")
    assert "この役割はすでに佐藤 健一さん（あおば市）が担当しています。" in message.inner_text()
    second.screenshot(path=str(artifacts / "roles-taken.png"), full_page=True)
