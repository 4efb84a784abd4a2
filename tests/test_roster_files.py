"""The roster as Excel sees it: .xlsx and CSV in and out, Excel's date spellings, formula
injection, the example files, and broken files refused whole."""
import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from planner.models import Plan, TeamMember
from planner.models.db import db
from planner.services.team.files import (
    HEADER,
    MemberRow,
    RosterError,
    example_csv,
    example_xlsx,
    parse_roster,
    write_roster,
    write_roster_xlsx,
)
from planner.services.team.roster import roster_rows, save_member
from tests.factories import login, make_plan, make_prefecture, make_user

ATTACKS = ["=HYPERLINK(\"http://evil.example/\",\"開く\")", "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "-2+3+cmd|' /C calc'!A0", "'=already quoted", "''+two quotes"]


def xlsx(rows: list[list[object]]) -> bytes:
    """A workbook as Excel saves it: the first sheet holds the table."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roster(*rows: MemberRow) -> list[MemberRow]:
    return list(rows)


SATO = MemberRow(name="佐藤 健一", municipality="あおば市", municipality_kind="designated_city",
                 email="sato@aoba.example.jp", courses={"common": 2023, "counselor": None},
                 unavailable=[date(2027, 2, 18), date(2027, 3, 1)], notes="1行目\n2行目")


@pytest.mark.parametrize("written", ["2027/2/18", "2027/02/18", "2027-02-18", "２０２７/２/１８"])
def test_csv_reads_dates_as_excel_writes_them(written):
    data = (",".join(HEADER) + "\r\n" + f"佐藤,あおば市,政令指定都市,sato@aoba.example.jp,,{written},\r\n")

    rows = parse_roster(data.encode("cp932") if "２" not in written else data.encode("utf-8"))

    assert rows[0].unavailable == [date(2027, 2, 18)]


def test_xlsx_reads_a_date_cell_and_dates_as_text():
    data = xlsx([HEADER,
                 ["佐藤", "あおば市", "政令指定都市", "sato@aoba.example.jp", "前期共通:2024", datetime(2027, 2, 18), None],
                 ["伊藤", "かわべ市", "中核市", "ito@kawabe.example.jp", None, "2027/3/1;2027/02/18", 42]])

    rows = parse_roster(data)

    assert [r.unavailable for r in rows] == [[date(2027, 2, 18)], [date(2027, 2, 18), date(2027, 3, 1)]]
    assert rows[0].courses == {"common": 2024}
    assert rows[1].notes == "42"


@pytest.mark.parametrize("write", [write_roster, write_roster_xlsx])
def test_export_then_import_is_the_identity(write):
    rows = roster(SATO, *[MemberRow(name=text, municipality=text, municipality_kind="other",
                                    email=f"m{i}@example.jp", notes=text) for i, text in enumerate(ATTACKS)])

    assert parse_roster(write(rows)) == rows


def test_csv_export_neutralises_formulas():
    rows = [MemberRow(name=text, municipality="あおば市", municipality_kind="other", email=f"m{i}@example.jp")
            for i, text in enumerate(ATTACKS)]

    lines = list(csv.reader(io.StringIO(write_roster(rows).decode("utf-8-sig"))))[1:]

    assert [line[0] for line in lines] == [
        "'=HYPERLINK(\"http://evil.example/\",\"開く\")", "'+cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0",
        "''=already quoted", "'''+two quotes"]


def test_xlsx_export_writes_text_cells_never_formulas():
    rows = [MemberRow(name=text, municipality="=1+1", municipality_kind="other", email=f"m{i}@example.jp")
            for i, text in enumerate(ATTACKS)]

    sheet = load_workbook(io.BytesIO(write_roster_xlsx(rows))).active

    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value]
    assert {c.data_type for c in cells} == {"s"}
    assert [sheet.cell(row=r, column=1).value for r in range(2, 8)] == ["'" + ATTACKS[0], *["'" + a for a in ATTACKS[1:]]]
    assert sheet.cell(row=2, column=2).value == "'=1+1"


def test_a_line_break_in_a_one_line_cell_becomes_a_space():
    data = xlsx([HEADER, ["佐藤\n健一", "あおば市\r\n中央区", "政令指定都市", "sato@aoba.example.jp", None, None,
                          "1行目\r\n2行目\u2028"]])

    row = parse_roster(data)[0]

    assert (row.name, row.municipality, row.notes) == ("佐藤 健一", "あおば市 中央区", "1行目\n2行目")


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04broken", "Excel ファイル（.xlsx）として読めません"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "古い Excel 形式（.xls）は読めません。"),
    (xlsx([HEADER, ["佐藤", "あおば市", "政令指定都市", "sato@aoba.example.jp", None, "2027/2/30", None]]),
     "2行目の「参加できない日」の「2027/2/30」は日付として読めません"),
    (xlsx([HEADER, ["佐藤", "あおば市", "政令指定都市", "sato@aoba.example.jp", None, datetime(1999, 3, 1), None]]),
     "2行目の「参加できない日」の1999年の日付は扱えません"),
    (xlsx([HEADER, ["佐藤", "あおば市", "政令指定都市", "sato@aoba.example.jp", None, None, None],
           ["伊藤", None, "中核市", "ito@kawabe.example.jp", None, None, None]]), "3行目の「所属自治体」が空です。"),
    (xlsx([HEADER, ["佐" * 101, "あおば市", "政令指定都市", "sato@aoba.example.jp", None, None, None]]),
     "2行目の「氏名」が長すぎます（100文字以内）。"),
    (xlsx([HEADER[1:]]), "1行目（見出し）に「氏名」の列がありません。"),
    (xlsx([]), "ファイルが空です。"),
    (("\r\n".join([",".join(HEADER)] + [f"m{i},市,中核市,m{i}@example.jp,,," for i in range(501)])).encode(),
     "502行目: メンバーは500人までです。"),
])
def test_a_broken_file_is_refused_naming_line_and_field(data, message):
    with pytest.raises(RosterError) as error:
        parse_roster(data)

    assert message in str(error.value)


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_reading():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<" * (60 * 1024 * 1024))

    with pytest.raises(RosterError, match="Excel ファイルの中身が大きすぎます"):
        parse_roster(out.getvalue())

    assert len(out.getvalue()) < 200_000  # a small upload


def test_a_workbook_with_a_damaged_sheet_is_refused():
    good = zipfile.ZipFile(io.BytesIO(xlsx([HEADER, ["佐藤", "あおば市", "中核市", "sato@aoba.example.jp"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in good.infolist():
            data = good.read(info)
            z.writestr(info, data[: len(data) // 2] if info.filename == "xl/worksheets/sheet1.xml" else data)

    with pytest.raises(RosterError, match="Excel ファイル（.xlsx）として読めません"):
        parse_roster(out.getvalue())


def test_a_zip_that_is_no_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")

    with pytest.raises(RosterError, match="Excel ファイル（.xlsx）として読めません"):
        parse_roster(out.getvalue())


@pytest.mark.parametrize("make", [example_csv, example_xlsx])
def test_the_example_files_import_as_they_are(make):
    rows = parse_roster(make(date(2026, 11, 29)))

    assert [r.municipality_kind for r in rows] == ["prefecture", "designated_city", "core_city", "other"]
    assert rows[0].unavailable == [date(2026, 12, 29)]
    assert rows[1].courses == {"common": 2023, "counselor": 2024}
    assert rows[2].courses == {"common": 2023, "chief": None}


def test_the_xlsx_example_holds_a_real_date_cell():
    sheet = load_workbook(io.BytesIO(example_xlsx(date(2026, 11, 29)))).active

    assert sheet.cell(row=2, column=6).is_date


# ------------------------------------------------------------------ through the web

@pytest.fixture
def plan_id(app):
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        make_user(prefecture, "official@midori.example.jp")
        plan = make_plan(prefecture)
        save_member(plan, SATO)
        db.session.commit()
        return plan.id


def test_xlsx_export_re_imports_through_the_web_as_updates(app, client, plan_id):
    login(client, "official@midori.example.jp")
    with app.app_context():
        before = roster_rows(db.session.get(Plan, plan_id))
    exported = client.get(f"/plans/{plan_id}/team.xlsx")

    imported = client.post(f"/plans/{plan_id}/team/import", follow_redirects=True,
                           data={"file": (io.BytesIO(exported.data), "名簿.xlsx")})

    assert exported.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in exported.headers["Content-Disposition"]
    assert "名簿を取り込みました（追加0人、更新1人）。" in imported.get_data(as_text=True)
    with app.app_context():
        assert roster_rows(db.session.get(Plan, plan_id)) == before


def test_broken_xlsx_through_the_web_saves_nothing(app, client, plan_id):
    login(client, "official@midori.example.jp")
    bad = xlsx([HEADER, ["伊藤", "かわべ市", "中核市", "ito@kawabe.example.jp", None, None, None],
                ["山田", "かわべ市", "特別区", "yamada@kawabe.example.jp", None, None, None]])

    response = client.post(f"/plans/{plan_id}/team/import", data={"file": (io.BytesIO(bad), "名簿.xlsx")})

    assert response.status_code == 422
    assert "3行目の「自治体の種別」の「特別区」は分かりません。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TeamMember.id))) == 1


def test_roster_page_explains_the_format_and_offers_examples(app, client, plan_id):
    login(client, "official@midori.example.jp")

    html = client.get(f"/plans/{plan_id}/team").get_data(as_text=True)
    example = client.get("/team/roster-example.xlsx")

    for text in ("前期共通:2024", "「都道府県」「政令指定都市」「中核市」「その他の市町村」", "R9/2/18 のような和暦、2027/2/18 のような西暦",
                 "/team/roster-example.csv", "/team/roster-example.xlsx", f"/plans/{plan_id}/team.xlsx"):
        assert text in html
    assert len(parse_roster(example.data)) == 4


def test_member_form_takes_excel_dates(app, client, plan_id):
    login(client, "official@midori.example.jp")
    form = {"name": "伊藤 直子", "municipality": "かわべ市", "municipality_kind": "core_city",
            "email": "ito@kawabe.example.jp", "unavailable": "2027/2/18; 2027/03/01, 2027-03-02"}

    response = client.post(f"/plans/{plan_id}/team/new", data=form)

    assert response.status_code == 302
    with app.app_context():
        member = db.session.scalar(db.select(TeamMember).filter_by(email="ito@kawabe.example.jp"))
        assert sorted(member.unavailable_days) == [date(2027, 2, 18), date(2027, 3, 1), date(2027, 3, 2)]
