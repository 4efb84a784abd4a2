"""A plan as a JSON file and back: the file's format and versions, and the orchestration of
writing and reading it; pure functions over the models, no HTTP inside.

The file carries no database ids and no prefecture, so it moves between servers and
prefectures. Reading checks everything first and writes only when the whole file is sound:
a damaged, foreign or oversized file is refused whole, with a Japanese message that names
where the problem is.

This module carries the plan's own fields (title, cycle, chief placement, curricula
edition) and calls the modules that carry the rest, each with one writer per section
(`_member_section`, `_training_section`, ...) and one reader (`_read_member`,
`_read_training`, ...), all reading through the checked field reader of
planner.services.backup.reader: team (members, courses, unavailable days), roles (held and
locked slots, kept conflicts), timeline (milestones, checklist ticks, carried to-dos),
trainings (trainings, subjects, programme, supplementary events), survey (questions,
findings, change items), participants and materials.

Version 2 added the planning team (members, and the role holders of each training), the
stored timeline (milestones, checklist ticks, carried to-dos) and the chief training's
placement; a version 1 file has none of these sections and loads with them empty. Version 3
added the plan's curricula edition (a version 1 or 2 file loads on the bundled edition, as
it always did), each training's survey questions and groups' findings, and each
retrospective's 「次に変えること」 items (planner.services.backup.survey; never the survey's
links, tokens or answers); they load empty from older files. References inside the file are
by content, never by database id: a role holder by the member's e-mail (unique in a plan), a
subject by its position in its training, a training by its position in the plan.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from planner.domain import fields as rules
from planner.domain.dates import format_date_wareki
from planner.domain.timeline import CHIEF_PLACEMENTS
from planner.models import (
    CarriedTodo,
    ChecklistTick,
    GroupFinding,
    MemberCourse,
    MemberUnavailable,
    Milestone,
    Plan,
    Prefecture,
    ProgrammeEntry,
    RoleSlot,
    TeamMember,
    Training,
)
from planner.models.db import db
from planner.services.backup import participants as participant_backup
from planner.services.backup import survey as survey_backup
from planner.services.backup.reader import BackupError, _Fields, _show
from planner.services.backup.roles import _restore_kept, _Role
from planner.services.backup.team import MAX_MEMBERS, _member_section, _read_member, _unique_emails
from planner.services.backup.timeline import (
    MAX_MILESTONES,
    MAX_TICKS,
    MAX_TODOS,
    MILESTONE_LABELS,
    _milestone_order,
    _milestone_section,
    _read_milestone,
    _read_tick,
    _read_todo,
    _unique_milestones,
    _unique_ticks,
)
from planner.services.backup.trainings import _read_training, _training_section, _unique_positions
from planner.services.errors import rolled_back_on
from planner.services.plans.editions import curriculum_for, is_loaded, plan_curricula
from planner.services.team.roles import holding_problems, sync_slots

FORMAT = "dentatsu-planner/plan"
VERSION = 3
#: versions this module reads; version 1 has no team, roles, timeline or chief_after;
#: version 2 no curricula edition (its plans are on the bundled one) and no survey
READABLE_VERSIONS = (1, 2, 3)
#: a plan's materials travel in the file (base64), so it may be far larger than its text
MAX_BYTES = 64 * 1024 * 1024
#: the row limits every way in shares (data/fields.toml)
MAX_TRAININGS = rules.limit("trainings")
IMPORTED_MARK = "（取込）"


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
            "curricula_edition": plan.curricula_edition,
            "members": [_member_section(m) for m in plan.members],
            "trainings": [_training_section(t) for t in plan.trainings],
            "milestones": [_milestone_section(m, positions)
                           for m in sorted(plan.milestones, key=lambda m: _milestone_order(m, positions))],
            "checklist_ticks": [{"key": t.key, "done": t.done}
                                for t in sorted(plan.checklist_ticks, key=lambda t: t.key)],
            "carried_todos": [{"text": t.text, "source_title": t.source_title, "done": t.done}
                              for t in plan.carried_todos],
            "municipalities": participant_backup.municipality_sections(plan)}


# --------------------------------------------------------------------------- reading


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
    #: the groups' findings of each training (they name their training by id only)
    findings: list[tuple[Training, GroupFinding]] = field(default_factory=list)


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
    read = _read_plan(_Fields(data["plan"], "計画"), data["version"])
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
    for training, finding in read.findings:
        finding.training_id = training.id
        db.session.add(finding)
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
    with rolled_back_on(BackupError):
        plan = load_plan(prefecture, text)
    before_commit(plan)
    db.session.commit()
    return plan


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
#: and version 3 (with each training's survey and each milestone's change items)
_PLAN_SECTIONS_V3 = ("curricula_edition",)


def _read_edition(fields: _Fields) -> str:
    """The curricula edition the plan was made on ("" for the bundled one). It is matched by
    name and must be loaded here too: the plan's subjects are then checked against that
    edition as this server has it. Nothing falls back to another edition, which could
    silently change the plan's timetables."""
    name = fields.text("curricula_edition", 40)
    if name and not is_loaded(name):
        raise fields.fail("curricula_edition", f"「{_show(name)}」がこのサーバーにありません。この計画はその版の"
                                               "カリキュラムで作られています。サーバーの管理者にその版を読み込んで"
                                               "もらってから、もう一度取り込んでください。")
    return name


