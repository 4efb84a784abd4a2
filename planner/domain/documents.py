"""Office and PDF files as bytes: what kind a file is (by content), its text, and text replaced.

Used by the materials feature and `flask check-anonymity`. The kind is judged from the bytes,
never from the file name: a renamed executable or a text file called .pdf is refused. Pure: no
Flask, no database.

PDF text comes from poppler's pdftotext (Debian package poppler-utils), not from pypdf: on the
Japanese PDFs LibreOffice writes, pypdf drops the space between 姓 and 名 (千葉 ヨシエ becomes
千葉ヨシエ) and loses the blank line between paragraphs, so a heading runs into the next line
and names merge with the words around them; pdftotext keeps both. pypdf (pure Python) is still
used to tell a whole, unencrypted PDF from a broken or encrypted one before pdftotext runs.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from itertools import pairwise

from planner.domain.safezip import ZipRefused, check_zip

#: what document_kind returns
KINDS = ("docx", "pptx", "xlsx", "pdf")
#: the main part's content type in [Content_Types].xml says what an OOXML zip is
_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
#: a zip that unpacks to more than this is refused (a zip bomb, or no document people share)
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_EXECUTABLE_STARTS = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                      b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
#: the XML parts whose text a reader sees, per kind (replace_text rewrites these)
_TEXT_PARTS = {
    "docx": re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml"),
    "pptx": re.compile(r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml"),
}


class UnreadableDocument(Exception):
    """A file the app cannot read or edit; str() is a Japanese message for the person."""


def document_kind(data: bytes) -> str:
    """'docx', 'pptx', 'xlsx' or 'pdf', judged by content; UnreadableDocument otherwise."""
    if data.startswith(_EXECUTABLE_STARTS):
        raise UnreadableDocument("実行ファイルは登録できません。Word・PowerPoint・Excel・PDF のファイルを選んでください。")
    if data.startswith(b"%PDF-"):
        _pdf_reader(data)
        return "pdf"
    if data.startswith(_OLE):
        raise UnreadableDocument(
            "パスワード付きのファイルか、古い形式（.doc・.ppt・.xls）のファイルです。"
            "パスワードを外し、.docx・.pptx・.xlsx で保存し直してください。")
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_kind(data)
    raise UnreadableDocument("Word（.docx）・PowerPoint（.pptx）・Excel（.xlsx）・PDF 以外のファイルは登録できません。")


def _corrupt(kind_name: str = "") -> UnreadableDocument:
    """The error for a broken file; kind_name like "PDF " names the kind."""
    return UnreadableDocument(f"{kind_name}ファイルが壊れていて読めません。元のアプリで開いて保存し直してください。")


def _ooxml_kind(data: bytes) -> str:
    """The kind of an OOXML zip from its [Content_Types].xml, after checking the zip is whole."""
    # the standard library's parser, not lxml: the web process judges every upload, and lxml
    # would stay in its memory (about 6 MiB) to read one small part
    from xml.etree import ElementTree
    try:
        # the sizes the zip's headers claim are not trusted: every entry is inflated and counted
        check_zip(data, max_total=MAX_UNPACKED_BYTES)
    except ZipRefused as exc:
        raise UnreadableDocument(str(exc)) from None
    except zipfile.BadZipFile:
        raise _corrupt() from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if zf.testzip() is not None:
                raise _corrupt()
            types = ElementTree.fromstring(zf.read("[Content_Types].xml"))
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, ElementTree.ParseError, ValueError, OSError):
        raise _corrupt() from None
    for element in types:
        kind = _MAIN_TYPES.get(element.get("ContentType", ""))
        if kind:
            return kind
    raise UnreadableDocument("Word（.docx）・PowerPoint（.pptx）・Excel（.xlsx）・PDF 以外のファイルは登録できません"
                             "（マクロ付きのファイルも登録できません）。")


def _pdf_reader(data: bytes):
    """A pypdf reader for a PDF that is whole and not encrypted."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        if not encrypted:
            len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise _corrupt("PDF ") from None
    if encrypted:
        raise UnreadableDocument("暗号化（パスワード保護）された PDF は読めません。保護を外した PDF を登録してください。")
    return reader


