"""A local training (地域の実情に応じた研修): the source's 「地域の実情に応じた専門的な研修」 as a
fifth training of a plan, built from local subjects with the same scheduler, roles and outputs."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest
from docx import Document

from curricula import LOCAL_KEY, local_kind
from exports.handouts import agenda, timeline_rows, training_handouts
from exports.ical import training_events
from planner.models import Plan, RoleSlot, Training
from planner.models.db import db
from planner.services.backup.plan import BackupError, dump_plan, load_plan
from planner.services.errors import ChangeRefused
from planner.services.plans import changes as plans
from planner.services.plans.local import LocalSubjectInput, add_local_training
from planner.services.plans.timetables import timetable_of
from planner.services.team.files import MemberRow
from planner.services.team.roles import claim_slot, slot_label
from planner.services.team.roster import save_member
from planner.services.timeline import timeline_rows as stored_timeline_rows
from tests.factories import OITA_OFFICIAL, login, make_oita, make_plan, make_prefecture

TITLE = "ひきこもり支援の実践"
OUTSIDE = LocalSubjectInput("ひきこもり状態にある人と家族の理解", 150, "山口 さとみ", "みどり県ひきこもり地域支援センター")
CASES = LocalSubjectInput("事例検討：家族からの相談に始まる支援", 150, team_lecturer=True, uses_cases=True)
#: words that would say the content is the national programme's
SOURCE_WORDS = ("手引き", "国研修", "講義と演習", "【講義")


def _local(plan: Plan, second: date | None = None, subjects=None) -> Training:
    return add_local_training(plan, TITLE, "家族への支援を地域の社会資源とつなげて考える。",
                              date(2026, 9, 9), second, subjects or [OUTSIDE, CASES])


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def test_the_kind_is_data_and_says_it_is_no_curriculum_of_the_source():
    kind = local_kind()
    assert kind.title == "地域の実情に応じた研修"
    assert kind.max_days == 2
    assert "地域の実情に応じた専門的な研修" in kind.source


def test_added_scheduled_with_lunch_and_roles_like_the_others(app):
    with app.app_context():
        plan = make_plan(make_prefecture())
        before = len(plan.trainings)
        training = _local(plan)
        assert training.curriculum_key == LOCAL_KEY and training.is_local
        assert len(plan.trainings) == before + 1
        timetable = timetable_of(training)
        assert timetable.feasible
        kinds = [item.kind for item in timetable.days[0].items]
        assert "lunch" in kinds and kinds[0] == "opening" and kinds[-1] == "closing"
        titles = [item.title for item in timetable.days[0].subjects]
        assert titles == [OUTSIDE.name, CASES.name]
        # no 「7～8時間程度」 guide of the source for a training the source gives no table for
        assert not [w for w in timetable.warnings if "手引き" in w]
        slots = {(s.kind, s.subject.local_name if s.subject else None) for s in training.slots}
        assert slots == {("timekeeper", None), ("material_preparer", OUTSIDE.name),
                         ("material_preparer", CASES.name), ("lecturer", CASES.name),
                         ("case_reporter", CASES.name)}
        # the outside lecturer's subject has no lecturer role; the team's has
        lecturer = next(s for s in training.slots if s.kind == "lecturer")
        assert slot_label(lecturer) == f"{TITLE} {CASES.name} 講師役"
        member = save_member(plan, MemberRow(name="佐藤 健一", municipality="あおば市",
                                             municipality_kind="designated_city", email="sato@aoba.example.jp",
                                             courses={}, unavailable=[]))
        db.session.commit()
        claim_slot(lecturer, member)
        assert db.session.get(RoleSlot, lecturer.id).holder_id == member.id


def test_two_days_not_consecutive(app):
    with app.app_context():
        plan = make_plan(make_prefecture())
        short = [LocalSubjectInput("午前の講義", 90, "山口 さとみ"), LocalSubjectInput("演習", 90, team_lecturer=True)]
        training = _local(plan, second=date(2026, 9, 16), subjects=short)
        assert training.days == [date(2026, 9, 9), date(2026, 9, 16)]
        timetable = timetable_of(training)
        assert timetable.feasible and len(timetable.days) == 2
        assert {s.day_index for s in training.slots if s.kind == "timekeeper"} == {0, 1}


@pytest.mark.parametrize(("title", "first", "second", "subject", "message"), [
    ("", date(2026, 9, 9), None, OUTSIDE, "研修名: 入力してください。"),
    ("あ" * 101, date(2026, 9, 9), None, OUTSIDE, "研修名: 100文字以内"),
    (TITLE, date(2026, 9, 9), date(2026, 9, 9), OUTSIDE, "2日目: 1日目より後の日にしてください。"),
    (TITLE, None, date(2026, 9, 9), OUTSIDE, "2日目: 1日目の開催日を入れてください。"),
    (TITLE, date(2026, 9, 9), None, LocalSubjectInput("", 60), "独自科目名: 入力してください。"),
    (TITLE, date(2026, 9, 9), None, LocalSubjectInput("講義", 5), "時間（分）: 10〜600分"),
    (TITLE, date(2026, 9, 9), None, LocalSubjectInput("講義", 60, "山口", team_lecturer=True), "外部講師の氏名・所属を空に"),
    # the day cannot be built: refused with the scheduler's reasons, nothing written
    (TITLE, date(2026, 9, 9), None, LocalSubjectInput("長い講義", 600), "時間割が組めない"),
])
def test_bad_input_is_refused_whole(app, title, first, second, subject, message):
    with app.app_context():
        plan = make_plan(make_prefecture())
        count = db.session.query(Training).count()
        with pytest.raises(ChangeRefused) as refused:
            add_local_training(plan, title, "", first, second, [subject])
        assert any(message in m for m in refused.value.messages), refused.value.messages
        db.session.rollback()
        assert db.session.query(Training).count() == count


def test_last_subject_cannot_go_and_team_roles_only_in_a_local_training(app):
    with app.app_context():
        plan = make_plan(make_prefecture())
        training = add_local_training(plan, TITLE, "", None, None, [LocalSubjectInput("講義", 90)])
        with pytest.raises(ChangeRefused, match="科目が1つ以上必要"):
            plans.remove_local_subject(training, training.subjects[0].id)
        common = next(t for t in plan.trainings if t.curriculum_key == "common")
        with pytest.raises(ChangeRefused, match="地域の実情に応じた研修の科目だけ"):
            plans.add_local_subject(common, "権利擁護", 45, team_lecturer=True)


def test_outputs_name_it_and_never_call_it_the_source(app):
    with app.app_context():
        plan = make_plan(make_prefecture())
        training = _local(plan)
        text = _docx_text(agenda(training, today=date(2026, 8, 1)))
        assert f"{TITLE}（地域の実情に応じた研修）　研修次第" in text
        assert OUTSIDE.name in text and CASES.name in text and "山口 さとみ" in text
        assert "ねらい" in text and "家族への支援を地域の社会資源とつなげて考える。" in text
        assert not [w for w in SOURCE_WORDS if w in text], text
        names = [name for name, _ in training_handouts(training)]
        assert f"研修次第_{TITLE}.docx" in names
        for name, data in training_handouts(training):
            if name.startswith(("講師用資料", "研修次第")):
                body = _docx_text(data)
                assert not [w for w in SOURCE_WORDS if w in body], (name, body)
        events = training_events(training, "example.test")
        assert [e.summary for e in events if OUTSIDE.name in e.summary] == [f"{TITLE} {OUTSIDE.name}"]
        assert not [e for e in events if any(w in e.description for w in SOURCE_WORDS)]
        # the year's timeline: proposed (no stored milestones) and stored alike
        assert [r.title for r in timeline_rows(plan) if TITLE in r.title] == [f"{TITLE}（地域の実情に応じた研修）"]
        assert [r.step.title for r in stored_timeline_rows(plan) if r.is_training and r.item is training] == [
            f"{TITLE}（地域の実情に応じた研修）"]


def test_backup_round_trip_keeps_title_aim_subjects_and_roles(app):
    with app.app_context():
        plan = make_plan(make_prefecture())
        short = [OUTSIDE, LocalSubjectInput("演習", 90, team_lecturer=True, uses_cases=True)]
        training = _local(plan, second=date(2026, 9, 16), subjects=[*short, CASES, LocalSubjectInput("まとめ", 90)])
        member = save_member(plan, MemberRow(name="佐藤 健一", municipality="あおば市",
                                             municipality_kind="designated_city", email="sato@aoba.example.jp",
                                             courses={}, unavailable=[]))
        db.session.commit()
        claim_slot(next(s for s in training.slots if s.kind == "case_reporter" and s.subject.local_name == "演習"),
                   member)
        first = dump_plan(plan)
        copy = load_plan(make_prefecture("あおぞら県"), first)
        local = next(t for t in copy.trainings if t.is_local)
        assert (local.local_title, local.aim, local.days) == (TITLE, training.aim, training.days)
        assert [(s.local_name, s.team_lecturer, s.uses_cases, s.lecturer_name) for s in local.subjects] == [
            (OUTSIDE.name, False, False, "山口 さとみ"), ("演習", True, True, ""), (CASES.name, True, True, ""),
            ("まとめ", False, False, "")]
        holder = next(s for s in local.slots if s.kind == "case_reporter").holder
        assert holder is not None and holder.email == "sato@aoba.example.jp"
        assert dump_plan(copy) == first  # the file it writes again is the same


def test_backup_refuses_a_local_training_without_title_or_with_team_roles_elsewhere(app):
    with app.app_context():
        plan = make_plan(make_prefecture())
        _local(plan)
        data = json.loads(dump_plan(plan))
        trainings = data["plan"]["trainings"]
        local = next(t for t in trainings if t["curriculum_key"] == LOCAL_KEY)
        local["local_title"] = ""
        with pytest.raises(BackupError, match="local_title"):
            load_plan(make_prefecture("あおぞら県"), json.dumps(data, ensure_ascii=False))
        db.session.rollback()
        local["local_title"] = TITLE
        common = next(t for t in trainings if t["curriculum_key"] == "common")
        common["subjects"][0]["uses_cases"] = True
        with pytest.raises(BackupError, match="uses_cases"):
            load_plan(make_prefecture("そよかぜ県"), json.dumps(data, ensure_ascii=False))


def test_web_add_form_refuses_bad_input_in_japanese_and_adds_a_good_one(app, client):
    with app.app_context():
        world = make_oita()
    login(client, OITA_OFFICIAL)
    url = f"/trainings/local/new/{world.plan}"
    page = client.get(url)
    assert page.status_code == 200 and "地域の実情に応じた研修を追加" in page.text
    good = {"title": TITLE, "aim": "家族への支援", "first_date": "令和8年9月9日", "second_date": "",
            "name": OUTSIDE.name, "minutes": "150", "lecturer_name": "山口 さとみ", "lecturer_org": "",
            "name2": "地域の社会資源", "minutes2": "120", "lecturer_org2": "みどり市社会福祉協議会"}
    for change, message in [({"title": ""}, "入力してください。"),
                            ({"minutes": "abc"}, "半角数字で入力してください。"),
                            ({"first_date": "9月99日"}, "日付"),
                            ({"second_date": "令和8年9月1日"}, "1日目より後の日にしてください。"),
                            ({"lecturer_name": "山口", "team_lecturer": "y"}, "外部講師の氏名・所属を空に"),
                            ({"minutes2": "", "name2": "", "lecturer_org2": ""}, "時間割が組めない"),
                            ({"minutes2": "", "lecturer_org2": ""}, "科目2の時間（分）: 10〜600分")]:
        answer = client.post(url, data=good | change)
        assert answer.status_code == 422, change
        assert message in answer.text, (change, answer.text[:3000])
    with app.app_context():
        assert not db.session.query(Training).filter_by(curriculum_key=LOCAL_KEY).count()
    answer = client.post(url, data=good | {"team_lecturer": ""})
    assert answer.status_code == 302
    with app.app_context():
        training = db.session.query(Training).filter_by(curriculum_key=LOCAL_KEY).one()
        tid = training.id
    page = client.get(f"/trainings/{tid}")
    assert page.status_code == 200
    assert f"{TITLE}（地域の実情に応じた研修）" in page.text and OUTSIDE.name in page.text
    for heading in ("手引きの指示", "手引きの目安", "国研修の講義", "チームのプログラム（科目ごと）"):
        assert heading not in page.text
    # a subject the team teaches, with cases, from the timetable page
    answer = client.post(f"/trainings/{tid}/subjects", data={"name": CASES.name, "minutes": "60",
                                                             "team_lecturer": "y", "uses_cases": "y"})
    assert answer.status_code == 302
    with app.app_context():
        kinds = sorted(s.kind for s in db.session.get(Training, tid).slots)
    assert kinds == ["case_reporter", "lecturer", "material_preparer", "material_preparer",
                     "material_preparer", "timekeeper"]
    plan_page = client.get(f"/plans/{world.plan}")
    assert TITLE in plan_page.text
    roles = client.get(f"/plans/{world.plan}/roles")
    assert roles.status_code == 200 and f"{CASES.name}" in roles.text


def test_participants_apply_to_it_through_a_municipality_link(app, client):
    from datetime import timedelta

    from planner.domain.municipalities import municipalities_of
    from planner.models import Participant, Prefecture
    from planner.services.participants import entries as participants
    from planner.services.participants import links as application_links
    from planner.services.participants import municipalities as municipality_service

    with app.app_context():
        world = make_oita()
        prefecture = db.session.get(Prefecture, world.prefecture)
        municipality_service.load_list(prefecture, municipalities_of("大分県"))
        training = _local(db.session.get(Plan, world.plan))
        training.application_deadline = participants.today_in_japan() + timedelta(days=10)
        db.session.commit()
        town = next(m for m in municipality_service.municipalities(prefecture) if m.name == "大分市")
        url = f"/apply/{application_links.token_of(application_links.issue(training, town), app.config['SECRET_KEY'])}"
        tid = training.id
    page = client.get(url).get_data(as_text=True)
    assert f"{TITLE}（地域の実情に応じた研修）" in page and "大分市" in page
    entry = {"name": "大分 花子", "kana": "おおいた はなこ", "affiliation": "福祉事務所", "kind": "worker",
             "job": "相談支援員", "email": "", "needs": ""}
    assert client.post(url, data=entry).status_code == 302
    with app.app_context():
        [row] = db.session.scalars(db.select(Participant).filter_by(training_id=tid)).all()
        assert (row.name, row.status) == ("大分 花子", "accepted")


def test_the_settings_page_renames_it_and_keeps_it_to_two_days(app, client):
    with app.app_context():
        world = make_oita()
        tid = _local(db.session.get(Plan, world.plan)).id
    login(client, OITA_OFFICIAL)
    page = client.get(f"/trainings/{tid}/edit")
    assert page.status_code == 200 and f'value="{TITLE}"' in page.text
    form = {"local_title": "ひきこもり支援の実践Ⅱ", "aim": "新しいねらい", "first_date": "2026-09-09",
            "day_count": "1", "venue": "会館", "per_municipality": "1", "start_time": "09:00",
            "end_time": "17:45", "lunch_minutes": "45", "lunch_earliest": "11:30", "lunch_latest": "13:30",
            "break_minutes": "10", "opening_title": "開会", "opening_minutes": "10",
            "closing_title": "閉会", "closing_minutes": "10"}
    for change, message in [({"local_title": ""}, "研修名: 入力してください。"),
                            ({"day_count": "3", "later_dates": "2026-09-10、2026-09-11"},
                             "地域の実情に応じた研修は2日までです。")]:
        answer = client.post(f"/trainings/{tid}/edit", data=form | change)
        assert answer.status_code == 422 and message in answer.text, change
        with app.app_context():
            assert db.session.get(Training, tid).local_title == TITLE  # nothing half written
    assert client.post(f"/trainings/{tid}/edit", data=form).status_code == 302
    with app.app_context():
        training = db.session.get(Training, tid)
        assert (training.local_title, training.aim) == ("ひきこもり支援の実践Ⅱ", "新しいねらい")
