"""The team's programme per subject: saved as versions, shown on the timetable page, carried
into the lecturer's briefing beside the national guidance; options change the timetable."""
from __future__ import annotations

import io

import pytest
from docx import Document

from curricula import get_curriculum
from exports import handouts
from planner.models import ProgrammeEntry, Training, User
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.plans import programme
from planner.services.plans.timetables import timetable_of
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_oita, make_prefecture, make_user


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    lines += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(lines)


def row_of(training: Training, letter: str):
    return next(r for r in training.subjects if r.letter == letter)


def url(world, key, row_id):
    return f"/trainings/{world.trainings[key]}/subjects/{row_id}/programme"


@pytest.fixture
def world(app):
    with app.app_context():
        return make_oita()


def test_a_member_writes_the_programme_and_it_reaches_the_briefing(app, client, world):
    login(client, OITA_MEMBER)
    with app.app_context():
        row_id = row_of(db.session.get(Training, world.trainings["common"]), "C").id

    page = client.get(url(world, "common", row_id))
    assert page.status_code == 200 and "特に伝えたい内容" in page.text
    response = client.post(url(world, "common", row_id), data={
        "emphasis": "ホームレス支援の現場の声を伝える", "key_points": "支援の入口は多様\n断らない相談",
        "how_to_run": "ワーク4を地図を描くワークに変える", "worksheets": "ワークシート1、3"})

    assert response.status_code == 302
    timetable_page = client.get(f"/trainings/{world.trainings['common']}").text
    assert "ホームレス支援の現場の声を伝える" in timetable_page
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        row = row_of(training, "C")
        text = text_of(handouts.briefing(training, row))
        subject = get_curriculum("common").subject("C")
    assert "企画会議チームのプログラム（チームで決めた内容）" in text
    assert "特に伝えたい内容：ホームレス支援の現場の声を伝える" in text
    assert "断らない相談" in text and "ワーク4を地図を描くワークに変える" in text
    assert all(point in text for point in subject.key_points)  # the national guidance stays
    assert "チーム員" in text  # who wrote it


def test_every_change_is_kept_with_who_and_when_and_an_unchanged_save_adds_nothing(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        row = row_of(training, "B")
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        member = db.session.scalar(db.select(User).filter_by(email=OITA_MEMBER))

        assert programme.save(training, row, official, emphasis="倫理の3つ")
        assert programme.save(training, row, member, emphasis="倫理の3つと姿勢の8つ")
        assert not programme.save(training, row, member, emphasis="倫理の3つと姿勢の8つ")

        history = db.session.scalars(db.select(ProgrammeEntry).filter_by(subject_id=row.id)
                                     .order_by(ProgrammeEntry.id)).all()
        assert [(e.author_name, e.emphasis) for e in history] == [
            ("担当職員", "倫理の3つ"), ("チーム員", "倫理の3つと姿勢の8つ")]
        assert all(e.created_at for e in history)
        assert programme.current(row).emphasis == "倫理の3つと姿勢の8つ"


def test_choosing_chief_c_at_75_minutes_changes_the_timetable(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["chief"])
        row = row_of(training, "C")
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))

        programme.save(training, row, official, option_keys=("75",))
        minutes = [i.minutes for i in timetable_of(training).subject_items if i.letter == "C"]
        programme.save(training, row, official, option_keys=("60",))
        again = [i.minutes for i in timetable_of(training).subject_items if i.letter == "C"]

    assert (minutes, again) == ([75], [60])


def test_choosing_the_dialogue_with_a_guest_puts_its_session_on_the_day(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["counselor"])
        row = row_of(training, "D")
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        before = [i.title for i in timetable_of(training).items if i.letter == "D"]

        programme.save(training, row, official, option_keys=("dialogue",))
        after = [i.title for i in timetable_of(training).items if i.letter == "D"]
        text = text_of(handouts.briefing(training, row))

    assert "任意事業の担当者との対談形式の講義（任意）" not in before
    assert "任意事業の担当者との対談形式の講義（任意）" in after
    assert "任意事業の担当者を招き、対談形式で講義を進める" in text


