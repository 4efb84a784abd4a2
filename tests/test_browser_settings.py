"""The prefecture's settings page and the training form in a phone-sized browser: nothing
wider than the screen, and a wrong phone number answered in Japanese next to its field."""
from __future__ import annotations

from playwright.sync_api import expect

from planner.services.demo import DEMO_PASSWORD
from tests.factories import log_in_browser

OFFICIAL = "tanaka@midori.example.jp"


def _login(page, base: str) -> None:
    log_in_browser(page, base, OFFICIAL, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")


def test_settings_and_training_form_fit_a_phone(demo_server, browser, artifacts):
    base, _ = demo_server
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        _login(page, base)
        for path in ("/settings", "/trainings/1/edit"):
            page.goto(base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path

        page.goto(f"{base}/settings")
        page.get_by_label("電話番号").fill("０１２（３４５）")
        page.get_by_role("button", name="保存する").click()
        expect(page.locator("#error-summary")).to_be_visible()
        expect(page.locator(".has-error .error")).to_have_text("半角数字とハイフンで、市外局番から入力してください。")
        page.screenshot(path=str(artifacts / "settings-phone-errors.png"), full_page=True)
    finally:
        context.close()
