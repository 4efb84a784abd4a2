"""The checked reader of a plan file's JSON objects (`_Fields`), the file's error (`BackupError`)
and the Japanese labels its messages use: shared by every part of the backup, so that each
message names the place and the field the same way.

Each reading function takes a `_Fields` over one JSON object; its typed reads (text through
the field rules of data/fields.toml, integers in a range, booleans, HH:MM times, ISO dates,
lists with a limit) fail with a BackupError that says where.
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, time

from planner.domain import fields as rules

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
    "option_key": "選んだ選択肢", "option_keys": "選んだ選択肢", "programme": "チームのプログラム", "emphasis": "特に伝えたい内容",
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
    "coordinator_name": "コーディネーターの氏名", "coordinator_org": "コーディネーターの所属・役職",
    "symposists": "シンポジスト", "affiliation": "所属・役職", "topic": "報告テーマ",
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
    "curricula_edition": "カリキュラムの版", "survey": "アンケート", "changes": "次に変えること（項目）",
}


class BackupError(ValueError):
    """A plan file that cannot be read; the message is Japanese and says where."""


def _hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


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
