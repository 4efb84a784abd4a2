"""The team roster as files Japanese Excel opens and saves: CSV (UTF-8 with BOM out; UTF-8 or
Shift_JIS/cp932 in) and .xlsx. A file with one bad row is refused whole, naming the line and
the field. Text and dates follow the same rules as the member form and the backup
(planner.domain.fields); cells that a spreadsheet would run as a formula are written with a
leading apostrophe and read back without it, so export -> import gives the same roster."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from planner.domain import addresses, fields
from planner.domain.dates import format_date_wareki
from planner.models.team import COURSE_NAMES, COURSES, MUNICIPALITY_KINDS
from planner.services.spreadsheets import (
    HEADER_SEARCH_ROWS,
    SheetError,
    cell_text,
    header_row,
    table_rows,
    write_csv,
    write_xlsx,
)

HEADER = ["氏名", "所属自治体", "自治体の種別", "メールアドレス", "修了した国研修", "参加できない日", "備考"]
#: the text rule (data/fields.toml) of each free-text column
TEXT_RULES = {"氏名": "member_name", "所属自治体": "municipality", "メールアドレス": "email", "備考": "member_notes"}
# "前期共通:2024" -> course and year; the year is optional
COURSE_BY_NAME = {name: key for key, name in COURSE_NAMES.items()} | {key: key for key in COURSES}
KIND_BY_NAME = {name: key for key, name in MUNICIPALITY_KINDS.items()} | {
    "県": "prefecture", "都": "prefecture", "道": "prefecture", "府": "prefecture",
    "政令市": "designated_city", "市町村": "other", "町村": "other"} | {k: k for k in MUNICIPALITY_KINDS}
EXAMPLE_FILE = Path(__file__).resolve().parents[3] / "data" / "roster_example.toml"


#: a roster file refused whole (the shared reader's error, so its messages come through)
RosterError = SheetError
#: the workbook's sheet name and least column widths (each grows to fit its text)
_SHEET = ("名簿", [18, 18, 14, 30, 34, 26, 30])
#: the workbook's title in Excel's file properties
ROSTER_TITLE = "研修チーム名簿"


@dataclass
class MemberRow:
    """One roster line, validated."""

    name: str
    municipality: str
    municipality_kind: str
    email: str
    courses: dict[str, int | None] = field(default_factory=dict)
    unavailable: list[date] = field(default_factory=list)
    notes: str = ""


# --------------------------------------------------------------------------- reading

def _courses(text: str, where: str) -> dict[str, int | None]:
    courses: dict[str, int | None] = {}
    for part in filter(None, (p.strip() for p in re.split(r"[;；、,，\n]", text))):
        name, _, year = part.partition(":") if ":" in part else part.partition("：")
        key = COURSE_BY_NAME.get(name.strip())
        if key is None:
            raise RosterError(f"{where}「修了した国研修」の「{name.strip()}」は分かりません。"
                              f"{'・'.join(COURSE_NAMES.values())} のいずれかを書いてください（例 前期共通:2024）。")
        year = year.strip()
        if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise RosterError(f"{where}「修了した国研修」の年「{year}」は西暦4桁で書いてください。")
        courses[key] = int(year) if year else None
    return courses


def _days(value: object, where: str) -> list[date]:
    """An Excel date cell, or dates written as text (2027/2/18;2027-03-01)."""
    try:
        if isinstance(value, (date, datetime)):
            return [fields.parse_date(value)]
        return fields.parse_dates(cell_text(value))
    except fields.FieldError as exc:
        raise RosterError(f"{where}「参加できない日」の{exc}") from None


def parse_roster(data: bytes) -> list[MemberRow]:
    """Every row of a CSV or .xlsx file, or a RosterError for the first bad one (nothing is kept)."""
    table = table_rows(data, fields.limit("members") + HEADER_SEARCH_ROWS)
    first = header_row(table, HEADER[:4])
    header = [cell_text(h) for h in table[first]]
    missing = [h for h in HEADER[:4] if h not in header]
    if missing:
        raise RosterError(f"{first + 1}行目（見出し）に「{'」「'.join(missing)}」の列がありません。")
    rows, seen_emails, seen_names = [], {}, {}
    for line_no, values in enumerate(table[first + 1:], start=first + 2):
        if not any(cell_text(v) for v in values):
            continue
        if len(rows) == fields.limit("members"):
            raise RosterError(f"{line_no}行目: メンバーは{fields.limit('members')}人までです。")
        cells = {h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h}
        rows.append(_member_row(cells, f"{line_no}行目の", line_no, seen_emails, seen_names))
    if not rows:
        raise RosterError("メンバーの行がありません。")
    return rows


def _member_row(cells: dict[str, object], where: str, line_no: int,
                seen_emails: dict[str, int], seen_names: dict[tuple, int]) -> MemberRow:
    """One line, checked by the fields' rules; duplicates against the lines before it."""
    record = {h: cell_text(cells.get(h)) for h in HEADER if h != "参加できない日"}
    for column, key in TEXT_RULES.items():
        rule = fields.rule(key)
        try:
            record[column] = fields.check_text(record[column], rule)
        except fields.FieldError:
            if fields.clean_text(record[column], rule.lines):
                raise RosterError(f"{where}「{column}」が長すぎます（{rule.max}文字以内）。") from None
            raise RosterError(f"{where}「{column}」が空です。") from None
    kind = KIND_BY_NAME.get(record["自治体の種別"])
    if kind is None:
        raise RosterError(f"{where}「自治体の種別」の「{record['自治体の種別']}」は分かりません。"
                          f"{'・'.join(MUNICIPALITY_KINDS.values())} のいずれかを書いてください。")
    try:
        email = addresses.check_address(record["メールアドレス"])
    except fields.FieldError as error:
        raise RosterError(f"{where}「メールアドレス」: {error}") from None
    if email in seen_emails:
        raise RosterError(f"{where}「メールアドレス」{email} は{seen_emails[email]}行目と重複しています。")
    name_key = (record["氏名"], record["所属自治体"])
    if name_key in seen_names:
        raise RosterError(f"{where}「氏名」{record['氏名']}（{record['所属自治体']}）は"
                          f"{seen_names[name_key]}行目と重複しています。")
    seen_emails[email], seen_names[name_key] = line_no, line_no
    return MemberRow(name=record["氏名"], municipality=record["所属自治体"], municipality_kind=kind,
                     email=email, courses=_courses(record["修了した国研修"], where),
                     unavailable=_days(cells.get("参加できない日"), where), notes=record["備考"])


