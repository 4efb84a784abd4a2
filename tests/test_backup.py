"""The plan as a JSON file: a round trip between databases, and bad files refused whole."""
from __future__ import annotations

import copy
import json
from datetime import date, time, timedelta

import pytest

from planner.domain.timeline import cycle_year_containing
from planner.models import (
    CarriedTodo,
    ChecklistTick,
    MemberCourse,
    MemberUnavailable,
    Milestone,
    Plan,
    Prefecture,
    RoleSlot,
    TeamMember,
    Training,
    TrainingSubject,
)
from planner.models.db import db
from planner.services import timeline as timeline_ops
from planner.services.backup.plan import MAX_BYTES, BackupError, dump_plan, export_plan, load_plan
from planner.services.plans import changes as plans
from planner.services.plans import holder_conflicts
from planner.services.team.files import MemberRow
from planner.services.team.roles import assign_slot, claim_slot
from planner.services.team.roster import save_member
from tests.conftest import _make_app
from tests.databases import fresh_database
from tests.demo_copy import flask_demo

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
    plan = plans.create_plan(prefecture, "令和8年度 伝達研修計画", 2025, dates=DATES,
                                  venue="みどり県総合福祉センター")
    db.session.commit()
    common, counselor, chief, _ = plan.trainings
    plans.update_training(common, end_time=time(18, 0), capacity=60, per_municipality=2)
    plans.add_local_subject(common, "県の取組紹介 <script>alert(1)</script>", 20,
                                 "山田 花子", "みどり県 地域福祉課")
    plans.set_minutes(counselor, _row(counselor, "A").id, 85)
    plans.set_separate_day(counselor, _row(counselor, "D").id, True)
    plans.update_training(chief, day_count=2, end_time=time(16, 0), lunch_minutes=60,
                               opening_title="開会", closing_minutes=15)
    return plan


def make_plan_with_team_and_timeline(prefecture: Prefecture) -> Plan:
    """The full plan, plus a team, claimed and locked roles, and a worked-on timeline."""
    plan = make_full_plan(prefecture)
    common, counselor, chief, job_support = plan.trainings
    sato, suzuki, _ = [save_member(plan, row) for row in (
        MemberRow(name="佐藤 一郎", municipality="あおば市", municipality_kind="designated_city",
                  email="sato@aoba.example.jp", courses={"common": 2024, "chief": None},
                  unavailable=[date(2026, 3, 11), date(2026, 1, 5)], notes="水曜の午後は不可"),
        MemberRow(name="鈴木 花子", municipality="やまなか町", municipality_kind="other",
                  email="suzuki@yamanaka.example.jp", courses={"counselor": 2025}),
        MemberRow(name="田中 次郎", municipality="みどり県", municipality_kind="prefecture",
                  email="tanaka@midori.example.jp"))]
    db.session.commit()
    claim_slot(_slot(common, "lecturer", "A"), sato)
    timekeeper = _slot(counselor, "timekeeper")
    assign_slot(timekeeper, suzuki)
    timekeeper.locked = True
    assign_slot(_slot(chief, "timekeeper", day_index=1), suzuki)
    _slot(job_support, "material_preparer", "B").locked = True  # locked with nobody
    db.session.commit()

    timeline_ops.generate_plan_timeline(plan, chief_after="late")
    launch = next(m for m in plan.milestones if m.kind == "launch")
    timeline_ops.move_milestone(plan, launch, date(2025, 11, 10))
    timeline_ops.set_done(launch, True)
    retrospective = next(m for m in plan.milestones if m.kind == "retrospective"
                         and m.training is common)
    timeline_ops.save_retrospective(retrospective, "顔の見える関係ができた。", "音響を事前に確かめる。")
    timeline_ops.tick(plan, "select_team", True)
    meeting_key = next(k for g in timeline_ops.checklist_groups(plan)[1:] for k, _ in g.items)
    timeline_ops.tick(plan, meeting_key, True)
    timeline_ops.tick(plan, meeting_key, False)  # ticked, then unticked: stored as not done
    plan.carried_todos.extend([CarriedTodo(text="【前期共通・変えること】資料は前週に配る", source_title="前年度の計画"),
                               CarriedTodo(text="会場を早めに押さえる", source_title="前年度の計画", done=True)])
    db.session.commit()
    return plan


