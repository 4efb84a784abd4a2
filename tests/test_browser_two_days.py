"""A two-day training on days the official chooses (not consecutive), in Chromium: the pages
name both days, and a member away on day 1 takes a day-2 role but not a day-1 one."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from planner.models import Training
from planner.models.db import db
from planner.services.team.files import MemberRow
from planner.services.team.roster import save_member
from tests.factories import PASSWORD, log_in_browser, make_plan, make_prefecture, make_user

pytestmark = pytest.mark.browser

DAY_ONE, DAY_TWO = date(2026, 7, 15), date(2026, 7, 22)  # Wednesdays, a week apart


@pytest.fixture
def counselor_training(app):
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        plan = make_plan(prefecture, title="令和8年度 伝達研修計画")
        make_user(prefecture, "official@midori.example.jp")
        make_user(prefecture, "sato@aoba.example.jp", role="member", name="佐藤 健一")
        save_member(plan, MemberRow(name="佐藤 健一", municipality="あおば市", municipality_kind="other",
                                    email="sato@aoba.example.jp", unavailable=[DAY_ONE]))
        db.session.commit()
        training = next(t for t in plan.trainings if t.curriculum_key == "counselor")
        assert training.first_date == DAY_ONE
        return plan.id, training.id


def log_in(page, base, email):
    log_in_browser(page, base, email, PASSWORD)


def test_two_days_a_week_apart_and_a_member_away_on_day_one_takes_a_day_two_role(
        app, counselor_training, live_server, browser, artifacts):
    plan_id, training_id = counselor_training
    official = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    member = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    log_in(official, live_server, "official@midori.example.jp")
    log_in(member, live_server, "sato@aoba.example.jp")

    official.goto(f"{live_server}/trainings/{training_id}/edit")
    official.get_by_label("日数").select_option(label="2日間")
    official.get_by_label("2日目・3日目の日付").fill("2026/7/22")
    official.get_by_role("button", name="保存して時間割を確認").click()
    expect(official.get_by_text("研修の設定を保存しました。")).to_be_visible()
    expect(official.get_by_text("令和8年7月15日（水）・7月22日（水）（2日間）")).to_be_visible()
    expect(official.locator("caption", has_text="2日目 令和8年7月22日（水）")).to_be_visible()  # each day's table
    official.screenshot(path=str(artifacts / "two-days-timetable.png"), full_page=True)
    with app.app_context():
        assert db.session.get(Training, training_id).days == [DAY_ONE, DAY_TWO]

    member.goto(f"{live_server}/plans/{plan_id}/roles")
    member.get_by_role("button", name=re.compile(r"申し込む.*相談後期 2日目（7月22日） D .*講師役")).click()
    expect(member.get_by_text(re.compile(r"「相談後期 2日目（7月22日） D .*講師役」を担当します。"))).to_be_visible()
    # a day-1 role offers no 申し込む to him: the row says why instead
    day_one = member.locator("tr", has=member.get_by_role("rowheader", name=re.compile(r"相談後期 1日目（7月15日） A .*講師役")))
    expect(day_one).to_contain_text("あなたの参加できない日")
    expect(day_one.get_by_role("button", name=re.compile("申し込む"))).to_have_count(0)
    member.screenshot(path=str(artifacts / "two-days-roles.png"), full_page=True)


def test_auto_assignment_counts_only_real_conflicts_on_two_days(app, counselor_training, live_server, browser):
    plan_id, training_id = counselor_training
    with app.app_context():
        training = db.session.get(Training, training_id)
        training.day_count, training.later_dates = 2, DAY_TWO.isoformat()
        db.session.commit()
    official = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    log_in(official, live_server, "official@midori.example.jp")

    official.goto(f"{live_server}/plans/{plan_id}/roles/suggest")
    official.get_by_role("button", name="選んだ提案をすべて反映").click()

    notice = official.get_by_text(re.compile(r"提案を\d+件反映しました。"))
    expect(notice).to_be_visible()
    assert "反映していません" not in notice.inner_text()  # the day-2 roles were not refused
    with app.app_context():
        training = db.session.get(Training, training_id)
        held = [s for s in training.slots if s.holder is not None and s.subject is not None
                and s.kind != "material_preparer"]
        assert held and {s.subject.letter for s in held} <= {"D", "E"}  # only day 2 is possible for him
