"""The Word handouts: agenda (研修次第), role sheet, lecturer's briefing, planning timeline.

Each builder takes model objects and returns .docx bytes; nothing here writes the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from curricula import Curriculum, Subject, get_curriculum, load_curricula
from exports import clean_line, programme
from exports.docx_common import (
    bullets,
    heading,
    labelled,
    new_document,
    note_box,
    para,
    table,
    to_bytes,
)
from planner.domain.dates import fiscal_year_label, format_date_ja
from planner.domain.schedule import Timetable, duration_ja
from planner.domain.timeline import KIND_NAMES, generate_timeline
from planner.models import Plan, RoleSlot, SupplementaryEvent, TeamMember, Training, TrainingSubject
from planner.models.team import ROLE_NAMES
from planner.services.roles import slot_label, slot_times
from planner.services.supplements import plan_events
from planner.services.supplements import training_events as training_supplements
from planner.services.timeline import supplement_step
from planner.services.timeline import timeline_rows as stored_rows
from planner.services.timetables import curriculum_subject, subject_title, timetable_of

UNDECIDED = "未定"
DRAFT_TITLE = "【たたき台】このカリキュラムは案です"
ANONYMITY_FALLBACK = "事例を扱う場合には、関係機関や個人名等が特定されないよう、匿名性を担保する。"


# --------------------------------------------------------------------------- shared helpers

def training_year_label(training: Training) -> str:
    """The fiscal year the training is held in, or the plan's span while it has no date."""
    if training.first_date:
        return fiscal_year_label(training.first_date)
    return training.plan.years_label


def member_label(member: TeamMember | None) -> str:
    """'名前（自治体）', or 未定."""
    if member is None:
        return UNDECIDED
    name = clean_line(member.name)
    municipality = clean_line(member.municipality)
    return f"{name}（{municipality}）" if municipality else name


def slot_of(training: Training, kind: str, subject_id: int | None) -> RoleSlot | None:
    for slot in training.slots:
        if slot.kind == kind and slot.subject_id == subject_id:
            return slot
    return None


def lecturer_of(training: Training, row: TrainingSubject) -> str:
    """The holder of the lecturer slot, a local subject's outside lecturer, or 未定."""
    if row.is_local:
        text = "、".join(clean_line(x) for x in (row.lecturer_name, row.lecturer_org) if x)
        return text or f"外部講師（{UNDECIDED}）"
    slot = slot_of(training, "lecturer", row.id)
    return member_label(slot.holder if slot else None)


def anonymity_reminder() -> str:
    """The source's reminder that cases are anonymised, quoted from the curricula."""
    for curriculum in load_curricula().values():
        for note in curriculum.notes:
            if "匿名性を担保" in note:
                return note.lstrip("※ 　").strip()
    return ANONYMITY_FALLBACK


def _draft_box(doc, curriculum: Curriculum, training: Training | None = None,
               participants: bool = False) -> None:
    programme.draft_notice(doc, curriculum, training, participants)


def _time_range(start, end) -> str:
    return f"{start:%H:%M}〜{end:%H:%M}"


def _date_line(training: Training, timetable: Timetable | None) -> str:
    """'2026年2月18日（水）9:00〜17:35　令和7年度（2025年度）' for each day."""
    days = training.days
    if not days:
        return f"{UNDECIDED}（{training.plan.years_label}）"
    parts = []
    for index, day in enumerate(days):
        text = format_date_ja(day)
        if timetable and timetable.feasible and index < len(timetable.days):
            items = timetable.days[index].items
            text += f" {_time_range(items[0].start, items[-1].end)}"
        parts.append(text)
    return "、".join(parts) + f"　{fiscal_year_label(days[0])}"


# --------------------------------------------------------------------------- 1. agenda

