"""QR codes of the survey links on paper: a participant's link on their name card and 受付票,
the shared link on the 研修次第. Kept apart from the builders of those papers: each of them
calls one function here, so the survey's part of a paper is in one place (this module
imports none of them). The 受付票 is in exports.survey_papers.

segno (pure Python, maintained, no dependencies) writes the PNG; error correction M is enough
for a URL on paper, and a code printed at 20 mm or more reads on any phone.
"""
from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.table import _Cell

from exports.docx_common import heading, para, run

QR_MM = 20


def qr_png(url: str) -> bytes:
    """The URL as a black-on-white QR code PNG (error correction M, 4-module quiet zone)."""
    import segno  # loaded with the first paper that prints one
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def add_card_qr(cell: _Cell, url: str | None) -> None:
    """A name card's survey QR code (20 mm) with a one-line caption, at the card's foot."""
    if not url:
        return
    paragraph = cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.add_run().add_picture(io.BytesIO(qr_png(url)), width=Mm(QR_MM), height=Mm(QR_MM))
    run(paragraph, " 研修アンケート（お一人1回）", size=7)


def add_agenda_qr(doc, url: str | None) -> None:
    """The 研修次第's box with the shared survey QR code, for those without a personal one."""
    if not url:
        return
    heading(doc, "研修アンケート", 1)
    paragraph = para(doc, "閉会前に、スマートフォンでアンケートにお答えください。名札のQRコードからお答えいただけます。"
                          "名札にQRコードのない方は、こちらのQRコードからお答えください。", size=10)
    paragraph.paragraph_format.keep_with_next = True
    picture = doc.add_paragraph()
    picture.add_run().add_picture(io.BytesIO(qr_png(url)), width=Mm(25), height=Mm(25))
    para(doc, url, size=8)
