"""The command line: curricula, schedule, and bad input refused with a Japanese message."""
import json

import pytest

from planner.models import Plan, Prefecture
from planner.models.db import db


def test_curricula_json_lists_the_four_in_order(runner):
    result = runner.invoke(args=["curricula", "--json"])

    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [c["key"] for c in data] == ["common", "counselor", "chief", "job_support"]
    assert [s["letter"] for s in data[0]["subjects"]] == list("ABCDEF")


def test_curricula_text_marks_the_draft(runner):
    result = runner.invoke(args=["curricula"])

    assert result.exit_code == 0
    assert "前期共通プログラム" in result.output
    assert "たたき台" in result.output


def test_schedule_json_gives_items_total_and_warnings(runner):
    result = runner.invoke(args=["schedule", "counselor", "--date", "2026-07-15", "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    sessions = [i for i in data["items"] if i["kind"] == "session"]
    assert [i["letter"] for i in sessions if i["part"] == 1] == list("ABCDE")
    assert data["total_subject_minutes"] == sum(i["minutes"] for i in sessions)
    assert data["days"][0]["date"] == "2026-07-15"
    assert set(data["items"][0]) >= {"kind", "letter", "title", "start", "end", "minutes"}
    # flat and in time order: each session, break and lunch is its own item
    assert [i["start"] for i in data["items"]] == sorted(i["start"] for i in data["items"])
    assert all(a["end"] == b["start"] for a, b in zip(data["items"], data["items"][1:]))
    assert {i["kind"] for i in data["items"]} == {"opening", "session", "break", "lunch", "closing"}
    e = [i for i in sessions if i["letter"] == "E"]
    assert [i["title"] for i in e][0] == "セッション① 包括的な相談受付の場面"
    assert {i["subject"] for i in e} == {"相談支援の展開"}
    assert isinstance(data["warnings"], list)


def test_schedule_two_days(runner):
    result = runner.invoke(args=["schedule", "common", "--date", "2026-02-18", "--days", "2",
                                 "--end", "16:00", "--json"])

    assert result.exit_code == 0, result.output
    assert [d["date"] for d in json.loads(result.output)["days"]] == ["2026-02-18", "2026-02-19"]


def test_infeasible_schedule_exits_non_zero_with_reason(runner):
    result = runner.invoke(args=["schedule", "common", "--end", "16:00"])

    assert result.exit_code == 1
    assert "最低でも495分必要ですが、使える時間は420分です" in result.output
    assert "2日間に分けて開催する" in result.output


@pytest.mark.parametrize("args, message", [
    (["schedule", "nursing"], "カリキュラム「nursing」はありません"),
    (["schedule", "common", "--start", "17:00", "--end", "09:00"], "終了時刻 09:00 が開始時刻 17:00 より前"),
    (["schedule", "common", "--start", "25:00"], "開始時刻「25:00」は時刻として読めません"),
    (["schedule", "common", "--lunch", "-30"], "昼食の時間 -30分"),
    (["schedule", "common", "--break", "9999"], "休憩の時間 9999分"),
    (["schedule", "common", "--date", "2026-02-30"], "開催日「2026-02-30」は日付として読めません"),
    (["schedule", "common", "--days", "0"], "日数 0 は 1〜5 日"),
    (["schedule", "common", "--local", ":45"], "独自科目「:45」に名前がありません"),
    (["schedule", "common", "--local", "権利擁護:abc"], "独自科目「権利擁護」の時間「abc」は分の数で"),
    (["schedule", "common", "--local", "権利擁護:9999"], "「権利擁護」の最短時間 9999分 は 1〜600分"),
])
def test_bad_input_exits_non_zero_with_japanese_message_and_writes_nothing(app, runner, args, message):
    result = runner.invoke(args=args)

    assert result.exit_code == 2
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Plan.id))) == 0
        assert db.session.scalar(db.select(db.func.count(Prefecture.id))) == 0


def test_demo_loads_once_and_prints_logins(app, runner):
    first = runner.invoke(args=["demo"])
    with app.app_context():
        plans = db.session.scalar(db.select(db.func.count(Plan.id)))
    second = runner.invoke(args=["demo"])

    assert first.exit_code == 0 and second.exit_code == 0
    assert "tanaka@midori.example.jp" in first.output
    with app.app_context():
        # this cycle's plan and last cycle's (the survey loop of a training already held)
        assert plans == 2 and db.session.scalar(db.select(db.func.count(Plan.id))) == plans


def test_the_demo_has_a_two_day_training_on_days_apart_a_day_two_role_and_two_options(app, runner):
    from planner.services.team.roles import slot_day, slot_label

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        plan = db.session.scalar(db.select(Plan).order_by(Plan.cycle_year.desc()))
        counselor = next(t for t in plan.trainings if t.curriculum_key == "counselor")
        days = counselor.days
        held = [s for s in counselor.slots if s.holder_id is not None and slot_day(s) == 2
                and s.kind != "material_preparer"]
        labels = [slot_label(s) for s in held]
        two_options = [(t.curriculum_key, r.letter, r.chosen_keys) for t in plan.trainings for r in t.subjects
                       if len(r.chosen_keys) >= 2]

    assert len(days) == 2 and (days[1] - days[0]).days > 1  # not the next day
    assert held and all(f"2日目（{days[1].month}月{days[1].day}日）" in label for label in labels)
    assert two_options == [("counselor", "D", ("dialogue", "three_stages"))]


def test_schedule_with_a_local_subject_and_its_lecturer(runner):
    result = runner.invoke(args=["schedule", "chief", "--local", "ホームレス支援:45:小林 一郎", "--json"])

    assert result.exit_code == 0, result.output
    last = [i for i in json.loads(result.output)["items"] if i["kind"] == "session"][-1]
    assert (last["title"], last["minutes"], last["local"], last["lecturer"]) == ("ホームレス支援", 45, True, "小林 一郎")


def test_schedule_counselor_over_two_days_is_balanced(runner):
    result = runner.invoke(args=["schedule", "counselor", "--days", "2", "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    letters = [[i["letter"] for i in day["items"] if i["kind"] == "session" and i["part"] == 1]
               for day in data["days"]]
    assert letters == [["A", "B", "C"], ["D", "E"]]
    loads = [sum(i["minutes"] for i in day["items"] if i["kind"] == "session") for day in data["days"]]
    assert abs(loads[0] - loads[1]) <= 60
    assert "最も均等な分け方" in data["split_note"]
    text = runner.invoke(args=["schedule", "counselor", "--days", "2"]).output
    assert "最も均等な分け方" in text and "セッション① 包括的な相談受付の場面" in text


def test_schedule_longest_block_option(runner):
    short = json.loads(runner.invoke(args=["schedule", "counselor", "--longest-block", "60", "--json"]).output)
    long = json.loads(runner.invoke(args=["schedule", "counselor", "--longest-block", "180", "--json"]).output)
    bad = runner.invoke(args=["schedule", "counselor", "--longest-block", "5"])

    def inner_breaks(data):
        items = data["items"]
        return sum(1 for a, b in zip(items, items[1:]) if a["kind"] == "break" and b.get("part", 1) > 1)

    assert inner_breaks(short) > inner_breaks(long) == 0
    assert bad.exit_code != 0 and "休憩なしで続ける上限の時間 5分 は 30〜480分" in bad.output
