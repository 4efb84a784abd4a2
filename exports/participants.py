"""The training day's papers: 受講者名簿 (.xlsx and .docx), name cards, 受付簿 and 修了証.

Builders like the handouts: model objects in, bytes out, nothing written. They all list the
accepted participants in one order (planner.services.participants.attendance.day_participants), and the
certificates go to those ticked at reception. The 受講者名簿 .xlsx has the columns of the
municipalities' reply file (planner.services.participants.files), so it can be imported again.
"""
from __future__ import annotations

from datetime import date

from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from exports import clean_line, programme
from exports.docx_common import heading, para, run, table, to_bytes
from exports.handouts import _new, safe_filename, texts, training_year
from exports.survey_qr import add_card_qr
from planner.domain.dates import format_date_wareki
from planner.models import Training
from planner.models.participants import PARTICIPANT_KINDS, Participant
from planner.services.participants.attendance import attendees, day_participants, display_name
from planner.services.participants.files import participant_cells, write_table_xlsx
from planner.services.plans.editions import curriculum_for

#: name cards: 2 x 5 on an A4 sheet, 91 x 54 mm (the usual 10-up card sheets)
CARD_COLUMNS, CARD_ROWS = 2, 5
CARD_WIDTH_MM, CARD_HEIGHT_MM = 91, 54
CARDS_PER_SHEET = CARD_COLUMNS * CARD_ROWS
#: blank lines at the end of the 受付簿 for those who come without an entry
WALK_IN_ROWS = 5


def _short(training: Training) -> str:
    return curriculum_for(training).short_title


def _title(training: Training) -> str:
    return curriculum_for(training).title


def _dates(training: Training) -> str:
    """令和8年2月18日（水）, or both days of a two-day training; 未定 while undated."""
    if not training.days:
        return "未定"
    return "・".join(format_date_wareki(day) for day in training.days)  # every day, chosen or not


def _group(participant: Participant) -> str:
    return f"{participant.group_no}班" if participant.group_no else ""


def _kind(participant: Participant) -> str:
    return PARTICIPANT_KINDS.get(participant.kind, participant.kind)


def _header_block(doc, title: str, training: Training, count_line: str) -> None:
    heading(doc, f"{title}\n{_title(training)}", 0)
    venue = clean_line(training.venue) or "未定"
    para(doc, f"{training_year(training)}　{_dates(training)}　会場：{venue}", size=9.5,
         align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, count_line, size=9, align=WD_ALIGN_PARAGRAPH.RIGHT)


# --------------------------------------------------------------------------- 受講者名簿

def participant_list_xlsx(training: Training, participants: list[Participant] | None = None) -> bytes:
    """The list as a workbook whose columns the import reads back (plus 班)."""
    people = day_participants(training) if participants is None else participants
    return write_table_xlsx(participant_cells(people, with_group=True), sheet_title="受講者名簿",
                            title=f"受講者名簿　{_title(training)}（{_dates(training)}）")


def participant_list_docx(training: Training, participants: list[Participant] | None = None) -> bytes:
    """The list as a Word table: number, municipality, name, kana, affiliation and job,
    kind, group, needs; the header row repeats on every page."""
    people = day_participants(training) if participants is None else participants
    doc = _new(training, f"受講者名簿 {_short(training)}")
    _header_block(doc, "受講者名簿", training, f"受講者 {len(people)}名")
    rows = [[str(n), display_name(p), p.name, p.kana,
             "\n".join(x for x in (p.affiliation, p.job) if x), _kind(p), _group(p), p.needs]
            for n, p in enumerate(people, start=1)]
    table(doc, ["No.", "市町村", "氏名", "ふりがな", "所属・職名", "区分", "班", "配慮事項"], rows,
          # at 8.5 pt a full-width character is 3 mm and a cell's margins about 4 mm: 区分 holds
          # 「自治体担当者」, ふりがな 「さくらい ようこ」 and 所属 「自立相談支援センター」 on one line
          [10, 21, 19, 27, 37, 22, 11, 23], size=8.5)
    return to_bytes(doc)


# --------------------------------------------------------------------------- 受付簿

#: what a day's paper says when nobody has been accepted yet
NO_PARTICIPANTS = ("受講決定の受講者がまだいないため、受講予定者の欄はありません"
                   "（申込を受け付けて受講決定すると、ここに並びます）。")


