"""A supplementary event in a real Chromium: the official adds a symposium that supplements
共通 C from the timetable page, finds it on the timeline, downloads its 次第, and a team member
finds it in their subscribed calendar feed (read with vobject and recurring-ical-events)."""
import io
from datetime import date
from urllib.parse import urlsplit

import icalendar
import pytest
import recurring_ical_events
import vobject
from docx import Document
from playwright.sync_api import expect

from planner.models import Plan, TeamMember
from planner.models.db import db
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, PASSWORD, log_in_browser, make_oita

pytestmark = pytest.mark.browser

TITLE = "断らない相談支援を地域で考える"


@pytest.fixture
def world(app):
    with app.app_context():
        world = make_oita()
        plan = db.session.get(Plan, world.plan)
        plan.members.append(TeamMember(name="大分 次郎", municipality="大分市",
                                       municipality_kind="core_city", email=OITA_MEMBER))
        db.session.commit()
        return world


def log_in(page, base: str, email: str) -> None:
    log_in_browser(page, base, email, PASSWORD)
    page.wait_for_url(f"{base}/")


def test_a_symposium_for_common_c_reaches_timeline_feed_and_handout(app, world, live_server, browser,
                                                                     browser_page, artifacts):
    page = browser_page
    log_in(page, live_server, OITA_OFFICIAL)
    page.goto(f"{live_server}/trainings/{world.trainings['common']}")
    page.get_by_role("link", name="補う催しを追加する").click()

    page.get_by_label("補う科目").select_option(label="C 生活困窮者支援に必要と考えられる視点")
    page.get_by_label("シンポジウム").check()
    page.get_by_label("名称").fill(TITLE)
    page.get_by_label("開催日").fill("2026-03-04")
    page.get_by_label("開始時刻").fill("13:30")
    page.get_by_label("終了時刻").fill("16:30")
    page.get_by_label("会場").fill("大分県総合社会福祉会館")
    page.get_by_label("講師の氏名").fill("小川 恵子")
    page.get_by_label("講師の所属").fill("大分県立大学")
    page.get_by_label("研修当日は短くして行う").check()
    page.get_by_label("短くした時間（分）").fill("30")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text(f"シンポジウム「{TITLE}」を登録しました。")).to_be_visible()
    page.screenshot(path=str(artifacts / "supplement-saved.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="この催しの次第（Word）").click()
    saved = artifacts / "supplement-agenda.docx"
    download.value.save_as(saved)
    doc = Document(io.BytesIO(saved.read_bytes()))
    text = "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert f"シンポジウム「{TITLE}」" in text and "13:30～16:30" in text
    assert "生活困窮者支援に必要と考えられる視点" in text  # its theme
    # for the public: the programme, not the planner's 「研修当日の扱い」 (issue 23)
    assert "質疑応答" in text and "研修当日" not in text

    page.goto(f"{live_server}/plans/{world.plan}/timeline/")
    row = page.locator("tr.kind-supplement")
    expect(row).to_contain_text(f"シンポジウム「{TITLE}」")
    expect(row).to_contain_text("科目Cを補う")
    page.screenshot(path=str(artifacts / "supplement-timeline.png"), full_page=True)

    # the member subscribes to their feed and finds the symposium in it
    context = browser.new_context(locale="ja-JP")
    member = context.new_page()
    try:
        log_in(member, live_server, OITA_MEMBER)
        member.goto(f"{live_server}/feeds")
        feed_url = member.locator("#https-link").input_value()
        # the page offers https (as deployed); the test server speaks plain http
        body = member.request.get(live_server + urlsplit(feed_url).path).body().decode()
    finally:
        context.close()
    events = [e for e in vobject.readOne(body).vevent_list if TITLE in e.summary.value]
    assert len(events) == 1 and events[0].location.value == "大分県総合社会福祉会館"
    assert events[0].dtstart.value.strftime("%Y-%m-%d %H:%M") == "2026-03-04 13:30"
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).at(date(2026, 3, 4))
    assert [str(e["SUMMARY"]) for e in found] == [f"シンポジウム「{TITLE}」"]
