"""A plan as a JSON file and back: pure functions over the models, no HTTP inside.

The file carries no database ids and no prefecture, so it moves between servers and
prefectures. Reading checks everything first and writes only when the whole file is sound:
a damaged, foreign or oversized file is refused whole, with a Japanese message that names
where the problem is.

Each section has one writer (`_plan_section`, `_training_section`, ...) and one reader
(`_read_plan`, `_read_training`, ...). Version 2 added the planning team (members, and the
role holders of each training), the stored timeline (milestones, checklist ticks, carried
to-dos) and the chief training's placement; a version 1 file has none of these sections and
loads with them empty. References inside the file are by content, never by database id: a
role holder by the member's e-mail (unique in a plan), a subject by its position in its
training, a training by its position in the plan.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import chain
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from curricula import Curriculum, load_curricula
from planner.domain import addresses
from planner.domain import fields as rules
from planner.domain.dates import format_date_wareki
from planner.domain.schedule import DEFAULT_LONGEST_BLOCK, ScheduleInputError, validate
from planner.domain.timeline import CHIEF_PLACEMENTS
from planner.models import (
    PROGRAMME_FIELDS,
    SUPPLEMENT_EFFECTS,
    SUPPLEMENT_KINDS,
    CarriedTodo,
    ChecklistTick,
    MemberCourse,
    MemberUnavailable,
    Milestone,
    Plan,
    Prefecture,
    ProgrammeEntry,
    RoleSlot,
    SlotConflict,
    SupplementaryEvent,
    TeamMember,
    Training,
    TrainingSubject,
)
from planner.models.db import db
from planner.models.team import COURSES, MUNICIPALITY_KINDS, ROLE_NAMES
from planner.services.backup import participants as participant_backup
from planner.services.backup.materials import material_section, read_materials
from planner.services.plans import holder_conflicts
from planner.services.plans.timetables import day_settings, subject_spec
from planner.services.team.roles import holding_problems, sync_slots, wanted_slots

FORMAT = "dentatsu-planner/plan"
VERSION = 2
#: versions this module reads; version 1 has no team, roles, timeline or chief_after
READABLE_VERSIONS = (1, 2)
#: a plan's materials travel in the file (base64), so it may be far larger than its text
MAX_BYTES = 64 * 1024 * 1024
#: the row limits every way in shares (data/fields.toml)
MAX_TRAININGS = rules.limit("trainings")
MAX_SUBJECTS = rules.limit("subjects")
MAX_MEMBERS = rules.limit("members")
MAX_UNAVAILABLE = rules.limit("unavailable_days")
MAX_ROLES = rules.limit("roles")
MAX_MILESTONES = rules.limit("milestones")
MAX_TICKS = rules.limit("checklist_ticks")
MAX_TODOS = rules.limit("carried_todos")
#: the kept conflicts of one slot (planner.services.plans.holder_conflicts): a few in practice
MAX_KEPT = 50
MAX_PROGRAMME = 200  # versions of the team's programme per subject
MAX_SUPPLEMENTS = 20  # supplementary events per subject
IMPORTED_MARK = "（取込）"
#: the stored kinds of milestone; trainings are on the timeline by their own dates
MILESTONE_KINDS = ("launch", "meeting", "retrospective")

_HHMM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: the Japanese name of each field, for messages
LABELS = {
    "format": "形式", "version": "版", "plan": "計画",
    "title": "計画名", "cycle_year": "チーム立ち上げの年", "trainings": "研修の一覧",
    "curriculum_key": "カリキュラム", "position": "順番", "first_date": "開催日",
    "day_count": "日数", "later_dates": "2日目以降の開催日", "venue": "会場", "capacity": "定員",
    "per_municipality": "1自治体あたりの受講者数", "start_time": "開始時刻",
    "end_time": "終了時刻", "lunch_minutes": "昼食の時間", "lunch_earliest": "昼食開始の最早",
    "lunch_latest": "昼食開始の最遅", "break_minutes": "休憩の時間",
    "longest_block": "休憩なしで続ける上限",
    "option_key": "選んだ選択肢", "programme": "チームのプログラム", "emphasis": "特に伝えたい内容",
    "key_points": "チームの解説のポイント", "how_to_run": "チームの進め方", "worksheets": "使うワークシート・資料",
    "author_name": "変更した人", "created_at": "変更日時",
    "opening_title": "開会の項目", "opening_minutes": "開会の時間",
    "closing_title": "閉会の項目", "closing_minutes": "閉会の時間", "subjects": "科目の一覧",
    "venue_address": "会場の住所", "venue_access": "会場への交通", "reception_time": "受付開始",
    "belongings": "持ち物", "materials_deadline": "講師資料の提出締切", "equipment": "会場の機材",
    "letter": "科目記号", "local_name": "独自科目名", "local_minutes": "時間",
    "lecturer_name": "講師の氏名", "lecturer_org": "講師の所属",
    "minutes_override": "指定時間", "separate_day": "別日扱い",
    "supplements": "補う催し", "day": "開催日", "place": "会場",
    "effect": "研修当日の扱い", "shortened_minutes": "短くした時間",
    "chief_after": "主任相談支援員・後期の時期", "members": "チームのメンバー",
    "name": "氏名", "municipality": "所属自治体", "municipality_kind": "自治体の種別",
    "email": "メールアドレス", "notes": "備考", "courses": "修了した国研修",
    "course": "国研修", "year": "修了年", "unavailable": "参加できない日",
    "roles": "役割の一覧", "kind": "種類", "subject": "科目", "day_index": "日の番号",
    "holder": "担当者", "locked": "確定", "kept": "残すと決めた重なり",
    "milestones": "スケジュールの項目", "start": "開始日", "end": "終了日", "order": "回",
    "prepares": "準備する研修", "done": "済み", "went_well": "良かった点",
    "to_change": "次に変えること", "training": "研修",
    "checklist_ticks": "チェックリスト", "key": "チェック項目",
    "carried_todos": "引き継いだやること", "text": "内容", "source_title": "元の計画名",
    "online_url": "オンライン会議のURL", "agenda": "議題", "minutes": "議事録",
}
#: where a field name means something else than in LABELS
MILESTONE_LABELS = {"title": "名前"}


class BackupError(ValueError):
    """A plan file that cannot be read; the message is Japanese and says where."""


# --------------------------------------------------------------------------- writing

def export_plan(plan: Plan) -> dict:
    """The plan as plain data: no database ids, no prefecture."""
    return {"format": FORMAT, "version": VERSION, "plan": _plan_section(plan)}


def dump_plan(plan: Plan) -> str:
    """The plan as JSON text with a fixed key order, so equal plans give equal files."""
    return json.dumps(export_plan(plan), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def _plan_section(plan: Plan) -> dict:
    """The plan's own fields, its team, its trainings and its stored timeline."""
    positions = {t.id: t.position for t in plan.trainings}
    return {"title": plan.title, "cycle_year": plan.cycle_year, "chief_after": plan.chief_after,
            "members": [_member_section(m) for m in plan.members],
            "trainings": [_training_section(t) for t in plan.trainings],
            "milestones": [_milestone_section(m, positions)
                           for m in sorted(plan.milestones, key=lambda m: _milestone_order(m, positions))],
            "checklist_ticks": [{"key": t.key, "done": t.done}
                                for t in sorted(plan.checklist_ticks, key=lambda t: t.key)],
            "carried_todos": [{"text": t.text, "source_title": t.source_title, "done": t.done}
                              for t in plan.carried_todos],
            "municipalities": participant_backup.municipality_sections(plan)}


