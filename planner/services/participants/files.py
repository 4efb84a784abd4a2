"""The municipalities' reply files (受講申込書) as Excel opens and saves them, and the
受講者名簿 workbook with the same columns, so an exported list can be imported again.

A file is read whole and checked line by line (the same field rules as the link page and the
backup) before anything is written: one bad line refuses the file, naming the line and the
field. The entries then go through planner.services.participants.entries.add_entries, one call per
municipality, so the quota, the capacity and the deadline send them to the waiting list by
the one rule the link page also follows.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from planner.domain import fields
from planner.domain.participants import ParticipantEntry, open_kinds
from planner.domain.people import name_key, same_person
from planner.models.db import db
from planner.models.participants import PARTICIPANT_KINDS, Municipality, Participant
from planner.models.plan import Training
from planner.services.errors import ChangeRefused, rolled_back_on
from planner.services.participants.entries import MOST_AT_ONCE, add_entries, clean_entry, registered_same
from planner.services.spreadsheets import (
    HEADER_SEARCH_ROWS,
    SheetError,
    cell_text,
    header_row,
    table_rows,
    write_csv,
    write_xlsx,
)

#: the reply file's columns, in order; 市町村 takes the name or the 全国地方公共団体コード
COLUMNS = ["市町村", "氏名", "ふりがな", "所属", "区分", "職名", "メール", "配慮事項"]
REQUIRED_COLUMNS = ["市町村", "氏名"]
#: the 受講者名簿 adds the group of the group work (the import ignores it)
GROUP_COLUMN = "班"
WIDTHS = [16, 18, 20, 24, 14, 18, 28, 24, 6]
KIND_BY_NAME = {name: key for key, name in PARTICIPANT_KINDS.items()} | {
    "支援員": "worker", "相談支援員": "worker", "行政": "official", "自治体": "official",
    "行政担当者": "official", "関係機関職員": "agency"} | {key: key for key in PARTICIPANT_KINDS}
#: the most lines a reply file may have (a whole prefecture's entries for one training)
MAX_LINES = 1000
#: what each column's text is checked by (planner.services.participants.entries.clean_entry)
ATTRS = {"氏名": "name", "ふりがな": "kana", "所属": "affiliation", "職名": "job", "メール": "email",
         "配慮事項": "needs"}


@dataclass
class ReplyLine:
    """One line of a reply file, checked: who, and from which municipality (None: 関係機関)."""

    line_no: int
    municipality_id: int | None
    entry: ParticipantEntry


# --------------------------------------------------------------------------- writing

def participant_cells(people: list[Participant], with_group: bool = False) -> list[list[object]]:
    """The header and one row per participant as text cells no spreadsheet runs as formulas;
    the group a number (None when not grouped)."""
    header = COLUMNS + ([GROUP_COLUMN] if with_group else [])
    rows: list[list[object]] = [header]
    for p in people:
        values = [p.municipality.name if p.municipality else "", p.name, p.kana, p.affiliation,
                  PARTICIPANT_KINDS.get(p.kind, p.kind), p.job, p.email, p.needs]
        row: list[object] = [fields.neutralise_cell(fields.clean_text(v, lines=True)) for v in values]
        if with_group:
            row.append(p.group_no or None)
        rows.append(row)
    return rows


#: the 班 column: a number that sorts and filters as one, shown as 3班
GROUP_FORMAT = '0"班"'


def write_table_xlsx(table: list[list[object]], sheet_title: str, title: str = "") -> bytes:
    return write_xlsx(table, sheet_title, WIDTHS[:len(table[0])], title=title,
                      formats={len(COLUMNS): GROUP_FORMAT})


def example_table(municipalities: list[Municipality]) -> list[list[str]]:
    """A filled-in reply with fictitious people from the prefecture's first municipalities."""
    names = [m.name for m in municipalities[:2]] or ["（市町村名）"]
    second = names[-1]
    return [COLUMNS,
            [names[0], "山田 花子", "やまだ はなこ", "福祉課 生活相談係", "支援員", "相談支援員",
             "hanako.yamada@example.jp", ""],
            [names[0], "佐藤 一郎", "さとう いちろう", "福祉課", "自治体担当者", "主査", "", "車いす"],
            [second, "鈴木 恵", "すずき めぐみ", "社会福祉協議会", "関係機関", "就労支援員", "",
             "手話通訳"]]


