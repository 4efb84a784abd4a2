"""研修アンケート結果報告 (.docx, A4, charts as images) and the raw anonymous answers (.xlsx).

The numbers come from planner.services.survey.results (one aggregation for the page, the
report, the .xlsx and the CLI). Charts are PNGs drawn with Pillow, already installed with
python-pptx: a bar chart is a few rectangles and labels, which does not need matplotlib's
tens of megabytes and start-up time. Each chart's alt text (descr) states its numbers, for
screen readers and for tests. Held comments and findings never reach the report.
"""
from __future__ import annotations

import io
from functools import cache

from docx.oxml.ns import qn
from docx.shared import Mm

from exports.docx_common import TEXT_WIDTH_MM, bullets, heading, para, table, to_bytes
from exports.handouts import _new, safe_filename, training_year
from planner.domain.dates import format_date_wareki
from planner.domain.survey import SCALE_LABELS, Summary
from planner.models import Training
from planner.models.survey import FINDING_CATEGORIES
from planner.services.plans.editions import curriculum_for
from planner.services.spreadsheets import fit_columns, workbook_properties
from planner.services.survey.results import VISIBLE, Results, response_table

FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
BAR_COLOUR = (43, 93, 143)


@cache
def _font(size: int):
    from PIL import ImageFont
    try:
        return ImageFont.truetype(FONT_FILE, size)
    except OSError:  # without Noto CJK the digits still show
        return ImageFont.load_default(size)


