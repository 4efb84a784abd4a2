"""A case file in a real Chromium: the official uploads a .docx naming 「山田太郎さん」 as case
material, sees it blocked from sharing (a team member's download is refused), settles the
replacement table at once, and downloads the one new version without the name (read with
python-docx); a case with two people of one surname, an e-mail and a building leaves no
original string on any page, and its first version answers 410 to everyone."""
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from planner.models import Plan, TeamMember
from planner.models.db import db
from planner.services.materials.demo import docx_bytes
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, PASSWORD, log_in_browser, make_oita

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
    log_in_browser(page, base, email, PASSWORD)
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
    name = page.locator("tr.finding-row", has=page.locator("mark", has_text="山田太郎"))
    expect(name).to_contain_text("人名")
    page.screenshot(path=str(artifacts / "materials-findings-blocked.png"), full_page=True)
    material_url = page.url.removesuffix("/findings")
    blocked = member_download_status(browser, live_server, f"{material_url.removeprefix(live_server)}/versions/1/download")

    expect(page.get_by_label("1行目を置き換える文字")).to_have_value("A氏")
    page.get_by_role("button", name="すべて確定する").click()
    expect(page.get_by_text("置き換えた第2版を作りました")).to_be_visible()
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


SAME_SURNAME = ("相談者の佐々木 蓮さん（34歳）は、かわべハイツ201号室に住む。",
                "母の佐々木 恵美さんと二人で暮らす。蓮さんの連絡先は ren.sasaki88@example.ne.jp。",
                "恵美さんは、かわべ中央病院に通院している。")
ORIGINALS = ("佐々木", "蓮", "恵美", "ren.sasaki88", "かわべ", "201号室")


def test_settling_once_leaves_one_version_no_old_bytes_and_no_original_string(
        world, live_server, browser, browser_page, artifacts, tmp_path):
    page = browser_page
    log_in(page, live_server, OITA_OFFICIAL)
    page.goto(f"{live_server}/trainings/{world.trainings['common']}/materials")
    section = page.locator("section", has=page.locator(f"#subject-{world.subjects['C']}"))
    section.get_by_text("この科目の資料を追加").click()
    section.get_by_label("資料名").fill("事例報告")
    section.get_by_label("種類").select_option(label="事例資料")
    section.get_by_label("ファイル（あとからでも可）").set_input_files(files=[{
        "name": "事例報告.docx", "buffer": docx_bytes(*SAME_SURNAME),
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}])
    section.get_by_role("button", name="資料を追加").click()

    table = page.locator("table.replacements")
    for text in ("佐々木 蓮", "佐々木 恵美", "ren.sasaki88@example.ne.jp", "かわべハイツ201号室"):
        expect(table.locator("mark", has_text=text).first).to_be_visible()
    page.screenshot(path=str(artifacts / "materials-replacement-table.png"), full_page=True)
    page.get_by_role("button", name="すべて確定する").click()
    expect(page.get_by_text("置き換えた第2版を作りました")).to_be_visible()
    material_path = page.url.removeprefix(live_server).removesuffix("/findings")
    page.screenshot(path=str(artifacts / "materials-settled-history.png"), full_page=True)

    pages = [page.content()]
    page.goto(f"{live_server}/trainings/{world.trainings['common']}/materials")
    pages.append(page.content())
    with page.expect_download() as download:
        page.locator("tr", has_text="第2版").get_by_role("link", name="事例報告.docx").click()
    saved = Path(tmp_path / "settled.docx")
    download.value.save_as(saved)
    text = "\n".join(p.text for p in docx.Document(saved).paragraphs)
    versions = page.locator("table.versions tbody tr", has_text="第").count()
    official_old = page.request.get(f"{live_server}{material_path}/versions/1/download").status
    member_old = member_download_status(browser, live_server, f"{material_path}/versions/1/download")[0]
    member_new = member_download_status(browser, live_server, f"{material_path}/versions/2/download")[0]
    context = browser.new_context(locale="ja-JP")
    try:
        member = context.new_page()
        log_in(member, live_server, OITA_MEMBER)
        for path in (f"{material_path}/findings", f"/trainings/{world.trainings['common']}/materials"):
            member.goto(live_server + path)
            pages.append(member.content())
    finally:
        context.close()

    letters = {line.split("さん")[0][-1] for line in text.splitlines() if "さん" in line}
    assert versions == 2
    assert (official_old, member_old, member_new) == (410, 410, 200)
    assert [o for o in ORIGINALS if o in text] == []
    assert [o for o in ORIGINALS for html in pages if o in html] == []
    assert "相談者のAさん" in text and "母のBさん" in text and "Aさんの連絡先" in text and "Bさんは" in text
    assert len(letters) == 2
