"""The synthetic case corpus (tests/anonymity_corpus/cases.toml) as .docx, .pptx and .pdf files.

Used by tests/test_anonymity_corpus.py and bench/bench_anonymity.py. The .docx puts the
family table in a Word table and splits some names across runs, as Word does after edits; the
.pptx has one slide per part, the family as a table and the progress also in the notes; the
.pdf is LibreOffice's rendering of the .docx.
"""
from __future__ import annotations

import io
import subprocess
import tomllib
import uuid
from pathlib import Path

from docx import Document
from pptx import Presentation
from pptx.util import Cm, Pt

CORPUS = Path(__file__).resolve().parent / "anonymity_corpus" / "cases.toml"
SECTIONS = (("consultation", "相談経緯"), ("family", "家族構成"), ("progress", "支援経過"))


def load_corpus() -> dict[str, list[dict]]:
    """{'case': [...annotated cases], 'clean': [...anonymous cases]}."""
    with CORPUS.open("rb") as f:
        return tomllib.load(f)


def case_docx(cases: list[dict]) -> bytes:
    """One Word document with the cases one after another."""
    document = Document()
    for case in cases:
        document.add_heading(f"事例 {case['id']}", level=1)
        for key, title in SECTIONS:
            document.add_heading(title, level=2)
            if key == "family":
                rows = case[key]
                table = document.add_table(rows=len(rows), cols=len(rows[0]))
                table.style = "Table Grid"
                for r, row in enumerate(rows):
                    for c, value in enumerate(row):
                        table.cell(r, c).text = value
            else:
                _split_runs(document.add_paragraph(), case[key])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _split_runs(paragraph, text: str) -> None:
    """The text in runs of 7 characters, every other one bold: names end up split across runs."""
    for i in range(0, len(text), 7):
        paragraph.add_run(text[i:i + 7]).bold = (i // 7) % 2 == 1


def case_pptx(cases: list[dict]) -> bytes:
    """One presentation: per case a slide per part, the family as a table, notes on the last."""
    presentation = Presentation()
    layout = presentation.slide_layouts[5]  # title only
    for case in cases:
        for key, title in SECTIONS:
            slide = presentation.slides.add_slide(layout)
            slide.shapes.title.text = f"事例 {case['id']} {title}"
            if key == "family":
                rows = case[key]
                shape = slide.shapes.add_table(len(rows), len(rows[0]), Cm(1), Cm(4), Cm(23), Cm(6))
                for r, row in enumerate(rows):
                    for c, value in enumerate(row):
                        shape.table.cell(r, c).text = value
            else:
                box = slide.shapes.add_textbox(Cm(1), Cm(4), Cm(23), Cm(12))
                box.text_frame.word_wrap = True
                box.text_frame.text = case[key]
                box.text_frame.paragraphs[0].runs[0].font.size = Pt(16)
            if key == "progress":
                slide.notes_slide.notes_text_frame.text = case[key]
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def docx_to_pdfs(soffice: str, documents: dict[str, bytes], workdir: Path) -> dict[str, bytes]:
    """LibreOffice's PDFs of .docx bytes by name, in one run with a private profile."""
    for name, data in documents.items():
        (workdir / f"{name}.docx").write_bytes(data)
    profile = workdir / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(workdir),
                    *[str(workdir / f"{name}.docx") for name in documents]],
                   check=True, capture_output=True, timeout=600)
    return {name: (workdir / f"{name}.pdf").read_bytes() for name in documents}
