"""The page, fonts, header, footer and tables every handout shares (python-docx 1.2).

python-docx sets only the Latin fonts: Japanese text needs `w:eastAsia` on `w:rFonts` of
every style and directly formatted run, and the theme attributes removed (a theme font wins
over an explicit one in Word). The default template is US Letter, so the section is set to A4.
"""
from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from exports import clean_text

#: fonts Word on Windows and macOS ships; LibreOffice substitutes Noto CJK for them
BODY_FONT = "游明朝"
HEADING_FONT = "游ゴシック"
LATIN_BODY = "Yu Mincho"
LATIN_HEADING = "Yu Gothic"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN = Mm(20)
#: the width between the margins, for tables
TEXT_WIDTH_MM = 170
BODY_SIZE = Pt(10.5)
#: the styles the handouts use; each gets the East Asian font
GOTHIC_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3")
MINCHO_STYLES = ("Normal", "List Bullet", "Header", "Footer", "Table Grid")
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr, east_asian: str, latin: str) -> None:
    """Latin and East Asian fonts on an rPr element, theme fonts removed, language ja-JP."""
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        key = qn(attr)
        if key in fonts.attrib:
            del fonts.attrib[key]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ja-JP")


def _setup_styles(doc: DocumentType) -> None:
    """Japanese fonts and black, modest headings on every style the handouts use."""
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        set_fonts(rpr, BODY_FONT, LATIN_BODY)
    for name in MINCHO_STYLES + GOTHIC_STYLES:
        style = styles[name]
        gothic = name in GOTHIC_STYLES
        set_fonts(style.element.get_or_add_rPr(), HEADING_FONT if gothic else BODY_FONT,
                  LATIN_HEADING if gothic else LATIN_BODY)
        if gothic:
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.italic = False
    styles["Normal"].font.size = BODY_SIZE
    styles["Normal"].paragraph_format.space_after = Pt(2)
    styles["Title"].font.size = Pt(18)
    styles["Title"].font.bold = True
    for name, size in (("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11)):
        styles[name].font.size = Pt(size)
        styles[name].paragraph_format.space_before = Pt(10)
        styles[name].paragraph_format.space_after = Pt(4)
    for name in ("Header", "Footer"):
        styles[name].font.size = Pt(9)
    # The default Title draws a blue rule under itself; a handout needs none.
    ppr = styles["Title"].element.pPr
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)


def _page_field(paragraph: Paragraph) -> None:
    """'- n -' with a PAGE field: fldChar begin, instrText, separate, result, end."""
    run(paragraph, "- ")
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None),
                       ("result", "1"), ("end", None)):
        r = run(paragraph, text if kind == "result" else "")
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._r.append(instr)
        elif kind != "result":
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._r.append(char)
    run(paragraph, " -")


def new_document(header_title: str, header_year: str) -> DocumentType:
    """An empty A4 handout with Japanese fonts, the plan and fiscal year in the header and
    page numbers in the footer."""
    doc = Document()
    _setup_styles(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = section.bottom_margin = MARGIN
    section.left_margin = section.right_margin = MARGIN
    section.header_distance = section.footer_distance = Mm(10)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run(header, f"{clean_text(header_title)}　{header_year}".replace("\n", " "))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(footer)
    return doc


def run(paragraph: Paragraph, text: str, bold: bool = False, size: float | None = None,
        gothic: bool = False) -> Run:
    """A run of cleaned text with its fonts set (East Asian included)."""
    r = paragraph.add_run(clean_text(text))
    if bold:
        r.bold = True
    if size:
        r.font.size = Pt(size)
    set_fonts(r._r.get_or_add_rPr(), HEADING_FONT if gothic else BODY_FONT,
              LATIN_HEADING if gothic else LATIN_BODY)
    return r


def style(doc: DocumentType, name: str):
    """A style by name, cached per document: python-docx scans every style on each lookup."""
    cache = doc.__dict__.setdefault("_planner_styles", {})
    if name not in cache:
        cache[name] = doc.styles[name]
    return cache[name]


def heading(doc: DocumentType, text: str, level: int = 1) -> Paragraph:
    """A heading (level 0 is the Title style) with its fonts set on the run too."""
    paragraph = doc.add_paragraph(style=style(doc, "Title" if level == 0 else f"Heading {level}"))
    run(paragraph, text, gothic=True)
    return paragraph


def para(doc: DocumentType, text: str = "", bold: bool = False, size: float | None = None,
         style_name: str | None = None, align=None) -> Paragraph:
    """A paragraph of cleaned text."""
    paragraph = doc.add_paragraph(style=style(doc, style_name) if style_name else None)
    if text:
        run(paragraph, text, bold=bold, size=size)
    if align is not None:
        paragraph.alignment = align
    return paragraph


def bullets(doc: DocumentType, items) -> None:
    """One 'List Bullet' paragraph per item."""
    for item in items:
        para(doc, item, style_name="List Bullet")


def labelled(doc: DocumentType, label: str, value: str) -> Paragraph:
    """'label: value' with the label in bold."""
    paragraph = doc.add_paragraph()
    run(paragraph, f"{label}：", bold=True, gothic=True)
    run(paragraph, value)
    return paragraph


def _cell_text(cell: _Cell, text: str, bold: bool = False, size: float | None = None) -> None:
    """Replace the cell's empty paragraph with formatted runs."""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    run(paragraph, text, bold=bold, size=size, gothic=bold)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def table(doc: DocumentType, header: list[str], rows: list[list[str]], widths_mm: list[float],
          size: float | None = 9.5) -> Table:
    """A fixed-layout grid table: column and cell widths both set (LibreOffice needs both),
    a shaded header row repeated on every page."""
    t = doc.add_table(rows=1 + len(rows), cols=len(header))
    t.style = style(doc, "Table Grid")
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Mm(w) for w in widths_mm]
    for column, width in zip(t.columns, widths):
        column.width = width
    for index, row in enumerate(t.rows):
        values = header if index == 0 else rows[index - 1]
        for cell, width, value in zip(row.cells, widths, values):
            cell.width = width
            _cell_text(cell, value, bold=index == 0, size=size)
            if index == 0:
                _shade(cell, "E7E6E6")
        if index == 0:
            _repeat_header(row)
    return t


def note_box(doc: DocumentType, title: str, text: str, fill: str = "FFF2CC") -> Table:
    """A shaded one-cell box for what must not be missed (a draft, the anonymity rule)."""
    t = doc.add_table(rows=1, cols=1)
    t.style = style(doc, "Table Grid")
    t.autofit = False
    t.columns[0].width = Mm(TEXT_WIDTH_MM)
    cell = t.rows[0].cells[0]
    cell.width = Mm(TEXT_WIDTH_MM)
    _shade(cell, fill)
    _cell_text(cell, title, bold=True)
    paragraph = cell.add_paragraph()
    run(paragraph, text)
    doc.add_paragraph()
    return t


def to_bytes(doc: DocumentType) -> bytes:
    """The document as .docx bytes."""
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
