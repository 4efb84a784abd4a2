"""The team's programme in a real Chromium: a member writes the points for a subject and finds
them in the lecturer briefing downloaded from the timetable page."""
import io

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.factories import OITA_MEMBER, PASSWORD, log_in_browser, make_oita

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app):
    with app.app_context():
        return make_oita()


def test_team_points_for_a_subject_reach_the_downloaded_briefing(app, world, live_server, browser_page, artifacts):
    page = browser_page
    log_in_browser(page, live_server, OITA_MEMBER, PASSWORD)
    page.goto(f"{live_server}/trainings/{world.trainings['common']}")

    # The source's own instructions are on the timetable page.
    expect(page.get_by_text("研修内容を報告するだけの形態になることのないよう").first).to_be_visible()

    page.locator(f"#programme-{world.subjects['C']}").get_by_role("link", name="チームのプログラムを書く").click()
    page.get_by_label("特に伝えたい内容").fill("断らない相談の入口は一つではないこと")
    page.get_by_label("チームの解説のポイント").fill("DV被害者支援の連携先を具体的に\n発達障害の特性に合った面接")
    page.get_by_label("使うワークシート・資料").fill("講義と演習④-1 演習用事例シート")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("チームのプログラムを保存しました。")).to_be_visible()
    expect(page.locator("#programme-" + str(world.subjects["C"]))).to_contain_text("断らない相談の入口は一つではないこと")
    page.screenshot(path=str(artifacts / "programme-saved.png"), full_page=True)

    with page.expect_download() as download:
        page.locator("section.downloads a", has_text="C 生活困窮者支援に必要と考えられる視点").click()
    saved = artifacts / "briefing-team-c.docx"
    download.value.save_as(saved)
    doc = Document(io.BytesIO(saved.read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)

    assert "企画会議チームのプログラム（チームで決めた内容）" in text
    assert "特に伝えたい内容：断らない相談の入口は一つではないこと" in text
    assert "DV被害者支援の連携先を具体的に" in text and "発達障害の特性に合った面接" in text
    assert "講義と演習④-1 演習用事例シート" in text
    assert "表：⑤、本文：④" in "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells) + text