def _member_section(member: TeamMember) -> dict:
    """One roster entry (in the roster's order), its courses and the days it cannot attend."""
    return {"name": member.name, "municipality": member.municipality,
            "municipality_kind": member.municipality_kind, "email": member.email,
            "notes": member.notes,
            "courses": [{"course": c.course, "year": c.year}
                        for c in sorted(member.courses, key=lambda c: COURSES.index(c.course)
                                        if c.course in COURSES else len(COURSES))],
            "unavailable": sorted(u.day.isoformat() for u in member.unavailable)}


def _role_section(slot: RoleSlot, kept: dict[int, list[str]]) -> dict:
    """A claimed or locked slot: the subject by its position, the holder by e-mail, and the
    conflicts an official kept for this holder (only when there are some: older files lack them)."""
    section = {"kind": slot.kind, "subject": slot.subject.position if slot.subject else None,
               "day_index": slot.day_index, "holder": slot.holder.email if slot.holder else None,
               "locked": slot.locked}
    if kept.get(slot.id):
        section["kept"] = kept[slot.id]
    return section


def _kept_reasons(training: Training) -> dict[int, list[str]]:
    """The conflicts officials kept, by slot, for the slot's present holder only (as shown)."""
    if not any(s.holder_id is not None for s in training.slots):
        return {}
    kept: dict[int, list[str]] = {}
    for slot_id, reason in db.session.execute(
            db.select(SlotConflict.slot_id, SlotConflict.reason)
            .join(RoleSlot, RoleSlot.id == SlotConflict.slot_id)
            .where(RoleSlot.training_id == training.id, RoleSlot.holder_id == SlotConflict.member_id)
            .order_by(SlotConflict.reason)):
        kept.setdefault(slot_id, []).append(reason)
    return kept


def _milestone_order(row: Milestone, positions: dict[int, int]) -> tuple:
    """Date order, then every field, so that rows on the same day always come out the same."""
    return (row.start, row.end, MILESTONE_KINDS.index(row.kind) if row.kind in MILESTONE_KINDS else 9,
            row.order, positions.get(row.training_id, -1), row.prepares, row.title, row.done,
            row.went_well, row.to_change)


def _milestone_section(row: Milestone, positions: dict[int, int]) -> dict:
    """A launch, meeting or retrospective; a retrospective names its training by position."""
    return {"kind": row.kind, "title": row.title, "start": row.start.isoformat(),
            "end": row.end.isoformat(), "order": row.order, "prepares": list(row.prepares_keys),
            "done": row.done, "went_well": row.went_well, "to_change": row.to_change,
            "training": positions.get(row.training_id) if row.training_id is not None else None,
            "start_time": _hhmm(row.start_time) if row.start_time else None,
            "end_time": _hhmm(row.end_time) if row.end_time else None,
            "place": row.place, "online_url": row.online_url, "agenda": row.agenda,
            "minutes": row.minutes}


def _training_section(training: Training) -> dict:
    """One training: curriculum, date, venue, day settings and its subjects."""
    kept = _kept_reasons(training)
    return {
        "curriculum_key": training.curriculum_key, "position": training.position,
        "first_date": training.first_date.isoformat() if training.first_date else None,
        "day_count": training.day_count, "venue": training.venue,
        "later_dates": [d.isoformat() for d in training.chosen_later_dates],
        "capacity": training.capacity, "per_municipality": training.per_municipality,
        "start_time": _hhmm(training.start_time), "end_time": _hhmm(training.end_time),
        "lunch_minutes": training.lunch_minutes,
        "lunch_earliest": _hhmm(training.lunch_earliest),
        "lunch_latest": _hhmm(training.lunch_latest), "break_minutes": training.break_minutes,
        "longest_block": training.longest_block,
        "opening_title": training.opening_title, "opening_minutes": training.opening_minutes,
        "closing_title": training.closing_title, "closing_minutes": training.closing_minutes,
        **{name: getattr(training, name) for name in _HANDOUT_TEXT},
        "reception_time": _hhmm(training.reception_time) if training.reception_time else None,
        "materials_deadline": (training.materials_deadline.isoformat()
                               if training.materials_deadline else None),
        "subjects": [_subject_section(s) for s in training.subjects],
        "roles": [_role_section(slot, kept) for slot in sorted(training.slots, key=lambda s: s.sort_key)
                  if slot.holder_id is not None or slot.locked],
        "participants": participant_backup.participant_sections(training),
        "participation": participant_backup.participation_section(training),
    }


def _subject_section(row: TrainingSubject) -> dict:
    """One timetable subject: a curriculum letter or a local subject, and its settings (and
    its materials, when it has any)."""
    materials = {"materials": [material_section(m) for m in row.materials]} if row.materials else {}
    return {"position": row.position, "letter": row.letter, "local_name": row.local_name,
            "local_minutes": row.local_minutes, "lecturer_name": row.lecturer_name,
            "lecturer_org": row.lecturer_org, "minutes_override": row.minutes_override,
            "separate_day": row.separate_day, "option_key": row.option_key,
            "programme": [_programme_section(e) for e in reversed(row.programme)],
            "supplements": [_supplement_section(e) for e in row.supplements],
            "draft": {"name": row.draft_name, "minutes_min": row.draft_minutes_min,
                      "minutes_max": row.draft_minutes_max, "lectures": row.draft_lectures,
                      "session_minutes": row.draft_session_minutes}} | materials


def _supplement_section(event: SupplementaryEvent) -> dict:
    """A symposium, lecture or case-study meeting that supplements the subject."""
    return {"kind": event.kind, "title": event.title, "day": event.day.isoformat(),
            "start_time": _hhmm(event.start_time), "end_time": _hhmm(event.end_time),
            "place": event.place, "lecturer_name": event.lecturer_name,
            "lecturer_org": event.lecturer_org, "effect": event.effect,
            "shortened_minutes": event.shortened_minutes}


def _programme_section(entry: ProgrammeEntry) -> dict:
    """One version of the team's programme, oldest first in the file."""
    return entry.values() | {"author_name": entry.author_name,
                             "created_at": entry.created_at.isoformat(timespec="seconds")}


def _hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


# --------------------------------------------------------------------------- reading

@dataclass
class _Role:
    """A role holder read from the file, waiting for its slot: (kind, subject position, day)."""

    where: str
    kind: str
    subject: int | None
    day_index: int
    holder: str | None
    locked: bool
    #: the conflicts an official kept for this holder (their reasons), restored as kept
    kept: tuple[str, ...] = ()


@dataclass
class _Read:
    """Everything read from a file, as new objects not yet in the session."""

    plan: Plan
    roles: list[tuple[Training, list[_Role]]] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    ticks: list[ChecklistTick] = field(default_factory=list)
    todos: list[CarriedTodo] = field(default_factory=list)
    #: the municipalities the participants come from, and each training's participants
    participants: participant_backup.ReadParticipants | None = None
    #: each member's unavailable days (by e-mail), kept as dates: written in one statement
    unavailable: dict[str, list[date]] = field(default_factory=dict)


