"""The timeline page (issue 5) in a real Chromium against the app under waitress: move a
milestone and see it saved, try an impossible move and see it refused, print on A4 landscape."""
import re
import subprocess
from datetime import date

import pytest
from playwright.sync_api import expect

from planner.domain.timeline import TRAINING_KEYS, default_training_date
from planner.models import Milestone, Prefecture, User
from planner.models.account import OFFICIAL
from planner.models.db import db
from planner.services.plans.changes import create_plan
from tests.factories import log_in_browser
from tests.system import require

pytestmark = pytest.mark.browser

EMAIL = "official@aoi.example.jp"
PASSWORD = "browser-pass-123"
TITLE = "あおい県 伝達研修計画"


def current_cycle(today: date) -> int:
    """The cycle that holds today, so the page shows its "today" marker."""
    return today.year if today.month >= 11 else today.year - 1


@pytest.fixture
def plan_id(app):
    """An official and a plan of the current cycle with the proposed training dates, committed."""
    cycle = current_cycle(date.today())
    with app.app_context():
        prefecture = Prefecture(name="あおい県")
        user = User(prefecture=prefecture, email=EMAIL, name="山田 花子", role=OFFICIAL)
        user.set_password(PASSWORD)
        db.session.add(user)
        dates = {}
        for key in ("common", "counselor", "job_support", "chief"):
            dates[key] = default_training_date(key, cycle, "common", dates.get("common"))
        assert set(dates) == set(TRAINING_KEYS)
        plan = create_plan(prefecture, TITLE, cycle, dates=dates, venue="あおい県社会福祉会館")
        db.session.commit()
        return plan.id


def saved_meeting(app, plan_id: int, order: int) -> Milestone:
    with app.app_context():
        m = db.session.scalar(db.select(Milestone).filter_by(plan_id=plan_id, kind="meeting", order=order)
                              .order_by(Milestone.start))
        db.session.expunge(m)
        return m


def test_official_moves_a_milestone_on_the_timeline(app, plan_id, live_server, browser_page, artifacts):
    page = browser_page
    log_in_browser(page, live_server, EMAIL, PASSWORD)

    # From the plan to its timeline, and generate it.
    page.goto(f"{live_server}/plans/{plan_id}")
    page.get_by_role("link", name="スケジュール（年間の流れ）").click()
    expect(page.get_by_role("heading", name=re.compile("スケジュール（年間の流れ）"))).to_be_visible()
    page.get_by_role("button", name="年間の流れを作成").click()
    expect(page.get_by_text("年間の流れを作成しました。")).to_be_visible()
    assert page.locator("table.gantt tbody tr").count() == 14
    assert page.locator("table.gantt thead th.today-col").count() == 1

    # Move the second January meeting a week later: saved, and still there after a reload.
    meeting = saved_meeting(app, plan_id, 2)
    new_day = date(meeting.start.year, 1, 29)
    row = page.locator(f"#row-m{meeting.id}")
    row.get_by_label("開始日").fill(new_day.isoformat())
    row.get_by_role("button", name=re.compile("^保存")).click()
    expect(page.get_by_text("日程を保存しました。")).to_be_visible()
    page.reload()
    assert page.locator(f"#row-m{meeting.id}").get_by_label("開始日").input_value() == new_day.isoformat()
    assert f"{new_day.month}月{new_day.day}日" in page.locator(f"#g-m{meeting.id}").inner_text()
    assert saved_meeting(app, plan_id, 2).start == new_day

    # An impossible move: the meeting after the training it prepares. Refused, nothing saved.
    row = page.locator(f"#row-m{meeting.id}")
    row.get_by_label("開始日").fill(date(new_day.year, 3, 2).isoformat())
    row.get_by_role("button", name=re.compile("^保存")).click()
    refused = page.locator("#refused")
    expect(refused).to_be_visible()
    assert "変更は保存されませんでした" in refused.inner_text()
    assert "が、準備する前期共通プログラムの伝達研修" in refused.inner_text()
    assert "保存しませんでした" in page.locator(f"#row-m{meeting.id}").inner_text()
    page.screenshot(path=str(artifacts / "timeline-refused.png"), full_page=True)
    assert saved_meeting(app, plan_id, 2).start == new_day

    # The saved page, on screen and printed on one A4 landscape sheet.
    page.goto(f"{live_server}/plans/{plan_id}/timeline/")
    page.screenshot(path=str(artifacts / "timeline.png"), full_page=True)
    page.locator("table.gantt").screenshot(path=str(artifacts / "timeline-gantt.png"))
    page.emulate_media(media="print")
    pdf = artifacts / "timeline-print.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    info = subprocess.run([require("pdfinfo", "the print check reads the PDF's pages"), str(pdf)],
                          capture_output=True, text=True, check=True, timeout=60).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (842, 595), info  # A4 landscape, in points