def attendance_sheet(training: Training, participants: list[Participant] | None = None) -> bytes:
    """受付簿: one line per expected participant by municipality, a box to tick and a space
    to sign, and blank lines for walk-ins."""
    people = day_participants(training) if participants is None else participants
    doc = _new(training, f"受付簿 {_short(training)}")
    _header_block(doc, "受付簿", training, f"受講予定 {len(people)}名　受付 ______名")
    if not people:
        para(doc, NO_PARTICIPANTS, size=10)
    rows = [[str(n), display_name(p), p.name, p.kana, _group(p), "☐", ""]
            for n, p in enumerate(people, start=1)]
    rows += [[str(len(people) + n), "", "", "", "", "☐", ""] for n in range(1, WALK_IN_ROWS + 1)]
    t = table(doc, ["No.", "市町村", "氏名", "ふりがな", "班", "受付", "署名"], rows,
              [11, 27, 30, 32, 10, 12, 48], size=9.5)
    for row in list(t.rows)[1:]:
        row.height, row.height_rule = Mm(9), WD_ROW_HEIGHT_RULE.AT_LEAST  # room to sign
    return to_bytes(doc)


# --------------------------------------------------------------------------- name cards

def _blank_page_furniture(doc, margin_top_mm: float, margin_side_mm: float) -> None:
    """No header text and no page number (cards and certificates are cut or handed out),
    and the margins the layout needs."""
    section = doc.sections[0]
    for part in (section.header, section.footer):
        for paragraph in part.paragraphs:
            for child in list(paragraph._p):
                if child.tag.endswith("}r"):
                    paragraph._p.remove(child)
    section.top_margin = section.bottom_margin = Mm(margin_top_mm)
    section.left_margin = section.right_margin = Mm(margin_side_mm)
    section.header_distance = section.footer_distance = Mm(4)


def _card_name_size(name: str) -> float:
    """The name as large as fits one line of the card (about 80 mm of text)."""
    width = sum(0.55 if ord(c) < 0x3000 else 1 for c in name) or 1
    return max(12.0, min(30.0, 80 / 0.3528 / width))


def _card_cell(cell: _Cell, participant: Participant | None) -> None:
    """One card: municipality and group on top, kana, then the name large, centred."""
    lines: list[tuple[str, float, bool]] = []
    if participant is not None:
        top = display_name(participant) + (f"　{_group(participant)}" if participant.group_no else "")
        lines = [(top, 11, True), (participant.kana or " ", 10, False),
                 (participant.name, _card_name_size(participant.name), True)]
    paragraphs = [Paragraph(cell._tc.p_lst[0], cell)]
    for _ in lines[1:]:
        paragraphs.append(cell.add_paragraph())
    for paragraph, (text, size, gothic) in zip(paragraphs, lines):
        fmt = paragraph.paragraph_format
        fmt.space_after, fmt.space_before = Pt(0), Pt(0)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run(paragraph, text, size=size, gothic=gothic, bold=gothic and size > 20)
    if lines:
        paragraphs[1].paragraph_format.space_before = Pt(10)


