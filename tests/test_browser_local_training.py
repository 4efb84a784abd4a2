"""A local training (地域の実情に応じた研修) on a phone (390 px), from an empty database: the
server administrator makes a prefecture and its first official (the README's commands), who
makes a plan, adds the local training with two subjects, and reads its timetable."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from planner.models import User
from planner.models.db import db
from tests.conftest import BROWSER_TIMEOUT_MS
from tests.factories import log_in_browser

pytestmark = pytest.mark.browser

EMAIL = "kato@pref.oita.example.jp"
PASSWORD = "browser-pass-123"


def test_a_fresh_prefectures_official_adds_a_local_training_on_a_phone(app, runner, live_server, browser,
                                                                       artifacts):
    made = runner.invoke(args=["create-prefecture", "大分県"])
    assert made.exit_code == 0, made.output
    made = runner.invoke(args=["create-official", EMAIL, "--prefecture", "大分県", "--name", "加藤 さくら"])
    assert made.exit_code == 0, made.output
    with app.app_context():  # the one-time link sets the password; here the test sets it
        user = db.session.scalar(db.select(User).filter_by(email=EMAIL))
        user.set_password(PASSWORD)
        db.session.commit()

    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                  viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        log_in_browser(page, live_server, EMAIL, PASSWORD)
        page.goto(f"{live_server}/plans/new")
        page.get_by_label("計画の名前").fill("令和8年度 伝達研修計画")
        page.get_by_role("button", name=re.compile("作成する")).click()
        page.get_by_role("link", name="地域の実情に応じた研修を追加").click()
        page.get_by_label(re.compile("^研修名")).fill("ひきこもり支援の実践")
        page.get_by_label("研修のねらい").fill("ひきこもり状態にある人と家族への支援を、地域の社会資源とつなげて考える。")
        page.get_by_label(re.compile("^独自科目名")).fill("ひきこもり状態にある人と家族の理解")
        page.get_by_label(re.compile("^時間（分）")).fill("150")
        page.get_by_label(re.compile("^外部講師の氏名")).fill("山口 さとみ")
        page.get_by_label(re.compile("^講師の所属")).fill("大分県ひきこもり地域支援センター")
        page.get_by_label("2つ目の科目名").fill("事例検討：家族からの相談に始まる支援")
        page.get_by_label("2つ目の科目の時間（分）").fill("150")
        page.get_by_label("2つ目の科目はチームのメンバーが講師役を務める（外部講師なし）").check()
        page.get_by_label("2つ目の科目で事例を使う（事例報告役を置く）").check()
        page.get_by_role("button", name="追加して時間割を確認").click()

        expect(page.get_by_role("heading", level=1)).to_contain_text("ひきこもり支援の実践（地域の実情に応じた研修）")
        table = page.locator("table.timetable").first
        expect(table).to_contain_text("ひきこもり状態にある人と家族の理解")
        expect(table).to_contain_text("事例検討：家族からの相談に始まる支援")
        expect(table).to_contain_text("昼食")
        expect(table).to_contain_text("山口 さとみ")
        expect(table).to_contain_text("チームの講師役")
        body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
        assert "手引きの指示" not in body and "国研修の講義" not in body and "手引きの目安" not in body
        # nothing runs off a phone's screen
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        page.screenshot(path=str(artifacts / "local-training-timetable-390.png"), full_page=True)
    finally:
        context.close()
