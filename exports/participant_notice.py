"""開催通知: the prefecture's notice of a training to its municipalities, in the usual official
form (文書番号, 日付, 宛先, 発信者, 件名, 本文, 記, 以上). Returns .docx bytes; never commits."""
from __future__ import annotations

from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from exports import blank_document_number, clean_line
from exports.docx_common import TEXT_WIDTH_MM, heading, make_link, para, table, to_bytes
from exports.handouts import UNDECIDED, _day_lines, _new, _venue, _with_contact, sender, texts, training_year
from planner.domain.dates import format_date_wareki
from planner.domain.participants import open_kinds
from planner.models import Training
from planner.models.participants import PARTICIPANT_KINDS
from planner.services.participants.notice_checks import notice_problems  # noqa: F401  (the builders' users ask here too)
from planner.services.plans.editions import curriculum_for
from planner.services.plans.timetables import timetable_of


def notice_subject(training: Training) -> str:
    words = texts()
    return words["participant_notice"]["subject"].format(
        year=training_year(training), training_name=words["training_name"],
        short_title=curriculum_for(training).short_title)


def audience(training: Training) -> str:
    """対象: the curriculum's audience, then who else may attend (source: 「支援員以外にも関係機関や
    自治体担当者の参加も可能とする」)."""
    others = [PARTICIPANT_KINDS[k] for k in open_kinds(training.open_to_officials, training.open_to_agencies)[1:]]
    # the curriculum's own 「状況に応じて…参加も可能。」 is the planner's rule: the notice says
    # once, for this training, who else may attend
    lines = [curriculum_for(training).audience.split("状況に応じて", 1)[0].strip()]
    if others:
        lines.append(f"このほか、{'・'.join(others)}の参加も可能です。")
    return "\n".join(lines)


def seats(training: Training) -> str:
    """定員: the capacity and the per-municipality quota."""
    total = f"{training.capacity}名" if training.capacity else UNDECIDED
    return f"{total}（1市町村あたり{training.per_municipality}名まで）\n{texts()['participant_notice']['waiting']}"


def notice(training: Training, today: date | None = None, link_url: str | None = None,
           addressee: str | None = None) -> bytes:
    """The 開催通知 for every municipality, or for one (`addressee`, its `link_url`)."""
    prefecture = training.plan.prefecture
    words = texts()["participant_notice"]
    subject_line = notice_subject(training)
    doc = _new(training, subject_line, versioned=False)  # a letter with its own number and date
    right = WD_ALIGN_PARAGRAPH.RIGHT
    para(doc, clean_line(training.notice_number)
         or blank_document_number(prefecture.document_number_prefix, words["number"]), align=right)
    para(doc, format_date_wareki(training.notice_date or today or date.today(), weekday=False), align=right)
    para(doc, addressee or words["addressee"])
    para(doc, sender(prefecture), align=right)
    para(doc, "（公印省略）", size=9, align=right)
    title = heading(doc, subject_line, 0)
    title.runs[0].font.size = Pt(12)  # the subject line fits one line of A4 at 12 pt
    for sentence in words["body"]:
        para(doc, "　" + sentence)
    para(doc, "記", align=WD_ALIGN_PARAGRAPH.CENTER)
    deadline = training.application_deadline
    apply = words["apply_with_link"].format(url=link_url) if link_url else words["apply_generic"]
    name = f"{training_year(training)} {texts()['training_name']}\n{curriculum_for(training).title}"
    rows = [["研修名", name],
            ["日時", _day_lines(training, timetable_of(training), reception=True)],
            ["会場", _venue(training)],
            ["対象", audience(training)],
            ["定員", seats(training)],
            ["申込方法", f"{apply}\n{words['needs']}"],
            ["申込締切", format_date_wareki(deadline) if deadline else UNDECIDED],
            ["持ち物", clean_line(training.belongings) or "筆記用具"]]
    rows = _with_contact(rows, "問い合わせ先", prefecture)
    grid = table(doc, None, [[f"{i}　{k}", v] for i, (k, v) in enumerate(rows, start=1)],
                 [34, TEXT_WIDTH_MM - 34], size=10, label_column=True)
    if link_url:  # the municipality's own address, clickable
        for row in grid.rows:
            for paragraph in row.cells[1].paragraphs:
                if paragraph.text == link_url:
                    make_link(paragraph, link_url)
    para(doc, "以上", align=right)
    return to_bytes(doc)