def bar_chart_png(rows: list[tuple[str, int]], label_width: int = 60) -> bytes:
    """Horizontal bars with their labels and values, 2x resolution for print."""
    from PIL import Image, ImageDraw
    scale, bar_h, gap = 2, 16, 6
    width = 520
    height = (len(rows) * (bar_h + gap) + gap)
    image = Image.new("RGB", (width * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    font = _font(12 * scale)
    largest = max([v for _, v in rows] + [1])
    room = width - label_width - 50
    for i, (label, value) in enumerate(rows):
        top = gap + i * (bar_h + gap)
        draw.text((4 * scale, (top + 1) * scale), label, fill="black", font=font)
        length = round(room * value / largest)
        if length:
            draw.rectangle([label_width * scale, top * scale, (label_width + length) * scale, (top + bar_h) * scale],
                           fill=BAR_COLOUR)
        draw.text(((label_width + length + 4) * scale, (top + 1) * scale), str(value), fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _picture(doc, png: bytes, alt: str, width_mm: float) -> None:
    paragraph = doc.add_paragraph()
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
    doc_pr = shape._inline.find(qn("wp:docPr"))
    doc_pr.set("descr", alt)


def scale_rows(summary: Summary) -> list[tuple[str, int]]:
    return [(str(n), summary.distribution[n]) for n in (5, 4, 3, 2, 1)]


def chart_alt(title: str, rows: list[tuple[str, int]]) -> str:
    return f"{title}: " + "、".join(f"{label}={value}件" for label, value in rows)


def _average(summary: Summary) -> str:
    return str(summary.average) if summary.average is not None else "―"


def report_docx(data: Results) -> tuple[str, bytes]:
    """The report: response rate, per subject and lecturer the averages and distributions
    (tables and charts), choice questions, released comments, the groups' findings."""
    training = data.training
    curriculum = curriculum_for(training)
    # the results of a day held, not a programme: no version mark (「案」) in its header
    doc = _new(training, f"研修アンケート結果報告 {curriculum.short_title}", versioned=False)
    heading(doc, f"{training_year(training)} {curriculum.title}　研修アンケート結果報告", 1)
    held = format_date_wareki(training.first_date) if training.first_date else "日程未定"
    rate = f"{data.rate}%（{data.answered_links}／{data.expected}名）" if data.rate is not None else "―"
    table(doc, None, [["研修日", held], ["会場", training.venue or "―"], ["回答数", f"{data.responses}件"],
                      ["回答率（個人用URL）", rate]], [45, TEXT_WIDTH_MM - 45], size=10, label_column=True)
    if data.municipalities:
        heading(doc, "市町村ごとの回答状況", 2)
        table(doc, ["市町村", "受講者", "回答済み"], [[m.name, str(m.expected), str(m.answered)] for m in data.municipalities],
              [90, 40, 40])
    scales = [s for s in data.summaries if s.question.kind == "scale"]
    heading(doc, "科目・講師ごとの評価（5段階）", 2)
    para(doc, "　".join(f"{n}＝{label}" for n, label in SCALE_LABELS.items()), size=8.5)
    table(doc, ["質問", "回答数", "平均", "5", "4", "3", "2", "1"],
          [[s.question.text, str(s.count), _average(s)] + [str(s.distribution[n]) for n in (5, 4, 3, 2, 1)]
           for s in scales], [80, 15, 15, 12, 12, 12, 12, 12], size=9)
    for s in scales:
        rows = scale_rows(s)
        para(doc, f"{s.question.text}（平均 {_average(s)}・{s.count}件）", size=9.5).paragraph_format.keep_with_next = True
        _picture(doc, bar_chart_png(rows, 30), chart_alt(s.question.text, rows), 90)
    for s in (s for s in data.summaries if s.question.kind in ("single", "multiple")):
        heading(doc, s.question.text, 2)
        rows = list(s.choice_counts.items())
        _picture(doc, bar_chart_png(rows, 190), chart_alt(s.question.text, rows), 120)
    heading(doc, "ご意見・ご感想", 2)
    texts = [s for s in data.summaries if s.question.kind == "text"]
    for s in texts:
        comments = [c.text for c in data.comments.get(s.question.id, []) if c.review in VISIBLE]
        if comments:
            para(doc, s.question.text, bold=True)
            bullets(doc, comments)
    heading(doc, "グループワークで見つかったこと", 2)
    for key, label in FINDING_CATEGORIES.items():
        rows = [f"{f.group_no}班：{f.text}" for f in data.findings.get(key, []) if f.review in VISIBLE]
        para(doc, label, bold=True)
        bullets(doc, rows) if rows else para(doc, "記録なし")
    return f"研修アンケート結果報告_{safe_filename(curriculum.short_title, 30)}.docx", to_bytes(doc)


def answers_xlsx(training: Training, data: Results) -> tuple[str, bytes]:
    """Two sheets: 集計 (per question count, average, distribution or choice counts) and 回答
    (one anonymous row per response, in random-key order; held texts shown as 確認待ち)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    curriculum = curriculum_for(training)
    book = Workbook()
    held = f"（{format_date_wareki(training.first_date)}）" if training.first_date else ""
    workbook_properties(book, f"研修アンケート回答　{curriculum.title}{held}")
    summary = book.active
    summary.title = "集計"
    summary.append(["質問", "種類", "回答数", "平均", "5", "4", "3", "2", "1", "選択肢ごとの件数"])
    for s in data.summaries:
        q = s.question
        if q.kind == "scale":
            summary.append([q.text, "5段階", s.count, float(s.average) if s.average is not None else None]
                           + [s.distribution[n] for n in (5, 4, 3, 2, 1)] + [None])
        elif q.kind in ("single", "multiple"):
            summary.append([q.text, "選択", s.count, None, None, None, None, None, None,
                            "、".join(f"{c}:{n}" for c, n in s.choice_counts.items())])
        else:
            summary.append([q.text, "自由記述", s.count] + [None] * 7)
    sheet = book.create_sheet("回答")
    questions = [s.question for s in data.summaries]
    sheet.append(["No."] + [q.text for q in questions])
    for number, answers in enumerate(response_table(training), start=1):
        row: list[object] = [number]
        for q in questions:
            value, text, review = answers.get(q.id, (None, "", "clear"))
            row.append(value if q.kind == "scale" else ("（確認待ち）" if review in ("held", "hidden") else text))
        sheet.append(row)
    for ws in (summary, sheet):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula
        ws.freeze_panes = "B2"
        fit_columns(ws, [6])
    for (average,) in summary.iter_rows(min_row=2, min_col=4, max_col=4):
        average.number_format = "0.0"
    out = io.BytesIO()
    book.save(out)
    return f"研修アンケート回答_{safe_filename(curriculum.short_title, 30)}.xlsx", out.getvalue()