def agenda(training: Training) -> bytes:
    """研修次第 for participants: date, venue and the timetable with each subject's lecturer."""
    curriculum = get_curriculum(training.curriculum_key)
    timetable = timetable_of(training)
    rows_by_key = {f"training-{training.id}-subject-{row.id}": row for row in training.subjects}
    doc = new_document(training.plan.title, training_year_label(training))
    heading(doc, f"{programme.title_of(curriculum, training)}　研修次第", 0)
    _draft_box(doc, curriculum, training, participants=True)
    labelled(doc, "日時", _date_line(training, timetable))
    labelled(doc, "会場", training.venue or UNDECIDED)
    labelled(doc, "対象", curriculum.audience)
    if not timetable.feasible:
        heading(doc, "時間割", 1)
        para(doc, "現在の設定では時間割を組めません。")
        bullets(doc, timetable.reasons)
        return to_bytes(doc)
    for index, day in enumerate(timetable.days):
        title = "時間割"
        if len(timetable.days) > 1:
            title = f"{index + 1}日目" + (f"　{format_date_ja(day.day)}" if day.day else "")
        heading(doc, title, 1)
        rows = []
        for item in day.items:
            row = rows_by_key.get(item.key)
            name = f"{item.letter}　{item.full_title}" if item.letter else item.full_title
            if row is not None and row.is_local:
                name += "（独自科目）"
            rows.append([_time_range(item.start, item.end), f"{item.minutes}分", name,
                         lecturer_of(training, row) if row is not None else ""])
        table(doc, ["時間", "分", "内容", "講師"], rows, [31, 16, 77, 46])
    total = timetable.total_subject_minutes
    para(doc, f"講義・演習の合計：{total}分（{duration_ja(total)}）", size=9)
    events = training_supplements(training)
    if events:
        heading(doc, "この研修を補う催し（シンポジウム・講演会・事例検討会）", 2)
        bullets(doc, [f"{e.kind_name}「{e.title}」{format_date_ja(e.day)} "
                      f"{_time_range(e.start_time, e.end_time)}　{e.place or UNDECIDED}"
                      f"（科目{e.subject.letter}を補う。{e.effect_name}）" for e in events])
    separate = [row for row in training.subjects if row.separate_day]
    if separate:  # from an old backup: moved to a separate day without an event yet
        heading(doc, "別日（シンポジウム・講演会・事例検討会など）で扱う科目", 2)
        bullets(doc, [f"{row.letter}　{subject_title(training, row)}" for row in separate])
    return to_bytes(doc)


def supplement_agenda(event: SupplementaryEvent) -> bytes:
    """次第 of a supplementary event: when, where, who speaks, and the subject it supplements."""
    training, row = event.training, event.subject
    curriculum = get_curriculum(training.curriculum_key)
    subject = curriculum_subject(training, row)
    doc = new_document(training.plan.title, fiscal_year_label(event.day))
    heading(doc, f"{event.kind_name}「{clean_line(event.title)}」　次第", 0)
    labelled(doc, "日時", f"{format_date_ja(event.day)}　{_time_range(event.start_time, event.end_time)}")
    labelled(doc, "会場", event.place or UNDECIDED)
    lecturer = "、".join(clean_line(x) for x in (event.lecturer_name, event.lecturer_org) if x)
    labelled(doc, "講師", lecturer or UNDECIDED)
    labelled(doc, "補う科目", f"{programme.title_of(curriculum, training)}　"
                             f"{row.letter}　{subject.name}")
    labelled(doc, "研修当日の扱い", event.effect_name)
    heading(doc, "この催しのねらい", 1)
    para(doc, "手引きは、伝達研修だけでは不足する視点を、シンポジウムや講演会、事例検討会などで"
              "補うことを示しています。この催しは上の科目を補うものです。")
    if subject.separate_day_note:
        note_box(doc, "手引きより", subject.separate_day_note)
    if subject.key_points:
        heading(doc, "補う科目の解説のポイント（手引きより）", 2)
        bullets(doc, subject.key_points)
    return to_bytes(doc)


# --------------------------------------------------------------------------- 2. role sheet

def _slot_when(slot: RoleSlot, times) -> str:
    """The slot's time on its day (the date is in the training's heading)."""
    when = times.get(slot.id)
    if slot.kind == "material_preparer":
        return "研修日までに準備"
    if when is None or when.day is None:
        return UNDECIDED
    first = slot.training.first_date
    prefix = f"{(when.day - first).days + 1}日目 " if slot.training.day_count > 1 and first else ""
    if when.start is None:
        return f"{prefix}時間未定"
    return f"{prefix}{_time_range(when.start, when.end)}"


def role_sheet(plan: Plan, trainings: list[Training] | None = None) -> bytes:
    """The team's role sheet: every slot of each training and who holds it."""
    trainings = trainings if trainings is not None else list(plan.trainings)
    year = (training_year_label(trainings[0]) if len(trainings) == 1 else plan.years_label)
    doc = new_document(plan.title, year)
    heading(doc, "役割分担表", 0)
    para(doc, "研修チームの役割（講師役・事例報告役・資料作成役・タイムキーパー役）と担当者の一覧です。"
              "「未定」の役割は、計画のページから申し込めます。")
    for training in trainings:
        curriculum = get_curriculum(training.curriculum_key)
        heading(doc, curriculum.title, 1)
        _draft_box(doc, curriculum, training)
        labelled(doc, "日時", _date_line(training, None))
        labelled(doc, "会場", training.venue or UNDECIDED)
        times = slot_times(training)
        rows = [[slot_label(slot), _slot_when(slot, times), member_label(slot.holder),
                 "確定" if slot.locked else ""]
                for slot in sorted(training.slots, key=lambda s: s.sort_key)]
        if rows:
            table(doc, ["役割", "時間", "担当者", "確定"], rows, [86, 30, 42, 12], size=9)
        else:
            para(doc, "この研修には役割がありません。")
        filled = sum(1 for slot in training.slots if slot.holder_id is not None)
        para(doc, f"担当者が決まっている役割：{filled}／{len(training.slots)}", size=9)
    return to_bytes(doc)