def _slot(training: Training, kind: str, letter: str | None = None, day_index: int = 0) -> RoleSlot:
    return next(s for s in training.slots if s.kind == kind and s.day_index == day_index
                and (s.subject.letter if s.subject else None) == letter)


def _row(training: Training, letter: str) -> TrainingSubject:
    return next(r for r in training.subjects if r.letter == letter)


def counts() -> tuple[int, ...]:
    """Rows of every table a plan file fills, and the slots that have a holder or are locked."""
    rows = tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in (Plan, Training, TrainingSubject, TeamMember, MemberCourse,
                               MemberUnavailable, RoleSlot, Milestone, ChecklistTick, CarriedTodo))
    held = db.session.scalar(db.select(db.func.count()).select_from(RoleSlot)
                             .where(RoleSlot.holder_id.is_not(None) | RoleSlot.locked))
    return rows + (held,)


def test_round_trip_into_another_database_gives_the_same_file(app, second_app):
    with app.app_context():
        first = dump_plan(make_plan_with_team_and_timeline(make_prefecture()))

    with second_app.app_context():
        plan = load_plan(make_prefecture("あおぞら県"), first)
        db.session.commit()
        plan_id = plan.id
        db.session.expire_all()
        plan = db.session.get(Plan, plan_id)
        second = dump_plan(plan)
        # the rows themselves, not only the file: holders, locks, timeline, team
        common, counselor, chief, job_support = plan.trainings
        assert _slot(common, "lecturer", "A").holder.email == "sato@aoba.example.jp"
        assert _slot(counselor, "timekeeper").locked and _slot(counselor, "timekeeper").holder.name == "鈴木 花子"
        assert _slot(chief, "timekeeper", day_index=1).holder.email == "suzuki@yamanaka.example.jp"
        assert _slot(job_support, "material_preparer", "B").locked
        assert _slot(job_support, "material_preparer", "B").holder is None
        assert len(common.slots) > 1 and len(chief.slots) > 2  # every slot made, not only the held ones
        sato = plan.members[0]
        assert sato.graduate_of == {"common", "chief"}
        assert sato.unavailable_days == {date(2026, 3, 11), date(2026, 1, 5)}
        retrospective = next(m for m in plan.milestones if m.kind == "retrospective" and m.training is common)
        assert retrospective.is_done and retrospective.to_change == "音響を事前に確かめる。"
        assert plan.chief_after == "late"
        assert timeline_ops.ticks(plan)["select_team"] is True

    assert second == first
    data = json.loads(first)
    assert data["format"] == "dentatsu-planner/plan" and data["version"] == 3
    common = data["plan"]["trainings"][0]
    assert common["subjects"][-1]["local_name"] == "県の取組紹介 <script>alert(1)</script>"
    assert data["plan"]["trainings"][2]["day_count"] == 2
    assert "id" not in common and "prefecture" not in data["plan"]
    assert "_id" not in first and '"id"' not in first
    launch = data["plan"]["milestones"][0]
    assert launch["kind"] == "launch" and launch["start"] == "2025-11-10" and launch["done"] is True
    assert data["plan"]["carried_todos"][1] == {"text": "会場を早めに押さえる", "source_title": "前年度の計画",
                                                "done": True}


