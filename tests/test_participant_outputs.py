"""The day's papers read back by independent readers (openpyxl, python-docx) and rendered by
LibreOffice: name cards ten to a sheet, certificates one to a page, nothing lost or split.
PNGs of the pages go to test-artifacts/participants/ for a person to look at."""
from __future__ import annotations

import io
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from curricula import get_curriculum
from exports import participants as outputs
from planner.models import Training
from planner.models.db import db
from planner.services.participants.attendance import day_participants
from planner.services.participants.files import COLUMNS, GROUP_COLUMN
from planner.services.participants.groups import make as make_groups
from tests.conftest import _make_app
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_oita
from tests.participant_data import add_participants, make_municipalities
from tests.system import require, require_fonts

HOSTILE_NAME = "長谷川\x07 ＝SUM(A1)\u3000<b>太郎</b>左衛門右衛門之助"


def _world(count: int, attended: int, groups: int = 0) -> int:
    world = make_oita()
    training = db.session.get(Training, world.trainings["common"])
    training.plan.prefecture.letter_sender = "大分県福祉保健部長"
    people = add_participants(training, make_municipalities(world.prefecture), count, attended, groups)
    people[-1].name = HOSTILE_NAME
    db.session.commit()
    return training.id


def test_participant_list_xlsx_has_the_import_columns_in_print_order(app):
    with app.app_context():
        training = db.session.get(Training, _world(13, 0, groups=3))
        expected = day_participants(training)
        book = load_workbook(io.BytesIO(outputs.participant_list_xlsx(training)))

    rows = list(book.active.iter_rows(values_only=True))

    assert list(rows[0]) == COLUMNS + [GROUP_COLUMN]
    assert [(r[0], r[1]) for r in rows[1:]] == [(p.municipality.name, p.name.replace("\x07", ""))
                                                for p in expected]
    assert [r[0] for r in rows[1:]] == sorted((r[0] for r in rows[1:]),
                                              key=[p.municipality.name for p in expected].index)
    assert all(str(r[8]) in ("1", "2", "3") for r in rows[1:])


def test_participant_list_and_attendance_sheet_read_back_with_python_docx(app):
    with app.app_context():
        training = db.session.get(Training, _world(12, 0))
        names = [p.name.replace("\x07", "") for p in day_participants(training)]
        listing = Document(io.BytesIO(outputs.participant_list_docx(training)))
        sheet = Document(io.BytesIO(outputs.attendance_sheet(training)))

    list_rows = listing.tables[0].rows
    assert [row.cells[2].text for row in list_rows[1:]] == names
    sheet_rows = sheet.tables[0].rows
    assert [c.text for c in sheet_rows[0].cells][-2:] == ["受付", "署名"]
    assert [row.cells[2].text for row in sheet_rows[1:len(names) + 1]] == names
    assert len(sheet_rows) == 1 + len(names) + outputs.WALK_IN_ROWS
    assert all(row.cells[5].text == "☐" for row in sheet_rows[1:])


def test_certificates_go_only_to_those_who_attended(app):
    with app.app_context():
        training = db.session.get(Training, _world(9, 4))
        doc = Document(io.BytesIO(outputs.certificates(training)))
        attended = [p.name for p in day_participants(training) if p.attended_at]

    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.count("修 了 証 書") == 4
    assert [p.text.removesuffix("　殿") for p in doc.paragraphs if p.text.endswith("殿")] == attended
    # the training's full name and days, no brackets nested in the sentence, a 証書番号 each (issue 23)
    assert "令和8年2月18日に実施した「令和7年度 生活困窮者自立支援制度 伝達研修 前期共通プログラム」" in text
    assert [n for n in range(1, 5) if f"令和7年度前期共通第{n}号" in text] == [1, 2, 3, 4]
    assert text.strip().endswith("大分県福祉保健部長")


def test_name_cards_leave_empty_cards_blank(app):
    with app.app_context():
        training = db.session.get(Training, _world(3, 0))
        doc = Document(io.BytesIO(outputs.name_cards(training)))

    cells = [cell for row in doc.tables[0].rows for cell in row.cells]
    assert len(cells) == 4
    assert cells[3].text == ""
    assert all(cell.text for cell in cells[:3])


@pytest.fixture(scope="module")
def rendered(schema_source, memory_folder, tmp_path_factory, artifacts):
    """Cards for 23 people (3 sheets) and 7 certificates, converted to PDF by LibreOffice.
    Once per module: the tests only read the PDFs, and the database is let go before they run."""
    soffice = require("soffice", "the papers are checked by converting them with LibreOffice")
    require_fonts("the papers are Japanese")
    tmp_path = tmp_path_factory.mktemp("rendered")
    path = memory_folder / f"rendered-{uuid.uuid4().hex}.sqlite"
    with _make_app(schema_source.empty(path), create=False) as app, app.app_context():
        training = db.session.get(Training, _world(23, 7, groups=4))
        people = day_participants(training)
        docs = {"cards": outputs.name_cards(training), "certificates": outputs.certificates(training),
                "attendance": outputs.attendance_sheet(training),
                "list": outputs.participant_list_docx(training)}
        names = [p.name.replace("\x07", "") for p in people]
        attended = [p.name.replace("\x07", "") for p in people if p.attended_at]
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    for name, data in docs.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *[str(tmp_path / f"{n}.docx") for n in docs]],
                   check=True, capture_output=True, timeout=240)
    out = artifacts / "participants"
    out.mkdir(exist_ok=True)
    for name in docs:
        _tool("pdftoppm", "-r", "50", "-png", str(tmp_path / f"{name}.pdf"), str(out / name))
    return tmp_path, names, attended


