"""The Word handouts: agenda (研修次第), role sheet, lecturer's briefing and request letter
(講師依頼書), planning timeline.

Two audiences, kept apart: the agenda goes to participants and prints nothing meant for the
planners (no draft instructions, no guidance text, no editors' notes); the role sheet, the
briefings and the timeline are for the team and the lecturers. Editors' remarks on the source
(Subject.editor_notes) are for the people who maintain the data and are never printed.
Each builder takes model objects and returns .docx bytes; nothing here writes the database.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from curricula import Curriculum, Subject, load_curricula
from exports import blank_document_number, clean_line, clean_text, programme
from exports.docx_common import TEXT_WIDTH_MM as TEXT_WIDTH
from exports.docx_common import bullets, heading, new_document, note_box, para, spacer, table, to_bytes
from exports.survey_notes import add_briefing_changes
from exports.survey_qr import add_agenda_qr
from planner.domain.dates import era_year, fiscal_year, format_date_ja, format_date_wareki
from planner.domain.schedule import Item, Timetable
from planner.domain.timeline import KIND_NAMES, generate_timeline
from planner.models import Plan, Prefecture, RoleSlot, SupplementaryEvent, TeamMember, Training, TrainingSubject
from planner.models.team import ROLE_NAMES
from planner.services.materials.files import preparation_due
from planner.services.participants.notice_checks import has_contact, letter_problems
from planner.services.plans.editions import curriculum_for
from planner.services.plans.supplements import plan_events
from planner.services.plans.supplements import training_events as training_supplements
from planner.services.plans.timetables import curriculum_subject, subject_key, subject_title, timetable_of
from planner.services.plans.versions import draft_mark, latest, pending_changes, version_label
from planner.services.team.roles import slot_times
from planner.services.timeline import supplement_step, training_name
from planner.services.timeline import timeline_rows as stored_rows

UNDECIDED = "未定"
DRAFT_TITLE = "【たたき台】このカリキュラムは案です"
ANONYMITY_FALLBACK = "事例を扱う場合には、関係機関や個人名等が特定されないよう、匿名性を担保する。"
TEXTS_FILE = Path(__file__).resolve().parent.parent / "data" / "handouts.toml"


@cache
def texts() -> dict:
    """The fixed wording of the handouts (data/handouts.toml)."""
    return tomllib.loads(TEXTS_FILE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- shared helpers

def as_of_line(today: date | None = None, training: Training | None = None) -> str:
    """The version line every handout carries: a training's published version as it stands
    (第2版（令和8年1月20日現在）), else the day of the export (令和8年1月10日現在)."""
    if training is not None and latest(training) is not None and pending_changes(training) is None:
        return version_label(training)
    return f"{format_date_wareki(today or date.today(), weekday=False)}現在"


def hm(value: time) -> str:
    """9:05 (half-width, no leading zero), as Japanese timetables print times."""
    return f"{value.hour}:{value.minute:02d}"


def time_range(start: time, end: time) -> str:
    return f"{hm(start)}～{hm(end)}"


def organiser(prefecture: Prefecture) -> str:
    """主催: the prefecture and its department, e.g. みどり県 福祉保健部 地域福祉課."""
    return " ".join(x for x in (prefecture.name, clean_line(prefecture.department)) if x)


def contact_lines(prefecture: Prefecture) -> str:
    """問い合わせ先: section (person), phone and e-mail, one per line; empty while 県の設定 has
    none of them (documents then leave the block out: no 「入力してください」 reaches a reader)."""
    if not has_contact(prefecture):
        return ""
    section = clean_line(prefecture.contact_section)
    person = clean_line(prefecture.contact_name)
    first = " ".join(x for x in (prefecture.name, section) if x) + (f"（担当：{person}）" if person else "")
    lines = [first]
    if prefecture.contact_phone:
        lines.append(f"電話：{clean_line(prefecture.contact_phone)}")
    if prefecture.contact_email:
        lines.append(f"メール：{clean_line(prefecture.contact_email)}")
    return "\n".join(lines)


def sender(prefecture: Prefecture) -> str:
    """発信者 of a letter: 県の設定's, else the organiser (a letter without it is held: see
    planner.services.participants.notice_checks.letter_problems)."""
    return clean_line(prefecture.letter_sender) or organiser(prefecture)


def _contact_block(doc, prefecture: Prefecture) -> None:
    """The closing 問い合わせ先 of a participant's paper, when 県の設定 has one."""
    lines = contact_lines(prefecture)
    if lines:
        heading(doc, "問い合わせ先", 1)
        para(doc, lines)