def extract_text(data: bytes, kind: str) -> list[tuple[str, str]]:
    """The file's text as (where, text) pairs, where like 「段落 12」「表 1」「スライド 3」「2 ページ」."""
    readers = {"docx": _docx_text, "pptx": _pptx_text, "xlsx": _xlsx_text, "pdf": _pdf_text}
    if kind not in readers:
        raise UnreadableDocument("この形式のファイルからは文章を取り出せません。")
    try:
        return [(where, text) for where, text in readers[kind](data) if text.strip()]
    except UnreadableDocument:
        raise
    except Exception:  # noqa: BLE001 - each library has its own errors for a broken part; one message
        raise _corrupt() from None


def _docx_text(data: bytes) -> Iterator[tuple[str, str]]:
    from docx import Document
    from docx.table import Table
    document = Document(io.BytesIO(data))
    paragraph_no = table_no = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            table_no += 1
            yield from _docx_table(block, f"表 {table_no}")
        else:
            paragraph_no += 1
            yield f"段落 {paragraph_no}", _paragraph_text(block._p, _W)
    boxes = document.element.body.xpath(f".//*[local-name()='txbxContent' and namespace-uri()='{_W}']"
                                        f"[not(ancestor::*[local-name()='Fallback'])]")
    for number, box in enumerate(boxes, 1):
        yield f"テキストボックス {number}", _xml_text(box, _W)
    yield from _docx_notes(data)
    for number, section in enumerate(document.sections, 1):
        for label, part in (("ヘッダー", section.header), ("フッター", section.footer)):
            if part.is_linked_to_previous and number > 1:
                continue
            for paragraph in part.paragraphs:
                yield f"{label}（{number} 節）", _paragraph_text(paragraph._p, _W)
            for table in part.tables:
                yield from _docx_table(table, f"{label}（{number} 節）の表")


def _docx_notes(data: bytes) -> Iterator[tuple[str, str]]:
    """Footnotes, endnotes and comments: python-docx does not read them, and names hide there too."""
    from lxml import etree  # with the first document, not at the server's start
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        for member, label in (("word/footnotes.xml", "脚注"), ("word/endnotes.xml", "文末脚注"),
                              ("word/comments.xml", "コメント")):
            if member in names:
                root = etree.fromstring(zf.read(member))
                for number, paragraph in enumerate(root.iter(f"{{{_W}}}p"), 1):
                    yield f"{label}（{number}）", _paragraph_text(paragraph, _W)


def _docx_table(table, where: str) -> Iterator[tuple[str, str]]:
    seen = set()  # the cells' elements: a merged cell comes back once per grid column
    rows = [[("\n".join(_paragraph_text(p._p, _W) for p in cell.paragraphs), cell) for cell in row.cells]
            for row in table.rows]
    for r, row in enumerate(rows, 1):
        for c, (text, cell) in enumerate(row, 1):
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            yield _cell_where(where, rows, r, c), text
            for inner in cell.tables:
                yield from _docx_table(inner, f"{where} {r} 行 {c} 列の表")


def _cell_where(where: str, rows: list[list[tuple[str, object]]], r: int, c: int) -> str:
    """「表 1 3 行 2 列（氏名）」: a cell with its column's heading, when the first row has a short one."""
    heading = rows[0][c - 1][0].strip() if r > 1 and c <= len(rows[0]) else ""
    return f"{where} {r} 行 {c} 列" + (f"（{heading}）" if heading and len(heading) <= 12 and "\n" not in heading else "")


def _xml_text(element, namespace: str) -> str:
    """The text of the paragraphs under element, one line each."""
    return "\n".join(_paragraph_text(p, namespace) for p in element.iter(f"{{{namespace}}}p"))


def _paragraph_text(paragraph, namespace: str) -> str:
    """A paragraph's own text (not a nested text box's), tabs and line breaks included.

    Text deleted with track changes on counts: Word keeps it in the file (w:delText), so a
    name struck out that way is still there for anyone who shows the changes.

    Faster than python-docx's Paragraph.text, which runs an XPath query per run.
    """
    pieces = []
    for element in paragraph.iter(f"{{{namespace}}}t", f"{{{_W}}}delText", f"{{{_W}}}tab", f"{{{_W}}}br",
                                  f"{{{_W}}}cr"):
        if not _own_paragraph(element, paragraph, namespace):
            continue
        local = element.tag.rsplit("}", 1)[1]
        if local in ("t", "delText"):
            pieces.append(element.text or "")
        elif element.getparent().tag == f"{{{_W}}}r":  # a tab stop in w:tabs is no text
            pieces.append("\t" if local == "tab" else "\n")
    return "".join(pieces)