def name_cards(training: Training, participants: list[Participant] | None = None,
               survey_urls: dict[int, str] | None = None) -> bytes:
    """A4 sheets of 10 cards (2 x 5, 91 x 54 mm); a row of cards never splits across pages
    and five rows fill a page, so each sheet holds exactly ten. With `survey_urls` (by
    participant id) each card also carries its holder's survey QR code (exports.survey_qr)."""
    people = day_participants(training) if participants is None else participants
    doc = _new(training, f"名札 {_short(training)}")
    _blank_page_furniture(doc, (297 - CARD_ROWS * CARD_HEIGHT_MM) / 2 - 1,
                          (210 - CARD_COLUMNS * CARD_WIDTH_MM) / 2)
    if not people:  # say why, instead of a sheet of blank cards
        para(doc, f"名札 {_title(training)}", size=14)
        para(doc, NO_PARTICIPANTS, size=11)
        return to_bytes(doc)
    row_count = max(1, -(-len(people) // CARD_COLUMNS))
    t = table(doc, None, [["", ""] for _ in range(row_count)], [CARD_WIDTH_MM] * CARD_COLUMNS)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, row in enumerate(t.rows):
        row.height, row.height_rule = Mm(CARD_HEIGHT_MM), WD_ROW_HEIGHT_RULE.EXACTLY
        for column, cell in enumerate(row.cells):
            n = index * CARD_COLUMNS + column
            cell.vertical_alignment = 1  # centre (WD_CELL_VERTICAL_ALIGNMENT.CENTER)
            for paragraph in cell.paragraphs:
                for r in list(paragraph._p):
                    if r.tag.endswith("}r"):
                        paragraph._p.remove(r)
            _card_cell(cell, people[n] if n < len(people) else None)
            if survey_urls and n < len(people):
                add_card_qr(cell, survey_urls.get(people[n].id))
    return to_bytes(doc)


# --------------------------------------------------------------------------- 修了証

def full_title(training: Training) -> str:
    """The training's full name as a certificate states it: 「令和8年度 生活困窮者自立支援制度
    伝達研修 前期共通プログラム」 (one pair of brackets, none nested)."""
    name = texts()["training_name"]
    return f"「{training_year(training)} {name} {programme.title_of(curriculum_for(training), training)}」"


def _plain_dates(training: Training) -> str:
    """The days without weekdays (no brackets inside the sentence): 令和8年2月18日・19日."""
    if not training.days:
        return "未定"
    first = format_date_wareki(training.days[0], weekday=False)
    if len(training.days) == 1:
        return first
    return f"{first}・{format_date_wareki(training.days[-1], weekday=False)}"


def certificate_number(training: Training, index: int) -> str:
    """証書番号: the training's year and short name, and the certificate's place in the
    attendees' print order: 令和8年度前期共通第3号."""
    return f"{training_year(training)}{_short(training)}第{index + 1}号"


def certificate_sender(training: Training) -> str:
    """Who awards the certificate: the prefecture's 発信者 setting, else its name."""
    prefecture = training.plan.prefecture
    return clean_line(prefecture.letter_sender) or prefecture.name


def certificates(training: Training, participants: list[Participant] | None = None,
                 issued: date | None = None) -> bytes:
    """修了証書, one page each, for those who attended: the name, the training and its dates
    in 令和, the prefecture and the date of issue (the training's last day by default)."""
    people = attendees(training) if participants is None else participants
    issued = issued or training.last_day or date.today()
    doc = _new(training, f"修了証書 {_short(training)}")
    _blank_page_furniture(doc, 30, 28)
    if not people:
        para(doc, "受付で出席の記録がある受講者がいないため、修了証書はありません。")
    for index, person in enumerate(people):
        number = para(doc, certificate_number(training, index), size=11, align=WD_ALIGN_PARAGRAPH.RIGHT)
        number.paragraph_format.page_break_before = index > 0
        title = para(doc, "修 了 証 書", size=36, align=WD_ALIGN_PARAGRAPH.CENTER)
        title.runs[0].bold = True
        title.paragraph_format.space_before = Pt(24)
        title.paragraph_format.space_after = Pt(72)
        affiliation = display_name(person)
        para(doc, affiliation, size=14, align=WD_ALIGN_PARAGRAPH.LEFT)
        name = para(doc, f"{person.name}　殿", size=26, align=WD_ALIGN_PARAGRAPH.LEFT)
        name.paragraph_format.space_after = Pt(64)
        text = (f"あなたは、{_plain_dates(training)}に実施した{full_title(training)}の"
                "全課程を修了したことを証します。")
        body = para(doc, text, size=16)
        body.paragraph_format.line_spacing = 2.0
        body.paragraph_format.first_line_indent = Pt(16)
        body.paragraph_format.space_after = Pt(110)
        para(doc, format_date_wareki(issued, weekday=False), size=14).paragraph_format.left_indent = Mm(20)
        sender = para(doc, certificate_sender(training), size=18, align=WD_ALIGN_PARAGRAPH.RIGHT)
        sender.paragraph_format.space_before = Pt(40)
        sender.paragraph_format.keep_together = True
    return to_bytes(doc)


# --------------------------------------------------------------------------- file sets

def participant_files(training: Training) -> list[tuple[str, bytes]]:
    """The day's papers of one training, as (file name, bytes); certificates only for those
    who attended (none before the day)."""
    short = safe_filename(_short(training), 30)
    people = day_participants(training)
    if not people:
        return []
    files = [(f"受講者名簿_{short}.xlsx", participant_list_xlsx(training, people)),
             (f"受講者名簿_{short}.docx", participant_list_docx(training, people)),
             (f"名札_{short}.docx", name_cards(training, people)),
             (f"受付簿_{short}.docx", attendance_sheet(training, people))]
    attended = [p for p in people if p.attended_at is not None]
    if attended:
        files.append((f"修了証書_{short}.docx", certificates(training, attended)))
    return files


#: the outputs a training's participants area offers, by URL name: (file name stem, builder)
OUTPUTS = {"list.xlsx": ("受講者名簿", participant_list_xlsx),
           "list.docx": ("受講者名簿", participant_list_docx),
           "cards.docx": ("名札", name_cards),
           "attendance.docx": ("受付簿", attendance_sheet),
           "certificates.docx": ("修了証書", certificates)}


def output_file(training: Training, key: str, **options) -> tuple[str, bytes]:
    """One output by its URL name (see OUTPUTS), as (file name, bytes); `options` go to the
    builder (the name cards' survey_urls)."""
    stem, build = OUTPUTS[key]
    suffix = key.rsplit(".", 1)[1]
    return f"{stem}_{safe_filename(_short(training), 30)}.{suffix}", build(training, **options)