def test_export_of_team_roles_and_timeline(app):
    with app.app_context():
        plan = make_plan_with_team_and_timeline(make_prefecture())

        data = export_plan(plan)["plan"]

    assert data["chief_after"] == "late"
    assert data["members"][0] == {
        "name": "佐藤 一郎", "municipality": "あおば市", "municipality_kind": "designated_city",
        "email": "sato@aoba.example.jp", "notes": "水曜の午後は不可",
        "courses": [{"course": "common", "year": 2024}, {"course": "chief", "year": None}],
        "unavailable": ["2026-01-05", "2026-03-11"]}
    assert [m["email"] for m in data["members"]] == [
        "sato@aoba.example.jp", "suzuki@yamanaka.example.jp", "tanaka@midori.example.jp"]
    roles = [t["roles"] for t in data["trainings"]]
    assert roles[0] == [{"kind": "lecturer", "subject": 0, "day_index": 0,
                         "holder": "sato@aoba.example.jp", "locked": False}]
    assert roles[1] == [{"kind": "timekeeper", "subject": None, "day_index": 0,
                         "holder": "suzuki@yamanaka.example.jp", "locked": True}]
    assert roles[2] == [{"kind": "timekeeper", "subject": None, "day_index": 1,
                         "holder": "suzuki@yamanaka.example.jp", "locked": False}]
    assert roles[3] == [{"kind": "material_preparer", "subject": 1, "day_index": 0,
                         "holder": None, "locked": True}]
    kinds = [m["kind"] for m in data["milestones"]]
    assert "training" not in kinds and kinds[0] == "launch" and kinds.count("retrospective") == 4
    starts = [m["start"] for m in data["milestones"]]
    assert starts == sorted(starts)
    retrospective = next(m for m in data["milestones"] if m["kind"] == "retrospective" and m["training"] == 0)
    assert retrospective["went_well"] == "顔の見える関係ができた。"
    meeting = next(m for m in data["milestones"] if m["kind"] == "meeting")
    assert meeting["order"] == 1 and meeting["prepares"] and meeting["training"] is None
    assert {"key": "select_team", "done": True} in data["checklist_ticks"]
    assert any("@" in t["key"] and t["done"] is False for t in data["checklist_ticks"])


def test_export_has_no_ids_and_fixed_key_order(app):
    with app.app_context():
        plan = make_full_plan(make_prefecture())

        data = export_plan(plan)

    assert list(data) == ["format", "version", "plan"]
    assert set(data["plan"]) == {"title", "cycle_year", "chief_after", "members", "trainings",
                                 "milestones", "checklist_ticks", "carried_todos", "municipalities",
                                 "curricula_edition"}
    assert data["plan"]["curricula_edition"] == ""  # the bundled edition
    training = data["plan"]["trainings"][1]
    assert training["start_time"] == "09:00" and training["first_date"] == "2026-07-15"
    assert set(training["subjects"][0]) == {
        "position", "letter", "local_name", "local_minutes", "lecturer_name", "lecturer_org",
        "minutes_override", "separate_day", "option_keys", "programme", "supplements", "draft"}
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


def _plan(data: dict) -> dict:
    return data["plan"]


def _retrospective(data: dict) -> dict:
    return next(m for m in data["plan"]["milestones"] if m["kind"] == "retrospective")


