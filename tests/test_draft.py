"""The job-support draft: its own minutes and lecture numbers are never the source's, and once
the prefecture adopts it the participants' documents carry no draft notice."""
from __future__ import annotations

import io

import pytest
from docx import Document

from curricula import get_curriculum
from exports import handouts, ical
from planner.models import Plan, Training, User
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.plans import changes as plans
from planner.services.plans.timetables import timetable_of
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_oita


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


@pytest.fixture
def world(app):
    with app.app_context():
        return make_oita()


def job_support(world) -> Training:
    return db.session.get(Training, world.trainings["job_support"])


def test_no_draft_minute_or_lecture_number_is_attributed_to_the_source(app, client, world):
    login(client, OITA_OFFICIAL)
    curriculum = get_curriculum("job_support")
    with app.app_context():
        training = job_support(world)
        texts = [text_of(handouts.briefing(training, row)) for row in training.subjects]
        training.subjects[0].minutes_override = 65  # a deviation names whose range it leaves
        db.session.commit()
        from planner.services.plans.timetables import timetable_of
        deviations = timetable_of(training).deviations
    page = client.get(f"/trainings/{world.trainings['job_support']}").text

    for text, subject in zip(texts, curriculum.subjects):
        assert "手引き）" not in text.replace("事例の匿名化（手引きより）", "")
        assert f"時間の目安（たたき台の案）\n{subject.minutes_text}" in text  # a row of the facts table
        for lecture in subject.national_lectures:
            if lecture.startswith("【"):
                assert f"{lecture}（推定：たたき台の案。国研修の科目表では未確認）" in text
    assert deviations and all("たたき台の案の目安" in d and "手引きの目安" not in d for d in deviations)
    assert "手引きの時間" not in page and "たたき台の案の時間" in page
    assert f"{curriculum.subject('A').national_lectures[0]}（推定・たたき台の案）" in page
    assert "（未確認：国研修の公開配布資料による部分情報）" in page  # from outside the source: said so


def test_an_adopted_draft_gives_an_agenda_without_the_draft_notice(app, client, world):
    login(client, OITA_OFFICIAL)
    with app.app_context():
        before = text_of(handouts.agenda(job_support(world)))

    response = client.post(f"/trainings/{world.trainings['job_support']}/adopt", data={"adopted": "1"})
    assert response.status_code == 302
    with app.app_context():
        training = job_support(world)
        agenda = text_of(handouts.agenda(training))
        briefing = text_of(handouts.briefing(training, training.subjects[0]))
        events = ical.training_events(training, "planner.example.jp")
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        roles = text_of(handouts.role_sheet(db.session.get(Plan, world.plan), [training]))

    assert "たたき台" in before
    assert "たたき台" not in agenda and "案です" not in agenda
    assert "就労支援員・後期研修プログラム　研修次第" in agenda
    assert "県で確定" in briefing and official.name in briefing
    assert "県で確定" in roles
    assert all("たたき台" not in e.description for e in events)
    page = client.get(f"/trainings/{world.trainings['job_support']}").text
    assert "県で確定" in page

    client.post(f"/trainings/{world.trainings['job_support']}/adopt", data={"adopted": "0"})
    with app.app_context():
        assert "たたき台" in text_of(handouts.agenda(job_support(world)))


def test_only_an_official_adopts_and_only_the_draft(app, client, world):
    login(client, OITA_MEMBER)
    assert client.post(f"/trainings/{world.trainings['job_support']}/adopt",
                       data={"adopted": "1"}).status_code == 403
    with app.app_context():
        assert job_support(world).adopted_at is None
        official = db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL))
        with pytest.raises(ChangeRefused, match="確定の操作はありません"):
            plans.adopt_draft(db.session.get(Training, world.trainings["common"]), official)


def test_counselor_e_keeps_the_sources_qualifiers():
    points = "\n".join(get_curriculum("counselor").subject("E").key_points)

    assert "（ア）生活困窮の状態が改善し設定していた目標を達成する目途が立った場合" in points
    assert "（イ）生活困窮の状態から脱却できていないものの、大きな課題がある程度解決し一旦支援を修了してもよいと判断できる場合" in points
    assert "相談員の思いや印象を記載する欄ではない" in points
    how = "\n".join(get_curriculum("counselor").subject("E").how_to_run)
    assert "望ましい" in how  # optional advice stays optional


# --------------------------------------------------------------------------- settling the draft

def _draft_url(world, row_id: int) -> str:
    return f"/trainings/{world.trainings['job_support']}/subjects/{row_id}/draft"


def _row(training: Training, letter: str):
    return next(r for r in training.subjects if r.letter == letter)