def load_plan(prefecture: Prefecture, text: str | bytes) -> Plan:
    """Check the whole file, then add the plan to the session (flushed, not committed).

    Everything is read, checked and made ready before the first write, so the write lock
    (SQLite's only one) is held for a few statements: the plan, trainings and subjects through
    the session, the team in one INSERT, the slots by planner.services.team.roles.sync_slots as for
    a plan made in the app, then given their holders, and the many small rows (unavailable
    days, completed courses, programme versions) in one statement per table (COPY on
    PostgreSQL).
    """
    data = _parse(text)
    read = _read_plan(_Fields(data["plan"], "計画"), load_curricula(), data["version"])
    _check_days_free(read)
    plan = read.plan
    plan.title = _free_title(prefecture, plan.title)
    plan.prefecture = prefecture
    # The many small rows (75,000 unavailable days in a full team) are made ready for the
    # driver here, before the first write, and written below with one statement per table.
    unavailable, courses, programme = (_ChildRows(MemberUnavailable, "member_id"),
                                       _ChildRows(MemberCourse, "member_id"),
                                       _ChildRows(ProgrammeEntry, "subject_id"))
    for member in plan.members:
        unavailable.add_all(member, [{"day": day} for day in read.unavailable.get(member.email, ())])
        courses.add_all(member, [_column_values(c) for c in member.courses])
        member.courses = []
        set_committed_value(member, "unavailable", [])  # checked above; not loaded back
    for row in (row for t in plan.trainings for row in t.subjects):
        # oldest version first: the newest gets the highest id, as when saved in the app
        programme.add_all(row, [_column_values(e) for e in sorted(row.programme, key=lambda e: e.version)])
        row.programme = []
    team = plan.members
    plan.members = []
    db.session.add(plan)  # trainings and subjects
    db.session.flush()
    members = _add_team(plan, team)
    kept: dict[RoleSlot, set[str]] = {}
    for material in (m for t in plan.trainings for row in t.subjects for m in row.materials):
        material.owner = members[material.owner_email] if material.owner_email else None
    for training, roles in read.roles:
        sync_slots(training)
        subject_ids = {s.position: s.id for s in training.subjects}
        slots = {(s.kind, s.subject_id, s.day_index): s for s in training.slots}
        for role in roles:
            slot = slots.get((role.kind, subject_ids.get(role.subject), role.day_index))
            if slot is None:  # checked before writing; kept in case sync_slots changes
                raise BackupError(f"{role.where}: この役割の枠はこの研修にありません。")
            slot.holder = members[role.holder] if role.holder else None
            slot.locked = role.locked
            if role.kept:
                kept[slot] = set(role.kept)
    db.session.flush()
    # the same holding rules as a claim or an assignment in the app; a slot with kept
    # conflicts is checked below, against what was kept, once the team's days are written
    problems = holding_problems([s for t in plan.trainings for s in t.slots if s not in kept])
    if problems:
        raise BackupError(f"役割の担当: {problems[0]}")
    plan.milestones.extend(read.milestones)
    plan.checklist_ticks.extend(read.ticks)
    plan.carried_todos.extend(read.todos)
    if read.participants is not None:
        participant_backup.add_participants(prefecture, plan, read.participants)
    db.session.flush()
    for rows in (unavailable, courses, programme):
        rows.write()
    for member in plan.members:
        db.session.expire(member, ["unavailable", "courses"])
    for row in (row for t in plan.trainings for row in t.subjects):
        db.session.expire(row, ["programme"])
    _restore_kept(kept)
    return plan


def restore_plan(prefecture: Prefecture, text: str | bytes,
                 before_commit: Callable[[Plan], None] = lambda plan: None) -> Plan:
    """Read a backup file as a new plan of the prefecture (load_plan) and commit; BackupError
    rolls the session back. `before_commit(plan)` runs just before the commit."""
    try:
        plan = load_plan(prefecture, text)
    except BackupError:
        db.session.rollback()
        raise
    before_commit(plan)
    db.session.commit()
    return plan


def _restore_kept(kept: dict[RoleSlot, set[str]]) -> None:
    """Record again the conflicts the file says an official kept, and refuse a slot with
    kept conflicts that has any other (the file was edited, or the team's days changed)."""
    records = []
    for training in sorted({slot.training for slot in kept}, key=lambda t: t.position):
        by_id = {slot.id: reasons for slot, reasons in kept.items() if slot.training is training}
        for conflict in holder_conflicts.conflicts_of(training):
            if conflict.slot_id not in by_id:
                continue  # a slot without kept conflicts: checked by the holding rules above
            reason = conflict.reason[:500]  # as recorded (planner.services.plans.holder_conflicts.settle)
            if reason not in by_id[conflict.slot_id]:
                raise BackupError(f"役割の担当: {conflict.reason}")
            records.append(SlotConflict(slot_id=conflict.slot_id, member_id=conflict.member_id, reason=reason))
    db.session.add_all(records)
    db.session.flush()


def _add_team(plan: Plan, team: list[TeamMember]) -> dict[str, TeamMember]:
    """Write the team in one INSERT (the session would write a row at a time on SQLite) and
    put the members into the session as if loaded; by e-mail."""
    set_committed_value(plan, "members", team)
    if not team:
        return {}
    values = [_column_values(member) | {"plan_id": plan.id, "holding_version": 0} for member in team]
    for row in values:
        del row["id"]
    # by e-mail, unique in a plan: SQLite does not promise RETURNING in the rows' order
    ids = dict(db.session.execute(sa.insert(TeamMember).returning(TeamMember.email, TeamMember.id), values).all())
    for member in team:
        member.id, member.plan_id, member.holding_version = ids[member.email], plan.id, 0
        make_transient_to_detached(member)
        db.session.add(member)
        set_committed_value(member, "plan", plan)
    return {member.email: member for member in team}


def _column_values(child) -> dict:
    """A new row's column values, as set on the object (its id and parent are not known yet)."""
    return {column.key: getattr(child, column.key) for column in child.__table__.columns}


class _ChildRows:
    """Rows of one table whose parents are not written yet, converted for the driver before
    the write (the costly part: SQLAlchemy's per-row work costs more than the database's own
    insert) and written once their parents have ids, in one statement."""

    def __init__(self, model, parent_key: str):
        self.table = model.__table__
        self.keys = [parent_key, *(c.key for c in self.table.columns if c.key not in ("id", parent_key))]
        dialect = db.session.get_bind(mapper=model).dialect
        self.convert = [self.table.c[key].type.bind_processor(dialect) for key in self.keys[1:]]
        self.groups: list[tuple[object, list[tuple]]] = []

    def add_all(self, parent: object, rows: list[dict]) -> None:
        pairs = list(zip(self.keys[1:], self.convert))
        self.groups.append((parent, [tuple(process(row.get(key)) if process else row.get(key)
                                           for key, process in pairs) for row in rows]))

    def write(self) -> None:
        rows = [(parent_id, *row) for parent, group in self.groups for parent_id in (parent.id,) for row in group]
        if not rows:
            return
        connection = db.session.connection()
        quote = connection.dialect.identifier_preparer
        table, columns = quote.format_table(self.table), ", ".join(quote.quote(key) for key in self.keys)
        if connection.dialect.driver == "psycopg":
            # COPY: a tenth of the time of psycopg's executemany for 75,000 rows
            with connection.connection.driver_connection.cursor() as cursor, \
                    cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:  # SQLite, the app's other engine: many rows a statement, half an executemany's time
            one = f"({', '.join('?' * len(self.keys))})"
            size = 999 // len(self.keys)  # the oldest SQLite's limit of parameters
            for start in range(0, len(rows), size):
                chunk = rows[start:start + size]
                connection.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}",
                                           tuple(chain.from_iterable(chunk)))