def _pptx_text(data: bytes) -> Iterator[tuple[str, str]]:
    from pptx import Presentation
    presentation = Presentation(io.BytesIO(data))
    for number, slide in enumerate(presentation.slides, 1):
        where = f"スライド {number}"
        for shape in _pptx_shapes(slide.shapes):
            if shape.has_text_frame:
                yield where, shape.text_frame.text
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = [[(cell.text, cell) for cell in row.cells] for row in shape.table.rows]
                for r, row in enumerate(rows, 1):
                    for c, (text, _) in enumerate(row, 1):
                        yield _cell_where(f"{where} 表", rows, r, c), text
        if slide.has_notes_slide:
            yield f"{where} ノート", slide.notes_slide.notes_text_frame.text


def _pptx_shapes(shapes):
    """Every shape, the ones inside groups too."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _pptx_shapes(shape.shapes)
        else:
            yield shape


def _xlsx_text(data: bytes) -> Iterator[tuple[str, str]]:
    from openpyxl import load_workbook
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        yield f"{sheet.title} {cell.coordinate}", cell.value
    finally:
        workbook.close()


#: the space LibreOffice and Word put between Japanese and Latin letters or digits is layout,
#: not text (令和 6 年春 would read as a name 年春)
_PDF_AUTOSPACE = re.compile(r"(?<=[0-9A-Za-z]) (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) (?=[0-9A-Za-z])")
#: cells of a line in pdftotext's layout: runs of text apart by two or more spaces
_PDF_CELL = re.compile(r"\S+(?: \S+)*")


def _pdf_text(data: bytes) -> Iterator[tuple[str, str]]:
    """Per page, blocks of lines (apart by blank lines): tables by cell, paragraphs with wrapped lines joined."""
    _pdf_reader(data)
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        raise UnreadableDocument("PDF の文章を取り出せません（サーバーに poppler-utils がありません。管理者に連絡してください）。")
    result = subprocess.run([pdftotext, "-layout", "-enc", "UTF-8", "-", "-"], input=data,
                            capture_output=True, timeout=120, check=False)
    if result.returncode != 0:
        raise _corrupt("PDF ")
    text = _PDF_AUTOSPACE.sub("", result.stdout.decode("utf-8", errors="replace"))
    for number, page in enumerate(text.split("\f"), 1):
        table_no = 0
        for is_table, lines in _pdf_groups(page):
            if is_table:
                table_no += 1
                yield from _pdf_table(lines, f"{number} ページ 表 {table_no}")
            else:
                yield f"{number} ページ", _pdf_paragraphs(lines)


def _pdf_groups(page: str) -> Iterator[tuple[bool, list[str]]]:
    """(is_table, lines): runs of table rows (two or more cells, or an indented continuation)
    and of text lines, within blocks apart by blank lines."""
    for block in re.split(r"\n\s*\n", page):
        groups: list[tuple[bool, list[str]]] = []
        for line in (line.rstrip() for line in block.split("\n") if line.strip()):
            continued = bool(groups) and groups[-1][0] and line.startswith("    ")
            row = len(_PDF_CELL.findall(line)) >= 2 or continued
            if groups and groups[-1][0] == row:
                groups[-1][1].append(line)
            else:
                groups.append((row, [line]))
        for row, lines in groups:
            yield row and len(lines) > 1, lines


def _pdf_table(lines: list[str], where: str) -> Iterator[tuple[str, str]]:
    """Cells under the heading line's columns; a line with an empty first column continues the row."""
    headings = [(m.start(), m.group()) for m in _PDF_CELL.finditer(lines[0])]
    rows: list[dict[int, str]] = []
    for line in lines[1:]:
        cells: dict[int, str] = {}
        for m in _PDF_CELL.finditer(line):
            column = max((i for i, (col, _) in enumerate(headings) if col <= m.start() + 2), default=0)
            cells[column] = (cells.get(column, "") + " " + m.group()).strip()
        if rows and 0 not in cells:
            for column, text in cells.items():
                rows[-1][column] = rows[-1].get(column, "") + text
        else:
            rows.append(cells)
    for c, (_, heading) in enumerate(headings, 1):
        yield f"{where} 1 行 {c} 列", heading
    for r, cells in enumerate(rows, 2):
        for c, text in sorted(cells.items()):
            yield f"{where} {r} 行 {c + 1} 列（{headings[c][1]}）", text