# --------------------------------------------------------------------------- 3. briefing

def _scheduled(training: Training, row: TrainingSubject, timetable: Timetable) -> str:
    if row.moved_out:
        event = next((e for e in row.supplements if e.effect == "moves"), None)
        if event is not None:
            return (f"研修当日は行わず、{event.kind_name}「{event.title}」"
                    f"（{format_date_ja(event.day)} {_time_range(event.start_time, event.end_time)}）で扱う")
        return "別日（シンポジウム・講演会・事例検討会など）で実施"
    key = f"training-{training.id}-subject-{row.id}"
    for day in timetable.days:
        for item in day.subjects:
            if item.key == key:
                when = format_date_ja(day.day) + " " if day.day else ""
                return f"{when}{_time_range(item.start, item.end)}（{item.minutes}分）"
    return UNDECIDED


def _session_minutes(low: int | None, high: int | None) -> str:
    if low is None:
        return "—"
    return f"{low}分" if low == high else f"{low}〜{high}分"


def briefing(training: Training, row: TrainingSubject) -> bytes:
    """A lecturer's briefing for one subject: lectures, minutes, key points, how to run it."""
    curriculum = get_curriculum(training.curriculum_key)
    timetable = timetable_of(training)
    doc = new_document(training.plan.title, training_year_label(training))
    if row.is_local:
        return _local_briefing(doc, training, row, timetable)
    subject: Subject = curriculum_subject(training, row)
    heading(doc, f"講師用資料　科目{subject.letter}", 0)
    heading(doc, subject.name, 1)
    _draft_box(doc, curriculum, training)
    labelled(doc, "研修", curriculum.title)
    labelled(doc, "日時", _scheduled(training, row, timetable))
    labelled(doc, "会場", training.venue or UNDECIDED)
    labelled(doc, programme.minutes_label(curriculum), subject.minutes_text)
    for kind in ("lecturer", "case_reporter", "material_preparer"):
        slot = slot_of(training, kind, row.id)
        if slot is not None:
            labelled(doc, ROLE_NAMES[kind], member_label(slot.holder))
    heading(doc, "国研修の講義", 2)
    bullets(doc, programme.lecture_lines(curriculum, subject))
    programme.numbering_note(doc, subject)
    programme.team_programme(doc, subject, row)
    if subject.key_points:
        heading(doc, "解説のポイント", 2)
        bullets(doc, subject.key_points)
    if subject.how_to_run:
        heading(doc, "進め方", 2)
        bullets(doc, subject.how_to_run)
    if subject.sessions:
        heading(doc, "時間配分（セッション）", 2)
        table(doc, ["内容", "時間", "備考"],
              [[s.title, _session_minutes(s.minutes_min, s.minutes_max), s.note]
               for s in subject.sessions], [92, 24, 54])
    if subject.uses_cases:
        heading(doc, "事例報告役の方へ", 2)
        note_box(doc, "事例の匿名化（手引きより）", f"「{anonymity_reminder()}」")
    if subject.separate_day_note:
        heading(doc, "別日で補う場合", 2)
        para(doc, subject.separate_day_note)
    if subject.unconfirmed:
        heading(doc, "未確認の点（たたき台）", 2)
        para(doc, subject.unconfirmed)
    programme.source_instructions(doc, curriculum)
    return to_bytes(doc)


def _local_briefing(doc, training: Training, row: TrainingSubject, timetable: Timetable) -> bytes:
    """A local subject has no source text: its name, time and outside lecturer."""
    curriculum = get_curriculum(training.curriculum_key)
    heading(doc, "講師用資料　独自科目", 0)
    heading(doc, row.local_name, 1)
    labelled(doc, "研修", curriculum.title)
    labelled(doc, "日時", _scheduled(training, row, timetable))
    labelled(doc, "会場", training.venue or UNDECIDED)
    labelled(doc, "講師", lecturer_of(training, row))
    para(doc, "地域独自の課題を扱う科目です。内容と進め方は講師と研修チームで打ち合わせてください。")
    return to_bytes(doc)


