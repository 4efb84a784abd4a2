"""The groups page in a real Chromium: the official opens it from the training page, makes
groups, pins one person to another group, makes groups again and finds the pin kept; the page
passes axe at 1280 px and 390 px and never scrolls sideways (screenshots in test-artifacts/)."""
import pytest
from playwright.sync_api import expect

from planner.models import Participant
from planner.models.db import db
from tests.axe_check import axe_violations, describe
from tests.factories import OITA_OFFICIAL, PASSWORD, log_in_browser, make_oita
from tests.group_factories import TOWNS, add_members, add_participants

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app):
    with app.app_context():
        world = make_oita()
        spec = [(TOWNS[i % 4], "worker") for i in range(13)]
        spec += [(TOWNS[4], "official"), (TOWNS[5], "official"), (TOWNS[0], "agency"), (TOWNS[1], "agency")]
        world.participants = add_participants(world.trainings["common"], spec)
        add_members(world.plan, 4)
        world.pinned_name = db.session.get(Participant, world.participants[0]).name
    return world


def check_page(page, width: int, artifacts, name: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    violations = axe_violations(page)
    page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
    assert violations == [], describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def group_of(page, name: str) -> str:
    """The heading of the group card that lists `name`."""
    card = page.locator("section.group", has=page.locator("li", has_text=name))
    return card.get_by_role("heading").inner_text()


def test_groups_made_again_keep_a_pin(app, world, live_server, browser_page, artifacts):
    page = browser_page
    log_in_browser(page, live_server, OITA_OFFICIAL, PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/trainings/{world.trainings['common']}")
    page.get_by_role("link", name="班分け（グループワークの班とファシリテーター）").click()

    page.get_by_label("1班の人数").fill("4")
    page.get_by_role("button", name="班を作る").click()
    expect(page.get_by_text("5つの班を作りました。")).to_be_visible()
    first_group = group_of(page, world.pinned_name)
    target = "第5班" if not first_group.startswith("第5班") else "第4班"
    page.get_by_label("参加者").select_option(label=f"{world.pinned_name}（{TOWNS[0]}）")
    page.get_by_label("固定する班").select_option(label=target)
    page.get_by_role("button", name="固定する").click()
    expect(page.get_by_text(f"{world.pinned_name}さんを{target}に固定しました。")).to_be_visible()
    page.get_by_role("button", name="班を作る").click()
    # over existing groups, a confirmation page first (nothing is mailed)
    expect(page.get_by_role("heading", name="班を作り直しますか")).to_be_visible()
    page.get_by_role("button", name="4人ずつの班に作り直す").click()

    expect(page.get_by_text("5つの班を作りました。")).to_be_visible()
    assert group_of(page, world.pinned_name).startswith(target)
    expect(page.locator("section.group li", has_text=world.pinned_name).get_by_text(f"{target}に固定")).to_be_visible()
    check_page(page, 1280, artifacts, "groups")
    check_page(page, 390, artifacts, "groups")
    with app.app_context():
        assert db.session.get(Participant, world.participants[0]).group_no == int(target[1])
