"""受付票: the slip handed out at reception with the participant's own survey QR code."""
from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from exports.docx_common import heading, para, run, table, to_bytes
from exports.handouts import _new, safe_filename
from exports.survey_qr import qr_png
from planner.models import Training
from planner.services.participants.attendance import day_participants, display_name
from planner.services.plans.editions import curriculum_for


def reception_slips(training: Training, urls: dict[int, str]) -> tuple[str, bytes]:
    """受付票: one slip per accepted participant (name, municipality, group) with the QR code of
    their own survey link, six to an A4 page, to hand out at reception."""
    curriculum = curriculum_for(training)
    # handed to participants on the day; it carries no programme, so no version mark (「案」)
    doc = _new(training, f"受付票 {curriculum.short_title}", versioned=False)
    people = [p for p in day_participants(training) if p.id in urls]
    heading(doc, f"受付票（研修アンケートのご案内）　{curriculum.title}", 1)
    if not people:
        para(doc, "回答用のURLを用意した受講者がいません。アンケートの画面で「受講者ごとのURLを用意」してください。")
        return f"受付票_{safe_filename(curriculum.short_title, 30)}.docx", to_bytes(doc)
    t = table(doc, None, [["", ""] for _ in people], [110, 60])
    for row, person in zip(t.rows, people):
        left, right = row.cells
        left.paragraphs[0].text = ""
        run(left.paragraphs[0], f"{person.name} 様", size=14, gothic=True)
        group = f"　{person.group_no}班" if person.group_no else ""
        run(left.add_paragraph(), display_name(person) + group, size=10)
        run(left.add_paragraph(), "閉会前に、右のQRコードから研修アンケートにお答えください（1〜2分・お一人1回）。"
                                  "回答はお名前と結び付けずに記録されます。", size=9)
        right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        right.paragraphs[0].add_run().add_picture(io.BytesIO(qr_png(urls[person.id])), width=Mm(28), height=Mm(28))
    return f"受付票_{safe_filename(curriculum.short_title, 30)}.docx", to_bytes(doc)