def _check_days_free(read: _Read) -> None:
    """No holder is away on the day of a role they hold (material preparation is done
    beforehand): the rule of planner.services.team.roles, checked here before anything is written.
    A role whose conflicts an official kept is checked against them after writing."""
    names = {m.email: m.name for m in read.plan.members}
    for training, roles in read.roles:
        days = training.days
        for role in roles:
            # a subject's role on a training of several days falls on its subject's day, which
            # the timetable gives once the rows are written: holding_problems checks it then
            mine = ({days[role.day_index]} if role.kind == "timekeeper" and role.day_index < len(days)
                    else set(days) if training.day_count == 1 else set())
            clash = mine & set(read.unavailable.get(role.holder, ())) if role.holder and not role.kept else set()
            if clash and role.kind != "material_preparer":
                raise BackupError(f"役割の担当: {names[role.holder]}さんは{format_date_wareki(min(clash), weekday=False)}"
                                  "を参加できない日に登録しています。")


def _parse(text: str | bytes) -> dict:
    """Decode and parse the file, and refuse anything that is not our format and version."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise BackupError(f"ファイルが大きすぎます（{size:,}バイト）。{MAX_BYTES // (1024 * 1024)}MB 以下の計画ファイルを選んでください。")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BackupError("ファイルを UTF-8 の文字として読めません。このアプリから書き出した JSON ファイルを選んでください。") from None
    try:
        data = json.loads(text.removeprefix("\ufeff"), object_pairs_hook=_no_duplicate_keys,
                          parse_constant=_no_constant, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise BackupError(f"ファイルが JSON として読めません（{exc.lineno}行目 {exc.colno}文字目）。"
                          "壊れているか、途中で切れている可能性があります。") from None
    except RecursionError:
        raise BackupError("ファイルの入れ子が深すぎて読めません。計画ファイルではないようです。") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("このアプリの計画ファイルではありません（形式が「dentatsu-planner/plan」ではありません）。")
    if "version" not in data:
        raise BackupError("計画ファイルに版（version）がありません。")
    version = data["version"]
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise BackupError(f"この計画ファイルの版（{_show(version)}）には対応していません。"
                          f"読み込めるのは版 {'・'.join(map(str, READABLE_VERSIONS))} です。")
    fields = _Fields(data, "ファイル")
    fields.only({"format", "version", "plan"})
    fields.require("plan")
    return data


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise BackupError(f"ファイルの中で項目「{duplicates[0]}」が2回書かれています。")
    return dict(pairs)


#: no number in a plan file has more digits (ids, years, minutes, counts); longer ones are
#: refused before Python reads them (it refuses more than 4300 digits with a ValueError)
MAX_INT_DIGITS = 15


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise BackupError(f"ファイルに大きすぎる数値（{len(digits.lstrip('-'))}桁）があります。"
                          f"数値は{MAX_INT_DIGITS}桁までです。")
    return int(digits)


def _no_constant(name: str):
    raise BackupError(f"ファイルに数値でない値「{name}」があります。")


#: the plan's sections that version 2 added; a version 1 file has none of them
_PLAN_SECTIONS_V2 = ("chief_after", "members", "milestones", "checklist_ticks", "carried_todos", "municipalities")


def _read_plan(fields: _Fields, curricula: dict[str, Curriculum], version: int) -> _Read:
    """The plan, its team, trainings and timeline, as new objects not yet in the session."""
    fields.only({"title", "cycle_year", "trainings"} | (set(_PLAN_SECTIONS_V2) if version >= 2 else set()))
    plan = Plan(title=fields.typed("title", "plan_title"),
                cycle_year=fields.integer("cycle_year", 2000, 2100), chief_after="common")
    read = _Read(plan)
    if version >= 2:
        plan.chief_after = fields.text("chief_after", 10)
        if plan.chief_after not in CHIEF_PLACEMENTS:
            raise fields.fail("chief_after", f"「{_show(plan.chief_after)}」は "
                                             f"{' か '.join(CHIEF_PLACEMENTS)} のどちらかです。")
        raw = fields.items("members", MAX_MEMBERS)
        members = [_read_member(_Fields(item, f"メンバー{i}")) for i, item in enumerate(raw, start=1)]
        plan.members = [member for member, _ in members]
        _unique_emails(plan.members)
        read.unavailable = {member.email: days for member, days in members}
    emails = {m.email for m in plan.members}
    if version >= 2:  # files written before participants lack these sections
        read.participants = participant_backup.ReadParticipants(
            participant_backup.read_municipalities(fields, _Fields) if "municipalities" in fields.data else {})
    raw = fields.items("trainings", MAX_TRAININGS)
    trainings = []
    for i, item in enumerate(raw, start=1):
        training, roles = _read_training(_Fields(item, f"研修{i}"), curricula, version, emails)
        trainings.append(training)
        read.roles.append((training, roles))
        if read.participants is not None and "participants" in item:
            read.participants.read_training(training, _Fields(item, f"研修{i}"), _Fields, emails)
    _unique_positions(fields.where, "研修", [t.position for t in trainings])
    plan.trainings = sorted(trainings, key=lambda t: t.position)
    if version >= 2:
        by_position = {t.position: t for t in trainings}
        raw = fields.items("milestones", MAX_MILESTONES)
        read.milestones = [_read_milestone(_Fields(item, f"スケジュールの項目{i}", MILESTONE_LABELS),
                                           curricula, by_position, plan)
                           for i, item in enumerate(raw, start=1)]
        _unique_milestones(read.milestones)
        raw = fields.items("checklist_ticks", MAX_TICKS)
        read.ticks = [_read_tick(_Fields(item, f"チェックリスト{i}")) for i, item in enumerate(raw, start=1)]
        _unique_ticks(read.ticks)
        raw = fields.items("carried_todos", MAX_TODOS)
        read.todos = [_read_todo(_Fields(item, f"引き継いだやること{i}")) for i, item in enumerate(raw, start=1)]
    return read


def _read_member(fields: _Fields) -> tuple[TeamMember, list[date]]:
    """One roster entry and the days it cannot attend; the e-mail is kept in lower case, as
    every other way in keeps it."""
    fields.only({"name", "municipality", "municipality_kind", "email", "notes", "courses", "unavailable"})
    member = TeamMember(name=fields.typed("name", "member_name"),
                        municipality=fields.typed("municipality", "municipality"),
                        municipality_kind=fields.text("municipality_kind", 20, required=True),
                        email=fields.typed("email", "email").lower(),
                        notes=fields.typed("notes", "member_notes"))
    if member.municipality_kind not in MUNICIPALITY_KINDS:
        raise fields.fail("municipality_kind", f"「{_show(member.municipality_kind)}」はありません。"
                                               f"{', '.join(MUNICIPALITY_KINDS)} のいずれかです。")
    try:  # the sending rule: an older row with a non-ASCII local part still restores
        addresses.wire_address(member.email)
    except rules.FieldError as error:
        raise BackupError(f"{fields.where}: メールアドレス「{_show(member.email)}」: {error}") from None
    fields.where = f"{fields.where}（{member.email}）"
    courses = []
    for j, item in enumerate(fields.items("courses", len(COURSES)), start=1):
        course = _Fields(item, f"{fields.where}の修了した国研修{j}")
        course.only({"course", "year"})
        key = course.text("course", 20, required=True)
        if key not in COURSES:
            raise course.fail("course", f"「{_show(key)}」はありません。{', '.join(COURSES)} のいずれかです。")
        if key in (c.course for c in courses):
            raise course.fail("course", f"「{key}」が2回あります。")
        courses.append(MemberCourse(course=key, year=course.integer("year", 2000, 2100, optional=True)))
    member.courses = courses
    days = fields.items("unavailable", MAX_UNAVAILABLE)
    seen = set()
    for value in days:
        day = fields.parse_day("unavailable", value)
        if day is None:
            raise fields.fail("unavailable", "に日付でない値 null があります。")
        if day in seen:
            raise fields.fail("unavailable", f"の {day.isoformat()} が2回あります。")
        seen.add(day)
    return member, sorted(seen)


def _unique_emails(members: list[TeamMember]) -> None:
    """E-mails are unique in a plan: they say which login is which member."""
    seen = {}
    for i, member in enumerate(members, start=1):
        if member.email in seen:
            raise BackupError(f"メンバー{i}: メールアドレス {member.email} は"
                              f"メンバー{seen[member.email]}と重複しています。")
        seen[member.email] = i


def _read_role(fields: _Fields, training: Training, emails: set[str]) -> _Role:
    """One role holder of a training, checked against its subjects and the roster."""
    fields.only({"kind", "subject", "day_index", "holder", "locked", "kept"})
    kind = fields.text("kind", 20, required=True)
    if kind not in ROLE_NAMES:
        raise fields.fail("kind", f"「{_show(kind)}」という役割はありません。{', '.join(ROLE_NAMES)} のいずれかです。")
    subject = fields.integer("subject", 0, 999, optional=True)
    if kind == "timekeeper" and subject is not None:
        raise fields.fail("subject", "はタイムキーパー役には書きません（null にします）。")
    if kind != "timekeeper" and subject is None:
        raise fields.fail("subject", f"がありません。{ROLE_NAMES[kind]}は科目ごとの役割です。")
    rows = {s.position: s for s in training.subjects}
    if subject is not None and subject not in rows:
        raise fields.fail("subject", f" {subject} の科目はこの研修にありません"
                                     f"（科目の順番は {', '.join(map(str, sorted(rows)))}）。")
    day_index = fields.integer("day_index", 0, 4)
    if day_index >= training.day_count:
        raise fields.fail("day_index", f" {day_index} はこの研修の日数（{training.day_count}日）を超えています"
                                       "（1日目が 0 です）。")
    holder = fields.require("holder")
    if holder is not None:
        holder = fields.text("holder", 254, required=True).lower()
        if holder not in emails:
            raise BackupError(f"{fields.where}: 担当者 {_show(holder)} は名簿にいません。")
    return _Role(fields.where, kind, subject, day_index, holder, fields.boolean("locked"), _read_kept(fields, holder))


def _read_kept(fields: _Fields, holder: str | None) -> tuple[str, ...]:
    """The reasons of the conflicts an official kept for the holder; files before them lack it."""
    if "kept" not in fields.data:
        return ()
    reasons = fields.items("kept", MAX_KEPT)
    if reasons and holder is None:
        raise fields.fail("kept", "は担当者のいない役割には書きません。")
    for reason in reasons:
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise fields.fail("kept", f"の「{_show(reason)}」は500文字以内の文字列ではありません。")
    return tuple(reasons)


def _check_roles(where: str, training: Training, roles: list[_Role]) -> None:
    """Each role once, and only for a slot the app makes for this training (planner.services.team.roles)."""
    # The slots are made after writing, from subject ids; before writing, positions stand in.
    shadow = SimpleNamespace(curriculum_key=training.curriculum_key, day_count=training.day_count,
                             subjects=[SimpleNamespace(id=s.position, letter=s.letter, is_local=not s.letter,
                                                       separate_day=s.separate_day, moved_out=s.moved_out)
                                       for s in training.subjects])
    wanted = wanted_slots(shadow)
    seen = {}
    rows = {s.position: s for s in training.subjects}
    for i, role in enumerate(roles, start=1):
        key = (role.kind, role.subject, role.day_index)
        if key in seen:
            raise BackupError(f"{role.where}: 役割{seen[key]}と同じ役割です。")
        seen[key] = i
        if key not in wanted:
            if role.subject is None:
                what = f"{role.day_index + 1}日目の{ROLE_NAMES[role.kind]}"
                raise BackupError(f"{role.where}: {what}はこの研修にありません。")
            row = rows[role.subject]
            name = f"科目{row.letter}" if row.letter else f"独自科目「{_show(row.local_name, 20)}」"
            if row.moved_out:
                reason = "別日扱いの科目には、この研修の役割がありません。"
            elif not row.letter:
                reason = "独自科目は外部の講師が担当するため、役割がありません。"
            elif role.day_index:
                reason = "科目ごとの役割の日の番号（day_index）は 0 です。"
            else:
                reason = "この科目にはない役割です。"
            raise BackupError(f"{role.where}: {name}の{ROLE_NAMES[role.kind]}はこの研修にありません。{reason}")


def _read_milestone(fields: _Fields, curricula: dict[str, Curriculum],
                    trainings: dict[int, Training], plan: Plan) -> Milestone:
    """A launch, meeting or retrospective with its dates, done mark and notes."""
    fields.only({"kind", "title", "start", "end", "order", "prepares", "done", "went_well",
                 "to_change", "training", *MEETING_FIELDS})
    kind = fields.text("kind", 20, required=True)
    if kind == "training":
        raise fields.fail("kind", "「training」は書きません。研修のスケジュール上の位置は研修の開催日です。")
    if kind not in MILESTONE_KINDS:
        raise fields.fail("kind", f"「{_show(kind)}」はありません。{', '.join(MILESTONE_KINDS)} のいずれかです。")
    row = Milestone(kind=kind, title=fields.typed("title", "milestone_title"),
                    start=fields.day("start", required=True), end=fields.day("end", required=True),
                    order=fields.integer("order", 0, 999), done=fields.boolean("done"),
                    went_well=fields.typed("went_well", "went_well"),
                    to_change=fields.typed("to_change", "to_change"))
    _read_meeting_details(fields, row)
    if row.end < row.start:
        raise BackupError(f"{fields.where}: 終了日 {row.end.isoformat()} が開始日 {row.start.isoformat()} より前です。")
    keys = fields.items("prepares", len(curricula))
    for key in keys:
        if not isinstance(key, str) or key not in curricula:
            raise fields.fail("prepares", f"の「{_show(key)}」はカリキュラムではありません。"
                                          f"{', '.join(curricula)} のいずれかです。")
    if len(set(keys)) < len(keys):
        raise fields.fail("prepares", "に同じカリキュラムが2回あります。")
    row.prepares = ",".join(keys)
    position = fields.integer("training", 0, 999, optional=True)
    if position is not None:
        if kind != "retrospective":
            raise fields.fail("training", "は振り返り・反省会にだけ書きます。")
        if position not in trainings:
            raise fields.fail("training", f" {position} の研修はこの計画にありません"
                                          f"（研修の順番は {', '.join(map(str, sorted(trainings)))}）。")
        row.training = trainings[position]
    return row


#: a meeting's hours, place, agenda and minutes: optional, files written before them lack them
MEETING_FIELDS = ("start_time", "end_time", "place", "online_url", "agenda", "minutes")


def _read_meeting_details(fields: _Fields, row: Milestone) -> None:
    data = fields.data
    for name in ("start_time", "end_time"):
        if data.get(name) is not None:
            setattr(row, name, fields.clock(name))
    if (row.start_time is None) != (row.end_time is None) or \
            (row.start_time and row.end_time <= row.start_time):
        raise fields.fail("end_time", "は開始時刻より後の時刻で、開始時刻と組で書きます。")
    row.place = fields.typed("place", "meeting_place") if "place" in data else ""
    row.online_url = fields.text("online_url", 500) if "online_url" in data else ""
    if row.online_url and not row.online_url.startswith(("http://", "https://")):
        raise fields.fail("online_url", "は http:// か https:// で始まるURLです。")
    row.agenda = fields.typed("agenda", "agenda") if data.get("agenda") is not None else None
    row.minutes = fields.typed("minutes", "meeting_minutes") if "minutes" in data else ""


def _unique_milestones(rows: list[Milestone]) -> None:
    """Regenerating the timeline finds each row by these fields, so each is there once."""
    seen = {}
    for i, row in enumerate(rows, start=1):
        key = (row.kind, id(row.training), row.prepares, row.order)
        if key in seen:
            raise BackupError(f"スケジュールの項目{i}: スケジュールの項目{seen[key]}と同じ項目です"
                              "（種類・研修・準備する研修・回が同じ）。")
        seen[key] = i


def _read_tick(fields: _Fields) -> ChecklistTick:
    fields.only({"key", "done"})
    return ChecklistTick(key=fields.text("key", 80, required=True), done=fields.boolean("done"))


def _unique_ticks(ticks: list[ChecklistTick]) -> None:
    seen = {}
    for i, tick in enumerate(ticks, start=1):
        if tick.key in seen:
            raise BackupError(f"チェックリスト{i}: 項目「{_show(tick.key)}」はチェックリスト{seen[tick.key]}と重複しています。")
        seen[tick.key] = i


def _read_todo(fields: _Fields) -> CarriedTodo:
    fields.only({"text", "source_title", "done"})
    return CarriedTodo(text=fields.typed("text", "todo_text"),
                       source_title=fields.typed("source_title", "source_title"), done=fields.boolean("done"))


def _read_training(fields: _Fields, curricula: dict[str, Curriculum], version: int,
                   emails: set[str]) -> tuple[Training, list[_Role]]:
    """One training, its day settings checked by the scheduler's own rules, and its roles."""
    fields.only(set(_TRAINING_KEYS) | {"subjects"} | ({"roles", "participants", "participation"} if version >= 2 else set()))
    key = fields.text("curriculum_key", 20, required=True)
    if key not in curricula:
        raise BackupError(f"{fields.where}: カリキュラム「{_show(key)}」はありません。"
                          f"{', '.join(curricula)} のいずれかです。")
    curriculum = curricula[key]
    fields.where = f"{fields.where}（{curriculum.title}）"
    training = Training(
        curriculum_key=key, position=fields.integer("position", 0, 999),
        first_date=fields.day("first_date"), day_count=fields.integer("day_count", 1, 5),
        venue=fields.typed("venue", "venue"), capacity=fields.integer("capacity", 1, 2000, optional=True),
        per_municipality=fields.integer("per_municipality", 1, 20),
        start_time=fields.clock("start_time"), end_time=fields.clock("end_time"),
        lunch_minutes=fields.integer("lunch_minutes", 0, 180),
        lunch_earliest=fields.clock("lunch_earliest"), lunch_latest=fields.clock("lunch_latest"),
        break_minutes=fields.integer("break_minutes", 5, 60),
        # files written before the setting existed use the usual 90 minutes
        longest_block=fields.integer("longest_block", 30, 480) if "longest_block" in fields.data
        else DEFAULT_LONGEST_BLOCK,
        opening_title=fields.typed("opening_title", "opening_title"),
        opening_minutes=fields.integer("opening_minutes", 0, 120),
        closing_title=fields.typed("closing_title", "closing_title"),
        closing_minutes=fields.integer("closing_minutes", 0, 120), revision=1)
    _read_handout_fields(fields, training)
    training.later_dates = _later_dates(fields, training)
    raw = fields.items("subjects", MAX_SUBJECTS)
    subjects = [_read_subject(_Fields(item, f"{fields.where}の科目{j}"),
                              curriculum, emails) for j, item in enumerate(raw, start=1)]
    _unique_positions(fields.where, "科目", [s.position for s in subjects])
    _all_letters_once(fields.where, curriculum, [s.letter for s in subjects if s.letter])
    training.subjects = sorted(subjects, key=lambda s: s.position)
    _check_days(fields.where, training)
    roles = []
    if version >= 2:
        raw = fields.items("roles", MAX_ROLES)
        roles = [_read_role(_Fields(item, f"{fields.where}の役割{k}"), training, emails)
                 for k, item in enumerate(raw, start=1)]
        _check_roles(fields.where, training, roles)
    return training, roles


