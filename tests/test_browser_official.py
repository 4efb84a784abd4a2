"""The official's journey in a real Chromium against the app under waitress."""
import re

import pytest
from playwright.sync_api import expect

from planner.models import Plan, Prefecture, TrainingSubject, User
from planner.models.account import OFFICIAL
from planner.models.db import db
from tests.factories import log_in_browser

pytestmark = pytest.mark.browser

EMAIL = "official@aoi.example.jp"
PASSWORD = "browser-pass-123"


@pytest.fixture
def official(app):
    """A prefecture with one official, committed so the live server sees it."""
    with app.app_context():
        prefecture = Prefecture(name="あおい県")
        user = User(prefecture=prefecture, email=EMAIL, name="山田 花子", role=OFFICIAL)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def test_official_plans_a_year_in_the_browser(app, official, live_server, browser_page, artifacts):
    page = browser_page

    # Log in.
    log_in_browser(page, live_server, EMAIL, PASSWORD)
    expect(page.get_by_text("山田 花子 さん、ようこそ。")).to_be_visible()

    # Create a plan: the four trainings are there.
    page.get_by_role("link", name="新しい年間計画を作る").click()
    page.get_by_label("計画の名前").fill("令和8年度 伝達研修計画")
    page.get_by_label("チーム立ち上げの年（11月）").select_option("2025")
    page.get_by_role("button", name="作成する（4つの研修を用意）").click()
    expect(page.get_by_role("heading", name="令和8年度 伝達研修計画")).to_be_visible()
    expect(page.get_by_text("令和7〜8年度")).to_be_visible()
    assert page.locator("table.trainings tbody tr").count() == 4

    # Date and venue for the common first-term training, then its timetable.
    page.locator("table.trainings tbody tr").first.get_by_role("link", name="日程・会場").click()
    page.get_by_label("開催日").fill("2026-02-18")
    page.get_by_label("会場", exact=True).fill("あおい県社会福祉会館")
    page.get_by_label("終了時刻（上限）").fill("18:15")  # room for a local subject
    page.get_by_role("button", name="保存して時間割を確認").click()
    expect(page.get_by_role("heading", name=re.compile("前期共通プログラム 時間割"))).to_be_visible()
    expect(page.get_by_text("令和8年2月18日（水）令和7年度").first).to_be_visible()
    timetable_url = page.url.split("#")[0]
    letters = page.locator("table.timetable tr.kind-subject .letter").all_inner_texts()
    assert letters == ["A", "B", "C", "D", "E", "F"]

    # Add a local subject with an outside lecturer.
    form = page.locator("#local-form")
    form.get_by_label("独自科目名").fill("権利擁護と成年後見")
    form.get_by_label("時間（分）").fill("30")
    form.get_by_label("外部講師の氏名").fill("青木 正")
    form.get_by_label("講師の所属").fill("あおい県弁護士会")
    form.get_by_role("button", name="追加する").click()
    expect(page.get_by_text("独自科目を追加しました。")).to_be_visible()
    row = page.locator("table.timetable tr", has_text="権利擁護と成年後見")
    assert "青木 正、あおい県弁護士会" in row.inner_text()

    # An infeasible change: subject D at 300 minutes. Refused, with the numbers.
    page.get_by_label("生活困窮者支援を通じた地域づくりの時間（分）").fill("300")
    page.locator("tr", has_text="生活困窮者支援を通じた地域づくり").get_by_role("button", name="変更").click()
    refused = page.locator("#refused")
    expect(refused).to_be_visible()
    assert "変更は保存されませんでした" in refused.inner_text()
    assert re.search(r"最低でも\d+分必要ですが、使える時間は\d+分です", refused.inner_text())
    page.screenshot(path=str(artifacts / "timetable-refused.png"), full_page=True)

    # The saved plan is as it was: D is still automatic (90 minutes).
    with app.app_context():
        plan = db.session.scalar(db.select(Plan).filter_by(title="令和8年度 伝達研修計画"))
        common = plan.trainings[0]
        d = next(s for s in common.subjects if s.letter == "D")
        assert d.minutes_override is None
        assert db.session.scalar(db.select(db.func.count(TrainingSubject.id))
                                 .where(TrainingSubject.training_id == common.id)) == 7

    # Reload the saved timetable and keep a picture of it.
    page.goto(timetable_url)
    assert page.locator("table.timetable tr.kind-subject", has_text="地域づくり").locator("td.num").inner_text() == "90"
    page.screenshot(path=str(artifacts / "timetable.png"), full_page=True)
    page.emulate_media(media="print")
    page.pdf(path=str(artifacts / "timetable-print.pdf"), format="A4")
    page.emulate_media(media="screen")

    # Log out.
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_text("ログアウトしました。")).to_be_visible()
    page.goto(f"{live_server}/plans/{plan.id}")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()


def test_destructive_buttons_ask_first_and_plan_deletion_offers_the_backup(
        app, official, live_server, browser_page):
    page = browser_page
    log_in_browser(page, live_server, EMAIL, PASSWORD)
    page.get_by_role("link", name="新しい年間計画を作る").click()
    page.get_by_label("計画の名前").fill("消す計画")
    page.get_by_role("button", name="作成する（4つの研修を用意）").click()
    plan_url = page.url
    page.get_by_role("link", name="研修チーム名簿（0人）").click()
    page.get_by_role("link", name="メンバーを追加").click()
    page.get_by_label("氏名").fill("佐藤 健一")
    page.get_by_label("所属自治体").fill("あおば市")
    page.get_by_label("メールアドレス").fill("sato@aoba.example.jp")
    page.get_by_role("button", name="保存する").click()
    remove = page.get_by_role("button", name="名簿から外す （佐藤 健一）")
    dialogs = []

    # From the keyboard: the button asks; dismissed, nothing happens; accepted, the member goes.
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    remove.focus()
    page.keyboard.press("Enter")
    expect(remove).to_be_visible()
    page.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    remove.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("佐藤 健一 さんを名簿から外しました。")).to_be_visible()
    assert dialogs == ["佐藤 健一 さんを名簿から外しますか？担当している役割は空きに戻ります。"] * 2

    # Deleting the plan goes through a page that offers the backup first.
    page.goto(plan_url)
    page.get_by_role("link", name="この計画を削除…").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="バックアップ（JSON）を保存").click()
    assert download.value.suggested_filename.endswith(".json")
    page.get_by_role("button", name="この計画を削除する").click()
    expect(page.get_by_text("計画「消す計画」を削除しました。")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(db.select(Plan)) is None