def test_the_official_settles_a_draft_subject_and_timetable_and_handouts_follow(app, client, world):
    login(client, OITA_OFFICIAL)
    with app.app_context():
        row_id = _row(job_support(world), "B").id
    page = client.get(_draft_url(world, row_id))
    assert page.status_code == 200 and "たたき台のセッション" in page.text
    # submitted as rendered: nothing is changed
    assert client.post(_draft_url(world, row_id), data={
        "name": get_curriculum("job_support").subject("B").name, "minutes_min": "", "minutes_max": "",
        "lectures": "\n".join(get_curriculum("job_support").subject("B").national_lectures),
        "session_minutes": ""}).status_code == 302
    with app.app_context():
        assert not _row(job_support(world), "B").draft_edited

    response = client.post(_draft_url(world, row_id), data={
        "name": "地域で取り組む就労支援", "minutes_min": "100", "minutes_max": "100",
        "lectures": "【講義と演習②】就労支援の実施方法Ⅱ（県で確認済み）", "session_minutes": "40,35,25"})
    assert response.status_code == 302
    with app.app_context():
        training = job_support(world)
        row = _row(training, "B")
        key = f"training-{training.id}-subject-{row.id}"
        items = [i for day in timetable_of(training).days for i in day.items if i.key == key]
        briefing = text_of(handouts.briefing(training, row))
        agenda = text_of(handouts.agenda(training))
    assert sum(i.minutes for i in items if i.kind == "session") == 100
    assert [i.minutes for i in items if i.kind == "session"] == [40, 35, 25]
    assert "地域で取り組む就労支援" in briefing
    # the lecture the prefecture entered is its own, no longer the draft's guess
    assert "【講義と演習②】就労支援の実施方法Ⅱ（県で確認済み）\n" in briefing + "\n"
    assert "100分（県で調整）" in briefing
    assert "地域で取り組む就労支援" in agenda
    assert "地域で取り組む就労支援" in client.get(f"/trainings/{world.trainings['job_support']}").text


@pytest.mark.parametrize("changes, message", [
    ({"minutes_min": "90", "minutes_max": ""}, "最短と最長の両方を入力してください"),
    ({"minutes_min": "90", "minutes_max": "60"}, "最長は最短と同じか長くしてください。"),
    ({"session_minutes": "40,40"}, "セッションの時間は3つ"),
    ({"session_minutes": "40,x,40"}, "半角数字をカンマで区切って入力してください"),
    ({"name": ""}, "入力してください。"),
    ({"minutes_min": "400", "minutes_max": "400"}, "時間割が組めない"),
])
def test_bad_draft_values_are_refused_and_nothing_changes(app, client, world, changes, message):
    login(client, OITA_OFFICIAL)
    with app.app_context():
        row_id = _row(job_support(world), "B").id
    data = {"name": "地域で取り組む就労支援", "minutes_min": "", "minutes_max": "", "lectures": "",
            "session_minutes": ""} | changes
    response = client.post(_draft_url(world, row_id), data=data)
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert not _row(job_support(world), "B").draft_edited


def test_only_the_draft_before_adoption_and_only_an_official(app, client, world):
    login(client, OITA_OFFICIAL)
    with app.app_context():
        common_row = db.session.get(Training, world.trainings["common"]).subjects[0].id
        row_id = _row(job_support(world), "A").id
    assert client.get(f"/trainings/{world.trainings['common']}/subjects/{common_row}/draft").status_code == 404
    with app.app_context():
        plans.adopt_draft(job_support(world), db.session.scalar(db.select(User).filter_by(email=OITA_OFFICIAL)))
    response = client.post(_draft_url(world, row_id), data={"name": "変える", "lectures": ""})
    assert response.status_code == 422 and "県で確定済み" in response.text
    client.get("/logout")
    login(client, OITA_MEMBER)
    assert client.get(_draft_url(world, row_id)).status_code == 403


def test_the_backup_carries_the_settled_draft(app, world):
    import json

    from planner.services.backup import plan as backup
    with app.app_context():
        training = job_support(world)
        plans.edit_draft_subject(training, _row(training, "A").id, "県の科目A", 60, 60, "", [10, 25, 25])
        plan = db.session.get(Plan, world.plan)
        copy = backup.load_plan(plan.prefecture, backup.dump_plan(plan))
        row = _row(next(t for t in copy.trainings if t.curriculum_key == "job_support"), "A")
        assert (row.draft_name, row.draft_minutes_min, row.draft_session_minutes) == ("県の科目A", 60, "10,25,25")
        data = json.loads(backup.dump_plan(plan))
        subject = data["plan"]["trainings"][3]["subjects"][0]
        subject["draft"]["session_minutes"] = "10,20"
        with pytest.raises(backup.BackupError, match="セッションの時間"):
            backup.load_plan(plan.prefecture, json.dumps(data))


def test_the_drafts_outside_content_is_marked_unconfirmed():
    """What the seed does not say (the national course's lecture names and minutes) is marked."""
    draft = get_curriculum("job_support")

    names = " ".join(s.name for s in draft.subjects)
    lectures = [x for s in draft.subjects for x in s.national_lectures if "就労支援の実施方法" in x]
    texts = " ".join(t for s in draft.subjects for t in (*s.how_to_run, *(x.note for x in s.sessions), *(x.title for x in s.sessions)))
    assert "就労支援の実施方法" not in names
    assert lectures and all("未確認" in x for x in lectures)
    assert "国研修では６０分" not in texts and "演習1「" not in texts


def test_no_draft_text_sits_under_a_heading_naming_the_source(app, client, world):
    login(client, OITA_OFFICIAL)
    with app.app_context():
        training = job_support(world)
        row = training.subjects[0]
        text = text_of(handouts.briefing(training, row))
        programme_page = client.get(f"/trainings/{training.id}/subjects/{row.id}/programme").text
    page = client.get(f"/trainings/{world.trainings['job_support']}").text

    assert "手引きの指示（カリキュラム全体）" not in page and "手引きの指示（カリキュラム全体）" not in text
    assert "手引き（国研修）の内容" not in programme_page and "手引き（国研修）の内容" not in text
    assert "たたき台（案）の内容で進めます" in text
