"""A plan as a JSON file and back: pure functions over the models, no HTTP inside.

The file carries no database ids and no prefecture, so it moves between servers and
prefectures. Reading checks everything first and writes only when the whole file is sound:
a damaged, foreign or oversized file is refused whole, with a Japanese message that names
where the problem is.

Each section has one writer (`_plan_section`, `_training_section`, ...) and one reader
(`_read_plan`, `_read_training`, ...); a later section (team members, role slots, milestones)
adds one pair of each, and its reader should treat a missing section as empty so that older
files still load.
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, time, timedelta

from curricula import Curriculum, load_curricula
from planner.db import db
from planner.models import Plan, Prefecture, Training, TrainingSubject
from planner.schedule import ScheduleInputError, validate
from planner.timetables import day_settings, subject_spec

FORMAT = "dentatsu-planner/plan"
VERSION = 1
MAX_BYTES = 2 * 1024 * 1024
MAX_TRAININGS = 50
MAX_SUBJECTS = 100
IMPORTED_MARK = "（取込）"

_HHMM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: the Japanese name of each field, for messages
LABELS = {
    "format": "形式", "version": "版", "plan": "計画",
    "title": "計画名", "cycle_year": "チーム立ち上げの年", "trainings": "研修の一覧",
    "curriculum_key": "カリキュラム", "position": "順番", "first_date": "開催日",
    "day_count": "日数", "venue": "会場", "capacity": "定員",
    "per_municipality": "1自治体あたりの受講者数", "start_time": "開始時刻",
    "end_time": "終了時刻", "lunch_minutes": "昼食の時間", "lunch_earliest": "昼食開始の最早",
    "lunch_latest": "昼食開始の最遅", "break_minutes": "休憩の時間",
    "opening_title": "開会の項目", "opening_minutes": "開会の時間",
    "closing_title": "閉会の項目", "closing_minutes": "閉会の時間", "subjects": "科目の一覧",
    "letter": "科目記号", "local_name": "独自科目名", "local_minutes": "時間",
    "lecturer_name": "講師の氏名", "lecturer_org": "講師の所属",
    "minutes_override": "指定時間", "separate_day": "別日扱い",
}


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
    """The plan's own fields and its trainings."""
    return {"title": plan.title, "cycle_year": plan.cycle_year,
            "trainings": [_training_section(t) for t in plan.trainings]}


def _training_section(training: Training) -> dict:
    """One training: curriculum, date, venue, day settings and its subjects."""
    return {
        "curriculum_key": training.curriculum_key, "position": training.position,
        "first_date": training.first_date.isoformat() if training.first_date else None,
        "day_count": training.day_count, "venue": training.venue,
        "capacity": training.capacity, "per_municipality": training.per_municipality,
        "start_time": _hhmm(training.start_time), "end_time": _hhmm(training.end_time),
        "lunch_minutes": training.lunch_minutes,
        "lunch_earliest": _hhmm(training.lunch_earliest),
        "lunch_latest": _hhmm(training.lunch_latest), "break_minutes": training.break_minutes,
        "opening_title": training.opening_title, "opening_minutes": training.opening_minutes,
        "closing_title": training.closing_title, "closing_minutes": training.closing_minutes,
        "subjects": [_subject_section(s) for s in training.subjects],
    }


def _subject_section(row: TrainingSubject) -> dict:
    """One timetable subject: a curriculum letter or a local subject, and its settings."""
    return {"position": row.position, "letter": row.letter, "local_name": row.local_name,
            "local_minutes": row.local_minutes, "lecturer_name": row.lecturer_name,
            "lecturer_org": row.lecturer_org, "minutes_override": row.minutes_override,
            "separate_day": row.separate_day}


def _hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


# --------------------------------------------------------------------------- reading

def load_plan(prefecture: Prefecture, text: str | bytes) -> Plan:
    """Check the whole file, then add the plan to the session (flushed, not committed)."""
    data = _parse(text)
    plan = _read_plan(_Fields(data["plan"], "計画"), load_curricula())
    plan.title = _free_title(prefecture, plan.title)
    plan.prefecture = prefecture
    db.session.add(plan)
    db.session.flush()
    return plan


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
                          parse_constant=_no_constant)
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
    if type(version) is not int or version != VERSION:
        raise BackupError(f"この計画ファイルの版（{_show(version)}）には対応していません。"
                          f"読み込めるのは版 {VERSION} です。")
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


def _no_constant(name: str):
    raise BackupError(f"ファイルに数値でない値「{name}」があります。")


def _read_plan(fields: _Fields, curricula: dict[str, Curriculum]) -> Plan:
    """The plan and its trainings, as new objects that are not yet in the session."""
    fields.only({"title", "cycle_year", "trainings"})
    plan = Plan(title=fields.text("title", 100, required=True),
                cycle_year=fields.integer("cycle_year", 2000, 2100))
    raw = fields.items("trainings", MAX_TRAININGS)
    trainings = [_read_training(_Fields(item, f"研修{i}"), curricula)
                 for i, item in enumerate(raw, start=1)]
    _unique_positions(fields.where, "研修", [t.position for t in trainings])
    plan.trainings = sorted(trainings, key=lambda t: t.position)
    return plan


