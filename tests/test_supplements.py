"""Supplementary events: a symposium, lecture or case-study meeting supplements one subject
(source: 「不足する視点は補う」); it is on the timeline, in the calendar feeds and has its own
handout, and may shorten the subject on the day or take it off the day."""
from __future__ import annotations

import io
import json
from datetime import date, time

import pytest
import vobject
from docx import Document

from exports import files, handouts
from planner.models import Plan, SupplementaryEvent, TeamMember, Training, User
from planner.models.db import db
from planner.services.backup import plan as backup
from planner.services.plans.supplements import EventValues, add_event
from planner.services.plans.timetables import timetable_of
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_oita


@pytest.fixture
def world(app):
    with app.app_context():
        return make_oita()


def _form(world, **changes) -> dict:
    """The add form filled in the way an official does: 共通 C, a symposium on a weekday."""
    data = {"subject_id": str(world.subjects["C"]), "kind": "symposium",
            "title": "断らない相談支援を地域で考える", "day": "2026-03-04",
            "start_time": "13:30", "end_time": "16:30", "place": "大分県総合社会福祉会館",
            "lecturer_name": "小川 恵子", "lecturer_org": "大分県立大学", "effect": "stays",
            "shortened_minutes": ""}
    data.update(changes)
    return data


def _common(world) -> Training:
    return db.session.get(Training, world.trainings["common"])


def _c_minutes(training: Training) -> int | None:
    key = next(f"training-{training.id}-subject-{r.id}" for r in training.subjects if r.letter == "C")
    minutes = [i.minutes for day in timetable_of(training).days for i in day.items
               if i.key == key]
    return sum(minutes) if minutes else None


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_an_official_adds_a_symposium_that_reaches_timeline_feeds_and_handout(app, client, world):
    login(client, OITA_OFFICIAL)
    new = f"/supplements/new/{world.trainings['common']}"
    assert "補う科目" in client.get(new).text
    response = client.post(new, data=_form(world))
    assert response.status_code == 302

    with app.app_context():
        event = db.session.scalar(db.select(SupplementaryEvent))
        assert (event.kind, event.subject_id, event.effect) == ("symposium", world.subjects["C"], "stays")
        event_id = event.id
        training = _common(world)
        plan = db.session.get(Plan, world.plan)
        handout = _text(handouts.supplement_agenda(event))
        meetings = vobject.readOne(files.meetings_calendar(plan, "planner.test").decode())
        agenda = _text(handouts.agenda(training))
    assert "シンポジウム「断らない相談支援を地域で考える」" in handout
    assert "令和8年3月4日（水）" in handout and "13:30～16:30" in handout and "小川 恵子（大分県立大学）" in handout
    # for the public: a programme, and no planner text (issue 23)
    assert "プログラム" in handout and "質疑応答" in handout and "13:30～13:35" in handout
    assert "不足する視点は補う" not in handout and "研修当日の扱い" not in handout
    summaries = {e.summary.value: e for e in meetings.vevent_list}
    symposium = summaries["シンポジウム「断らない相談支援を地域で考える」"]
    assert symposium.dtstart.value.hour == 13 and symposium.dtend.value.hour == 16
    assert symposium.location.value == "大分県総合社会福祉会館"
    assert "シンポジウム「断らない相談支援を地域で考える」" in agenda

    assert "断らない相談支援を地域で考える" in client.get(f"/trainings/{world.trainings['common']}").text
    timeline_page = client.get(f"/plans/{world.plan}/timeline/").text
    assert "補う催し" in timeline_page and f"/supplements/{event_id}" in timeline_page
    download = client.get(f"/supplements/{event_id}/agenda.docx")
    assert download.status_code == 200 and "断らない" in _text(download.data)


def test_a_member_of_the_team_finds_it_in_their_feed(app, world):
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        plan.members.append(TeamMember(name="チーム 員", municipality="大分市", municipality_kind="core_city",
                                        email=OITA_MEMBER))
        db.session.commit()
        add_event(_common(world), world.subjects["C"], EventValues(
            kind="case_meeting", title="事例で学ぶ連携", day=date(2026, 3, 5),
            start_time=time(14), end_time=time(16), effect="stays"))
        user = db.session.scalar(db.select(User).filter_by(email=OITA_MEMBER))
        feed = vobject.readOne(files.member_feed(user, "planner.test").decode())
    assert "事例検討会「事例で学ぶ連携」" in [e.summary.value for e in feed.vevent_list]