def _read_plan(fields: _Fields, version: int) -> _Read:
    """The plan, its team, trainings and timeline, as new objects not yet in the session."""
    fields.only({"title", "cycle_year", "trainings"} | (set(_PLAN_SECTIONS_V2) if version >= 2 else set())
                | (set(_PLAN_SECTIONS_V3) if version >= 3 else set()))
    plan = Plan(title=fields.typed("title", "plan_title"),
                cycle_year=fields.integer("cycle_year", 2000, 2100), chief_after="common",
                curricula_edition=_read_edition(fields) if version >= 3 else "")
    curricula = plan_curricula(plan)
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
        training, roles = _read_training(_Fields(item, f"研修{i}"), curricula, version, emails, plan)
        trainings.append(training)
        read.roles.append((training, roles))
        if read.participants is not None and "participants" in item:
            read.participants.read_training(training, _Fields(item, f"研修{i}"), _Fields, emails)
        if version >= 3:
            where = f"研修{i}（{curriculum_for(training).title}）"
            read.findings += [(training, f) for f in survey_backup.read_survey(_Fields(item, where), training)]
    _unique_positions(fields.where, "研修", [t.position for t in trainings])
    plan.trainings = sorted(trainings, key=lambda t: t.position)
    if version >= 2:
        by_position = {t.position: t for t in trainings}
        raw = fields.items("milestones", MAX_MILESTONES)
        read.milestones = [_read_milestone(_Fields(item, f"スケジュールの項目{i}", MILESTONE_LABELS),
                                           curricula, by_position, plan, version)
                           for i, item in enumerate(raw, start=1)]
        _unique_milestones(read.milestones)
        raw = fields.items("checklist_ticks", MAX_TICKS)
        read.ticks = [_read_tick(_Fields(item, f"チェックリスト{i}")) for i, item in enumerate(raw, start=1)]
        _unique_ticks(read.ticks)
        raw = fields.items("carried_todos", MAX_TODOS)
        read.todos = [_read_todo(_Fields(item, f"引き継いだやること{i}")) for i, item in enumerate(raw, start=1)]
    return read


def _free_title(prefecture: Prefecture, title: str) -> str:
    """The title, marked （取込） (then （取込2）, ...) when the prefecture already has it."""
    taken = set(db.session.scalars(db.select(Plan.title).where(Plan.prefecture == prefecture)))
    candidate, n = title, 1
    while candidate in taken:
        mark = IMPORTED_MARK if n == 1 else f"（取込{n}）"
        candidate = title[:100 - len(mark)] + mark
        n += 1
    return candidate