def test_an_option_that_does_not_fit_the_day_is_refused_and_nothing_is_written(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["chief"])
        training.end_time = training.end_time.replace(hour=16, minute=45)
        db.session.commit()
        row = row_of(training, "C")
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        feasible = timetable_of(training).feasible

        with pytest.raises(ChangeRefused) as refused:
            programme.save(training, row, official, option_keys=("75",), emphasis="書いた")
        row = row_of(db.session.get(Training, world.trainings["chief"]), "C")
        count = db.session.scalar(db.select(db.func.count()).select_from(ProgrammeEntry))

    assert feasible
    assert "時間割が組めない" in refused.value.messages[0]
    assert (row.option_keys, count) == ("", 0)


@pytest.mark.parametrize("data, message", [
    ({"option_keys": "90"}, "「90」は選択肢にありません"),
    ({"option_keys": ["60", "75"]}, "科目Cの時間は一つだけ選べます（60分・75分が選ばれています）"),
    ({"emphasis": "あ" * 4001}, "4000文字以内"),
])
def test_bad_input_is_refused_in_japanese(app, client, world, data, message):
    login(client, OITA_OFFICIAL)
    with app.app_context():
        row_id = row_of(db.session.get(Training, world.trainings["chief"]), "C").id

    response = client.post(url(world, "chief", row_id), data=data)

    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgrammeEntry)) == 0


def test_another_prefecture_and_local_subjects_have_no_programme_page(app, client, world):
    with app.app_context():
        other = make_prefecture("別府県")
        make_user(other, "official@beppu.example.jp")
        row_id = row_of(db.session.get(Training, world.trainings["common"]), "A").id
    login(client, "official@beppu.example.jp")

    assert client.get(url(world, "common", row_id)).status_code == 404
    assert client.get(url(world, "common", 999999)).status_code == 404