@pytest.mark.parametrize("effect, minutes, expect", [("moves", "", None), ("shortened", "30", 30)])
def test_the_event_shortens_the_subject_or_takes_it_off_the_day(app, client, world, effect, minutes, expect):
    with app.app_context():
        before = _c_minutes(_common(world))
        slots = len(_common(world).slots)
    assert before and before > 30
    login(client, OITA_OFFICIAL)
    response = client.post(f"/supplements/new/{world.trainings['common']}",
                           data=_form(world, effect=effect, shortened_minutes=minutes))
    assert response.status_code == 302
    with app.app_context():
        training = _common(world)
        assert _c_minutes(training) == expect
        if effect == "moves":  # no lecturer or preparer for C on the day any more
            assert len(training.slots) < slots
        event_id = db.session.scalar(db.select(SupplementaryEvent.id))
    assert "削除しますか" in client.get(f"/supplements/{event_id}/delete").text
    assert client.post(f"/supplements/{event_id}/delete").status_code == 302
    with app.app_context():
        assert _c_minutes(_common(world)) == before
        assert db.session.scalar(db.select(SupplementaryEvent)) is None


def test_an_official_edits_the_event(app, client, world):
    login(client, OITA_OFFICIAL)
    client.post(f"/supplements/new/{world.trainings['common']}", data=_form(world))
    with app.app_context():
        event_id = db.session.scalar(db.select(SupplementaryEvent.id))
    page = client.get(f"/supplements/{event_id}/edit")
    assert page.status_code == 200 and 'value="断らない相談支援を地域で考える"' in page.text
    response = client.post(f"/supplements/{event_id}/edit", data=_form(world, title="連携の講演会", kind="lecture"))
    assert response.status_code == 302
    with app.app_context():
        event = db.session.get(SupplementaryEvent, event_id)
        assert (event.title, event.kind, event.revision) == ("連携の講演会", "lecture", 2)


@pytest.mark.parametrize("changes, message", [
    ({"end_time": "13:00"}, "終了時刻は開始時刻より後にしてください。"),
    ({"day": "2030-01-01"}, "の中の日付を入力してください。"),
    ({"day": "2026-13-01"}, "日付として読めません"),
    ({"kind": "party"}, "選択肢にありません"),
    ({"title": ""}, "入力してください。"),
    ({"effect": "shortened", "shortened_minutes": ""}, "研修当日の時間（分）を入力してください。"),
    ({"effect": "shortened", "shortened_minutes": "5"}, "10〜600の数で入力してください。"),
    ({"subject_id": "999999"}, "補う科目を選んでください。"),
])
def test_bad_input_is_refused_in_japanese_and_nothing_is_saved(app, client, world, changes, message):
    login(client, OITA_OFFICIAL)
    response = client.post(f"/supplements/new/{world.trainings['common']}", data=_form(world, **changes))
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert db.session.scalar(db.select(SupplementaryEvent)) is None


def test_a_subject_the_source_does_not_name_may_be_supplemented_too(app, client, world):
    """Issue 24: the source's general step (ステップ１) allows a separate-day event for any subject."""
    login(client, OITA_OFFICIAL)
    response = client.post(f"/supplements/new/{world.trainings['common']}",
                           data=_form(world, subject_id=str(world.subjects["A"])))
    assert response.status_code == 302


def test_an_unknown_subject_cannot_be_supplemented(app, client, world):
    login(client, OITA_OFFICIAL)
    response = client.post(f"/supplements/new/{world.trainings['common']}",
                           data=_form(world, subject_id="99999"))
    assert response.status_code == 422 and "補う科目を選んでください。" in response.text


