"""The stored timeline in the plan's JSON backup (planner.services.backup.plan): the
milestones (launch, planning meetings with their hours, place, agenda and minutes, and the
retrospectives with their notes), the checklist ticks and the to-dos carried from the
previous plan. Trainings are on the timeline by their own dates, so they are not milestones
here; a retrospective names its training by position.
"""
from __future__ import annotations

from curricula import Curriculum
from planner.domain import fields as rules
from planner.models import CarriedTodo, ChecklistTick, Milestone, Plan, Training
from planner.services.backup.reader import BackupError, _Fields, _hhmm, _show
from planner.services.backup.survey import change_sections, read_changes

MAX_MILESTONES = rules.limit("milestones")
MAX_TICKS = rules.limit("checklist_ticks")
MAX_TODOS = rules.limit("carried_todos")
#: the stored kinds of milestone; trainings are on the timeline by their own dates
MILESTONE_KINDS = ("launch", "meeting", "retrospective")
#: where a field name means something else than in LABELS
MILESTONE_LABELS = {"title": "名前"}


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
            "minutes": row.minutes, "changes": change_sections(row)}


def _read_milestone(fields: _Fields, curricula: dict[str, Curriculum],
                    trainings: dict[int, Training], plan: Plan, version: int = 2) -> Milestone:
    """A launch, meeting or retrospective with its dates, done mark and notes (and from version
    3, a retrospective's 「次に変えること」 items)."""
    fields.only({"kind", "title", "start", "end", "order", "prepares", "done", "went_well",
                 "to_change", "training", *MEETING_FIELDS} | ({"changes"} if version >= 3 else set()))
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
    if version >= 3:
        row.change_items = read_changes(fields, row, curricula)
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