def _add_role(training: int, **role):
    def change(data):
        data["plan"]["trainings"][training]["roles"].append(
            {"kind": "lecturer", "subject": 0, "day_index": 0, "holder": None, "locked": True} | role)
    return change


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
    # version 2: the team
    "member email malformed": (_edit(_set(("plan", "members", 2, "email"), "x")),
                               "メンバー3: メールアドレス「x」: 形式が正しくありません。「x」には「@」がありません"),
    "member email duplicate": (_edit(_set(("plan", "members", 1, "email"), "SATO@aoba.example.jp")),
                               "メンバー2: メールアドレス sato@aoba.example.jp はメンバー1と重複しています。"),
    "member name empty": (_edit(_set(("plan", "members", 0, "name"), " ")), "メンバー1: 氏名（name）が空です。"),
    "member notes too long": (_edit(_set(("plan", "members", 0, "notes"), "あ" * 501)),
                              "メンバー1: 備考（notes）が501文字あります。500文字以内にしてください。"),
    "municipality kind unknown": (_edit(_set(("plan", "members", 0, "municipality_kind"), "village")),
                                  "メンバー1: 自治体の種別（municipality_kind）「village」はありません。"),
    "course unknown": (_edit(_set(("plan", "members", 0, "courses", 1, "course"), "nursing")),
                       "メンバー1（sato@aoba.example.jp）の修了した国研修2: 国研修（course）「nursing」はありません。"),
    "course twice": (_edit(_set(("plan", "members", 0, "courses", 1, "course"), "common")),
                     "国研修（course）「common」が2回あります。"),
    "course year 1999": (_edit(_set(("plan", "members", 0, "courses", 0, "year"), 1999)),
                         "修了年（year） 1999 は 2000〜2100 の範囲にありません。"),
    "unavailable impossible": (_edit(_set(("plan", "members", 0, "unavailable", 0), "2026-02-30")),
                               "メンバー1（sato@aoba.example.jp）: 参加できない日（unavailable）「2026-02-30」は日付として読めません。"),
    "unavailable twice": (_edit(_set(("plan", "members", 0, "unavailable", 1), "2026-01-05")),
                          "参加できない日（unavailable）の 2026-01-05 が2回あります。"),
    "members missing in version 2": (_edit(lambda d: d["plan"].pop("members")),
                                     "計画: チームのメンバー（members）がありません。"),
    "chief_after unknown": (_edit(_set(("plan", "chief_after"), "middle")),
                            "計画: 主任相談支援員・後期の時期（chief_after）「middle」は common か late のどちらかです。"),
    # version 2: roles
    "holder not on roster": (_edit(_set(("plan", "trainings", 0, "roles", 0, "holder"), "a@b.jp")),
                             "研修1（前期共通プログラム）の役割1: 担当者 a@b.jp は名簿にいません。"),
    "role kind unknown": (_edit(_set(("plan", "trainings", 0, "roles", 0, "kind"), "moderator")),
                          "研修1（前期共通プログラム）の役割1: 種類（kind）「moderator」という役割はありません。"),
    "role subject out of range": (_edit(_set(("plan", "trainings", 0, "roles", 0, "subject"), 42)),
                                  "研修1（前期共通プログラム）の役割1: 科目（subject） 42 の科目はこの研修にありません"),
    "timekeeper with a subject": (_edit(_set(("plan", "trainings", 1, "roles", 0, "subject"), 0)),
                                  "研修2（相談支援員・後期研修プログラム）の役割1: 科目（subject）はタイムキーパー役には書きません"),
    "timekeeper beyond the days": (_edit(_set(("plan", "trainings", 1, "roles", 0, "day_index"), 1)),
                                   "日の番号（day_index） 1 はこの研修の日数（1日）を超えています"),
    "role on a separate day subject": (_edit(_add_role(1, subject=3)),
                                       "研修2（相談支援員・後期研修プログラム）の役割2: 科目Dの講師役はこの研修にありません。別日扱いの科目には"),
    "role on a local subject": (_edit(_add_role(0, subject=6)),
                                "研修1（前期共通プログラム）の役割2: 独自科目「県の取組紹介 <script>alert…」の講師役はこの研修にありません。"
                                "独自科目は外部の講師が担当するため"),
    "role twice": (_edit(_add_role(0, holder="tanaka@midori.example.jp")),
                   "研修1（前期共通プログラム）の役割2: 役割1と同じ役割です。"),
    "role locked not a boolean": (_edit(_set(("plan", "trainings", 0, "roles", 0, "locked"), "yes")),
                                  "確定（locked）「yes」は true か false ではありません。"),
    # version 2: the timeline
    "milestone kind training": (_edit(_set(("plan", "milestones", 0, "kind"), "training")),
                                "スケジュールの項目1: 種類（kind）「training」は書きません。"),
    "milestone kind unknown": (_edit(_set(("plan", "milestones", 0, "kind"), "party")),
                               "スケジュールの項目1: 種類（kind）「party」はありません。launch, meeting, retrospective のいずれかです。"),
    "milestone date bad": (_edit(_set(("plan", "milestones", 0, "start"), "2025-13-01")),
                           "スケジュールの項目1: 開始日（start）「2025-13-01」は日付として読めません。"),
    "milestone end null": (_edit(_set(("plan", "milestones", 0, "end"), None)),
                           "スケジュールの項目1: 終了日（end）がありません（null）。"),
    "milestone end before start": (_edit(_set(("plan", "milestones", 0, "end"), "2025-11-01")),
                                   "スケジュールの項目1: 終了日 2025-11-01 が開始日 2025-11-10 より前です。"),
    "milestone title too long": (_edit(_set(("plan", "milestones", 0, "title"), "あ" * 201)),
                                 "スケジュールの項目1: 名前（title）が201文字あります。200文字以内にしてください。"),
    "milestone prepares unknown": (_edit(_set(("plan", "milestones", 1, "prepares"), ["nursing"])),
                                   "スケジュールの項目2: 準備する研修（prepares）の「nursing」はカリキュラムではありません。"),
    "retrospective of a missing training": (_edit(lambda d: _retrospective(d).update(training=9)),
                                            "研修（training） 9 の研修はこの計画にありません"),
    "launch with a training": (_edit(_set(("plan", "milestones", 0, "training"), 0)),
                               "スケジュールの項目1: 研修（training）は振り返り・反省会にだけ書きます。"),
    "milestone twice": (_edit(lambda d: d["plan"]["milestones"].append(dict(d["plan"]["milestones"][0]))),
                        "と同じ項目です"),
    "tick twice": (_edit(lambda d: d["plan"]["checklist_ticks"].append({"key": "select_team", "done": False})),
                   "項目「select_team」はチェックリスト2と重複しています。"),
    "tick key too long": (_edit(_set(("plan", "checklist_ticks", 0, "key"), "k" * 81)),
                          "チェックリスト1: チェック項目（key）が81文字あります。80文字以内にしてください。"),
    "todo empty": (_edit(_set(("plan", "carried_todos", 0, "text"), "")), "引き継いだやること1: 内容（text）が空です。"),
    "todo done not a boolean": (_edit(_set(("plan", "carried_todos", 1, "done"), 1)),
                                "引き継いだやること2: 済み（done）「1」は true か false ではありません。"),
    "version 1 with a team": (_edit(_set(("version",), 1)), "計画: 知らない項目「carried_todos」があります。"),
}