def test_briefing_says_both_lecture_numbers_and_the_sources_instructions(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        text = text_of(handouts.briefing(training, row_of(training, "B")))
        counselor = db.session.get(Training, world.trainings["counselor"])
        e_text = text_of(handouts.briefing(counselor, row_of(counselor, "E")))

    assert "表：④、本文：③" in text
    assert "研修内容を報告するだけの形態になることのないよう" in text
    # the source's line introducing its table would refer to nothing in a handout (issue 23)
    assert "以下は、標準的なプログラム内容を示したもの" not in text
    assert "科目Dの【講義と演習⑥】任意事業との連携の在り方" in e_text


def test_a_member_may_write_but_not_choose_an_option_that_changes_the_timetable(app, client, world):
    login(client, OITA_MEMBER)
    with app.app_context():
        row_id = row_of(db.session.get(Training, world.trainings["chief"]), "C").id

    page = client.get(url(world, "chief", row_id)).text
    refused = client.post(url(world, "chief", row_id), data={"option_keys": "75", "emphasis": "x"})
    written = client.post(url(world, "chief", row_id), data={"emphasis": "職場づくり"})

    assert 'type="checkbox"' not in page and "担当職員が選びます" in page
    assert refused.status_code == 422 and "担当職員が選びます" in refused.text
    assert written.status_code == 302
    with app.app_context():
        assert [e.emphasis for e in db.session.scalars(db.select(ProgrammeEntry))] == ["職場づくり"]


def test_the_programme_and_its_history_survive_a_backup_round_trip(app, world):
    from planner.models import Plan
    from planner.services.backup.plan import dump_plan, load_plan

    with app.app_context():
        training = db.session.get(Training, world.trainings["chief"])
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        row = row_of(training, "C")
        programme.save(training, row, official, emphasis="一行目\n二行目")
        programme.save(training, row, official, option_keys=("75",), emphasis="一行目\n二行目")
        text = dump_plan(db.session.get(Plan, world.plan))

        copy = load_plan(make_prefecture("あおぞら県"), text)
        copied = row_of(next(t for t in copy.trainings if t.curriculum_key == "chief"), "C")
        history = [(e.emphasis, e.option_keys, e.author_name) for e in copied.programme]
        minutes = [i.minutes for i in timetable_of(copied.training).subject_items if i.letter == "C"]

    assert copied.option_keys == "75" and minutes == [75]
    assert history == [("一行目\n二行目", "75", "担当職員"), ("一行目\n二行目", "", "担当職員")]


def test_a_backup_naming_an_option_the_subject_lacks_is_refused(app, world):
    import json

    from planner.models import Plan
    from planner.services.backup.plan import BackupError, dump_plan, load_plan

    with app.app_context():
        data = json.loads(dump_plan(db.session.get(Plan, world.plan)))
        chief = next(t for t in data["plan"]["trainings"] if t["curriculum_key"] == "chief")
        chief["subjects"][2]["option_keys"] = ["90"]
        with pytest.raises(BackupError, match="「90」は科目Cの選択肢にありません"):
            load_plan(make_prefecture("あおぞら県"), json.dumps(data))


def test_copying_the_plan_carries_the_latest_programme_and_option(app, world):
    from planner.models import Plan
    from planner.services.plans.next_cycle import copy_plan
    with app.app_context():
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        chief = db.session.get(Training, world.trainings["chief"])
        programme.save(chief, row_of(chief, "C"), official, emphasis="最初の案")
        programme.save(chief, row_of(chief, "C"), official, option_keys=("75",), emphasis="育て合う職場")
        copy = copy_plan(db.session.get(Plan, world.plan))
        db.session.commit()
        copied = row_of(next(t for t in copy.trainings if t.curriculum_key == "chief"), "C")
        assert copied.option_keys == "75"
        assert [(e.version, e.emphasis, e.option_keys) for e in copied.programme] == [(1, "育て合う職場", "75")]


def test_two_options_of_a_subject_are_on_together_in_the_timetable_and_the_briefing(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["counselor"])
        row = row_of(training, "D")
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))

        assert programme.save(training, row, official, option_keys=("three_stages", "dialogue"))
        items = {i.title: i.minutes for i in timetable_of(training).items if i.letter == "D"}
        text = text_of(handouts.briefing(training, row))
        stored = (row.option_keys, programme.current(row).option_keys)
        assert not programme.save(training, row, official, option_keys=("dialogue", "three_stages"))

    assert stored == ("dialogue,three_stages", "dialogue,three_stages")  # the source's order
    assert 30 <= items["任意事業の担当者との対談形式の講義（任意）"] <= 40
    assert 8 <= items["講義と演習⑥のミニシンポジウムの報告"] <= 12
    assert "任意事業の担当者を招き、対談形式で講義を進める" in text
    assert "ミニシンポジウムの3つの段階" in text  # documents write half-width digits


def test_the_form_shows_a_tick_per_option_in_the_sources_words_and_keeps_them_unchanged(app, client, world):
    from tests.forms_on_pages import forms_on
    from tests.test_every_form import submit

    subject = get_curriculum("counselor").subject("D")
    with app.app_context():
        training = db.session.get(Training, world.trainings["counselor"])
        row = row_of(training, "D")
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        programme.save(training, row, official, option_keys=("dialogue", "strategic_case"), emphasis="連携")
        row_id = row.id
    login(client, OITA_OFFICIAL)

    page = client.get(url(world, "counselor", row_id)).text
    [form] = [f for f in forms_on(url(world, "counselor", row_id), page) if f.action.endswith("/programme")]
    answer = submit(client, form)

    assert page.count('type="checkbox"') == len(subject.options)
    wave = str.maketrans("～", "〜")  # pages write one wave dash
    assert all(o.label.translate(wave) in page and o.source.translate(wave) in page for o in subject.options)
    assert sorted(v for n, v in form.values if n == "option_keys") == ["dialogue", "strategic_case"]
    assert answer.status_code == 302
    with app.app_context():
        row = row_of(db.session.get(Training, world.trainings["counselor"]), "D")
        assert (row.option_keys, len(row.programme)) == ("dialogue,strategic_case", 1)  # nothing new