def example_csv(municipalities: list[Municipality]) -> bytes:
    return write_csv(example_table(municipalities))


def example_xlsx(municipalities: list[Municipality]) -> bytes:
    return write_table_xlsx(example_table(municipalities), "受講申込", title="受講申込書（記入例）")


# --------------------------------------------------------------------------- reading

def _key(text: str) -> str:
    """A municipality's name as compared: NFKC (full-width digits and spaces), no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def municipality_finder(training: Training):
    """A function from a 市町村 cell (name, 6-digit code, or 5 digits without the check
    digit; with or without the prefecture's name in front) to a Municipality or None."""
    prefecture = training.plan.prefecture
    rows = db.session.scalars(db.select(Municipality).filter_by(prefecture_id=prefecture.id)).all()
    by_key = {}
    for m in rows:
        by_key[_key(m.name)] = by_key[_key(prefecture.name + m.name)] = m
        by_key[m.code] = by_key[m.code[:5]] = m

    def find(text: str) -> Municipality | None:
        return by_key.get(_key(text))
    return find


def parse_reply(data: bytes, training: Training) -> list[ReplyLine]:
    """Every line of a reply file, or a SheetError for the first bad one (nothing is kept)."""
    table = table_rows(data, MAX_LINES + HEADER_SEARCH_ROWS, refuse_formulas=True)
    first = header_row(table, REQUIRED_COLUMNS)
    header = [cell_text(h) for h in table[first]]
    missing = [h for h in REQUIRED_COLUMNS if h not in header]
    if missing:
        raise SheetError(f"{first + 1}行目（見出し）に「{'」「'.join(missing)}」の列がありません。"
                         f"見出しは {'・'.join(COLUMNS)} です（ひな形をお使いください）。")
    find = municipality_finder(training)
    lines = []
    for line_no, values in enumerate(table[first + 1:], start=first + 2):
        if not any(cell_text(v) for v in values):
            continue
        if len(lines) == MAX_LINES:
            raise SheetError(f"{line_no}行目: 一度に読み込めるのは{MAX_LINES}行までです。")
        cells = {h: cell_text(values[i]) if i < len(values) else "" for i, h in enumerate(header) if h}
        lines.append(_reply_line(training, cells, line_no, find))
    if not lines:
        raise SheetError("受講者の行がありません。")
    return lines


def _reply_line(training: Training, cells: dict[str, str], line_no: int, find) -> ReplyLine:
    where = f"{line_no}行目の"
    kind_text = cells.get("区分", "") or "支援員"
    kind = KIND_BY_NAME.get(_key(kind_text))
    if kind is None:
        raise SheetError(f"{where}「区分」の「{kind_text}」は分かりません。"
                         f"{'・'.join(PARTICIPANT_KINDS.values())} のいずれかを書いてください。")
    if kind not in open_kinds(training.open_to_officials, training.open_to_agencies):
        raise SheetError(f"{where}「区分」の「{PARTICIPANT_KINDS[kind]}」はこの研修の対象ではありません。")
    place = cells.get("市町村", "")
    municipality = find(place) if place else None
    if place and municipality is None:
        raise SheetError(f"{where}「市町村」の「{place}」は{training.plan.prefecture.name}の市町村にありません"
                         "（市町村名か全国地方公共団体コードを書いてください）。")
    if municipality is None and kind != "agency":
        raise SheetError(f"{where}「市町村」が空です（空にできるのは区分が関係機関の人だけです）。")
    entry = ParticipantEntry(kind=kind, **{attr: cells.get(column, "") for column, attr in ATTRS.items()})
    try:
        entry = clean_entry(training, entry)
    except ChangeRefused as refused:
        raise SheetError(f"{where}" + "、".join(_field_message(m) for m in refused.messages)) from None
    return ReplyLine(line_no, municipality.id if municipality else None, entry)


def _field_message(message: str) -> str:
    """'氏名: 入力してください。' as 「氏名」: 入力してください。"""
    label, _, rest = message.partition(": ")
    return f"「{label}」{rest}" if rest else message


# --------------------------------------------------------------------------- importing

class DuplicateLines(ChangeRefused):
    """The same person on several lines of one file: nothing imported; the official chooses."""

    def __init__(self, groups: list[list[ReplyLine]], names: dict[int | None, str]):
        self.groups = groups
        super().__init__([f"{'・'.join(str(line.line_no) for line in group)}行目: "
                          f"{group[0].entry.name}さん（{names.get(group[0].municipality_id) or group[0].entry.affiliation}）"
                          "が重複しています。" for group in groups])


def _place_key(line: ReplyLine) -> tuple:
    return (line.municipality_id, "" if line.municipality_id else name_key(line.entry.affiliation))


def duplicate_groups(lines: list[ReplyLine]) -> list[list[ReplyLine]]:
    """Lines that are one person (name and kana, municipality), each group in file order."""
    groups: list[list[ReplyLine]] = []
    for line in lines:
        for group in groups:
            first = group[0]
            if _place_key(first) == _place_key(line) and same_person(
                    first.entry.name, first.entry.kana, line.entry.name, line.entry.kana):
                group.append(line)
                break
        else:
            groups.append([line])
    return [group for group in groups if len(group) > 1]


def import_reply(training: Training, lines: list[ReplyLine], today: date | None = None,
                 duplicates: str = "ask") -> list[Participant]:
    """Add every line through add_entries, one call per municipality in the file's order.

    A person already registered for the training (name and kana, municipality) is left as
    they are, so importing the same file again changes nothing. The same person on several
    lines raises DuplicateLines unless `duplicates` is "first" (only the first line is taken).

    The lines were checked by parse_reply, so add_entries finds nothing to refuse in them;
    one commit at the end (each call under the training's lock), so the file lands whole or
    not at all; what passes a quota or the deadline goes on the waiting list. A refusal rolls
    back (the form's token too, so the file can be sent again).
    """
    with rolled_back_on(ChangeRefused):
        return _import_reply(training, lines, today, duplicates)


def _import_reply(training: Training, lines: list[ReplyLine], today: date | None,
                  duplicates: str) -> list[Participant]:
    groups = duplicate_groups(lines)
    if groups and duplicates != "first":
        names = {m.id: m.name for m in db.session.scalars(db.select(Municipality).where(
            Municipality.id.in_({g[0].municipality_id for g in groups if g[0].municipality_id})))}
        raise DuplicateLines(groups, names)
    later = {id(line) for group in groups for line in group[1:]}
    lines = [line for line in lines if id(line) not in later]
    by_place: dict[int | None, list[ReplyLine]] = {}
    for line in lines:
        by_place.setdefault(line.municipality_id, []).append(line)
    too_many = [group for group in by_place.values() if len(group) > MOST_AT_ONCE]
    if too_many:
        line_no = too_many[0][0].line_no
        raise ChangeRefused([f"{line_no}行目から: 一つの市町村で一度に登録できるのは{MOST_AT_ONCE}名までです。"])
    added: list[Participant] = []
    for municipality_id, group in by_place.items():
        municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
        group = [line for line in group if registered_same(training, municipality, line.entry) is None]
        if not group:
            continue  # everyone here is registered already
        added += add_entries(training, municipality, [line.entry for line in group], "import", today=today,
                             commit=False)
    db.session.commit()
    return added