@pytest.fixture(scope="module")
def good_export(tmp_path_factory) -> dict:
    """The full plan's export, built once for the bad files made from it (each test's own
    database still holds the same plan, imported from it)."""
    with fresh_database(tmp_path_factory.mktemp("good") / "good.sqlite") as url, _make_app(url) as application:
        with application.app_context():
            return export_plan(make_plan_with_team_and_timeline(make_prefecture()))


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_is_refused_whole_and_writes_nothing(app, good_export, name):
    make_bad, message = BAD_FILES[name]
    good = good_export
    with app.app_context():
        prefecture = make_prefecture()
        load_plan(prefecture, json.dumps(good, ensure_ascii=False))
        db.session.commit()
        before = counts()

        with pytest.raises(BackupError) as excinfo:
            load_plan(prefecture, make_bad(good))
        db.session.rollback()

        assert message in str(excinfo.value)
        assert counts() == before


def test_control_characters_are_dropped_as_every_way_in_drops_them(app):
    with app.app_context():
        prefecture = make_prefecture()
        data = export_plan(make_plan_with_team_and_timeline(prefecture))
        data["plan"]["trainings"][0]["venue"] = "会場\u0000\r\n2階"
        _retrospective(data).update(went_well="良い\u0007点\r\n次も")

        plan = load_plan(prefecture, json.dumps(data, ensure_ascii=False))

        assert plan.trainings[0].venue == "会場 2階"
        assert next(m for m in plan.milestones if m.kind == "retrospective").went_well == "良い点\n次も"


def as_version_2(data: dict) -> dict:
    """What version 2 wrote: no curricula edition, no survey, no change items, one option per
    subject (`option_key`, in the subject and each programme version)."""
    data = copy.deepcopy(data)
    data["version"] = 2
    del data["plan"]["curricula_edition"]
    for training in data["plan"]["trainings"]:
        del training["survey"]
        for subject in training["subjects"]:
            for holder in [subject, *subject.get("programme", [])]:
                if "option_keys" in holder:
                    keys = holder.pop("option_keys")
                    holder["option_key"] = keys[0] if keys else ""
    for milestone in data["plan"]["milestones"]:
        del milestone["changes"]
    return data


