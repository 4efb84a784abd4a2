"""The team roster as CSV that Japanese Excel opens and saves (UTF-8 with BOM out; UTF-8 or
Shift_JIS/cp932 in). A file with one bad row is refused whole, naming the line and the field."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from planner.models.team import COURSE_NAMES, COURSES, MUNICIPALITY_KINDS

HEADER = ["氏名", "所属自治体", "自治体の種別", "メールアドレス", "修了した国研修", "参加できない日", "備考"]
# "前期共通:2024" -> course and year; the year is optional
COURSE_BY_NAME = {name: key for key, name in COURSE_NAMES.items()} | {key: key for key in COURSES}
KIND_BY_NAME = {name: key for key, name in MUNICIPALITY_KINDS.items()} | {
    "県": "prefecture", "都": "prefecture", "道": "prefecture", "府": "prefecture",
    "政令市": "designated_city", "市町村": "other", "町村": "other"} | {k: k for k in MUNICIPALITY_KINDS}
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
LIMITS = {"氏名": 100, "所属自治体": 100, "メールアドレス": 254, "備考": 500}


class RosterError(ValueError):
    """A roster file that is refused whole; the message names the line and the field."""


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


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Shift_JIS as Excel writes it (cp932)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError("文字コードを判別できません。UTF-8 または Shift_JIS の CSV で保存してください。")


def _courses(text: str, where: str) -> dict[str, int | None]:
    courses: dict[str, int | None] = {}
    for part in filter(None, (p.strip() for p in re.split(r"[;；、]", text))):
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


def parse_days(text: str, where: str = "") -> list[date]:
    days = []
    # separated by ; or commas or spaces: people type all of them
    for part in filter(None, (p.strip() for p in re.split(r"[;；、,，\s]+", text))):
        try:
            days.append(date.fromisoformat(part.replace("/", "-")))
        except ValueError:
            raise RosterError(f"{where}「参加できない日」の「{part}」は日付として読めません（例 2026-02-18）。") from None
    return sorted(set(days))


def parse_roster(data: bytes) -> list[MemberRow]:
    """Every row of the file, or a RosterError for the first bad one (nothing is kept)."""
    reader = csv.reader(io.StringIO(decode(data)))
    header = next(reader, None)
    if header is None:
        raise RosterError("ファイルが空です。")
    header = [h.strip() for h in header]
    missing = [h for h in HEADER[:4] if h not in header]
    if missing:
        raise RosterError(f"1行目（見出し）に「{'」「'.join(missing)}」の列がありません。")
    rows, seen_emails, seen_names = [], {}, {}
    for line_no, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        record = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        where = f"{line_no}行目の"
        for column, limit in LIMITS.items():
            if len(record.get(column, "")) > limit:
                raise RosterError(f"{where}「{column}」が長すぎます（{limit}文字以内）。")
        if not record["氏名"]:
            raise RosterError(f"{where}「氏名」が空です。")
        if not record["所属自治体"]:
            raise RosterError(f"{where}「所属自治体」が空です。")
        kind = KIND_BY_NAME.get(record["自治体の種別"])
        if kind is None:
            raise RosterError(f"{where}「自治体の種別」の「{record['自治体の種別']}」は分かりません。"
                              f"{'・'.join(MUNICIPALITY_KINDS.values())} のいずれかを書いてください。")
        email = record["メールアドレス"].lower()
        if not EMAIL.match(email):
            raise RosterError(f"{where}「メールアドレス」の「{record['メールアドレス']}」は形式が正しくありません。")
        if email in seen_emails:
            raise RosterError(f"{where}「メールアドレス」{email} は{seen_emails[email]}行目と重複しています。")
        name_key = (record["氏名"], record["所属自治体"])
        if name_key in seen_names:
            raise RosterError(f"{where}「氏名」{record['氏名']}（{record['所属自治体']}）は"
                              f"{seen_names[name_key]}行目と重複しています。")
        seen_emails[email], seen_names[name_key] = line_no, line_no
        rows.append(MemberRow(
            name=record["氏名"], municipality=record["所属自治体"], municipality_kind=kind, email=email,
            courses=_courses(record.get("修了した国研修", ""), where),
            unavailable=parse_days(record.get("参加できない日", ""), where), notes=record.get("備考", "")))
    if not rows:
        raise RosterError("メンバーの行がありません。")
    return rows


def format_courses(courses: dict[str, int | None]) -> str:
    return ";".join(f"{COURSE_NAMES[k]}:{y}" if y else COURSE_NAMES[k]
                    for k, y in sorted(courses.items(), key=lambda kv: COURSES.index(kv[0])))


def write_roster(rows: list[MemberRow]) -> bytes:
    """The roster as UTF-8 with BOM and CRLF, which Excel opens without garbling."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.name, row.municipality, MUNICIPALITY_KINDS[row.municipality_kind], row.email,
                         format_courses(row.courses), ";".join(d.isoformat() for d in row.unavailable),
                         row.notes])
    return out.getvalue().encode("utf-8-sig")