# --------------------------------------------------------------------------- writing

def format_courses(courses: dict[str, int | None]) -> str:
    return ";".join(f"{COURSE_NAMES[k]}:{y}" if y else COURSE_NAMES[k]
                    for k, y in sorted(courses.items(), key=lambda kv: COURSES.index(kv[0])))


def _cells(row: MemberRow) -> list[str]:
    """One member as the file's text cells, none of which a spreadsheet runs as a formula.

    Cleaning again is a no-op for rows saved since planner.domain.fields; older rows may hold
    control characters that an .xlsx cannot store.
    """
    return [fields.neutralise_cell(fields.clean_text(text, lines=True)) for text in (
        row.name, row.municipality, MUNICIPALITY_KINDS[row.municipality_kind], row.email,
        format_courses(row.courses), ";".join(d.isoformat() for d in sorted(row.unavailable)), row.notes)]


def _xlsx_cells(row: MemberRow) -> list[object]:
    """The same cells for Excel: one day that cannot be attended as a date cell, several as
    their 和暦 text (one cell holds one date), which the import reads either way."""
    cells: list[object] = _cells(row)
    days = sorted(row.unavailable)
    cells[5] = days[0] if len(days) == 1 else ";".join(format_date_wareki(d) for d in days)
    return cells


def write_roster(rows: list[MemberRow]) -> bytes:
    """The roster as CSV for Excel."""
    return write_csv([HEADER] + [_cells(row) for row in rows])


def write_roster_xlsx(rows: list[MemberRow], title: str = ROSTER_TITLE) -> bytes:
    """The roster as an Excel workbook, with the same columns as the CSV (dates typed)."""
    return write_xlsx([HEADER] + [_xlsx_cells(row) for row in rows], *_SHEET, title=title)


# --------------------------------------------------------------------------- the example file

def example_table(today: date, xlsx: bool = False) -> list[list[object]]:
    """The example roster (data/roster_example.toml) with dates a few weeks from today.

    It shows each way of writing a date that the import reads; the .xlsx has one as a real
    Excel date cell.
    """
    with EXAMPLE_FILE.open("rb") as f:
        people = tomllib.load(f)["member"]
    table: list[list[object]] = [HEADER]
    for person in people:
        days = [today + timedelta(days=n) for n in person.get("unavailable_in_days", [])]
        style = person.get("date_style", "iso")
        if xlsx and style == "excel" and len(days) == 1:
            written: object = days[0]
        else:
            written = ";".join(_date_in_style(d, style) for d in days)
        table.append([person["name"], person["municipality"], person["kind"], person["email"],
                      person.get("courses", ""), written, person.get("notes", "")])
    return table


def _date_in_style(day: date, style: str) -> str:
    if style == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    if style == "slash0":
        return f"{day.year}/{day.month:02d}/{day.day:02d}"
    if style == "wareki":
        return format_date_wareki(day, weekday=False)
    return day.isoformat()


def example_csv(today: date) -> bytes:
    return write_csv(example_table(today))


def example_xlsx(today: date) -> bytes:
    return write_xlsx(example_table(today, xlsx=True), *_SHEET, title=f"{ROSTER_TITLE}（記入例）")
