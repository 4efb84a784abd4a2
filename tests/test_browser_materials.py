"""A case file in a real Chromium: the official uploads a .docx naming 「山田太郎さん」 as case
material, sees it blocked from sharing (a team member's download is refused), replaces the
name in the app, settles the rest, and downloads a version without it (read with python-docx)."""
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from planner.models import Plan, TeamMember
from planner.models.db import db
from planner.services.materials_demo import docx_bytes
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, PASSWORD, make_oita

pytestmark = pytest.mark.browser

CASE = ("事例：相談者の山田太郎さん（45歳）は、仕事を失い家賃を払えなくなって窓口を訪れた。",
        "グループで、最初の面接で確かめることを話し合う。")


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
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{base}/")


def member_download_status(browser, base: str, url: str) -> tuple[int, str]:
    """What a team member who holds none of the subject's roles gets for the file."""
    context = browser.new_context(locale="ja-JP")
    try:
        page = context.new_page()
        log_in(page, base, OITA_MEMBER)
        response = context.request.get(base + url)
        return response.status, response.text() if response.status != 200 else ""
    finally:
        context.close()


def test_a_case_file_is_shared_only_after_the_name_is_replaced(world, live_server, browser, browser_page,
                                                               artifacts, tmp_path):
    page = browser_page
    log_in(page, live_server, OITA_OFFICIAL)
    page.goto(f"{live_server}/trainings/{world.trainings['common']}")
    page.get_by_role("link", name="資料（スライド・ワークシート・事例）").click()
    section = page.locator("section", has=page.locator(f"#subject-{world.subjects['C']}"))
    section.get_by_text("この科目の資料を追加").click()
    section.get_by_label("資料名").fill("演習用事例シート")
    section.get_by_label("種類").select_option(label="事例資料")
    section.get_by_label("ファイル（あとからでも可）").set_input_files(files=[{
        "name": "演習用事例シート.docx", "buffer": docx_bytes(*CASE),
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}])
    section.get_by_role("button", name="資料を追加").click()

    # the upload leads to the findings: the name in its sentence, and sharing blocked
    expect(page.get_by_role("heading", name="匿名化の確認：演習用事例シート")).to_be_visible()
    expect(page.locator(".share.blocked")).to_contain_text("匿名化の確認が終わるまで共有できません")
    name = page.locator("li.finding", has=page.locator("mark", has_text="山田太郎"))
    expect(name).to_contain_text("相談者の山田太郎さん")
    page.screenshot(path=str(artifacts / "materials-findings-blocked.png"), full_page=True)
    material_url = page.url.removesuffix("/findings")
    blocked = member_download_status(browser, live_server, f"{material_url.removeprefix(live_server)}/versions/1/download")

    expect(name.get_by_label("置き換える文字")).to_have_value("A")
    name.get_by_role("button", name="置き換える").click()
    expect(page.get_by_text("「山田太郎」を「A」に置き換えた第2版を作り")).to_be_visible()
    while page.locator("li.finding.status-open").count():
        page.locator("li.finding.status-open").first.get_by_role("button", name="誤検出").click()
        expect(page.get_by_text("を誤検出としました")).to_be_visible()
    expect(page.locator(".share.ok")).to_contain_text("確認が終わりました")

    page.get_by_role("link", name="の資料").first.click()
    with page.expect_download() as download:
        page.locator("tr", has_text="第2版").get_by_role("link", name="演習用事例シート.docx").click()
    saved = Path(tmp_path / "downloaded.docx")
    download.value.save_as(saved)
    text = "\n".join(p.text for p in docx.Document(saved).paragraphs)
    shared = member_download_status(browser, live_server, f"{material_url.removeprefix(live_server)}/versions/2/download")

    assert blocked[0] == 403 and "匿名化の確認が終わるまで共有できません" in blocked[1]
    assert download.value.suggested_filename == "演習用事例シート.docx"
    assert "山田太郎" not in text
    assert "相談者のAさん" in text
    assert shared == (200, "")
