"""The survey on a phone (390 px), end to end: the official prepares the links, the name card's
QR code is read back from the generated .docx with a QR reader (zxing-cpp), the survey is
answered through it with the keyboard, the link then refuses a second answer in Japanese, and
the answer shows in the results. axe-core checks the answer and results pages."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document
from playwright.sync_api import expect

from planner.models import Training
from planner.models.db import db
from planner.services.participants.entries import today_in_japan
from tests.axe_check import axe_violations
from tests.conftest import BROWSER_TIMEOUT_MS
from tests.factories import OITA_OFFICIAL, PASSWORD, log_in_browser, make_oita
from tests.participant_data import add_participants, make_municipalities

pytestmark = pytest.mark.browser


def _first_card_qr(docx_bytes: bytes) -> str:
    """The URL in the QR code of the first name card, decoded from its image."""
    import zxingcpp
    from PIL import Image
    doc = Document(io.BytesIO(docx_bytes))
    cell = doc.tables[0].rows[0].cells[0]
    blip = cell._tc.xpath(".//a:blip")[0]
    rid = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
    image = Image.open(io.BytesIO(doc.part.related_parts[rid].blob))
    [code] = zxingcpp.read_barcodes(image)
    return code.text


def test_a_participant_answers_once_through_the_qr_on_their_name_card(app, live_server, browser):
    with app.app_context():
        world = make_oita()
        training = db.session.get(Training, world.trainings["common"])
        training.first_date = today_in_japan()
        add_participants(training, make_municipalities(world.prefecture), 3)
        training_id = training.id
    desk = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", accept_downloads=True)
    official = desk.new_page()
    official.set_default_timeout(BROWSER_TIMEOUT_MS)
    phone = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        log_in_browser(official, live_server, OITA_OFFICIAL, PASSWORD)
        official.goto(f"{live_server}/trainings/{training_id}/survey")
        official.get_by_role("button", name="受講者ごとのURLを用意して送る").click()
        expect(official.get_by_text("受講者3名の回答用URLを用意し")).to_be_visible()
        with official.expect_download() as download:
            official.get_by_role("link", name="名札（QRコード付き・Word）").click()
        url = _first_card_qr(download.value.path().read_bytes())
        assert re.fullmatch(rf"{re.escape(live_server)}/s/[A-Za-z0-9_-]+", url)

        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text("研修アンケート")
        axe_answer = axe_violations(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        # answer with the keyboard: each required group gets its first radio focused, then
        # the arrow keys move the choice (5 → 4) as a screen reader user would
        for legend in page.locator("fieldset:has(.req)").all():
            radio = legend.locator("input[type=radio]").first
            radio.focus()
            page.keyboard.press("Space")
            if legend.locator("input[value='5']").count():
                page.keyboard.press("ArrowDown")
        page.get_by_label("その他、研修全体についてのご意見・ご感想").fill("演習の時間をもっと取ってほしい。")
        page.get_by_role("button", name="回答を送る").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("回答ありがとうございました")

        again = page.goto(url)
        assert again.status == 410
        expect(page.get_by_role("alert")).to_contain_text("すでに回答済み")

        official.goto(f"{live_server}/trainings/{training_id}/survey/results")
        expect(official.locator("[data-total=responses]")).to_have_text("1")
        expect(official.get_by_text("演習の時間をもっと取ってほしい。")).to_be_visible()
        first_row = official.locator("#scale-table tbody tr").first
        expect(first_row.locator(".average")).to_have_text("4.00")
        page.goto(f"{live_server}/trainings/{training_id}/survey/results")  # the phone has no login
        expect(page.get_by_role("heading", level=1)).not_to_contain_text("研修アンケート結果")
        phone_results = phone.new_page()
        phone_results.context.add_cookies(desk.cookies())
        phone_results.goto(f"{live_server}/trainings/{training_id}/survey/results")
        axe_results = axe_violations(phone_results)
        results_width = phone_results.evaluate("document.documentElement.scrollWidth")
    finally:
        desk.close()
        phone.close()

    assert axe_answer == [] and width <= 390
    assert axe_results == [], axe_results
    assert results_width <= 390