def _read_training(fields: _Fields, curricula: dict[str, Curriculum]) -> Training:
    """One training, its day settings checked by the scheduler's own rules."""
    fields.only(set(_TRAINING_KEYS) | {"subjects"})
    key = fields.text("curriculum_key", 20, required=True)
    if key not in curricula:
        raise BackupError(f"{fields.where}: カリキュラム「{_show(key)}」はありません。"
                          f"{', '.join(curricula)} のいずれかです。")
    curriculum = curricula[key]
    fields.where = f"{fields.where}（{curriculum.title}）"
    training = Training(
        curriculum_key=key, position=fields.integer("position", 0, 999),
        first_date=fields.day("first_date"), day_count=fields.integer("day_count", 1, 5),
        venue=fields.text("venue", 200), capacity=fields.integer("capacity", 1, 2000, optional=True),
        per_municipality=fields.integer("per_municipality", 1, 20),
        start_time=fields.clock("start_time"), end_time=fields.clock("end_time"),
        lunch_minutes=fields.integer("lunch_minutes", 0, 180),
        lunch_earliest=fields.clock("lunch_earliest"), lunch_latest=fields.clock("lunch_latest"),
        break_minutes=fields.integer("break_minutes", 5, 60),
        opening_title=fields.text("opening_title", 100),
        opening_minutes=fields.integer("opening_minutes", 0, 120),
        closing_title=fields.text("closing_title", 100),
        closing_minutes=fields.integer("closing_minutes", 0, 120), revision=1)
    raw = fields.items("subjects", MAX_SUBJECTS)
    subjects = [_read_subject(_Fields(item, f"{fields.where}の科目{j}"),
                              curriculum) for j, item in enumerate(raw, start=1)]
    _unique_positions(fields.where, "科目", [s.position for s in subjects])
    _all_letters_once(fields.where, curriculum, [s.letter for s in subjects if s.letter])
    training.subjects = sorted(subjects, key=lambda s: s.position)
    _check_days(fields.where, training)
    return training


_TRAINING_KEYS = ("curriculum_key", "position", "first_date", "day_count", "venue", "capacity",
                  "per_municipality", "start_time", "end_time", "lunch_minutes", "lunch_earliest",
                  "lunch_latest", "break_minutes", "opening_title", "opening_minutes",
                  "closing_title", "closing_minutes")


def _read_subject(fields: _Fields, curriculum: Curriculum) -> TrainingSubject:
    """One subject: a letter of the training's curriculum, or a local subject with its minutes."""
    fields.only({"position", "letter", "local_name", "local_minutes", "lecturer_name",
                 "lecturer_org", "minutes_override", "separate_day"})
    row = TrainingSubject(
        position=fields.integer("position", 0, 999), letter=fields.text("letter", 4),
        local_name=fields.text("local_name", 200),
        local_minutes=fields.integer("local_minutes", 1, 600, optional=True),
        lecturer_name=fields.text("lecturer_name", 100), lecturer_org=fields.text("lecturer_org", 200),
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
    else:
        if not row.local_name:
            raise BackupError(f"{fields.where}: 科目記号も独自科目名もありません。")
        if row.local_minutes is None:
            raise BackupError(f"{fields.where}: 独自科目「{row.local_name}」の時間がありません。")
        if row.separate_day:
            raise BackupError(f"{fields.where}: 独自科目は別日扱いにできません。")
    return row


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
    if training.first_date and training.first_date + timedelta(days=training.day_count - 1) > date(2100, 12, 31):
        raise BackupError(f"{where}: 開催日が遠すぎます。")
    specs = [subject_spec(training, row) for row in training.subjects if not row.separate_day]
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

    def __init__(self, data: object, where: str):
        self.where = where
        if not isinstance(data, dict):
            raise BackupError(f"{where}: 項目の集まり（JSON のオブジェクト）であるべきところが{_kind(data)}です。")
        self.data = data

    def label(self, name: str) -> str:
        return f"{LABELS.get(name, name)}（{name}）"

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

    def text(self, name: str, max_length: int, required: bool = False) -> str:
        value = self.require(name)
        if not isinstance(value, str):
            raise self.fail(name, f"が文字列ではありません（{_kind(value)}）。")
        value = value.strip()
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
            raise self.fail(name, "に使えない制御文字が入っています。")
        if required and not value:
            raise self.fail(name, "が空です。")
        if len(value) > max_length:
            raise self.fail(name, f"が{len(value)}文字あります。{max_length}文字以内にしてください。")
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

    def day(self, name: str) -> date | None:
        value = self.require(name)
        if value is None:
            return None
        try:
            if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
                raise ValueError
            parsed = date.fromisoformat(value)
        except ValueError:
            raise self.fail(name, f"「{_show(value)}」は日付として読めません。YYYY-MM-DD で書きます。") from None
        if not 2000 <= parsed.year <= 2100:
            raise self.fail(name, f"「{value}」は 2000〜2100年 の日付ではありません。")
        return parsed

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