#: the handout details of a training (venue address, 持ち物, ...), checked by their rules in
#: data/fields.toml; files written before they existed simply lack them
_HANDOUT_TEXT = ("venue_address", "venue_access", "belongings", "equipment")
def _later_dates(fields: _Fields, training: Training) -> str:
    """Days 2..n when they do not follow day one; older files lack them (consecutive days)."""
    raw = fields.data.get("later_dates") or []
    if not isinstance(raw, list):
        raise fields.fail("later_dates", "は日付（YYYY-MM-DD）の一覧で書きます。")
    later = [fields.parse_day("later_dates", value) for value in raw]
    if None in later:
        raise fields.fail("later_dates", "に null は書けません。日付（YYYY-MM-DD）を書きます。")
    if not later:
        return ""
    if training.first_date is None or len(later) != training.day_count - 1:
        raise fields.fail("later_dates", f"は開催日があり{training.day_count}日間の研修なら"
                                         f"{training.day_count - 1}つ書きます（{len(later)}つあります）。")
    if any(b <= a for a, b in zip([training.first_date, *later], later)):
        raise fields.fail("later_dates", "は開催日より後に、日付の順に書きます。")
    return ",".join(d.isoformat() for d in later)


_TRAINING_KEYS = ("curriculum_key", "position", "first_date", "day_count", "later_dates", "venue", "capacity",
                  "per_municipality", "start_time", "end_time", "lunch_minutes", "lunch_earliest",
                  "lunch_latest", "break_minutes", "longest_block", "opening_title", "opening_minutes",
                  "closing_title", "closing_minutes", "reception_time", "materials_deadline",
                  *_HANDOUT_TEXT)