def _with_contact(rows: list[list[str]], label: str, prefecture: Prefecture) -> list[list[str]]:
    """A letter's 記 with its 問い合わせ先 row last, when 県の設定 has one."""
    lines = contact_lines(prefecture)
    return rows + [[label, lines]] if lines else rows


def training_year(training: Training) -> str:
    """The one fiscal year a training's documents state: 令和7年度 (the plan's span while
    the training has no date)."""
    if training.first_date:
        return era_year(fiscal_year(training.first_date))
    return plan_years(training.plan)


def plan_years(plan: Plan) -> str:
    """The fiscal years of a plan's cycle in the era only, e.g. 令和7～8年度."""
    return plan.years_label.split("（")[0]


def _new(training_or_plan, title: str, versioned: bool = True):
    """A document whose header states the organiser and one fiscal year, and nothing else."""
    if isinstance(training_or_plan, Training):
        plan, year = training_or_plan.plan, training_year(training_or_plan)
        marks = [draft_mark(training_or_plan)] if versioned else []
    else:
        plan, year = training_or_plan, plan_years(training_or_plan)
        marks = [draft_mark(t) for t in plan.trainings] if versioned else []
    prefecture = plan.prefecture
    # a draft says so on every page: the mark is in the header
    mark = next((m for m in marks if m), "")
    header = f"{organiser(prefecture)}　{year} 伝達研修"
    doc = new_document(title, f"{mark}　{header}" if mark else header, organiser(prefecture))
    return doc


def _title_block(doc, lines: list[str], today: date | None = None,
                 training: Training | None = None) -> None:
    """The Title paragraph(s) and the version line under them, right-aligned."""
    heading(doc, "\n".join(lines), 0)
    para(doc, as_of_line(today, training), size=9, align=WD_ALIGN_PARAGRAPH.RIGHT)


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
    if row.is_local and row.team_lecturer:  # a local training's subject the team teaches
        slot = slot_of(training, "lecturer", row.id)
        return member_label(slot.holder if slot else None)
    if row.is_local:
        name, org = clean_line(row.lecturer_name), clean_line(row.lecturer_org)
        if name and org:
            return f"{name}（{org}）"
        return name or org or f"外部講師（{UNDECIDED}）"
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


def _venue(training: Training) -> str:
    """The venue, its address and the access note, one per line."""
    lines = [clean_line(training.venue) or UNDECIDED]
    if training.venue_address:
        lines.append(f"（{clean_line(training.venue_address)}）")
    if training.venue_access:
        lines.append(clean_line(training.venue_access))
    return "\n".join(lines)


def _day_lines(training: Training, timetable: Timetable | None, reception: bool) -> str:
    """'令和8年2月18日（水）9:00～17:35（受付 8:30～）' for each day, one per line."""
    days = training.days
    if not days:
        return f"{UNDECIDED}（{training_year(training)}中）"
    lines = []
    for index, day in enumerate(days):
        text = format_date_wareki(day)
        if timetable and timetable.feasible and index < len(timetable.days):
            items = timetable.days[index].items
            text += f" {time_range(items[0].start, items[-1].end)}"
        if reception and training.reception_time:
            text += f"（受付 {hm(training.reception_time)}～）"
        lines.append(text)
    return "\n".join(lines)


def _item_name(item: Item, row: TrainingSubject | None) -> str:
    """A timetable line's name: a session carries its subject's letter and title; a local
    subject is marked, except in a local training where every subject is the prefecture's own."""
    name = f"科目{item.letter}　{item.full_title}" if item.letter else clean_line(item.full_title)
    return name + ("（独自科目）" if row is not None and row.is_local and not row.training.is_local else "")


# --------------------------------------------------------------------------- 1. agenda