# --------------------------------------------------------------------------- 4. timeline

@dataclass(frozen=True)
class TimelineRow:
    """One step of the planning cycle as the timeline handout and meetings calendar show it."""

    kind: str
    title: str
    start: date
    end: date
    #: a stable part of the calendar UID (the stored row's id when there is one)
    uid_part: str
    #: the date is the app's proposal, not one the official chose or stored
    tentative: bool = False


def _stored_rows(plan: Plan) -> list[TimelineRow] | None:
    """The plan's stored milestones and dated trainings (planner.services.timeline); None if none."""
    if not plan.milestones:
        return None
    out = []
    for row in stored_rows(plan):
        step = row.step
        uid = ("training" if row.is_training else "supplement" if row.is_supplement
               else "milestone") + f"-{row.item.id}"
        out.append(TimelineRow(kind=step.kind, title=step.title, start=step.start, end=step.end,
                               uid_part=uid))
    return out


def timeline_rows(plan: Plan) -> list[TimelineRow]:
    """The plan's milestones: the stored ones when the official has saved a timeline,
    otherwise the proposal generated from the training dates (undated ones marked tentative)."""
    stored = _stored_rows(plan)
    if stored is not None:
        return stored
    dates = {t.curriculum_key: t.first_date for t in plan.trainings}
    undated = {key for key, day in dates.items() if day is None}
    rows = [TimelineRow(kind=m.kind, title=m.title, start=m.start, end=m.end,
                        uid_part=f"{m.kind}-{m.training_key or 'all'}-{m.order}",
                        tentative=m.kind in ("launch", "meeting") or m.training_key in undated)
            for m in generate_timeline(plan.cycle_year, dates, plan.chief_after)]
    events = [(e, supplement_step(e)) for e in plan_events(plan)]
    rows += [TimelineRow(kind=m.kind, title=m.title, start=m.start, end=m.end,
                         uid_part=f"supplement-{e.id}") for e, m in events]
    return sorted(rows, key=lambda r: r.start)


def timeline(plan: Plan) -> bytes:
    """The planning timeline: launch, meetings, trainings and retrospectives in date order."""
    doc = new_document(plan.title, plan.years_label)
    heading(doc, "伝達研修 企画スケジュール", 0)
    para(doc, f"計画の期間：{format_date_ja(plan.cycle_start)}〜{format_date_ja(plan.cycle_end)}")
    rows, steps = [], timeline_rows(plan)
    for row in steps:
        when = format_date_ja(row.start)
        if row.end != row.start:
            when += f"〜\n{format_date_ja(row.end)}"
        rows.append([when, KIND_NAMES.get(row.kind, row.kind),
                     row.title + ("（仮）" if row.tentative else "")])
    table(doc, ["日付", "区分", "内容"], rows, [48, 34, 88])
    if any(row.tentative for row in steps):
        para(doc, "「（仮）」の日付はアプリが示す案です（企画スケジュールのページで確定できます）。"
                  "開催日が未定の研修は、手引きの時期に仮置きしています。", size=9)
    return to_bytes(doc)


# --------------------------------------------------------------------------- file sets

def safe_filename(text: str, limit: int = 60) -> str:
    """A file-name part: one line, no path or reserved characters, not too long."""
    text = clean_line(text)
    text = "".join("_" if c in '\\/:*?"<>|' else c for c in text)
    return text[:limit].strip(" .") or "_"


def training_handouts(training: Training, with_roles: bool = True) -> list[tuple[str, bytes]]:
    """Every handout of one training, as (file name, bytes)."""
    short = get_curriculum(training.curriculum_key).short_title
    files = [(f"研修次第_{short}.docx", agenda(training))]
    if with_roles:
        files.append((f"役割分担表_{short}.docx", role_sheet(training.plan, [training])))
    for row in training.subjects:
        part = row.letter or f"独自{row.id}_{safe_filename(row.local_name, 30)}"
        files.append((f"講師用資料_{short}_{part}.docx", briefing(training, row)))
    return files


def plan_handouts(plan: Plan) -> list[tuple[str, bytes]]:
    """Every handout of a plan: per training, then the plan's role sheet and timeline."""
    files = [f for training in plan.trainings for f in training_handouts(training, with_roles=False)]
    files.append(("役割分担表.docx", role_sheet(plan)))
    files.append(("企画スケジュール.docx", timeline(plan)))
    return files