def _read_handout_fields(fields: _Fields, training: Training) -> None:
    """The optional handout details; absent in older files, so read only when present."""
    for name in _HANDOUT_TEXT:
        if name in fields.data:
            setattr(training, name, fields.typed(name, name))
    if fields.data.get("reception_time") is not None:
        training.reception_time = fields.clock("reception_time")
    if "materials_deadline" in fields.data:
        training.materials_deadline = fields.day("materials_deadline")


def _read_subject(fields: _Fields, curriculum: Curriculum,
                  emails: frozenset[str] | set[str] = frozenset()) -> TrainingSubject:
    """One subject: a letter of the training's curriculum, or a local subject with its minutes."""
    # option_key and programme came with the team's programme; older files lack them
    fields.only({"position", "letter", "local_name", "local_minutes", "lecturer_name",
                 "lecturer_org", "minutes_override", "separate_day", "option_key", "programme",
                 "supplements", "draft", "materials"})
    row = TrainingSubject(
        position=fields.integer("position", 0, 999), letter=fields.text("letter", 4),
        local_name=fields.typed("local_name", "local_name"),
        local_minutes=fields.integer("local_minutes", 1, 600, optional=True),
        lecturer_name=fields.typed("lecturer_name", "lecturer_name"),
        lecturer_org=fields.typed("lecturer_org", "lecturer_org"),
        minutes_override=fields.integer("minutes_override", 1, 600, optional=True),
        separate_day=fields.boolean("separate_day"))
    if row.letter:
        try:
            subject = curriculum.subject(row.letter)
        except KeyError:
            raise BackupError(f"{fields.where}: 科目記号「{row.letter}」は{curriculum.title}にありません。") from None
        if row.local_name or row.local_minutes is not None:
            raise BackupError(f"{fields.where}: 手引きの科目{row.letter}に独自科目名や独自の時間が入っています。")
        if row.separate_day and not subject.may_move_to_separate_day:
            raise BackupError(f"{fields.where}: 科目{row.letter}は、手引きで別日に補う方法が示されていません。")
        row.option_key = _read_option(fields, subject, "option_key") if "option_key" in fields.data else ""
        raw = fields.items("programme", MAX_PROGRAMME) if "programme" in fields.data else []
        row.programme = [_read_programme(_Fields(item, f"{fields.where}のチームのプログラム{j}"), subject)
                         for j, item in enumerate(reversed(raw), start=1)]
        for version, entry in enumerate(reversed(row.programme), start=1):
            entry.version = version
        if "draft" in fields.data:
            _read_draft(_Fields(fields.require("draft"), f"{fields.where}のたたき台の調整"), row, curriculum)
        raw = fields.items("supplements", MAX_SUPPLEMENTS) if "supplements" in fields.data else []
        row.supplements = [_read_supplement(_Fields(item, f"{fields.where}の補う催し{j}"), subject)
                           for j, item in enumerate(raw, start=1)]
    else:
        if not row.local_name:
            raise BackupError(f"{fields.where}: 科目記号も独自科目名もありません。")
        if row.local_minutes is None:
            raise BackupError(f"{fields.where}: 独自科目「{row.local_name}」の時間がありません。")
        if row.separate_day:
            raise BackupError(f"{fields.where}: 独自科目は別日扱いにできません。")
        if fields.data.get("supplements"):
            raise BackupError(f"{fields.where}: 独自科目を補う催しは登録できません。")
    if "materials" in fields.data:
        row.materials = read_materials(fields, emails)
    return row


