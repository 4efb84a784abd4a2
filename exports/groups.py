"""The 班分け表 (groups of the group work) as Word and Excel: one table per group with its
facilitator in Word, one row per participant in Excel (with a sheet of what the grouping
could not avoid, for the official). Builders only: they read the stored groups and return bytes.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from exports import clean_line
from exports.docx_common import heading, new_document, para, spacer, table, to_bytes
from exports.handouts import UNDECIDED, organiser, training_year
from planner.domain.dates import format_date_wareki
from planner.models import PARTICIPANT_KINDS, Participant, Training
from planner.services.participants.groups import Overview, overview
from planner.services.plans.editions import curriculum_for
from planner.services.spreadsheets import fit_columns, workbook_properties

COLUMNS = ["班", "氏名", "ふりがな", "市町村", "区分", "所属", "固定"]


def _title(training: Training) -> str:
    return f"班分け表　{curriculum_for(training).title}"


def _when(training: Training) -> str:
    days = training.days
    place = clean_line(training.venue) or UNDECIDED
    return f"{'・'.join(format_date_wareki(d) for d in days) if days else UNDECIDED}　会場：{place}"


def _row(number: int, p: Participant) -> list[str]:
    return [f"第{number}班", clean_line(p.name), clean_line(p.kana),
            p.municipality.name if p.municipality else "", PARTICIPANT_KINDS.get(p.kind, p.kind),
            clean_line(p.affiliation), f"第{p.pinned_group}班に固定" if p.pinned_group else ""]


def groups_docx(training: Training, view: Overview | None = None) -> bytes:
    """One heading and table per group: facilitator, then name, kana, municipality, kind."""
    view = view or overview(training)
    prefecture = training.plan.prefecture
    doc = new_document("班分け表", f"{organiser(prefecture)}　{training_year(training)} 伝達研修",
                       organiser(prefecture))
    heading(doc, _title(training), 0)
    para(doc, _when(training), size=9.5)
    if not view.made:
        para(doc, "班はまだ作られていません。")
        return to_bytes(doc)
    para(doc, f"参加者 {len(view.accepted)}名、{len(view.groups)}班", size=9.5)
    for group in view.groups:
        facilitator = group.facilitator.name if group.facilitator else "未定"
        title = heading(doc, f"第{group.number}班（{len(group.members)}名）　ファシリテーター：{facilitator}", 2)
        rows = [[str(i), *_row(group.number, p)[1:6]] for i, p in enumerate(group.members, 1)]
        grid = table(doc, ["", "氏名", "ふりがな", "市町村", "区分", "所属"], rows, [8, 32, 32, 30, 24, 44], size=9.5)
        _keep_together(title, grid)
        spacer(doc)
    if view.ungrouped:
        heading(doc, "まだ班のない参加者", 2)
        para(doc, "、".join(clean_line(p.name) for p in view.ungrouped))
    return to_bytes(doc)


def _keep_together(title, grid) -> None:
    """A group's heading and table stay on one page: each paragraph keeps with the next,
    up to the table's last row."""
    title.paragraph_format.keep_with_next = True
    for row in grid.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def groups_xlsx(training: Training, view: Overview | None = None) -> bytes:
    """Sheet 班分け: one row per participant (group, name, kana, municipality, kind,
    affiliation, pin) with the facilitators; sheet 注記: what the grouping could not avoid."""
    view = view or overview(training)
    book = Workbook()
    workbook_properties(book, f"班分け表 {_title(training)}")
    sheet = book.active
    sheet.title = "班分け"
    sheet.append([_title(training)])
    sheet.append([_when(training)])
    sheet.append(COLUMNS + ["ファシリテーター"])
    for group in view.groups:
        facilitator = group.facilitator.name if group.facilitator else "未定"
        for p in group.members:
            sheet.append(_row(group.number, p) + [facilitator])
    if not view.made:  # as the Word table says, not a column of 未定
        sheet.append(["班はまだ作られていません。"])
    for p in view.ungrouped if view.made else []:
        sheet.append(["未定", *_row(0, p)[1:], ""])
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=4):
        group = row[0]
        if isinstance(group.value, str) and group.value.startswith("第") and group.value.endswith("班"):
            # 班 as a number (sorts and filters as one), shown as 第1班
            group.value = int(group.value[1:-1])
            group.number_format = '"第"0"班"'
            group.alignment = Alignment(horizontal="center")  # not pressed against the name
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a name starting with "=" stays text, never a formula
    fit_columns(sheet, [8, 18, 20, 14, 12, 30, 14, 16], first_row=3)  # the title rows may run over
    sheet.freeze_panes = "A4"
    notes = book.create_sheet("注記")
    notes.append(["班分けで避けられなかったこと"])
    notes["A1"].font = Font(bold=True)
    lines = list(view.notes) + list(view.grouping.explanations if view.grouping else [])
    for line in lines or ["ありません。"]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    for row in notes.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
