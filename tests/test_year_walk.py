"""The official's year on the demo in a real Chromium, counted in clicks and submits.

The year: the four trainings' participants (every municipality's link issued and mailed with
its 開催通知, in one action for the whole plan, and the waiting entry decided), the roles (the
whole suggestion accepted), the five planning meetings still ahead (time and place set, the
team invited), and every changed training published at once. Each mail-sending action passes
its confirmation page, which counts as a click. Filling a field is not a click; fills are
counted and printed beside the clicks. The issue measured about 165 clicks and submits for
such a year; the goal is at most 60.

The first test (it runs first: the walk then sends and publishes) looks at the pages this work added,
at 390 px and 1280 px (axe; no sideways scrolling; screenshots in test-artifacts/).
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from planner.models import Milestone, OutboxMessage, Participant, Plan, ProgrammeVersion, Training
from planner.models.db import db
from planner.services.demo import DEMO_PASSWORD
from planner.services.participants.demo import DEMO_CONTACTS
from planner.services.participants.notice_checks import notice_problems
from tests.axe_check import axe_violations, describe
from tests.factories import log_in_browser

pytestmark = pytest.mark.browser

OFFICIAL = "tanaka@midori.example.jp"
GOAL = 60


class Walk:
    """Drives the page and counts, per step, the clicks (a submit is a click) and the fills."""

    def __init__(self, page):
        self.page = page
        self.steps: list[tuple[str, int, int]] = []

    def step(self, name: str) -> None:
        self.steps.append((name, 0, 0))

    def _add(self, clicks: int = 0, fills: int = 0) -> None:
        name, c, f = self.steps[-1]
        self.steps[-1] = (name, c + clicks, f + fills)

    def click(self, locator) -> None:
        locator.click()
        self._add(clicks=1)

    def fill(self, label: str, text: str, exact: bool = False) -> None:
        self.page.get_by_label(label, exact=exact).fill(text)
        self._add(fills=1)

    @property
    def clicks(self) -> int:
        return sum(c for _, c, _ in self.steps)

    def report(self) -> str:
        lines = [f"{name}: クリック {c}（入力 {f}）" for name, c, f in self.steps]
        fills = sum(f for _, _, f in self.steps)
        return "\n".join([*lines, f"合計: クリック {self.clicks}（入力 {fills}）／目標 {GOAL} 以下"])


def _flash(page) -> str:
    return page.locator(".flashes").inner_text()


def _check(page, artifacts, name: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_violations(page)
        page.screenshot(path=str(artifacts / f"bulk-{name}-{width}.png"), full_page=True)
        assert violations == [], (name, width, describe(violations))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)


def test_the_new_pages_fit_390_and_1280_px(demo_server, browser_page, artifacts):
    base, app = demo_server
    with app.app_context():
        plan = db.session.scalar(db.select(Plan).order_by(Plan.cycle_year.desc()).limit(1))  # this cycle's
        common = next(t for t in plan.trainings if t.curriculum_key == "common")
        meeting = next(m for m in plan.milestones if m.kind == "meeting")
        plan_id, common_id, meeting_id = plan.id, common.id, meeting.id
    page = browser_page
    log_in_browser(page, base, OFFICIAL, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/plans/{plan_id}")
    _check(page, artifacts, "plan-year")
    page.goto(f"{base}/plans/{plan_id}/links/send")
    _check(page, artifacts, "links-confirm")
    page.goto(f"{base}/trainings/{common_id}/participants")
    _check(page, artifacts, "participants")
    page.goto(f"{base}/plans/{plan_id}/meetings/{meeting_id}")
    _check(page, artifacts, "meeting")
    page.goto(f"{base}/plans/{plan_id}/publish")
    _check(page, artifacts, "publish-confirm")


def test_an_officials_year_takes_at_most_60_clicks(demo_server, browser_page, artifacts):
    base, app = demo_server
    with app.app_context():
        plan = db.session.scalar(db.select(Plan).order_by(Plan.cycle_year.desc()).limit(1))  # this cycle's
        today = date.today()
        ahead = [m.title for m in sorted(plan.milestones, key=lambda m: m.start)
                 if m.kind in ("launch", "meeting") and m.start >= today]
        trainings = len(plan.trainings)
        # a training's notice leaves only with its 文書番号 and deadline (the demo fills in one)
        ready = sum(not notice_problems(t) for t in plan.trainings)
        plan_id = plan.id
    page = browser_page
    walk = Walk(page)

    walk.step("ログイン")
    page.goto(f"{base}/login")
    walk.fill("メールアドレス", OFFICIAL)
    walk.fill("パスワード", DEMO_PASSWORD)
    walk.click(page.get_by_role("button", name="ログイン"))
    walk.click(page.get_by_role("link", name=re.compile("伝達研修計画（デモ）")))
    plan_url = page.url

    walk.step("受講者: 開催通知の整った研修の申込URLを発行し、開催通知つきで市町村に送る")
    walk.click(page.get_by_role("link", name="申込URLと開催通知を市町村にまとめて送る"))
    mails = len(DEMO_CONTACTS) * ready
    assert ready and page.get_by_text("開催通知に不足があるため送りません").count() == trainings - ready
    expect(page.get_by_role("heading", name=f"メールを送る相手（{len(DEMO_CONTACTS)}人）")).to_be_visible()
    walk.click(page.get_by_role("button", name=f"{len(DEMO_CONTACTS)}人に{mails}通を送る"))
    assert f"{mails}通のメールを送りました" in _flash(page)

    walk.step("受講者: キャンセル待ちを決める（担当者にメール）")
    walk.click(page.get_by_role("row", name=re.compile("前期共通")).get_by_role("link", name="受講者・申込"))
    walk.click(page.locator("#waiting tr", has_text="緑川 三郎").get_by_role("button", name=re.compile("^受講決定")))
    assert "担当者にメールで知らせます" in _flash(page)
    walk.click(page.locator("p.crumbs a").first)

    walk.step("役割分担: 自動割り当ての提案をすべて反映")
    walk.click(page.get_by_role("link", name="役割分担", exact=True))
    walk.click(page.get_by_role("button", name="自動割り当ての提案をすべて反映"))
    assert re.search(r"提案を\d+件反映しました。", _flash(page))
    walk.click(page.locator("p.crumbs a").first)

    walk.step(f"検討会議: {len(ahead)}回の時刻・会場を決めて案内メール")
    for number, title in enumerate(ahead):
        walk.click(page.locator("section.year").get_by_role("link", name=title))
        walk.fill("開始時刻", "13:30")
        walk.fill("終了時刻", "15:30")
        walk.fill("会場", f"みどり県庁 本館{number + 2}階 会議室", exact=True)
        walk.click(page.get_by_role("button", name="保存する"))
        walk.click(page.get_by_role("button", name="チームに案内メールを送る"))
        expect(page.get_by_role("heading", name=re.compile("メールを送る相手"))).to_be_visible()
        walk.click(page.get_by_role("button", name=re.compile(r"\d+人に送る")))
        assert "人に会議の案内を送りました" in _flash(page)
        walk.click(page.locator("p.crumbs a").first)
    assert page.url == plan_url

    walk.step("公開: 変更のある研修をまとめて公開")
    walk.click(page.get_by_role("link", name="変更のある研修をまとめて公開する"))
    walk.click(page.get_by_role("button", name=f"{trainings}件の研修を公開する"))
    assert "公開しました" in _flash(page)

    report = walk.report()
    print("\n" + report)
    (artifacts / "year-walk.txt").write_text(report + "\n", encoding="utf-8")
    with app.app_context():
        kinds = dict(db.session.execute(db.select(OutboxMessage.kind, db.func.count(OutboxMessage.id))
                                        .group_by(OutboxMessage.kind)).all())
        walked = db.session.scalars(db.select(Training.id).filter_by(plan_id=plan_id)).all()
        versions = db.session.scalars(db.select(ProgrammeVersion.training_id)
                                      .filter(ProgrammeVersion.training_id.in_(walked))).all()
        timed = db.session.scalars(db.select(Milestone).filter(Milestone.plan_id == plan_id,
                                                               Milestone.start_time.is_not(None))).all()
        assert db.session.scalar(db.select(Participant.status).filter_by(name="緑川 三郎")) == "accepted"
        assert sorted(versions) == sorted(walked)  # last cycle's plan in the demo is not walked
    assert kinds["application_link"] == mails and kinds["decision"] == 1
    assert kinds["meeting"] > 0 and kinds["calendar"] > 0
    assert sorted(m.title for m in timed) == sorted(ahead)
    assert walk.clicks <= GOAL