def agenda(training: Training, today: date | None = None, survey_url: str | None = None) -> bytes:
    """研修次第 for participants: organiser, date, reception, venue, audience, belongings,
    the timetable with each subject's lecturer, and whom to ask. No planner text. With
    `survey_url`, the shared survey QR code (exports.survey_qr)."""
    curriculum = curriculum_for(training)
    timetable = timetable_of(training)
    prefecture = training.plan.prefecture
    rows_by_key = {subject_key(training.id, row.id): row for row in training.subjects}
    words = texts()
    doc = _new(training, f"{curriculum.title} 研修次第")
    _title_block(doc, [f"{training_year(training)} {words['training_name']}",
                       f"{programme.title_of(curriculum, training)}　研修次第"], today, training)
    _draft_box(doc, curriculum, training, participants=True)
    capacity = f"（定員 {training.capacity}名）" if training.capacity else ""
    facts = [["日時", _day_lines(training, timetable, reception=True)],
             ["会場", _venue(training)],
             ["対象", curriculum.audience + capacity],
             *([["ねらい", clean_text(training.aim)]] if training.is_local and training.aim else []),
             ["持ち物", clean_line(training.belongings) or words["agenda"]["default_belongings"]],
             ["主催", organiser(prefecture)]]
    table(doc, None, facts, [26, TEXT_WIDTH - 26], size=10, label_column=True)
    heading(doc, "次第", 1)
    if not timetable.feasible:
        para(doc, words["agenda"]["timetable_pending"])
    for index, day in enumerate(timetable.days if timetable.feasible else []):
        if len(timetable.days) > 1:
            heading(doc, f"{index + 1}日目" + (f"　{format_date_wareki(day.day)}" if day.day else ""), 2)
        rows = []
        for item in day.items:
            row = rows_by_key.get(item.key)
            minutes = f"{item.minutes}分" if item.kind in ("subject", "session", "opening", "closing") else ""
            rows.append([time_range(item.start, item.end), _item_name(item, row), minutes,
                         lecturer_of(training, row) if row is not None else ""])
        table(doc, ["時間", "内容", "時間数", "講師（所属）"], rows, [27, 88, 15, 40])
    events = training_supplements(training)
    if events:
        heading(doc, "この研修を補う催し（シンポジウム・講演会・事例検討会）", 2)
        bullets(doc, [f"{clean_line(e.full_title)}{format_date_wareki(e.day)} "
                      f"{time_range(e.start_time, e.end_time)}　{clean_line(e.place) or UNDECIDED}"
                      f"（科目{e.subject.letter}を補う。{e.effect_name}）" for e in events])
    separate = [row for row in training.subjects if row.separate_day]
    if separate:
        para(doc, words["agenda"]["separate_day"], size=9.5)
        bullets(doc, [f"科目{row.letter}　{subject_title(training, row)}" for row in separate])
    if survey_url:
        add_agenda_qr(doc, survey_url)
    _contact_block(doc, prefecture)
    return to_bytes(doc)


def supplement_agenda(event: SupplementaryEvent, today: date | None = None) -> bytes:
    """次第 of a supplementary event for those who attend: when and where, the programme with
    its times, who speaks (a symposium's keynote, コーディネーター and every シンポジスト),
    and whom to ask. The subject's name is its theme; nothing for the planners (that it
    supplements a subject, what happens to that subject on the training day)."""
    prefecture = event.training.plan.prefecture
    title = clean_line(event.full_title)
    doc = _new(event.training, f"{title} 次第", versioned=False)
    _title_block(doc, [title, "次第"], today)
    facts = [["日時", f"{format_date_wareki(event.day)}　{time_range(event.start_time, event.end_time)}"],
             ["会場", clean_line(event.place) or UNDECIDED],
             ["テーマ", curriculum_subject(event.training, event.subject).name]]
    if event.kind != "symposium":
        facts.append(["講師", _person(event.lecturer_name, event.lecturer_org) or UNDECIDED])
    facts.append(["主催", organiser(prefecture)])
    table(doc, None, facts, [30, TEXT_WIDTH - 30], size=10, label_column=True)
    heading(doc, "プログラム", 1)
    table(doc, ["時間", "内容"], _supplement_programme(event), [30, TEXT_WIDTH - 30], size=10)
    if event.kind == "symposium":
        heading(doc, "登壇者", 1)
        table(doc, ["役割", "氏名", "所属・役職"], _symposium_people(event), [36, 42, TEXT_WIDTH - 78], size=10)
    _contact_block(doc, prefecture)
    return to_bytes(doc)


def _person(name: str, org: str) -> str:
    """「小川 恵子（みどり県立大学）」, or the one that is known, or empty."""
    name, org = clean_line(name), clean_line(org)
    return f"{name}（{org}）" if name and org else name or org


def _symposium_people(event: SupplementaryEvent) -> list[list[str]]:
    """Keynote speaker (if any), the coordinator and every symposist, in reporting order."""
    rows = []
    if clean_line(event.lecturer_name):
        rows.append(["基調講演", clean_line(event.lecturer_name), clean_line(event.lecturer_org)])
    rows.append(["コーディネーター", clean_line(event.coordinator_name) or UNDECIDED, clean_line(event.coordinator_org)])
    rows += [["シンポジスト", clean_line(s.name), clean_line(s.affiliation)] for s in event.symposists]
    if not event.symposists:
        rows.append(["シンポジスト", UNDECIDED, ""])
    return rows


