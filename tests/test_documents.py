"""Files as bytes: the kind judged by content, bad files refused in Japanese, text out and replaced."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree
from openpyxl import Workbook
from pptx import Presentation
from pptx.util import Cm
from pypdf import PdfWriter

from planner.domain.documents import UnreadableDocument, document_kind, extract_text, replace_text
from tests.system import require


def _docx() -> bytes:
    document = Document()
    paragraph = document.add_paragraph("相談者の")
    paragraph.add_run("山").bold = True  # a name split across runs, as Word leaves it after edits
    paragraph.add_run("田太")
    paragraph.add_run("郎さんは来所した。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "続柄", "氏名"
    table.cell(1, 0).text, table.cell(1, 1).text = "本人", "山田太郎"
    document.sections[0].header.paragraphs[0].text = "事例 山田太郎"
    document.sections[0].footer.paragraphs[0].text = "別府市社会福祉協議会"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pptx() -> bytes:
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    slide.shapes.title.text = "事例 山田太郎"
    table = slide.shapes.add_table(2, 2, Cm(1), Cm(4), Cm(10), Cm(3)).table
    table.cell(0, 1).text, table.cell(1, 1).text = "氏名", "山田花子"
    box = slide.shapes.add_textbox(Cm(1), Cm(8), Cm(10), Cm(3)).text_frame
    box.text = "山"
    box.paragraphs[0].add_run().text = "田太郎さん"
    slide.notes_slide.notes_text_frame.text = "ノート: 山田太郎さんの件"
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.title = "事例"
    workbook.active["B3"] = "山田太郎"
    workbook.active["C3"] = 42
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _pdf(encrypt: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if encrypt:
        writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("build, kind", [(_docx, "docx"), (_pptx, "pptx"), (_xlsx, "xlsx"), (_pdf, "pdf")])
def test_document_kind_is_judged_by_content(build, kind):
    assert document_kind(build()) == kind


def test_telling_a_files_kind_leaves_lxml_unloaded():
    # the web process judges every upload: it should not keep lxml for it
    code = ("import sys; from planner.domain.documents import document_kind; "
            "print(document_kind(sys.stdin.buffer.read()), 'lxml' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], input=_docx(), cwd=Path(__file__).resolve().parent.parent,
                            capture_output=True, timeout=60, check=True)

    assert result.stdout.decode().split() == ["docx", "False"]


@pytest.mark.parametrize("data, message", [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "実行ファイル"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "実行ファイル"),
    (b"#!/bin/sh\nrm -rf /\n", "実行ファイル"),
    (b"hello, this is a text file called case.pdf\n", "以外のファイルは登録できません"),
    (b"", "以外のファイルは登録できません"),
    (b"%PDF-1.7\n garbage that is no PDF at all", "壊れていて読めません"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "パスワード付き"),
])
def test_bad_files_are_refused_with_a_japanese_message(data, message):
    with pytest.raises(UnreadableDocument) as refused:
        document_kind(data)

    assert message in str(refused.value)


def test_truncated_docx_is_refused_as_corrupt():
    data = _docx()

    with pytest.raises(UnreadableDocument) as refused:
        document_kind(data[: len(data) // 2])

    assert "壊れていて読めません" in str(refused.value)


def test_docx_with_a_damaged_part_is_refused_as_corrupt():
    data = bytearray(_docx())
    start = data.find(b"word/document.xml") + len("word/document.xml") + 40  # inside its deflated bytes
    data[start:start + 20] = b"\x00" * 20

    with pytest.raises(UnreadableDocument) as refused:
        document_kind(bytes(data))

    assert "壊れていて読めません" in str(refused.value)


def test_zip_that_is_no_office_file_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "not a document")

    with pytest.raises(UnreadableDocument) as refused:
        document_kind(out.getvalue())

    assert "壊れていて読めません" in str(refused.value)


def test_encrypted_pdf_is_refused():
    with pytest.raises(UnreadableDocument) as refused:
        document_kind(_pdf(encrypt=True))

    assert "暗号化" in str(refused.value)


def test_docx_text_comes_with_where_paragraphs_tables_and_header_footer():
    parts = extract_text(_docx(), "docx")

    assert parts == [("段落 1", "相談者の山田太郎さんは来所した。"),
                     ("表 1 1 行 1 列", "続柄"), ("表 1 1 行 2 列", "氏名"),
                     ("表 1 2 行 1 列（続柄）", "本人"), ("表 1 2 行 2 列（氏名）", "山田太郎"),
                     ("ヘッダー（1 節）", "事例 山田太郎"), ("フッター（1 節）", "別府市社会福祉協議会")]


def test_pptx_text_has_slides_tables_and_notes():
    parts = extract_text(_pptx(), "pptx")

    assert ("スライド 1", "事例 山田太郎") in parts
    assert ("スライド 1 表 2 行 2 列（氏名）", "山田花子") in parts
    assert ("スライド 1", "山田太郎さん") in parts
    assert ("スライド 1 ノート", "ノート: 山田太郎さんの件") in parts


def test_xlsx_text_is_its_text_cells():
    assert extract_text(_xlsx(), "xlsx") == [("事例 B3", "山田太郎")]


def test_pdf_text_per_page(tmp_path):
    require("pdftotext", "PDF text comes from pdftotext")
    from tests.anonymity_files import docx_to_pdfs
    soffice = require("soffice", "the PDF is made from a .docx by LibreOffice")
    pdf = docx_to_pdfs(soffice, {"case": _docx()}, tmp_path)["case"]

    parts = extract_text(pdf, document_kind(pdf))

    assert {where for where, _ in parts} >= {"1 ページ"}
    assert any("相談者の山田太郎さんは来所した。" in text for _, text in parts)


def test_replace_text_in_docx_across_runs_tables_and_header_keeps_the_first_runs_format():
    new = replace_text(_docx(), "docx", {"山田太郎": "A氏", "別府市": "B市"})

    document = Document(io.BytesIO(new))
    texts = [text for _, text in extract_text(new, "docx")]
    assert not any("山田" in text or "別府" in text for text in texts)
    assert texts[0] == "相談者のA氏さんは来所した。"
    runs = document.paragraphs[0].runs
    assert [(r.text, bool(r.bold)) for r in runs] == [("相談者の", False), ("A氏", True), ("", False),
                                                      ("さんは来所した。", False)]
    assert document.sections[0].footer.paragraphs[0].text == "B市社会福祉協議会"


def test_replace_text_in_pptx_across_runs_tables_and_notes():
    new = replace_text(_pptx(), "pptx", {"山田太郎": "A氏", "山田花子": "B氏"})

    presentation = Presentation(io.BytesIO(new))
    slide = presentation.slides[0]
    texts = [text for _, text in extract_text(new, "pptx")]
    assert not any("山田" in text for text in texts)
    assert "ノート: A氏さんの件" == slide.notes_slide.notes_text_frame.text
    assert "A氏さん" in texts


def test_replace_text_with_a_replacement_that_holds_the_old_text_ends():
    new = replace_text(_docx(), "docx", {"山田": "山田（仮名）"})

    assert extract_text(new, "docx")[0][1] == "相談者の山田（仮名）太郎さんは来所した。"


@pytest.mark.parametrize("kind, data, message", [("pdf", _pdf(), "PDF はアプリの中では書き換えられません"),
                                                  ("xlsx", _xlsx(), "書き換えられません")])
def test_replace_text_refuses_pdf_and_xlsx(kind, data, message):
    with pytest.raises(UnreadableDocument) as refused:
        replace_text(data, kind, {"山田": "A"})

    assert message in str(refused.value)


def test_docx_comments_are_read_and_replaced():
    document = Document(io.BytesIO(_docx()))
    paragraph = document.paragraphs[0]
    document.add_comment(paragraph.runs, text="山田さんの了承済み", author="支援員")
    out = io.BytesIO()
    document.save(out)

    assert ("コメント（1）", "山田さんの了承済み") in extract_text(out.getvalue(), "docx")
    new = replace_text(out.getvalue(), "docx", {"山田": "A"})
    assert ("コメント（1）", "Aさんの了承済み") in extract_text(new, "docx")


def test_docx_tabs_and_line_breaks_separate_words_but_tab_stops_do_not_count():
    document = Document()
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(3))
    run = paragraph.add_run("氏名")
    run.add_tab()
    run.add_text("山田太郎")
    run.add_break()
    run.add_text("住所")
    out = io.BytesIO()
    document.save(out)

    assert extract_text(out.getvalue(), "docx") == [("段落 1", "氏名\t山田太郎\n住所")]


def test_text_deleted_with_track_changes_is_still_found_and_replaced():
    document = Document()
    paragraph = document.add_paragraph("相談者の")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paragraph._p.append(etree.fromstring(
        f'<w:del xmlns:w="{w}" w:id="1" w:author="支援員" w:date="2026-12-01T00:00:00Z">'
        f'<w:r><w:delText>山田太郎</w:delText></w:r></w:del>'))
    paragraph._p.append(etree.fromstring(
        f'<w:ins xmlns:w="{w}" w:id="2" w:author="支援員" w:date="2026-12-01T00:00:00Z">'
        f'<w:r><w:t>A氏</w:t></w:r></w:ins>'))
    out = io.BytesIO()
    document.save(out)

    assert extract_text(out.getvalue(), "docx") == [("段落 1", "相談者の山田太郎A氏")]
    new = replace_text(out.getvalue(), "docx", {"山田太郎": "○○"})
    assert extract_text(new, "docx") == [("段落 1", "相談者の○○A氏")]


def test_zip_that_unpacks_too_large_is_refused(monkeypatch):
    from planner.domain import documents
    monkeypatch.setattr(documents, "MAX_UNPACKED_BYTES", 10_000)  # the real limit is 200 MiB

    with pytest.raises(UnreadableDocument) as refused:
        document_kind(_docx())

    assert "大きすぎる" in str(refused.value)
