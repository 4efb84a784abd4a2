"""The page, fonts, header, footer and tables every handout shares (python-docx 1.2).

python-docx's default template is US Letter, written by "python-docx" in 2013, in Word 2010
compatibility mode (互換モード) with Latin theme fonts. `_template()` fixes all of that once
per process: A4, Japanese fonts on every style and in the theme, current Word's compatibility
mode (15), the Title in the navigation pane. Each handout then starts from those bytes, so a
document costs a parse instead of a restyle, and paragraphs name their style by id.
"""
from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from functools import cache
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
#: style ids of the default template, set directly (a lookup by name scans every style)
STYLE_IDS = {"Title": "Title", "Heading 1": "Heading1", "Heading 2": "Heading2",
             "Heading 3": "Heading3", "List Bullet": "ListBullet", "Table Grid": "TableGrid"}
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
#: Word 2013 and later; 14 makes Word open the file in 互換モード
COMPATIBILITY_MODE = "15"
#: one width convention for digits: half-width, as the 公用文 guidance asks for numbers
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def half_width_digits(text: str) -> str:
    """Full-width digits as half-width (６０分 -> 60分); nothing else changes."""
    return text.translate(_WIDE_DIGITS)


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
    lang.set(qn("w:val"), "ja-JP")
    lang.set(qn("w:eastAsia"), "ja-JP")


# --------------------------------------------------------------------------- the template

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
            # a heading never ends a page alone
            style.paragraph_format.keep_with_next = True
    styles["Normal"].font.size = BODY_SIZE
    styles["Normal"].paragraph_format.space_after = Pt(2)
    title = styles["Title"]
    title.font.size = Pt(16)
    title.font.bold = True
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    for name, size in (("Heading 1", 12.5), ("Heading 2", 11.5), ("Heading 3", 11)):
        styles[name].font.size = Pt(size)
        styles[name].paragraph_format.space_before = Pt(10)
        styles[name].paragraph_format.space_after = Pt(3)
    for name in ("Header", "Footer"):
        styles[name].font.size = Pt(9)
    ppr = title.element.get_or_add_pPr()
    # The default Title draws a blue rule under itself; a handout needs none.
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    # Outline level 1: the title shows in Word's navigation pane (and as a PDF bookmark).
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    ppr.append(level)


def _japanese_theme(doc: DocumentType) -> None:
    """Theme fonts (major = headings, minor = body) set to the Japanese fonts, so a style
    that still names a theme font looks the same in Word and LibreOffice."""
    for part in doc.part.package.iter_parts():
        if str(part.partname).startswith("/word/theme/"):
            xml = part.blob.decode("utf-8")
            for scheme, latin, east in (("majorFont", LATIN_HEADING, HEADING_FONT),
                                        ("minorFont", LATIN_BODY, BODY_FONT)):
                def fix(match, latin=latin, east=east):
                    block = re.sub(r'<a:latin typeface="[^"]*"', f'<a:latin typeface="{latin}"', match[0])
                    block = re.sub(r'<a:ea typeface="[^"]*"', f'<a:ea typeface="{east}"', block)
                    return re.sub(r'<a:font script="Jpan" typeface="[^"]*"',
                                  f'<a:font script="Jpan" typeface="{east}"', block)
                xml = re.sub(rf"<a:{scheme}>.*?</a:{scheme}>", fix, xml, flags=re.S)
            part._blob = xml.encode("utf-8")


def _settings(doc: DocumentType) -> None:
    """Current Word's compatibility mode and Japanese as the theme language."""
    settings = doc.settings.element
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), COMPATIBILITY_MODE)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "ja-JP")


@cache
def _template() -> bytes:
    """The styled, empty A4 document every handout starts from (built once per process)."""
    doc = Document()
    _setup_styles(doc)
    _japanese_theme(doc)
    _settings(doc)
    core = doc.core_properties._element
    for stale in core.findall(qn("cp:lastPrinted")):
        core.remove(stale)  # the default template says it was printed in 2013
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = section.bottom_margin = MARGIN
    section.left_margin = section.right_margin = MARGIN
    section.header_distance = section.footer_distance = Mm(10)
    section.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(footer)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


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


def new_document(title: str, header: str, author: str) -> DocumentType:
    """An empty A4 handout: `header` (the organiser and one fiscal year) top right, page
    numbers in the footer, and the core properties a recipient's Word shows."""
    doc = Document(BytesIO(_template()))
    run(doc.sections[0].header.paragraphs[0], clean_text(header).replace("\n", " "))
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    props = doc.core_properties
    props.title = clean_text(title).replace("\n", " ")
    props.author = props.last_modified_by = clean_text(author) or "伝達研修プランナー"
    props.created = props.modified = now
    props.revision = 1
    props.language = "ja-JP"
    props.comments = props.keywords = props.subject = props.category = ""
    return doc


# --------------------------------------------------------------------------- text

@cache
def _run_template(gothic: bool, bold: bool, size: float | None):
    """A formatted one-character run, built once per kind through python-docx; each run is
    a copy of it (python-docx's per-property inserts cost more than the text itself)."""
    paragraph = Paragraph(OxmlElement("w:p"), None)
    r = paragraph.add_run("x")
    set_fonts(r._r.get_or_add_rPr(), HEADING_FONT if gothic else BODY_FONT,
              LATIN_HEADING if gothic else LATIN_BODY)
    if bold:
        r.bold = True
    if size:
        r.font.size = Pt(size)
    return r._r