def _symposium_parts(event: SupplementaryEvent, total: int) -> list[tuple[int, str]]:
    """The middle of a symposium: keynote or the coordinator's 趣旨説明, one report per
    symposist (name and theme), a break when there are hours for it, then the discussion the
    coordinator leads. Reports share the time with the discussion, in five-minute steps."""
    coordinator = _person(event.coordinator_name, event.coordinator_org)
    keynote = _person(event.lecturer_name, event.lecturer_org)
    parts = []
    if keynote:
        parts.append((30 if total >= 150 else 20, f"基調講演　{keynote}"))
    elif total >= 60:
        parts.append((10, f"趣旨説明　コーディネーター　{coordinator}" if coordinator else "趣旨説明"))
    pause = 10 if total >= 150 else 0
    main = total - sum(m for m, _ in parts) - pause
    reports = [f"{clean_line(s.name)}" + (f"「{clean_line(s.topic)}」" if clean_line(s.topic) else "")
               for s in event.symposists] or [UNDECIDED]
    each = main // (len(reports) + 1) // 5 * 5
    lead = f"（進行：コーディネーター　{clean_line(event.coordinator_name)}）" if clean_line(event.coordinator_name) else ""
    if each < 10:  # too short to give each report its own line
        return parts + [(main, f"シンポジストの報告と意見交換{lead}")]
    parts += [(each, f"シンポジストの報告　{text}") for text in reports]
    if pause:
        parts.append((pause, "休憩"))
    return parts + [(main - each * len(reports), f"意見交換・質疑応答{lead}")]