def _pdf_paragraphs(lines: list[str]) -> str:
    """The lines with each wrapped line joined to the next: a line as wide as the widest was wrapped.

    A heading or a paragraph's last line is shorter and keeps its line break.
    """
    lines = [line.strip() for line in lines]
    width = max((len(line) for line in lines), default=0)
    text = lines[0] if lines else ""
    for previous, line in pairwise(lines):
        wrapped = len(previous) >= 0.75 * width
        ascii_both = previous[-1:].isascii() and line[:1].isascii() and not previous.endswith("-")
        text += ("\n" if not wrapped else " " if ascii_both else "") + line
    return text


def replace_text(data: bytes, kind: str, replacements: dict[str, str]) -> bytes:
    """The file with every occurrence of each key replaced, also where Word split it across runs.

    The replacement takes the formatting of the run where the old text began. Only .docx and
    .pptx can be edited; everything else in the zip is copied unchanged.
    """
    from lxml import etree  # with the first document, not at the server's start
    if kind == "pdf":
        raise UnreadableDocument("PDF はアプリの中では書き換えられません。元の Word・PowerPoint のファイルで直して登録し直してください。")
    if kind not in _TEXT_PARTS:
        raise UnreadableDocument("この形式のファイルはアプリの中では書き換えられません。元のファイルで直して登録し直してください。")
    pairs = sorted(((old, new) for old, new in replacements.items() if old), key=lambda p: -len(p[0]))
    namespace = _W if kind == "docx" else _A
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source, \
                zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                blob = source.read(info)
                if _TEXT_PARTS[kind].fullmatch(info.filename):
                    blob = _replace_in_part(blob, namespace, pairs)
                target.writestr(info, blob)
    except (zipfile.BadZipFile, zlib.error, etree.XMLSyntaxError, EOFError, OSError):
        raise _corrupt() from None
    return out.getvalue()


def _replace_in_part(blob: bytes, namespace: str, pairs: list[tuple[str, str]]) -> bytes:
    from lxml import etree  # with the first document, not at the server's start
    root = etree.fromstring(blob)
    changed = False
    for paragraph in root.iter(f"{{{namespace}}}p"):
        texts = [t for t in paragraph.iter(f"{{{namespace}}}t", f"{{{_W}}}delText")
                 if _own_paragraph(t, paragraph, namespace)]
        for old, new in pairs:
            changed |= _replace_in_paragraph(texts, old, new)
    if not changed:
        return blob
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _own_paragraph(text_element, paragraph, namespace: str) -> bool:
    """Whether text_element belongs to paragraph itself, not to a text box nested in it."""
    parent = text_element.getparent()
    while parent is not None and parent.tag != f"{{{namespace}}}p":
        parent = parent.getparent()
    return parent is paragraph


def _replace_in_paragraph(texts: list, old: str, new: str) -> bool:
    """Replace old by new in the text elements of one paragraph; True when something changed."""
    changed, after = False, 0
    while (start := "".join(t.text or "" for t in texts).find(old, after)) >= 0:
        end, offset, first = start + len(old), 0, True
        for t in texts:
            text = t.text or ""
            lo, hi = offset, offset + len(text)
            offset = hi
            if hi <= start or lo >= end:
                continue
            t.text = text[: max(0, start - lo)] + (new if first else "") + text[max(0, end - lo):]
            if t.tag != f"{{{_A}}}t":  # Word drops leading and trailing spaces without it
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            first = False
        changed, after = True, start + len(new)  # go on after the new text (it may hold the old)
    return changed
