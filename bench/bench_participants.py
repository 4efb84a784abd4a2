"""Time to produce every participants' paper of one training: 300 participants from 40
municipalities, in groups of 6, all ticked at reception (so 300 certificates).

exports.participants.participant_files (受講者名簿 .xlsx and .docx, name cards, 受付簿,
修了証書) against writing the same text into bare python-docx Documents and a bare openpyxl
Workbook in the same run (no fonts, no layout, no page breaks): the best of ROUNDS for each,
and the ratio. Wall time only (never under tracemalloc, which slows python-docx unevenly).

Usage: .venv/bin/python bench/bench_participants.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import io
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document
from openpyxl import Workbook, load_workbook

from app import create_app
from exports.participants import participant_files
from planner.models import Municipality, Participant, Prefecture, Training
from planner.models.db import db
from planner.services.plans.changes import create_plan
from tests.databases import run_on_both_engines
from tests.factories import DATES_2025

PARTICIPANTS, MUNICIPALITIES, GROUP_SIZE, ROUNDS = 300, 40, 6, 3


def seed(url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        prefecture = Prefecture(name="ベンチ県", letter_sender="ベンチ県福祉保健部長")
        db.session.add(prefecture)
        db.session.flush()
        plan = create_plan(prefecture, "令和7年度 伝達研修計画", 2025, dates=DATES_2025, venue="県庁 大会議室")
        places = [Municipality(prefecture_id=prefecture.id, code=f"99{n:03d}0", name=f"ベンチ第{n + 1}市",
                               kind="city") for n in range(MUNICIPALITIES)]
        db.session.add_all(places)
        db.session.flush()
        training = plan.trainings[0]
        db.session.add_all(Participant(
            training_id=training.id, municipality_id=places[n % MUNICIPALITIES].id,
            name=f"受講 太郎{n}", kana=f"じゅこう たろう{n}", affiliation="福祉課 生活相談係", job="相談支援員",
            kind=("worker", "worker", "official", "agency")[n % 4], email=f"p{n}@bench.example.jp",
            needs="車いす" if n % 25 == 0 else "", attended_at=datetime(2026, 2, 18, 0, 20),
            group_no=n // GROUP_SIZE + 1) for n in range(PARTICIPANTS))
        db.session.commit()
        return app, training.id


def contents(files: list[tuple[str, bytes]]) -> list[tuple[str, object]]:
    """Each file's text: paragraphs and table rows of a .docx, rows of an .xlsx."""
    out = []
    for name, data in files:
        if name.endswith(".xlsx"):
            rows = [[str(v or "") for v in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
            out.append(("xlsx", rows))
        else:
            doc = Document(io.BytesIO(data))
            out.append(("docx", ([p.text for p in doc.paragraphs],
                                 [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables])))
    return out


def bare(content: list[tuple[str, object]]) -> list[bytes]:
    """The same text written with bare python-docx and openpyxl."""
    out = []
    for kind, value in content:
        buffer = io.BytesIO()
        if kind == "xlsx":
            book = Workbook()
            for row in value:
                book.active.append(row)
            book.save(buffer)
        else:
            paragraphs, tables = value
            doc = Document()
            for text in paragraphs:
                doc.add_paragraph(text)
            for rows in tables:
                table = doc.add_table(rows=len(rows), cols=len(rows[0]))
                for row, cells in zip(table.rows, rows):
                    for cell, text in zip(row.cells, cells):
                        cell.text = text
            doc.save(buffer)
        out.append(buffer.getvalue())
    return out


def best(function) -> tuple[float, object]:
    times, result = [], None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def run(label: str, url: str) -> None:
    app, training_id = seed(url)
    with app.app_context():
        training = db.session.get(Training, training_id)
        ours, files = best(lambda: participant_files(db.session.get(Training, training_id)))
        content = contents(files)
        theirs, _ = best(lambda: bare(content))
    sizes = ", ".join(f"{name} {len(data) // 1024} KB" for name, data in files)
    print(f"{label}: {PARTICIPANTS} participants from {MUNICIPALITIES} municipalities "
          f"(training {training.id}), every paper: {ours:.2f} s; bare python-docx/openpyxl with the same text: "
          f"{theirs:.2f} s; ratio {ours / theirs:.2f} (best of {ROUNDS})")
    print(f"  files: {sizes}")


if __name__ == "__main__":
    run_on_both_engines(run)