def _as_version_1(data: dict) -> dict:
    """What version 1 wrote: no team, roles, timeline, chief placement or participants."""
    data = as_version_2(data)
    data["version"] = 1
    for key in ("chief_after", "members", "milestones", "checklist_ticks", "carried_todos", "municipalities"):
        del data["plan"][key]
    for training in data["plan"]["trainings"]:
        del training["roles"], training["participants"], training["participation"]
    return data


def test_version_1_file_still_loads_with_empty_sections(app):
    with app.app_context():
        prefecture = make_prefecture()
        good = export_plan(make_plan_with_team_and_timeline(prefecture))
        old = json.dumps(_as_version_1(good), ensure_ascii=False)

        plan = load_plan(prefecture, old)
        db.session.commit()

        assert plan.chief_after == "common"
        assert plan.members == [] and plan.milestones == []
        assert plan.checklist_ticks == [] and plan.carried_todos == []
        # the slots are made as for a plan made in the app, all open
        assert all(t.slots for t in plan.trainings)
        assert not any(s.holder_id or s.locked for t in plan.trainings for s in t.slots)
        again = export_plan(plan)
        assert again["version"] == 3 and again["plan"]["members"] == []
        assert again["plan"]["trainings"] == [t | {"roles": [], "participants": []} for t in good["plan"]["trainings"]]


def test_the_demo_plans_survive_a_round_trip_into_another_prefecture(app, runner):
    """Each demo plan (this cycle's, and last cycle's with its survey loop) exported, imported
    into another prefecture, exported again: the same file, field for field."""
    flask_demo(runner.app)
    with app.app_context():
        demos = db.session.scalars(db.select(Plan).order_by(Plan.id)).all()
        elsewhere = make_prefecture("あおぞら県")
        files = []
        for demo in demos:
            first = export_plan(demo)
            copied = load_plan(elsewhere, json.dumps(first, ensure_ascii=False))
            db.session.commit()
            files.append((first, export_plan(copied)))
        again = load_plan(demos[0].prefecture, json.dumps(files[0][0], ensure_ascii=False))
        assert again.title == demos[0].title + "（取込）"  # the same prefecture marks the copy

    assert len(files) == 2
    for first, second in files:
        assert second == first
    current, last = (first for first, _ in files)
    assert current["plan"]["members"] and any(t["roles"] for t in current["plan"]["trainings"])
    assert current["plan"]["milestones"]
    # last cycle's plan carries its survey: questions, the groups' findings, the changes
    surveys = [t["survey"] for t in last["plan"]["trainings"]]
    assert any(s["questions"] for s in surveys) and any(s["findings"] for s in surveys)
    assert any(m["changes"] for m in last["plan"]["milestones"] if m["kind"] == "retrospective")


def test_kept_holder_conflicts_travel_and_unkept_ones_are_still_refused(app, runner):
    """The demo's timekeeper kept on a day they cannot come: the file says so, the copy
    records it again; the same holding without that record is refused, nothing written."""
    flask_demo(runner.app)
    with app.app_context():
        demo = db.session.scalar(db.select(Plan))
        data = export_plan(demo)
        kept = [role for t in data["plan"]["trainings"] for role in t["roles"] if role.get("kept")]
        assert kept and all("を参加できない日に登録しています" in reason for role in kept for reason in role["kept"])

        copied = load_plan(demo.prefecture, json.dumps(data, ensure_ascii=False))
        db.session.commit()
        assert len(holder_conflicts.kept_conflicts(copied.id)) == len(holder_conflicts.kept_conflicts(demo.id))
        plans_before = db.session.scalar(db.select(db.func.count()).select_from(Plan))

        for role in kept:
            del role["kept"]
        with pytest.raises(BackupError, match="を参加できない日に登録しています"):
            load_plan(demo.prefecture, json.dumps(data, ensure_ascii=False))
        db.session.rollback()
        for role in kept:
            role["kept"] = ["別の理由で残した重なり"]
        with pytest.raises(BackupError, match="を参加できない日に登録しています"):
            load_plan(demo.prefecture, json.dumps(data, ensure_ascii=False))
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count()).select_from(Plan)) == plans_before