def _read_draft(fields: _Fields, row: TrainingSubject, curriculum: Curriculum) -> None:
    """The prefecture's settling of a job-support draft subject; empty for the other curricula."""
    fields.only({"name", "minutes_min", "minutes_max", "lectures", "session_minutes"})
    row.draft_name = fields.text("name", 200)
    row.draft_minutes_min = fields.integer("minutes_min", 1, 600, optional=True)
    row.draft_minutes_max = fields.integer("minutes_max", 1, 600, optional=True)
    row.draft_lectures = fields.text("lectures", 2000, lines=True)
    row.draft_session_minutes = fields.text("session_minutes", 200)
    if row.draft_edited and curriculum.official:
        raise BackupError(f"{fields.where}: 手引きの科目表にある科目は調整できません。")
    if (row.draft_minutes_min is None) != (row.draft_minutes_max is None) or (
            row.draft_minutes_min and row.draft_minutes_min > row.draft_minutes_max):
        raise fields.fail("minutes_max", "最短と最長の両方を、最短が最長以下になるように入れてください。")
    sessions = len(curriculum.subject(row.letter).sessions)
    parts = row.draft_session_minutes.split(",") if row.draft_session_minutes else []
    if parts and (len(parts) != sessions or not all(p.isdigit() and 1 <= int(p) <= 600 for p in parts)):
        raise fields.fail("session_minutes", f"セッションの時間は1〜600の数を{sessions}つ、カンマで区切って入れてください。")


def _read_supplement(fields: _Fields, subject) -> SupplementaryEvent:
    """A supplementary event; only for a subject the source lets an event supplement."""
    fields.only({"kind", "title", "day", "start_time", "end_time", "place", "lecturer_name",
                 "lecturer_org", "effect", "shortened_minutes"})
    if not subject.may_move_to_separate_day:
        raise BackupError(f"{fields.where}: 科目{subject.letter}は、手引きで催しで補う方法が示されていません。")
    event = SupplementaryEvent(
        kind=fields.text("kind", 20, required=True), title=fields.typed("title", "event_title"),
        day=fields.day("day", required=True), start_time=fields.clock("start_time"),
        end_time=fields.clock("end_time"), place=fields.typed("place", "event_place"),
        lecturer_name=fields.typed("lecturer_name", "lecturer_name"),
        lecturer_org=fields.typed("lecturer_org", "lecturer_org"),
        effect=fields.text("effect", 20, required=True),
        shortened_minutes=fields.integer("shortened_minutes", 10, 600, optional=True))
    if event.kind not in SUPPLEMENT_KINDS:
        raise fields.fail("kind", f"「{_show(event.kind)}」は催しの種類にありません。")
    if event.effect not in SUPPLEMENT_EFFECTS:
        raise fields.fail("effect", f"「{_show(event.effect)}」は研修当日の扱いにありません。")
    if event.end_time <= event.start_time:
        raise fields.fail("end_time", "終了時刻が開始時刻より前です。")
    if event.effect == "shortened" and event.shortened_minutes is None:
        raise fields.fail("shortened_minutes", "短くする場合の時間がありません。")
    return event