def run(paragraph: Paragraph, text: str, bold: bool = False, size: float | None = None,
        gothic: bool = False) -> Run:
    """A run of cleaned text, digits half-width, with its fonts set (East Asian included)."""
    text = half_width_digits(clean_text(text))
    element = copy.deepcopy(_run_template(gothic, bold, size))
    paragraph._p.append(element)
    r = Run(element, paragraph)
    if "\n" in text or "\t" in text:
        r.text = text  # python-docx writes <w:br/> and <w:tab/> for these
    else:
        t = element.find(qn("w:t"))
        t.text = text
        t.set(qn("xml:space"), "preserve")
    return r


def styled(paragraph: Paragraph, name: str) -> Paragraph:
    """Give the paragraph a style by its id (no lookup by name)."""
    paragraph._p.style = STYLE_IDS[name]
    return paragraph


def heading(doc: DocumentType, text: str, level: int = 1, new_page: bool = False) -> Paragraph:
    """A heading (level 0 is the Title style); `new_page` starts it on a new page without
    an empty paragraph (which could leave a blank page)."""
    paragraph = styled(doc.add_paragraph(), "Title" if level == 0 else f"Heading {level}")
    run(paragraph, text, gothic=True)
    if new_page:
        paragraph.paragraph_format.page_break_before = True
    return paragraph


def para(doc: DocumentType, text: str = "", bold: bool = False, size: float | None = None,
         style_name: str | None = None, align=None) -> Paragraph:
    """A paragraph of cleaned text."""
    paragraph = doc.add_paragraph()
    if style_name:
        styled(paragraph, style_name)
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


# --------------------------------------------------------------------------- tables

@cache
def _tight_ppr():
    """Paragraph properties of a table cell: no space after (copied into each paragraph)."""
    paragraph = Paragraph(OxmlElement("w:p"), None)
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph._p.pPr


def _cell_text(cell: _Cell, text: str, bold: bool = False, size: float | None = None) -> None:
    """Fill the cell's empty paragraph with formatted runs, one paragraph per line."""
    for index, line in enumerate(clean_text(text).split("\n")):
        if index == 0:
            p = cell._tc.p_lst[0]
        else:
            p = OxmlElement("w:p")
            cell._tc.append(p)
        p.insert(0, copy.deepcopy(_tight_ppr()))
        run(Paragraph(p, cell), line, bold=bold, size=size, gothic=bold)


def shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _row_flags(tr, header: bool) -> None:
    """Every row keeps together on one page (cantSplit); the header row repeats."""
    tr_pr = tr.get_or_add_trPr()
    flag = OxmlElement("w:cantSplit")
    tr_pr.append(flag)
    if header:
        repeat = OxmlElement("w:tblHeader")
        tr_pr.append(repeat)


def _grid(doc: DocumentType, row_count: int, widths_mm: list[float]) -> Table:
    """A fixed-layout grid table, column and cell widths both set (LibreOffice needs both)."""
    t = doc.add_table(rows=row_count, cols=len(widths_mm))
    t._tbl.tblPr.get_or_add_tblStyle().val = STYLE_IDS["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Mm(w) for w in widths_mm]
    for grid_col, width in zip(t._tbl.tblGrid.gridCol_lst, widths):
        grid_col.w = width
    for tr in t._tbl.tr_lst:
        for tc, width in zip(tr.tc_lst, widths):
            tc.width = width
    return t


def table(doc: DocumentType, header: list[str] | None, rows: list[list[str]],
          widths_mm: list[float], size: float | None = 9.5, label_column: bool = False) -> Table:
    """A grid table: a shaded header row repeated on every page (when `header` is given),
    rows that never split across pages; `label_column` shades and bolds the first column."""
    all_rows = ([header] if header else []) + rows
    t = _grid(doc, len(all_rows), widths_mm)
    for index, (tr, values) in enumerate(zip(t._tbl.tr_lst, all_rows)):
        is_header = bool(header) and index == 0
        _row_flags(tr, is_header)
        for column, (tc, value) in enumerate(zip(tr.tc_lst, values)):
            cell = _Cell(tc, t)
            label = label_column and column == 0
            _cell_text(cell, value, bold=is_header or label, size=size)
            if is_header or label:
                shade(cell, "E7E6E6" if is_header else "F2F2F2")
    return t


def note_box(doc: DocumentType, title: str, text: str, fill: str = "FFF2CC") -> Table:
    """A shaded one-cell box for what must not be missed (a draft, the anonymity rule).
    No empty paragraph follows it: one at a page end makes a blank page."""
    t = _grid(doc, 1, [TEXT_WIDTH_MM])
    tr = t._tbl.tr_lst[0]
    _row_flags(tr, False)
    cell = _Cell(tr.tc_lst[0], t)
    shade(cell, fill)
    _cell_text(cell, title, bold=True)
    paragraph = cell.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    run(paragraph, text)
    return t


def spacer(doc: DocumentType, points: float = 4) -> Paragraph:
    """A small gap after a table (a paragraph of a few points, never a page of its own)."""
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(0)
    fmt.space_before = Pt(0)
    fmt.line_spacing = Pt(points)
    return paragraph


def to_bytes(doc: DocumentType) -> bytes:
    """The document as .docx bytes. Word needs a paragraph after a final table and adds a
    full-height one itself, which can spill onto a blank page: end with a tiny one instead."""
    body = doc.element.body
    blocks = [child for child in body if child.tag != qn("w:sectPr")]
    if blocks and blocks[-1].tag == qn("w:tbl"):
        spacer(doc, 1)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def make_link(paragraph: Paragraph, url: str) -> None:
    """Turn the paragraph's runs into a hyperlink to `url` (blue, underlined), so a reader
    can click the address instead of copying it."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    from docx.shared import RGBColor
    for r in list(paragraph._p.findall(qn("w:r"))):
        styled_run = Run(r, paragraph)  # python-docx keeps rPr's children in schema order
        styled_run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
        styled_run.font.underline = True
        link.append(r)
    paragraph._p.append(link)