def test_a_member_may_read_but_not_change(app, client, world):
    login(client, OITA_OFFICIAL)
    client.post(f"/supplements/new/{world.trainings['common']}", data=_form(world))
    client.get("/logout")
    login(client, OITA_MEMBER)
    with app.app_context():
        event_id = db.session.scalar(db.select(SupplementaryEvent.id))
    assert client.get(f"/supplements/{event_id}").status_code == 200
    assert client.get(f"/supplements/new/{world.trainings['common']}").status_code == 403
    assert client.post(f"/supplements/{event_id}/delete").status_code == 403


def test_the_backup_carries_the_event_and_refuses_a_bad_one(app, client, world):
    login(client, OITA_OFFICIAL)
    client.post(f"/supplements/new/{world.trainings['common']}",
                data=_form(world, effect="shortened", shortened_minutes="40"))
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        data = backup.export_plan(plan)
        section = next(s for s in data["plan"]["trainings"][0]["subjects"] if s["letter"] == "C")
        assert section["supplements"][0]["shortened_minutes"] == 40
        copy = backup.load_plan(plan.prefecture, json.dumps(data))
        events = [e for t in copy.trainings for r in t.subjects for e in r.supplements]
        assert [(e.title, e.effect, e.shortened_minutes) for e in events] == [
            ("断らない相談支援を地域で考える", "shortened", 40)]
        section["supplements"][0]["end_time"] = "12:00"
        with pytest.raises(backup.BackupError, match="終了時刻"):
            backup.load_plan(plan.prefecture, json.dumps(data))


def test_the_same_event_twice_is_added_once(app, client, world):
    login(client, OITA_OFFICIAL)
    new = f"/supplements/new/{world.trainings['common']}"
    assert client.post(new, data=_form(world)).status_code == 302
    again = client.post(new, data=_form(world))
    assert again.status_code == 422 and "同じ日・同じ開始時刻の催しがすでにあります" in again.text
    with app.app_context():
        assert len(db.session.scalars(db.select(SupplementaryEvent)).all()) == 1


def test_the_training_bundle_carries_the_events_agenda(app, world):
    with app.app_context():
        add_event(_common(world), world.subjects["C"], EventValues(
            kind="lecture", title="ハローワークとの連携", day=date(2026, 3, 5),
            start_time=time(14), end_time=time(16), effect="stays"))
        bundle = dict(handouts.training_handouts(_common(world)))
    [name] = [n for n in bundle if n.startswith("次第_講演会_前期共通C_")]
    assert "講演会「ハローワークとの連携」" in _text(bundle[name])


# --- issue 24: any subject, the range and the difference said, the title once ----------------

def test_any_subject_may_be_supplemented_and_shortening_below_the_range_is_said(app, client, world):
    from planner.models import SupplementaryEvent
    from planner.services.plans import supplements as service
    login(client, OITA_OFFICIAL)
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        row = next(r for r in training.subjects if r.letter == "B")  # the source names C, not B
        values = service.EventValues(kind="report_meeting", title="報告会「倫理と姿勢」", day=date(2026, 1, 20),
                                     start_time=time(13, 30), end_time=time(16, 0), effect="shortened",
                                     shortened_minutes=45)

        event = service.add_event(training, row.id, values)
        note = service.effect_note(training, row, values)

        assert (event.kind_name, event.full_title) == ("報告会", "報告会「倫理と姿勢」")  # said once
        assert note.startswith("科目B「支援員に求められる基本倫理と基本姿勢」（６０～９０分）を研修当日は45分に")
        assert "最短60分より15分短く" in note
        assert db.session.get(SupplementaryEvent, event.id).subject.letter == "B"


def test_the_saved_message_says_the_title_once(app, client, world):
    login(client, OITA_OFFICIAL)
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        row_id = next(r.id for r in training.subjects if r.letter == "C")

    response = client.post(f"/supplements/new/{world.trainings['common']}", data={
        "subject_id": row_id, "kind": "symposium", "title": "シンポジウム「地域で支える」", "day": "2026-01-20",
        "start_time": "13:30", "end_time": "16:00", "effect": "moves"}, follow_redirects=True)

    assert "シンポジウム「地域で支える」を登録しました。" in response.text
    assert "シンポジウム「シンポジウム" not in response.text
    assert "（６０〜９０分）は研修当日に行いません（当日の講義・演習が60分以上減ります）。" in response.text  # pages write one wave dash, 〜
