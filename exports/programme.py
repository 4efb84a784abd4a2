"""What the briefings add beside the national guidance: the team's own programme for a subject,
and the source's curriculum-level instructions.

Kept apart from handouts.py so the briefing there only calls these builders.
"""
from __future__ import annotations

from docx.document import Document as DocumentType

from curricula import Curriculum, Subject
from exports import clean_line
from exports.docx_common import bullets, heading, labelled, note_box, para
from planner.domain.dates import format_utc_ja
from planner.models import PROGRAMME_FIELDS, TrainingSubject

TEAM_TITLE = "企画会議チームのプログラム（チームで決めた内容）"


def _lines(text: str) -> list[str]:
    return [clean_line(line) for line in text.splitlines() if line.strip()]


def team_programme(doc: DocumentType, subject: Subject, row: TrainingSubject, official: bool = True) -> None:
    """The team's programme, marked as the team's, or a line saying there is none yet (for the
    job-support draft: its draft content, never the source's)."""
    heading(doc, TEAM_TITLE, 2)
    entry = row.programme[0] if row.programme else None
    if entry is None or entry.is_empty:
        basis = "手引き（国研修）の内容" if official else "たたき台（案）の内容"
        para(doc, f"チームのプログラムはまだ記録されていません。{basis}で進めます。", size=9)
        return
    for name, label in PROGRAMME_FIELDS.items():
        lines = _lines(getattr(entry, name))
        if len(lines) == 1:
            labelled(doc, label, lines[0])
        elif lines:
            para(doc, f"{label}：", bold=True)
            bullets(doc, lines)
    chosen = subject.chosen(row.chosen_keys)
    if len(chosen) == 1:
        labelled(doc, "手引きの選択肢から選んだ進め方", chosen[0].label)
    elif chosen:
        para(doc, "手引きの選択肢から選んだ進め方：", bold=True)
        bullets(doc, [o.label for o in chosen])
    para(doc, f"最終更新：{format_utc_ja(entry.created_at)}　{clean_line(entry.author_name)}", size=9)


def source_instructions(doc: DocumentType, curriculum: Curriculum) -> None:
    """The source's instructions for the whole curriculum, quoted."""
    if curriculum.notes:
        heading(doc, "手引きの指示（カリキュラム全体）" if curriculum.official
                else "たたき台の注意（カリキュラム全体。手引きの指示ではありません）", 2)
        # 「以下は、標準的なプログラム内容を示したもの…」 introduces the source's table, which
        # a lecturer's handout does not reproduce: without it the line refers to nothing
        bullets(doc, [note.lstrip("※ ").strip() for note in curriculum.notes
                      if not note.lstrip("※ ").startswith("以下は")])


# --------------------------------------------------------------------------- the job-support draft

DRAFT_TITLE = "【たたき台】このカリキュラムは案です"
DRAFT_LECTURE = "（推定：たたき台の案。国研修の科目表では未確認）"


def adopted_line(training) -> str:
    """'県で確定（2026年11月29日 田中 ゆかり）' once the prefecture adopted the draft."""
    return f"県で確定（{format_utc_ja(training.adopted_at)}　{clean_line(training.adopted_by)}）"


def draft_notice(doc: DocumentType, curriculum: Curriculum, training, participants: bool) -> None:
    """The draft's notice until the prefecture adopts it; then nothing for participants and
    「県で確定」 for the planners."""
    if curriculum.official:
        return
    if training is not None and training.adopted_at is not None:
        if not participants:
            note_box(doc, "このカリキュラムについて",
                     f"{adopted_line(training)}。たたき台をもとに、県が研修のプログラムとして確定しました。",
                     fill="E2EFDA")
        return
    if participants:  # what the draft means for them, never the planners' instruction
        note_box(doc, "この研修のプログラムについて", curriculum.participant_note, fill="F2F2F2")
        return
    note_box(doc, DRAFT_TITLE, curriculum.draft_note)


def minutes_label(curriculum: Curriculum) -> str:
    """The draft's minutes are its own, never the source's."""
    return "時間の目安（手引き）" if curriculum.official else "時間の目安（たたき台の案）"


def lecture_lines(curriculum: Curriculum, subject: Subject) -> list[str]:
    """National lectures; the draft's guessed numbers are said to be guesses (not the ones the
    prefecture entered when settling the draft)."""
    if curriculum.official:
        return list(subject.national_lectures)
    guessed = curriculum.subject(subject.letter).national_lectures
    return [f"{lecture}{DRAFT_LECTURE}" if lecture.startswith("【") and lecture in guessed else lecture
            for lecture in subject.national_lectures]


def title_of(curriculum: Curriculum, training) -> str:
    """The curriculum's title; an adopted draft is no longer called a draft."""
    if not curriculum.official and training is not None and training.adopted_at is not None:
        return curriculum.title.removesuffix("（たたき台）")
    return curriculum.title
