"""The plan as a JSON file: a round trip between databases, and bad files refused whole."""
from __future__ import annotations

import copy
import json
from datetime import date, time

import pytest

from planner import operations
from planner.backup import MAX_BYTES, BackupError, dump_plan, export_plan, load_plan
from planner.db import db
from planner.models import Plan, Prefecture, Training, TrainingSubject
from tests.conftest import _make_app, fresh_database

DATES = {"common": date(2026, 2, 18), "counselor": date(2026, 7, 15),
         "chief": date(2026, 3, 11), "job_support": date(2026, 10, 21)}


@pytest.fixture
def second_database_url(tmp_path):
    """Another empty database, as on another server (SQLite file, or a PostgreSQL schema)."""
    with fresh_database(tmp_path / "second.sqlite") as url:
        yield url


@pytest.fixture
def second_app(second_database_url):
    with _make_app(second_database_url) as application:
        yield application


def make_prefecture(name: str = "みどり県") -> Prefecture:
    prefecture = Prefecture(name=name)
    db.session.add(prefecture)
    db.session.flush()
    return prefecture


def make_full_plan(prefecture: Prefecture) -> Plan:
    """A plan that uses every field: local subject, minutes fixed, a separate day, two days."""
    plan = operations.create_plan(prefecture, "令和8年度 伝達研修計画", 2025, dates=DATES,
                                  venue="みどり県総合福祉センター")
    db.session.commit()
    common, counselor, chief, _ = plan.trainings
    operations.update_training(common, end_time=time(18, 0), capacity=60, per_municipality=2)
    operations.add_local_subject(common, "県の取組紹介 <script>alert(1)</script>", 20,
                                 "山田 花子", "みどり県 地域福祉課")
    operations.set_minutes(counselor, _row(counselor, "A").id, 85)
    operations.set_separate_day(counselor, _row(counselor, "D").id, True)
    operations.update_training(chief, day_count=2, end_time=time(16, 0), lunch_minutes=60,
                               opening_title="開会", closing_minutes=15)
    return plan


def _row(training: Training, letter: str) -> TrainingSubject:
    return next(r for r in training.subjects if r.letter == letter)


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in (Plan, Training, TrainingSubject))


def test_round_trip_into_another_database_gives_the_same_file(app, second_app):
    with app.app_context():
        first = dump_plan(make_full_plan(make_prefecture()))

    with second_app.app_context():
        plan = load_plan(make_prefecture("あおぞら県"), first)
        db.session.commit()
        plan_id = plan.id
        db.session.expire_all()
        second = dump_plan(db.session.get(Plan, plan_id))

    assert second == first
    data = json.loads(first)
    assert data["format"] == "dentatsu-planner/plan" and data["version"] == 1
    common = data["plan"]["trainings"][0]
    assert common["subjects"][-1]["local_name"] == "県の取組紹介 <script>alert(1)</script>"
    assert data["plan"]["trainings"][2]["day_count"] == 2
    assert "id" not in common and "prefecture" not in data["plan"]


def test_export_has_no_ids_and_fixed_key_order(app):
    with app.app_context():
        plan = make_full_plan(make_prefecture())

        data = export_plan(plan)

    assert list(data) == ["format", "version", "plan"]
    assert set(data["plan"]) == {"title", "cycle_year", "trainings"}
    training = data["plan"]["trainings"][1]
    assert training["start_time"] == "09:00" and training["first_date"] == "2026-07-15"
    assert set(training["subjects"][0]) == {
        "position", "letter", "local_name", "local_minutes", "lecturer_name", "lecturer_org",
        "minutes_override", "separate_day"}
    assert training["subjects"][0]["minutes_override"] == 85
    assert training["subjects"][3]["separate_day"] is True


def test_same_title_in_the_prefecture_is_marked_imported(app):
    with app.app_context():
        prefecture = make_prefecture()
        text = dump_plan(make_full_plan(prefecture))

        again = load_plan(prefecture, text)
        third = load_plan(prefecture, text)
        elsewhere = load_plan(make_prefecture("あおぞら県"), text)

        assert again.title == "令和8年度 伝達研修計画（取込）"
        assert third.title == "令和8年度 伝達研修計画（取込2）"
        assert elsewhere.title == "令和8年度 伝達研修計画"


