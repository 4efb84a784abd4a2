"""The shortest path from an empty year to a complete plan, counted in user actions.

An action is a click, a field filled (however many keys), a file chosen, or a URL typed.
The path: log in, create a plan with proposed dates (four timetables at once), import the
team from CSV, accept the whole role suggestion (the timeline comes with the plan), and download
everything in one zip.
"""
from __future__ import annotations

import re
import zipfile

import pytest

from planner.models import Plan
from planner.models.db import db
from planner.services.demo import DEMO_TEAM
from planner.services.plans.timetables import timetable_of
from planner.services.team import roster as team
from planner.services.team.files import MemberRow, write_roster
from tests.factories import PASSWORD, make_prefecture, make_user

pytestmark = pytest.mark.browser

EMAIL = "official@aoi.example.jp"
TITLE = "令和9年度 伝達研修計画"


class Actions:
    """Drives the page and writes down every user action with what it was for."""

    def __init__(self, page):
        self.page = page
        self.steps: list[str] = []

    def _note(self, kind: str, what: str) -> None:
        self.steps.append(f"{len(self.steps) + 1:2d}. {kind}: {what}")

    def load(self, url: str, what: str) -> None:
        self.page.goto(url)
        self._note("URL", what)

    def fill(self, label: str, text: str) -> None:
        self.page.get_by_label(label).fill(text)
        self._note("入力", f"{label} = {text}")

    def click(self, locator, what: str) -> None:
        locator.click()
        self._note("クリック", what)

    def choose_file(self, label: str, path) -> None:
        self.page.get_by_label(label).set_input_files(path)
        self._note("ファイル選択", f"{label}: {path.name}")

    def download(self, locator, what: str):
        with self.page.expect_download() as info:
            locator.click()
        self._note("ダウンロード", what)
        return info.value

    def report(self) -> str:
        return "\n".join([f"ACTIONS: {len(self.steps)}", *self.steps])


@pytest.fixture
def official(app, tmp_path):
    """An official with no plan yet, and the team as a CSV file (as Excel would save it)."""
    with app.app_context():
        make_user(make_prefecture("あおい県"), EMAIL, name="山田 花子")
    rows = [MemberRow(name=name, municipality=town, municipality_kind=kind, email=email, courses=courses)
            for name, town, kind, email, courses, _ in DEMO_TEAM]
    path = tmp_path / "研修チーム名簿.csv"
    path.write_bytes(write_roster(rows))
    return path


def test_a_year_is_planned_in_few_actions(app, official, live_server, browser_page, artifacts):
    page = browser_page
    act = Actions(page)
    roster_csv = official

    act.load(f"{live_server}/login", "ログイン画面を開く")
    act.fill("メールアドレス", EMAIL)
    act.fill("パスワード", PASSWORD)
    act.click(page.get_by_role("button", name="ログイン"), "ログイン")

    # One form builds the four trainings on proposed dates, with their timetables.
    act.click(page.get_by_role("link", name="新しい年間計画を作る"), "新しい年間計画を作る")
    assert page.get_by_label(re.compile("開催日を仮置き")).is_checked()
    act.fill("計画の名前", TITLE)
    act.click(page.get_by_role("button", name="作成する（4つの研修を用意）"), "作成する（開催日の仮置きは既定でオン）")
    plan_url = page.url

    act.click(page.get_by_role("link", name=re.compile("研修チーム名簿")), "研修チーム名簿")
    act.choose_file("名簿ファイル（Excel .xlsx または CSV）", roster_csv)
    act.click(page.get_by_role("button", name="取り込む"), "取り込む")
    assert "名簿を取り込みました（追加8人、更新0人）。" in page.locator(".flashes").inner_text()

    act.click(page.get_by_role("link", name="役割分担を見る"), "役割分担を見る")
    act.click(page.get_by_role("button", name="自動割り当ての提案をすべて反映"), "自動割り当ての提案をすべて反映")
    assert re.search(r"提案を\d+件反映しました。", page.locator(".flashes").inner_text())

    # Everything to hand out in one zip: handouts, briefings, calendars, invitations, and the
    # year's schedule, which creating the plan with proposed dates has already laid out.
    act.click(page.locator("p.crumbs a"), "計画に戻る")
    assert page.url == plan_url
    download = act.download(page.get_by_role("link", name=re.compile("一括ダウンロード")), "一括ダウンロード（zip）")
    folder = artifacts / "action-count-downloads"
    folder.mkdir(exist_ok=True)
    download.save_as(folder / download.suggested_filename)
    with zipfile.ZipFile(folder / download.suggested_filename) as archive:
        names = archive.namelist()

    report = act.report()
    print("\n" + report)
    (artifacts / "action-count.txt").write_text(report + "\n", encoding="utf-8")

    with app.app_context():
        plan = db.session.scalar(db.select(Plan).filter_by(title=TITLE))
        assert [timetable_of(t).feasible for t in plan.trainings] == [True] * 4
        assert all(t.first_date for t in plan.trainings)
        coverage = team.coverage(plan)
        assert len(plan.members) == 8 and coverage.without_role == []
        assert len(plan.milestones) > 0
    assert sum(n.startswith("研修次第") for n in names) == 4
    assert sum(n.endswith(".ics") and not n.startswith("招待状/") for n in names) == 5
    assert "企画スケジュール.docx" in names and any(n.startswith("役割分担表") for n in names)
    assert len(act.steps) <= 16