def _read_option(fields: _Fields, subject, name: str) -> str:
    key = fields.text(name, 40)
    if key and subject.option(key) is None:
        raise fields.fail(name, f"「{_show(key)}」は科目{subject.letter}の選択肢にありません。")
    return key


def _read_programme(fields: _Fields, subject) -> ProgrammeEntry:
    fields.only(set(PROGRAMME_FIELDS) | {"option_key", "author_name", "created_at"})
    created = fields.text("created_at", 40, required=True)
    try:
        created_at = datetime.fromisoformat(created)
    except ValueError:
        raise fields.fail("created_at", f"「{_show(created)}」は日時として読めません。") from None
    return ProgrammeEntry(**{name: fields.typed(name, "programme_note") for name in PROGRAMME_FIELDS},
                          option_key=_read_option(fields, subject, "option_key"),
                          author_name=fields.text("author_name", 100), created_at=created_at.replace(tzinfo=None))


def _unique_positions(where: str, what: str, positions: list[int]) -> None:
    seen = set()
    for position in positions:
        if position in seen:
            raise BackupError(f"{where}: {what}の順番 {position} が重複しています。")
        seen.add(position)


def _all_letters_once(where: str, curriculum: Curriculum, letters: list[str]) -> None:
    """Curriculum subjects cannot be removed, so each letter appears exactly once."""
    for subject in curriculum.subjects:
        count = letters.count(subject.letter)
        if count == 0:
            raise BackupError(f"{where}: 手引きの科目{subject.letter}「{subject.name}」がありません。")
        if count > 1:
            raise BackupError(f"{where}: 科目{subject.letter}が{count}回あります。")


def _check_days(where: str, training: Training) -> None:
    """The scheduler's input rules (times in order, lunch window, item lengths); not the fit."""
    if training.last_day and training.last_day > rules.DATE_MAX:
        raise BackupError(f"{where}: 開催日が遠すぎます。")
    specs = [subject_spec(training, row) for row in training.subjects if not row.moved_out]
    try:
        for settings in day_settings(training):
            validate(specs, settings)
    except ScheduleInputError as exc:
        raise BackupError(f"{where}: {exc}") from None


def _free_title(prefecture: Prefecture, title: str) -> str:
    """The title, marked （取込） (then （取込2）, ...) when the prefecture already has it."""
    taken = set(db.session.scalars(db.select(Plan.title).where(Plan.prefecture == prefecture)))
    candidate, n = title, 1
    while candidate in taken:
        mark = IMPORTED_MARK if n == 1 else f"（取込{n}）"
        candidate = title[:100 - len(mark)] + mark
        n += 1
    return candidate


def _show(value: object, limit: int = 30) -> str:
    """A value as a message shows it: strings as they are, shortened; others as JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = "".join(c if unicodedata.category(c) not in ("Cc", "Cs") else "?" for c in text)
    return text if len(text) <= limit else text[:limit] + "…"


class _Fields:
    """Typed reads from one JSON object, each failure naming the place and the field."""

    def __init__(self, data: object, where: str, labels: dict[str, str] | None = None):
        self.where = where
        self.labels = labels or {}
        if not isinstance(data, dict):
            raise BackupError(f"{where}: 項目の集まり（JSON のオブジェクト）であるべきところが{_kind(data)}です。")
        self.data = data

    def label(self, name: str) -> str:
        return f"{self.labels.get(name) or LABELS.get(name, name)}（{name}）"

    def fail(self, name: str, problem: str) -> BackupError:
        return BackupError(f"{self.where}: {self.label(name)}{problem}")

    def only(self, names: set[str]) -> None:
        unknown = sorted(set(self.data) - names)
        if unknown:
            raise BackupError(f"{self.where}: 知らない項目「{_show(unknown[0])}」があります。"
                              "このアプリの計画ファイルではないか、新しい版のファイルです。")

    def require(self, name: str) -> object:
        if name not in self.data:
            raise BackupError(f"{self.where}: {self.label(name)}がありません。")
        return self.data[name]

    def text(self, name: str, max_length: int, required: bool = False, lines: bool = False) -> str:
        """A string cleaned like typed text: one line (keys, letters, names) or, with `lines`,
        a note that keeps its line breaks."""
        return self._checked(name, rules.TextRule(name, name, max_length, lines=lines, required=required))

    def typed(self, name: str, rule_key: str) -> str:
        """A string a person typed, cleaned and checked by the field's rule (data/fields.toml)."""
        return self._checked(name, rules.rule(rule_key))

    def _checked(self, name: str, rule: rules.TextRule) -> str:
        value = self.require(name)
        if not isinstance(value, str):
            raise self.fail(name, f"が文字列ではありません（{_kind(value)}）。")
        value = rules.clean_text(value, rule.lines)
        if rule.required and not value:
            raise self.fail(name, "が空です。")
        if len(value) > rule.max:
            raise self.fail(name, f"が{len(value)}文字あります。{rule.max}文字以内にしてください。")
        return value

    def integer(self, name: str, low: int, high: int, optional: bool = False) -> int | None:
        value = self.require(name)
        if value is None and optional:
            return None
        if type(value) is not int:
            raise self.fail(name, f"「{_show(value)}」は数値（整数）ではありません。")
        if not low <= value <= high:
            raise self.fail(name, f" {value} は {low}〜{high} の範囲にありません。")
        return value

    def boolean(self, name: str) -> bool:
        value = self.require(name)
        if not isinstance(value, bool):
            raise self.fail(name, f"「{_show(value)}」は true か false ではありません。")
        return value

    def clock(self, name: str) -> time:
        value = self.require(name)
        if not isinstance(value, str) or not _HHMM.fullmatch(value):
            raise self.fail(name, f"「{_show(value)}」は時刻として読めません。00:00〜23:59 の HH:MM で書きます。")
        return time(int(value[:2]), int(value[3:]))

    def day(self, name: str, required: bool = False) -> date | None:
        value = self.require(name)
        if value is None and required:
            raise self.fail(name, "がありません（null）。")
        return self.parse_day(name, value)

    def parse_day(self, name: str, value: object) -> date | None:
        """A date value of the field `name` (or one item of its list); null is None."""
        if value is None:
            return None
        try:
            if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
                raise ValueError
            parsed = date.fromisoformat(value)
        except ValueError:
            raise self.fail(name, f"「{_show(value)}」は日付として読めません。YYYY-MM-DD で書きます。") from None
        try:
            return rules.check_date(parsed)
        except rules.FieldError:
            raise self.fail(name, f"「{value}」は {rules.DATE_MIN.year}〜{rules.DATE_MAX.year}年 の日付ではありません。") from None

    def items(self, name: str, limit: int) -> list:
        value = self.require(name)
        if not isinstance(value, list):
            raise self.fail(name, f"が一覧（JSON の配列）ではありません（{_kind(value)}）。")
        if len(value) > limit:
            raise self.fail(name, f"に{len(value)}件あります。{limit}件までです。")
        return value


def _kind(value: object) -> str:
    """The JSON type of a value, in Japanese."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "真偽値"
    if isinstance(value, (int, float)):
        return "数値"
    if isinstance(value, str):
        return "文字列"
    if isinstance(value, list):
        return "配列"
    return "オブジェクト"
