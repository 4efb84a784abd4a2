"""The official's journey with the keyboard alone (Tab, Shift+Tab, Enter, Space, typing):
log in, create a plan, change a timetable, claim a role, move a milestone, download a handout.
Every element the focus lands on shows a visible focus indicator."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from planner.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

OFFICIAL = "tanaka@midori.example.jp"
MAX_TABS = 400

#: the focused element and whether it shows a ring: an outline wider than 0, or a box shadow
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').slice(0, 40),
          visible: outline || style.boxShadow !== 'none'};
}"""


class Keyboard:
    """Moves the focus with Tab / Shift+Tab only, and checks every stop for a visible focus."""

    def __init__(self, page):
        self.page = page
        self.stops_checked = 0

    def focused(self, selector: str) -> bool:
        return self.page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)

    def check_focus_ring(self) -> None:
        state = self.page.evaluate(FOCUS_STATE)
        if state and state["tag"] in ("a", "button", "input", "select", "textarea", "summary"):
            assert state["visible"], f"no visible focus indicator on {state}"
            self.stops_checked += 1

    def tab_to(self, selector: str) -> None:
        """Press Tab until the focus is on `selector` (Shift+Tab if it lies behind)."""
        for key in ("Tab", "Shift+Tab"):
            for _ in range(MAX_TABS):
                if self.focused(selector):
                    return
                self.page.keyboard.press(key)
                self.check_focus_ring()
        raise AssertionError(f"{selector} is not reachable with Tab on {self.page.url}")

    def fill(self, selector: str, text: str) -> None:
        """Tab to an empty text field and type into it."""
        self.tab_to(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def activate(self, selector: str, key: str = "Enter") -> None:
        """Tab to a link or button and press Enter (or Space)."""
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)


def flash(page) -> str:
    return page.locator(".flashes").inner_text()


def test_official_plans_with_the_keyboard_alone(demo_server, browser_page, artifacts):
    base, _ = demo_server
    page = browser_page
    keys = Keyboard(page)

    # The skip link is the first stop and takes the focus to the main content.
    page.goto(f"{base}/login")
    page.keyboard.press("Tab")
    assert keys.focused("a.skip")
    keys.check_focus_ring()
    expect(page.locator("a.skip")).to_be_visible()
    page.keyboard.press("Enter")
    assert keys.focused("main#main")

    # Log in: from main the order is e-mail, password, button.
    page.keyboard.press("Tab")
    assert keys.focused("#email")
    page.keyboard.type(OFFICIAL)
    page.keyboard.press("Tab")
    assert keys.focused("#password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    assert keys.focused("button[type=submit].primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "田中 ゆかり（県 地域福祉課） さん、ようこそ。" in flash(page)

    # Create a plan: a title, the defaults (this year's cycle, proposed dates), Enter.
    keys.activate("a[href='/plans/new']")
    keys.fill("#title", "令和9年度 伝達研修計画（キーボード）")
    assert page.locator("#propose_dates").is_checked()
    page.keyboard.press("Enter")  # Enter in a text field submits its form
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    expect(page.get_by_role("heading", name="令和9年度 伝達研修計画（キーボード）")).to_be_visible()
    plan_url = page.url

    # Change the chief training's timetable: fix a subject's minutes, add a local subject.
    chief_link = page.locator("table.trainings th a", has_text="主任相談支援員").get_attribute("href")
    keys.activate(f"table.trainings th a[href='{chief_link}']")
    assert "主任相談支援員" in page.locator("h1").inner_text()
    minutes = page.locator("table.editor input[name=minutes]").first.get_attribute("id")
    automatic = page.locator("table.timetable tr.kind-subject td.num").first.inner_text()
    keys.fill(f"#{minutes}", automatic)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "時間を変更しました。" in flash(page)
    assert page.locator(f"#{minutes}").input_value() == automatic

    keys.fill("#local-form #name", "権利擁護と成年後見")
    keys.fill("#local-form #minutes", "30")
    keys.fill("#local-form #lecturer_name", "青木 正")
    keys.activate("#local-form button[type=submit]", key="Space")
    assert "独自科目を追加しました。" in flash(page)
    assert page.locator("table.timetable", has_text="権利擁護と成年後見").count() == 1
    timetable_url = page.url.split("#")[0]

    # Download a handout: Enter on the focused link.
    keys.tab_to("a[href$='/agenda.docx']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = artifacts / "keyboard-agenda.docx"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".docx")
    assert saved.read_bytes()[:2] == b"PK"
    assert page.url.split("#")[0] == timetable_url

    # Claim a role in the demo plan, where the official is on the roster.
    keys.activate("header nav a[href='/']")
    demo_plan = page.locator("table.plans a", has_text="デモ").get_attribute("href")
    keys.activate(f"table.plans a[href='{demo_plan}']")
    keys.activate("a.button[href$='/roles']")
    claim = page.locator("form[action$='/claim'] button").first
    claim_form = page.locator("form[action$='/claim']").first.get_attribute("action")
    label = claim.inner_text().replace("申し込む", "").strip("（） \n")
    keys.activate(f"form[action='{claim_form}'] button", key="Space")
    assert f"「{label}」を担当します。" in flash(page)

    # Move the first meeting of the demo timeline by one working day.
    keys.activate("p.crumbs a")
    keys.activate("a.button[href$='/timeline/']")
    row = page.locator("form.move-row", has_text="検討会議").first
    row_id = row.get_attribute("id")
    start_id = row.locator("input[type=date]").first.get_attribute("id")
    old = date.fromisoformat(page.locator(f"#{start_id}").input_value())
    new = old + timedelta(days=1)
    while new.weekday() >= 5:
        new += timedelta(days=1)
    # A date field takes digits part by part in the browser's UI language (here en-US:
    # mm/dd/yyyy; a full month or day moves on to the next part by itself).
    keys.tab_to(f"#{start_id}")
    page.keyboard.type(f"{new.month:02d}{new.day:02d}{new.year}")
    assert page.locator(f"#{start_id}").input_value() == new.isoformat()
    keys.activate(f"#{row_id} button[type=submit]")
    assert "日程を保存しました。" in flash(page)
    assert page.locator(f"#{start_id}").input_value() == new.isoformat()

    # Back to the new plan: its four trainings have dates, and every stop showed its focus.
    page.goto(plan_url)
    dates = page.locator("table.trainings tbody tr td:first-of-type").all_inner_texts()
    assert len(dates) == 4 and not any("未定" in d for d in dates)
    assert keys.stops_checked > 50
    page.screenshot(path=str(artifacts / "keyboard-journey.png"), full_page=True)