def _supplement_programme(event: SupplementaryEvent) -> list[list[str]]:
    """The event's programme from its hours: opening, the talks, then questions and closing;
    a slot the hours cannot give is left out."""
    start = datetime.combine(event.day, event.start_time)
    end = datetime.combine(event.day, event.end_time)
    total = int((end - start).total_seconds() // 60)
    opening, closing = (5, 5) if total >= 60 else (0, 0)
    parts = [(opening, "開会")] if opening else []
    if event.kind == "symposium":
        parts += _symposium_parts(event, total - opening - closing)
    else:
        questions = 20 if total >= 90 else (10 if total >= 45 else 0)
        lecturer = _person(event.lecturer_name, event.lecturer_org) or UNDECIDED
        parts.append((total - opening - closing - questions, f"{event.kind_name}　{lecturer}"))
        if questions:
            parts.append((questions, "質疑応答"))
    if closing:
        parts.append((closing, "閉会"))
    rows, at_time = [], start
    for minutes, text in parts:
        following = at_time + timedelta(minutes=minutes)
        rows.append([time_range(at_time.time(), following.time()), text])
        at_time = following
    return rows


# --------------------------------------------------------------------------- 2. role sheet

def _slot_time(slot: RoleSlot, times) -> str:
    """The slot's time on its day (the date is in the training's heading)."""
    when = times.get(slot.id)
    if slot.kind == "material_preparer":
        due = preparation_due(slot.subject) if slot.subject is not None else None
        return f"資料の締切\n{format_date_wareki(due.day, weekday=False)}" if due else "資料の締切まで"
    if when is None or when.day is None:
        return UNDECIDED
    days = slot.training.days
    # the day on its own line, so a narrow column never breaks a time in the middle
    prefix = f"{days.index(when.day) + 1}日目\n" if slot.training.day_count > 1 and when.day in days else ""
    if when.start is None:
        return f"{prefix}時間未定"
    return f"{prefix}{time_range(when.start, when.end)}"


def _slot_subject(slot: RoleSlot) -> str:
    if slot.subject is None:
        return f"{slot.day_index + 1}日目 全体" if slot.training.day_count > 1 else "研修全体"
    title = subject_title(slot.training, slot.subject)
    return f"科目{slot.subject.letter}　{title}" if slot.subject.letter else f"{title}（独自科目）"


def role_sheet(plan: Plan, trainings: list[Training] | None = None, today: date | None = None) -> bytes:
    """The team's role sheet: trainings in date order, one per page; subject, role, time
    and holder in their own columns."""
    trainings = trainings if trainings is not None else plan.trainings_by_date
    doc = _new(trainings[0] if len(trainings) == 1 else plan, "役割分担表")
    _title_block(doc, ["役割分担表"], today)
    para(doc, "研修チームの役割（講師役・事例報告役・資料作成役・タイムキーパー役）と担当者です。"
              "「未定」の役割は、計画のページから申し込めます。", size=9.5)
    for index, training in enumerate(trainings):
        curriculum = curriculum_for(training)
        heading(doc, curriculum.title, 1, new_page=index > 0)
        _draft_box(doc, curriculum, training)
        table(doc, None, [["日時", _day_lines(training, None, reception=False)],
                          ["会場", clean_line(training.venue) or UNDECIDED]],
              [26, TEXT_WIDTH - 26], size=9.5, label_column=True)
        spacer(doc)
        times = slot_times(training)
        rows = [[_slot_subject(slot), ROLE_NAMES[slot.kind], _slot_time(slot, times),
                 member_label(slot.holder), "確定" if slot.locked else ""]
                for slot in sorted(training.slots, key=lambda s: s.sort_key)]
        if rows:
            table(doc, ["科目", "役割", "時間", "担当者", "確定"], rows, [58, 30, 32, 38, 12], size=9)
        else:
            para(doc, "この研修には役割がありません。")
        filled = sum(1 for slot in training.slots if slot.holder_id is not None)
        para(doc, f"担当者が決まっている役割：{filled}／{len(training.slots)}", size=9)
    return to_bytes(doc)


# --------------------------------------------------------------------------- 3. briefing

def _item_of(training: Training, row: TrainingSubject, timetable: Timetable):
    """(day, item) of the row on the timetable, or None."""
    key = subject_key(training.id, row.id)
    for day in timetable.days:
        for item in day.subjects:
            if item.key == key:
                return day, item
    return None


def _scheduled(training: Training, row: TrainingSubject, timetable: Timetable) -> str:
    if row.moved_out:
        event = next((e for e in row.supplements if e.effect == "moves"), None)
        if event is not None:
            return (f"研修当日は行わず、{clean_line(event.full_title)}"
                    f"（{format_date_wareki(event.day)} {time_range(event.start_time, event.end_time)}）で扱う")
        return "別日（シンポジウム・講演会・事例検討会など）で実施"
    found = _item_of(training, row, timetable)
    if found is None:
        return UNDECIDED
    day, item = found
    when = format_date_wareki(day.day) + " " if day.day else ""
    return f"{when}{time_range(item.start, item.end)}（{item.minutes}分）"


def _neighbours(training: Training, row: TrainingSubject, timetable: Timetable) -> tuple[str, str]:
    """The subjects just before and after this one on the timetable (or 'なし')."""
    items = timetable.subject_items
    keys = [i.key for i in items]
    key = subject_key(training.id, row.id)
    if key not in keys:
        return "—", "—"
    at = keys.index(key)

    def describe(item: Item | None) -> str:
        if item is None:
            return "なし"
        other = next((r for r in training.subjects if subject_key(training.id, r.id) == item.key), None)
        who = lecturer_of(training, other) if other is not None else ""
        return f"{_item_name(item, other)}（{time_range(item.start, item.end)}、講師：{who}）"
    return (describe(items[at - 1] if at > 0 else None),
            describe(items[at + 1] if at + 1 < len(items) else None))


def _audience(training: Training, curriculum: Curriculum) -> str:
    parts = [curriculum.audience]
    if training.capacity:
        parts.append(f"受講予定 {training.capacity}名程度（1自治体から{training.per_municipality}名程度）")
    else:
        parts.append(f"1自治体から{training.per_municipality}名程度（定員は{UNDECIDED}）")
    return "\n".join(parts)


def _materials(training: Training) -> str:
    if training.materials_deadline:
        return f"{format_date_wareki(training.materials_deadline)}までに、問い合わせ先へ電子データで"
    return f"提出締切は{UNDECIDED}（決まり次第お知らせします）"


def _logistics(training: Training, row: TrainingSubject, timetable: Timetable,
               curriculum: Curriculum, guide_minutes: str | None) -> list[list[str]]:
    """What a lecturer needs to act on: when, where, for whom, next to what, by when."""
    before, after = _neighbours(training, row, timetable)
    rows = [["研修", f"{curriculum.title}（{training_year(training)}）"],
            ["日時", _scheduled(training, row, timetable)],
            ["会場", _venue(training)],
            ["受講者", _audience(training, curriculum)],
            ["前の科目", before], ["次の科目", after]]
    if guide_minutes:
        rows.append([programme.minutes_label(curriculum), guide_minutes])
    rows += [["資料の提出", _materials(training)],
             ["会場の機材", clean_line(training.equipment) or UNDECIDED]]
    return _with_contact(rows, "連絡先", training.plan.prefecture)


def briefing(training: Training, row: TrainingSubject, today: date | None = None) -> bytes:
    """A lecturer's briefing for one subject: when, where, for whom, the neighbours, the
    deadline and equipment, then the source's lectures, key points and how to run it."""
    curriculum = curriculum_for(training)
    timetable = timetable_of(training)
    if row.is_local:
        return _local_briefing(training, row, timetable, today)
    subject: Subject = curriculum_subject(training, row)  # with the prefecture's edits of a draft
    doc = _new(training, f"講師用資料 科目{subject.letter} {subject.name}")
    _title_block(doc, [f"講師用資料　科目{subject.letter}", subject.name], today)
    _draft_box(doc, curriculum, training)
    rows = _logistics(training, row, timetable, curriculum, subject.minutes_text)
    for kind in ("lecturer", "case_reporter", "material_preparer"):
        slot = slot_of(training, kind, row.id)
        if slot is not None:
            rows.insert(4 + list(ROLE_NAMES).index(kind), [ROLE_NAMES[kind], member_label(slot.holder)])
    table(doc, None, rows, [38, TEXT_WIDTH - 38], size=9.5, label_column=True)
    add_briefing_changes(doc, training, row)
    if subject.lecturer_notes:
        heading(doc, "講師の方へ（手引きの表記について）", 2)
        bullets(doc, subject.lecturer_notes)
    programme.team_programme(doc, subject, row, curriculum.official)
    source = "手引き" if curriculum.official else "たたき台の案"  # the draft's text is not the source's
    heading(doc, "国研修の講義", 2)
    bullets(doc, programme.lecture_lines(curriculum, subject))
    if subject.key_points:
        heading(doc, f"解説のポイント（{source}）", 2)
        bullets(doc, subject.key_points)
    if subject.how_to_run:
        heading(doc, f"進め方（{source}）", 2)
        bullets(doc, subject.how_to_run)
    if subject.sessions:
        heading(doc, "時間配分（セッション）" if curriculum.official else "時間配分（セッション。たたき台の案）", 2)
        table(doc, ["内容", "時間", "備考"], _session_rows(subject, _item_of(training, row, timetable)),
              [82, 24, 64])
    if subject.uses_cases:
        heading(doc, "事例報告役の方へ", 2)
        note_box(doc, "事例の匿名化（手引きより）", f"「{anonymity_reminder()}」")
    if subject.separate_day_note:
        heading(doc, f"別日で補う場合（{source}）", 2)
        bullets(doc, [part.strip() for part in subject.separate_day_note.split("／") if part.strip()])
    if subject.unconfirmed:
        heading(doc, "未確認の点（たたき台）", 2)
        para(doc, subject.unconfirmed)
    programme.source_instructions(doc, curriculum)
    return to_bytes(doc)


#: what the curricula say of a session the source gives no time for, and what a lecturer reads
_APPORTIONED_NOTE = "時間の記載なし（本アプリが科目の時間を按分した目安）"
_APPORTIONED_TEXT = "手引きに時間の記載がないため、科目の時間を按分した目安です。"


def _session_rows(subject, found) -> list[list[str]]:
    """The sessions with their minutes: the source's, or (where it gives none) an even share
    of what the timetable leaves the subject, marked as a guide; no bare dash, no app jargon."""
    sessions = subject.sessions
    known = sum(s.minutes_min for s in sessions if s.minutes_min is not None)
    unknown = [s for s in sessions if s.minutes_min is None]
    share = None
    if found is not None and unknown:
        left = found[1].minutes - known
        share = left // len(unknown) if left > 0 else None
    rows = []
    for s in sessions:
        note = _plain_note(s.note)
        if s.minutes_min is None:
            minutes = f"約{share}分" if share else "科目の時間内"
            note = note or _APPORTIONED_TEXT
        else:
            minutes = _session_minutes(s.minutes_min, s.minutes_max)
        rows.append([s.title, minutes, note])
    return rows


def _plain_note(note: str | None) -> str | None:
    """The curricula's note in a lecturer's words: the apportioned-time remark (which may be
    followed by more, e.g. 「。任意：…」) is said without naming the app."""
    if note and note.startswith(_APPORTIONED_NOTE):
        rest = note[len(_APPORTIONED_NOTE):].lstrip("。")
        return _APPORTIONED_TEXT + rest
    return note


def _session_minutes(low: int | None, high: int | None) -> str:
    if low is None:
        return "—"
    return f"{low}分" if low == high else f"{low}～{high}分"


def _local_briefing(training: Training, row: TrainingSubject, timetable: Timetable,
                    today: date | None) -> bytes:
    """A local subject has no source text: its logistics and its outside lecturer."""
    curriculum = curriculum_for(training)
    name = clean_line(row.local_name)
    doc = _new(training, f"講師用資料 {name}")
    _title_block(doc, ["講師用資料　独自科目", name], today)
    rows = _logistics(training, row, timetable, curriculum, None)
    rows.insert(4, ["講師", lecturer_of(training, row)])
    table(doc, None, rows, [38, TEXT_WIDTH - 38], size=9.5, label_column=True)
    para(doc, "地域独自の課題を扱う科目です。内容と進め方は、講師と研修チームで打ち合わせます。")
    return to_bytes(doc)


def request_letter(training: Training, row: TrainingSubject, today: date | None = None) -> bytes:
    """講師依頼書 to an outside lecturer, in the usual official form: number, date, addressee,
    sender, subject line, body, then 記 with purpose, date, venue, topic, minutes, audience,
    materials and contact, and 以上."""
    curriculum = curriculum_for(training)
    prefecture = training.plan.prefecture
    words = texts()
    letter = words["request_letter"]
    timetable = timetable_of(training)
    today = today or date.today()
    topic = subject_title(training, row)
    subject_line = letter["subject"].format(training_name=words["training_name"])
    doc = _new(training, subject_line, versioned=False)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    para(doc, blank_document_number(prefecture.document_number_prefix, letter["number"]), align=right)
    para(doc, format_date_wareki(today, weekday=False), align=right)
    org = clean_line(row.lecturer_org)
    if org:
        para(doc, org)
    para(doc, f"{clean_line(row.lecturer_name) or '講師'}　様")
    para(doc, sender(prefecture), align=right)
    para(doc, "（公印省略）", size=9, align=right)
    # the subject line of a letter: in the navigation pane like any title, at letter size
    title = heading(doc, subject_line, 0)
    title.runs[0].font.size = Pt(13)
    for sentence in letter["body"]:
        para(doc, "　" + sentence)
    para(doc, "記", align=WD_ALIGN_PARAGRAPH.CENTER)
    found = _item_of(training, row, timetable)
    minutes = f"{found[1].minutes}分" if found else (f"{row.local_minutes}分" if row.local_minutes else UNDECIDED)
    deadline = training.materials_deadline
    rows = [["目的", letter["purpose"]],
            ["研修名", f"{training_year(training)} {words['training_name']}\n{curriculum.title}"],
            ["日時", _scheduled(training, row, timetable)],
            ["会場", _venue(training)],
            ["演題", topic],
            ["時間", minutes],
            ["対象", _audience(training, curriculum)],
            ["資料", letter["materials"].format(deadline=format_date_wareki(deadline))
                     if deadline else letter["materials_undecided"]],
            ["会場の機材", clean_line(training.equipment) or UNDECIDED],
            ["謝金", clean_line(prefecture.lecturer_fee) or letter["fee_unset"]],
            ["旅費", clean_line(prefecture.travel_expenses) or letter["travel_unset"]],
            ["回答期限", letter["reply"].format(deadline=format_date_wareki(reply_by(training, today)))]]
    rows = _with_contact(rows, "問い合わせ先", prefecture)
    table(doc, None, [[f"{i}　{k}", v] for i, (k, v) in enumerate(rows, start=1)],
          [34, TEXT_WIDTH - 34], size=10, label_column=True)
    para(doc, "以上", align=right)
    _consent_page(doc, training, row, today)
    return to_bytes(doc)


def reply_by(training: Training, today: date) -> date:
    """回答期限 of a request letter: two weeks after it is written, and at the latest a month
    before the training (time to find another lecturer)."""
    latest_day = training.first_date - timedelta(days=30) if training.first_date else None
    two_weeks = today + timedelta(days=14)
    return min(two_weeks, latest_day) if latest_day and latest_day > today else two_weeks


def _consent_page(doc, training: Training, row: TrainingSubject, today: date) -> None:
    """別紙 承諾書, on its own page: what the lecturer fills in and sends back."""
    prefecture = training.plan.prefecture
    curriculum = curriculum_for(training)
    label = para(doc, "（別紙）", size=10)
    label.paragraph_format.page_break_before = True
    title = heading(doc, "承　諾　書", 1)  # the letter keeps one Title; this is its enclosure
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, "令和　　年　　月　　日", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(doc, f"{sender(prefecture)}　様")
    para(doc, "　下記の研修の講師を承諾します。")
    para(doc, "記", align=WD_ALIGN_PARAGRAPH.CENTER)
    rows = [["研修名", f"{training_year(training)} {texts()['training_name']}\n{curriculum.title}"],
            ["日時", _scheduled(training, row, timetable_of(training))],
            ["演題", subject_title(training, row)],
            ["ご所属・職名", ""], ["お名前", ""], ["ご連絡先（電話・メール）", ""],
            ["謝金の振込先", "金融機関名・支店名・口座番号・口座名義（別途ご案内する様式でも可）"],
            ["当日の機材の希望", ""]]
    grid = table(doc, None, rows, [50, TEXT_WIDTH - 50], size=10.5, label_column=True)
    for row, (_, value) in zip(grid.rows, rows):
        if not value:  # room to write by hand
            row.height, row.height_rule = Mm(12), WD_ROW_HEIGHT_RULE.AT_LEAST
    para(doc, f"回答期限：{format_date_wareki(reply_by(training, today))}　送付先：{clean_line(prefecture.contact_section) or organiser(prefecture)}",
         size=10)


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
    dates = {t.curriculum_key: t.first_date for t in plan.trainings if not t.is_local}
    undated = {key for key, day in dates.items() if day is None}
    rows = [TimelineRow(kind=m.kind, title=m.title, start=m.start, end=m.end,
                        uid_part=f"{m.kind}-{m.training_key or 'all'}-{m.order}",
                        tentative=m.kind in ("launch", "meeting") or m.training_key in undated)
            for m in generate_timeline(plan.cycle_year, dates, plan.chief_after)]
    # a local training has no place in the source's order: only its own dates
    rows += [TimelineRow(kind="training", title=training_name(t), start=t.first_date, end=t.last_day,
                         uid_part=f"training-{t.id}") for t in plan.trainings if t.is_local and t.first_date]
    events = [(e, supplement_step(e)) for e in plan_events(plan)]
    rows += [TimelineRow(kind=m.kind, title=m.title, start=m.start, end=m.end,
                         uid_part=f"supplement-{e.id}") for e, m in events]
    return sorted(rows, key=lambda r: r.start)


def timeline(plan: Plan, today: date | None = None) -> bytes:
    """The planning timeline: launch, meetings, trainings and retrospectives in date order."""
    doc = _new(plan, "伝達研修 企画スケジュール", versioned=False)
    _title_block(doc, ["伝達研修 企画スケジュール"], today)
    para(doc, f"計画の期間：{format_date_wareki(plan.cycle_start)}～{format_date_wareki(plan.cycle_end)}")
    rows, steps = [], timeline_rows(plan)
    for row in steps:
        when = format_date_wareki(row.start)
        if row.end != row.start:
            when += f"～\n{format_date_wareki(row.end)}"
        rows.append([when, KIND_NAMES.get(row.kind, row.kind),
                     row.title + ("（仮）" if row.tentative else "")])
    table(doc, ["日付", "区分", "内容"], rows, [44, 44, 82])
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


def training_handouts(training: Training, with_roles: bool = True,
                      survey_url: str | None = None) -> list[tuple[str, bytes]]:
    """Every handout of one training, as (file name, bytes); the 研修次第 with the shared
    survey QR code when `survey_url` is given."""
    short = safe_filename(curriculum_for(training).short_title, 30)  # a local training's own title
    files = [(f"研修次第_{short}.docx", agenda(training, survey_url=survey_url))]
    if with_roles:
        files.append((f"役割分担表_{short}.docx", role_sheet(training.plan, [training])))
    for row in training.subjects:
        part = row.letter or f"独自{row.id}_{safe_filename(row.local_name, 30)}"
        files.append((f"講師用資料_{short}_{part}.docx", briefing(training, row)))
        # a letter to an outside lecturer leaves only with its sender and contact (as its download)
        if row.is_local and row.lecturer_name and not letter_problems(training.plan.prefecture):
            files.append((f"講師依頼書_{short}_{part}.docx", request_letter(training, row)))
    for event in training_supplements(training):  # the events that supplement its subjects
        files.append((f"次第_{event.kind_name}_{short}{event.subject.letter}_{event.id}.docx",
                      supplement_agenda(event)))
    return files


def plan_handouts(plan: Plan) -> list[tuple[str, bytes]]:
    """Every handout of a plan: per training, then the plan's role sheet and timeline."""
    files = [f for training in plan.trainings for f in training_handouts(training, with_roles=False)]
    files.append(("役割分担表.docx", role_sheet(plan)))
    files.append(("企画スケジュール.docx", timeline(plan)))
    return files