# --------------------------------------------------------------------------- bad files

def _edit(change):
    """A function that turns a good export into a bad file text."""
    def make(good: dict) -> str:
        data = copy.deepcopy(good)
        result = change(data)
        return result if isinstance(result, str) else json.dumps(data, ensure_ascii=False)
    return make


def _subject(data: dict, training: int, subject: int) -> dict:
    return data["plan"]["trainings"][training]["subjects"][subject]


def _set(path: tuple, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


BAD_FILES = {
    "not json": (lambda good: "これはJSONではありません", "JSON として読めません"),
    "truncated": (lambda good: json.dumps(good)[:-40], "途中で切れている可能性があります"),
    "another format": (_edit(_set(("format",), "something-else/plan")), "このアプリの計画ファイルではありません"),
    "not an object": (lambda good: "[1, 2, 3]", "このアプリの計画ファイルではありません"),
    "version 99": (_edit(_set(("version",), 99)), "版（99）には対応していません"),
    "version as text": (_edit(_set(("version",), "1")), "版（1）には対応していません"),
    "unknown curriculum": (_edit(_set(("plan", "trainings", 1, "curriculum_key"), "nursing")),
                           "研修2: カリキュラム「nursing」はありません"),
    "unknown letter": (_edit(_set(("plan", "trainings", 1, "subjects", 2, "letter"), "Z")),
                       "研修2（相談支援員・後期研修プログラム）の科目3: 科目記号「Z」は相談支援員・後期研修プログラムにありません"),
    "minutes abc": (_edit(_set(("plan", "trainings", 0, "subjects", 6, "local_minutes"), "abc")),
                    "研修1（前期共通プログラム）の科目7: 時間（local_minutes）「abc」は数値（整数）ではありません"),
    "minutes -5": (_edit(_set(("plan", "trainings", 1, "subjects", 0, "minutes_override"), -5)),
                   "研修2（相談支援員・後期研修プログラム）の科目1: 指定時間（minutes_override） -5 は 1〜600 の範囲にありません"),
    "minutes as float": (_edit(_set(("plan", "trainings", 1, "subjects", 0, "minutes_override"), 60.5)),
                         "指定時間（minutes_override）「60.5」は数値（整数）ではありません"),
    "time 25:00": (_edit(_set(("plan", "trainings", 2, "start_time"), "25:00")),
                   "研修3（主任相談支援員・後期研修プログラム）: 開始時刻（start_time）「25:00」は時刻として読めません"),
    "date not iso": (_edit(_set(("plan", "trainings", 0, "first_date"), "2026/02/18")),
                     "開催日（first_date）「2026/02/18」は日付として読めません"),
    "date impossible": (_edit(_set(("plan", "trainings", 0, "first_date"), "2026-02-30")),
                        "開催日（first_date）「2026-02-30」は日付として読めません"),
    "title of 500 chars": (_edit(_set(("plan", "title"), "あ" * 500)),
                           "計画: 計画名（title）が500文字あります。100文字以内にしてください"),
    "empty title": (_edit(_set(("plan", "title"), "  ")), "計画: 計画名（title）が空です"),
    "venue not text": (_edit(_set(("plan", "trainings", 0, "venue"), 12)), "会場（venue）が文字列ではありません（数値）"),
    "control character": (_edit(_set(("plan", "trainings", 0, "venue"), "会場\u0000")), "使えない制御文字"),
    "missing field": (_edit(lambda d: d["plan"]["trainings"][3].pop("lunch_minutes")),
                      "研修4（就労支援員・後期研修プログラム（たたき台））: 昼食の時間（lunch_minutes）がありません"),
    "missing plan": (_edit(lambda d: d.pop("plan")), "計画（plan）がありません"),
    "unknown field": (_edit(_set(("plan", "trainings", 0, "colour"), "red")), "知らない項目「colour」"),
    "day_count 6": (_edit(_set(("plan", "trainings", 0, "day_count"), 6)), "日数（day_count） 6 は 1〜5 の範囲にありません"),
    "end before start": (_edit(_set(("plan", "trainings", 0, "end_time"), "08:00")),
                         "研修1（前期共通プログラム）: 終了時刻 08:00 が開始時刻 09:00 より前"),
    "missing curriculum subject": (_edit(lambda d: d["plan"]["trainings"][1]["subjects"].pop(4)),
                                   "手引きの科目E「"),
    "letter twice": (_edit(_set(("plan", "trainings", 1, "subjects", 1, "letter"), "A")), "科目Aが2回あります"),
    "separate day not allowed": (_edit(_set(("plan", "trainings", 1, "subjects", 0, "separate_day"), True)),
                                 "科目Aは、手引きで別日に補う方法が示されていません"),
    "subjects not a list": (_edit(_set(("plan", "trainings", 0, "subjects"), {"A": 1})), "科目の一覧（subjects）が一覧"),
    "duplicate key": (lambda good: json.dumps(good)[:-1] + ', "version": 1}', "項目「version」が2回"),
    "NaN": (_edit(_set(("plan", "trainings", 0, "capacity"), float("nan"))), "数値でない値「NaN」"),
    "too large": (lambda good: json.dumps(good) + " " * MAX_BYTES, "ファイルが大きすぎます"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_is_refused_whole_and_writes_nothing(app, name):
    make_bad, message = BAD_FILES[name]
    with app.app_context():
        prefecture = make_prefecture()
        good = export_plan(make_full_plan(prefecture))
        before = counts()

        with pytest.raises(BackupError) as excinfo:
            load_plan(prefecture, make_bad(good))
        db.session.rollback()

        assert message in str(excinfo.value)
        assert counts() == before


def test_bytes_with_bom_are_read(app):
    with app.app_context():
        prefecture = make_prefecture()
        text = dump_plan(make_full_plan(prefecture))

        plan = load_plan(prefecture, ("\ufeff" + text).encode("utf-8"))

        assert len(plan.trainings) == 4


# --------------------------------------------------------------------------- command line

def test_plans_json_lists_the_demo_plan_with_fiscal_years(runner):
    runner.invoke(args=["demo"])

    result = runner.invoke(args=["plans", "--json"])

    assert result.exit_code == 0, result.output
    [plan] = json.loads(result.output)
    assert plan["prefecture"] == "みどり県"
    assert plan["cycle_year"] == 2025
    assert plan["fiscal_years"] == [2025, 2026]
    assert plan["fiscal_years_label"] == "令和7〜8年度（2025〜2026年度）"
    assert [t["curriculum"] for t in plan["trainings"]] == ["common", "counselor", "chief", "job_support"]
    assert plan["trainings"][0]["title"] == "前期共通"
    assert plan["trainings"][0]["dates"] == ["2026-02-18"]


def test_plans_text_lists_the_demo_plan(runner):
    runner.invoke(args=["demo"])

    result = runner.invoke(args=["plans"])

    assert result.exit_code == 0, result.output
    assert "みどり県" in result.output
    assert "令和7〜8年度（2025〜2026年度）" in result.output


def test_export_then_import_plan_by_command(app, runner, tmp_path):
    runner.invoke(args=["demo"])
    path = tmp_path / "plan.json"
    with app.app_context():
        plan_id = db.session.scalar(db.select(Plan.id))

    exported = runner.invoke(args=["export-plan", str(plan_id), str(path)])
    imported = runner.invoke(args=["import-plan", "みどり県", str(path)])

    assert exported.exit_code == 0, exported.output
    assert imported.exit_code == 0, imported.output
    assert "（取込）" in imported.output
    with app.app_context():
        assert counts()[0] == 2


def test_import_plan_refuses_a_bad_file_with_a_message(app, runner, tmp_path):
    runner.invoke(args=["demo"])
    path = tmp_path / "bad.json"
    path.write_text('{"format": "dentatsu-planner/plan", "version": 1, "plan": {"title"',
                    encoding="utf-8")
    with app.app_context():
        before = counts()

    result = runner.invoke(args=["import-plan", "みどり県", str(path)])

    assert result.exit_code == 2
    assert "取り込みませんでした: ファイルが JSON として読めません" in result.output
    with app.app_context():
        assert counts() == before


@pytest.mark.parametrize("args, message", [
    (["import-plan", "ない県", "plan.json"], "都道府県「ない県」はありません"),
    (["export-plan", "999", "plan.json"], "計画ID 999 の計画はありません"),
])
def test_plan_commands_refuse_unknown_names(runner, args, message):
    result = runner.invoke(args=args)

    assert result.exit_code == 2
    assert message in result.output
