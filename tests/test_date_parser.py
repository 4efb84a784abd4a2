"""Dates as officials type them (planner.domain.dates.parse_date_ja): every spelling of every
day reads back as that day, and rosters written that way, under a title row, import."""
import io
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from planner.domain import fields
from planner.domain.dates import DateNotRead, parse_date_ja
from planner.models import TeamMember
from planner.models.db import db
from planner.services.team.files import HEADER
from tests.factories import login, make_plan, make_prefecture, make_user

REIWA, HEISEI = date(2019, 5, 1), date(1989, 1, 8)
FULL_WIDTH = str.maketrans("0123456789/-.R", "０１２３４５６７８９／－．Ｒ")


def era_number(day: date, first: date) -> int:
    return day.year - first.year + 1


def reiwa_spellings(day: date) -> list[str]:
    """Each way an office writes a 令和 date."""
    n = era_number(day, REIWA)
    year = "元" if n == 1 else str(n)
    m, d = day.month, day.day
    return [f"令和{year}年{m}月{d}日", f"R{n}.{m}.{d}", f"R{n}/{m}/{d}", f"r{n}-{m:02d}-{d:02d}",
            f"令和{n}年{m}月{d}日", f"{day.year}/{m}/{d}", day.isoformat(), f"{day.year}/{m:02d}/{d:02d}",
            f"{day.year}年{m}月{d}日", f"R{n}.{m}.{d}".translate(FULL_WIDTH),
            f"{day.year}/{m}/{d}".translate(FULL_WIDTH), f"令和{year}年{m}月{d}日".translate(FULL_WIDTH),
            f"令和{year}年{m}月{d}日（{'月火水木金土日'[day.weekday()]}）"]


@given(st.dates(min_value=REIWA, max_value=date(2040, 12, 31)))
def test_every_reiwa_date_in_every_spelling_reads_back_as_itself(day):
    for text in reiwa_spellings(day):
        assert parse_date_ja(text) == day, text


def test_every_single_day_to_2040_reads_back_in_every_spelling():
    day, last, read = REIWA, date(2040, 12, 31), 0
    while day <= last:
        for text in reiwa_spellings(day):
            assert parse_date_ja(text) == day, text
            read += 1
        day += timedelta(days=1)

    assert read == 13 * ((last - REIWA).days + 1)


@given(st.dates(min_value=HEISEI, max_value=date(2019, 4, 30)))
def test_every_heisei_date_reads_back_as_itself(day):
    n = era_number(day, HEISEI)
    year = "元" if n == 1 else str(n)

    for text in (f"平成{year}年{day.month}月{day.day}日", f"H{n}.{day.month}.{day.day}", f"H{n}/{day.month}/{day.day}"):
        assert parse_date_ja(text) == day, text


@pytest.mark.parametrize("text", ["令和元年4月30日", "平成31年5月1日", "R0.1.1", "令和9年2月30日", "2027/13/1",
                                  "10月21日", "tomorrow", "R9.2", "令和9年2月3日（水）です", ""])
def test_what_is_no_date_is_refused_with_examples_in_both_calendars(text):
    with pytest.raises(DateNotRead) as refused:
        parse_date_ja(text)

    assert str(refused.value) == f"「{text}」は日付として読めません（例 令和9年2月18日、R9.2.18、2027/2/18）。"


def test_every_form_field_uses_the_one_parser():
    assert fields.parse_date("R9.2.3") == date(2027, 2, 3)
    assert fields.parse_dates("令和9年2月3日;R9/2/4、２０２７－０２－０５") == [date(2027, 2, 3), date(2027, 2, 4),
                                                                     date(2027, 2, 5)]
    assert fields.parse_date(datetime(2027, 2, 3)) == date(2027, 2, 3)


# --------------------------------------------------------------------------- rosters

@pytest.fixture
def plan_id(app):
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        make_user(prefecture, "official@midori.example.jp")
        return make_plan(prefecture).id


def roster_rows():
    return [["令和8年度 企画会議チーム名簿", None, None, None, None, None, None],
            [None] * 7,
            ["みどり県 地域福祉課 作成", None, None, None, None, None, None],
            HEADER,
            ["佐藤 健一", "あおば市", "政令指定都市", "sato@aoba.example.jp", "前期共通:2023", "令和9年2月18日;R9.3.1", None],
            ["鈴木 真理", "かわべ市", "中核市", "suzuki@kawabe.example.jp", None, datetime(2027, 2, 19), None],
            ["高橋 翔", "やまなか町", "その他の市町村", "takahashi@yamanaka.example.jp", None, "Ｒ９／２／２２", "備考"]]


def unavailable_by_name(app, plan_id):
    with app.app_context():
        members = db.session.scalars(db.select(TeamMember).filter_by(plan_id=plan_id)).all()
        return {m.name: sorted(m.unavailable_days) for m in members}


def test_roster_xlsx_with_a_title_row_and_wareki_dates_imports(app, client, plan_id):
    book = Workbook()
    for row in roster_rows():
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    login(client, "official@midori.example.jp")

    response = client.post(f"/plans/{plan_id}/team/import", follow_redirects=True,
                           data={"file": (io.BytesIO(data.getvalue()), "名簿.xlsx")})

    assert "名簿を取り込みました（追加3人、更新0人）。" in response.get_data(as_text=True)
    assert unavailable_by_name(app, plan_id) == {
        "佐藤 健一": [date(2027, 2, 18), date(2027, 3, 1)], "鈴木 真理": [date(2027, 2, 19)],
        "高橋 翔": [date(2027, 2, 22)]}


def test_roster_csv_with_blank_rows_above_the_header_imports_and_names_real_lines(app, client, plan_id):
    rows = [[""] * 7, [""] * 7, HEADER,
            ["佐藤 健一", "あおば市", "政令指定都市", "sato@aoba.example.jp", "", "令和9年2月18日", ""],
            ["鈴木 真理", "かわべ市", "中核市", "suzuki@kawabe.example.jp", "", "令和9年2月30日", ""]]
    text = "\r\n".join(",".join(row) for row in rows).encode("utf-8-sig")
    login(client, "official@midori.example.jp")

    refused = client.post(f"/plans/{plan_id}/team/import", data={"file": (io.BytesIO(text), "名簿.csv")})
    fixed = client.post(f"/plans/{plan_id}/team/import", follow_redirects=True,
                        data={"file": (io.BytesIO(text.replace("令和9年2月30日".encode(), "R9.2.28".encode())),
                                       "名簿.csv")})

    assert refused.status_code == 422
    assert "5行目の「参加できない日」の「令和9年2月30日」は日付として読めません（例 令和9年2月18日、" in refused.get_data(as_text=True)
    assert "名簿を取り込みました（追加2人、更新0人）。" in fixed.get_data(as_text=True)
    assert unavailable_by_name(app, plan_id) == {"佐藤 健一": [date(2027, 2, 18)], "鈴木 真理": [date(2027, 2, 28)]}