def _counselor_d_with_two_options(app, world) -> int:
    """The official has switched on two of 相談 D's options; the subject's row id."""
    with app.app_context():
        training = db.session.get(Training, world.trainings["counselor"])
        row = row_of(training, "D")
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        programme.save(training, row, official, option_keys=("dialogue", "three_stages"))
        return row.id


def test_unticking_every_option_goes_back_to_the_standard_programme(app, client, world):
    row_id = _counselor_d_with_two_options(app, world)
    login(client, OITA_OFFICIAL)

    answer = client.post(url(world, "counselor", row_id), data={"emphasis": ""})

    assert answer.status_code == 302
    with app.app_context():
        training = db.session.get(Training, world.trainings["counselor"])
        assert row_of(training, "D").option_keys == ""
        assert "任意事業の担当者との対談形式の講義（任意）" not in {i.title for i in timetable_of(training).items}


def test_a_member_saving_keeps_the_officials_options(app, client, world):
    row_id = _counselor_d_with_two_options(app, world)
    login(client, OITA_MEMBER)
    from tests.forms_on_pages import forms_on
    from tests.test_every_form import submit

    page = client.get(url(world, "counselor", row_id)).text
    [form] = [f for f in forms_on(url(world, "counselor", row_id), page) if f.action.endswith("/programme")]
    form.values = [(n, "職員と対談" if n == "emphasis" else v) for n, v in form.values]
    answer = submit(client, form)

    assert 'type="checkbox"' not in page
    assert answer.status_code == 302
    with app.app_context():
        row = row_of(db.session.get(Training, world.trainings["counselor"]), "D")
        assert (row.option_keys, programme.current(row).emphasis) == ("dialogue,three_stages", "職員と対談")


def test_a_backup_carries_the_set_of_options_and_reads_an_older_single_option(app, world):
    import json

    from planner.models import Plan
    from planner.services.backup.plan import BackupError, dump_plan, load_plan

    with app.app_context():
        training = db.session.get(Training, world.trainings["counselor"])
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        programme.save(training, row_of(training, "D"), official, option_keys=("dialogue",), emphasis="一つ")
        programme.save(training, row_of(training, "D"), official, option_keys=("dialogue", "strategic_case"))
        data = json.loads(dump_plan(db.session.get(Plan, world.plan)))
        counselor = next(t for t in data["plan"]["trainings"] if t["curriculum_key"] == "counselor")
        d = next(s for s in counselor["subjects"] if s["letter"] == "D")
        written = (d["option_keys"], [e["option_keys"] for e in d["programme"]])

        copy = load_plan(make_prefecture("あおぞら県"), json.dumps(data, ensure_ascii=False))
        copied = row_of(next(t for t in copy.trainings if t.curriculum_key == "counselor"), "D")
        assert (copied.option_keys, [e.option_keys for e in copied.programme]) == (
            "dialogue,strategic_case", ["dialogue,strategic_case", "dialogue"])
        db.session.rollback()

        # a file written before several options: one `option_key`, in the subject and each version
        d.pop("option_keys")
        d["option_key"] = "dialogue"
        for entry in d["programme"]:
            entry["option_key"] = entry.pop("option_keys")[-1]
        older = load_plan(make_prefecture("みなと県"), json.dumps(data, ensure_ascii=False))
        row = row_of(next(t for t in older.trainings if t.curriculum_key == "counselor"), "D")
        assert (row.option_keys, [e.option_keys for e in row.programme]) == ("dialogue", ["strategic_case", "dialogue"])
        db.session.rollback()

        d["option_keys"] = ["dialogue"]  # both names at once
        with pytest.raises(BackupError, match="どちらか一方"):
            load_plan(make_prefecture("やまなみ県"), json.dumps(data, ensure_ascii=False))
        d.pop("option_key")
        chief = next(t for t in data["plan"]["trainings"] if t["curriculum_key"] == "chief")
        chief["subjects"][2]["option_keys"] = ["60", "75"]
        with pytest.raises(BackupError, match="時間は一つだけ選べます"):
            load_plan(make_prefecture("うみべ県"), json.dumps(data, ensure_ascii=False))

    assert written == (["dialogue", "strategic_case"], [["dialogue"], ["dialogue", "strategic_case"]])