def test_bytes_with_bom_are_read(app):
    with app.app_context():
        prefecture = make_prefecture()
        text = dump_plan(make_full_plan(prefecture))

        plan = load_plan(prefecture, ("\ufeff" + text).encode("utf-8"))

        assert len(plan.trainings) == 4


# --------------------------------------------------------------------------- command line

def test_plans_json_lists_the_demo_plan_with_fiscal_years(runner):
    flask_demo(runner.app)

    result = runner.invoke(args=["plans", "--json"])

    assert result.exit_code == 0, result.output
    year = cycle_year_containing(date.today())  # the demo is the cycle under way today
    # (and last cycle's plan, which carries the survey loop of a training already held)
    [plan] = [p for p in json.loads(result.output) if p["cycle_year"] == year]
    assert plan["prefecture"] == "みどり県"
    assert plan["cycle_year"] == year
    assert plan["fiscal_years"] == [year, year + 1]
    assert plan["fiscal_years_label"] == f"令和{year - 2018}〜{year - 2017}年度"
    # the demo's local training (地域の実情に応じた研修) is three weeks before the job-support one
    assert [t["curriculum"] for t in plan["trainings"]] == ["common", "chief", "counselor", "local", "job_support"]
    assert plan["trainings"][0]["title"] == "前期共通"
    assert plan["trainings"][3]["title"] == "ひきこもり支援の実践"
    assert plan["trainings"][0]["dates"][0].startswith(f"{year + 1}-")


def test_plans_text_lists_the_demo_plan(runner):
    flask_demo(runner.app)

    result = runner.invoke(args=["plans"])

    assert result.exit_code == 0, result.output
    assert "みどり県" in result.output
    year = cycle_year_containing(date.today())
    assert f"令和{year - 2018}〜{year - 2017}年度" in result.output and f"（{year}〜" not in result.output


def test_export_then_import_plan_by_command(app, runner, tmp_path):
    flask_demo(runner.app)
    path = tmp_path / "plan.json"
    with app.app_context():
        plan_id = db.session.scalar(db.select(Plan.id))
        before = counts()[0]

    exported = runner.invoke(args=["export-plan", str(plan_id), str(path)])
    imported = runner.invoke(args=["import-plan", "みどり県", str(path)])

    assert exported.exit_code == 0, exported.output
    assert imported.exit_code == 0, imported.output
    assert "（取込）" in imported.output
    with app.app_context():
        assert counts()[0] == before + 1


def test_import_plan_refuses_a_bad_file_with_a_message(app, runner, tmp_path):
    flask_demo(runner.app)
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


def test_handout_details_round_trip_and_older_files_without_them_still_load(app, runner):
    flask_demo(runner.app)
    with app.app_context():
        demo = db.session.scalar(db.select(Plan))
        data = export_plan(demo)
        first = data["plan"]["trainings"][0]
        assert (first["venue_address"], first["reception_time"]) == ("みどり市中央町1-2-3", "08:30")
        assert first["materials_deadline"] == (demo.trainings[0].first_date - timedelta(days=14)).isoformat()

        older = copy.deepcopy(data)
        for training in older["plan"]["trainings"]:
            for key in ("venue_address", "venue_access", "reception_time", "belongings",
                        "materials_deadline", "equipment"):
                del training[key]
        plan = load_plan(demo.prefecture, json.dumps(older, ensure_ascii=False))

        assert plan.trainings[0].venue_address == "" and plan.trainings[0].reception_time is None
        bad = copy.deepcopy(data)
        bad["plan"]["trainings"][0]["reception_time"] = "8時半"
        with pytest.raises(BackupError, match="受付開始"):
            load_plan(demo.prefecture, json.dumps(bad, ensure_ascii=False))