def _tool(name: str, *args: str) -> str:
    return subprocess.run([require(name), *args], check=True, capture_output=True, text=True,
                          timeout=120).stdout


def _pages(pdf) -> list[str]:
    """Each page's text with spaces removed (pdftotext separates pages by form feeds)."""
    return ["".join(page.split()) for page in _tool("pdftotext", str(pdf), "-").split("\f")[:-1]]


def _squeezed(name: str) -> str:
    return "".join(name.replace("<b>", "").replace("</b>", "").split())[:6]


def test_name_cards_fill_sheets_of_ten_and_no_card_splits(rendered):
    folder, names, _ = rendered
    pages = _pages(folder / "cards.pdf")

    assert len(pages) == -(-len(names) // outputs.CARDS_PER_SHEET) == 3
    for number, page in enumerate(pages):
        on_sheet = names[number * 10:(number + 1) * 10]
        # every card's name on its own sheet (whole: kana and name of a card on one page)
        assert all(_squeezed(name) in page for name in on_sheet), (number, page)


def test_certificates_one_to_a_page(rendered):
    folder, _, attended = rendered
    pages = _pages(folder / "certificates.pdf")

    assert len(pages) == len(attended) == 7
    for page, name in zip(pages, attended):
        assert page.count("修了証書") == 1
        assert _squeezed(name) in page
        assert "大分県福祉保健部長" in page


def test_attendance_sheet_and_list_are_a4_with_every_name(rendered):
    folder, names, _ = rendered
    for name in ("attendance", "list"):
        info = _tool("pdfinfo", str(folder / f"{name}.pdf"))
        assert "(A4)" in info, info
        text = "".join(_pages(folder / f"{name}.pdf"))
        assert all(_squeezed(n) in text for n in names), name


def test_flask_export_and_the_officials_zip_carry_the_papers_a_members_does_not(app, runner, client, tmp_path):
    with app.app_context():
        training_id = _world(11, 3)
        plan = db.session.get(Training, training_id).plan
        make_groups(db.session.get(Training, training_id), 4)
        # the notice goes to every training's municipalities, before anyone applied
        notices = [f"開催通知_{get_curriculum(t.curriculum_key).short_title}.docx" for t in plan.trainings]
        plan_id = plan.id

    result = runner.invoke(args=["export", str(plan_id), str(tmp_path)])
    login(client, OITA_OFFICIAL)
    official_zip = client.get(f"/trainings/{training_id}/export.zip").data
    client.post("/logout")
    login(client, OITA_MEMBER)
    member_zip = client.get(f"/trainings/{training_id}/export.zip").data

    assert result.exit_code == 0, result.output
    papers = ["開催通知_前期共通.docx", "受講者名簿_前期共通.xlsx", "受講者名簿_前期共通.docx", "名札_前期共通.docx",
              "受付簿_前期共通.docx", "修了証書_前期共通.docx", "班分け表_前期共通.docx", "班分け表_前期共通.xlsx"]
    written = sorted(p.name for p in (tmp_path / "受講者").iterdir())
    assert written == sorted(set(papers) | set(notices))
    assert len(Document(str(tmp_path / "受講者" / "修了証書_前期共通.docx")).paragraphs) > 3
    assert "開催" in "".join(p.text for p in Document(str(tmp_path / "受講者" / "開催通知_前期共通.docx")).paragraphs)
    assert "第1班" in "".join(p.text for p in Document(str(tmp_path / "受講者" / "班分け表_前期共通.docx")).paragraphs)
    names = zipfile.ZipFile(io.BytesIO(official_zip)).namelist()
    assert [n for n in names if n.startswith("受講者/")] == [f"受講者/{n}" for n in papers]
    assert not [n for n in zipfile.ZipFile(io.BytesIO(member_zip)).namelist() if n.startswith("受講者/")]


@pytest.mark.parametrize("key", list(outputs.OUTPUTS))
def test_each_paper_downloads_from_the_papers_page(app, client, key):
    with app.app_context():
        training_id = _world(4, 2)
    login(client, OITA_OFFICIAL)

    page = client.get(f"/trainings/{training_id}/participants/papers").get_data(as_text=True)
    response = client.get(f"/trainings/{training_id}/participants/papers/{key}")

    assert f"/participants/papers/{key}" in page
    assert response.status_code == 200
    assert response.data.startswith(b"PK\x03\x04")
    assert "attachment" in response.headers["Content-Disposition"]
