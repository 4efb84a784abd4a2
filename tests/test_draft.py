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
from planner.services import plans
from planner.services.errors import ChangeRefused
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
        training.subjects[0].minutes_override = 90  # a deviation names whose range it leaves
        db.session.commit()
        from planner.services.timetables import timetable_of
        deviations = timetable_of(training).deviations
    page = client.get(f"/trainings/{world.trainings['job_support']}").text

    for text, subject in zip(texts, curriculum.subjects):
        assert "手引き）" not in text.replace("事例の匿名化（手引きより）", "")
        assert f"時間の目安（たたき台の案）：{subject.minutes_text}" in text
        for lecture in subject.national_lectures:
            if lecture.startswith("【"):
                assert f"{lecture}（推定：たたき台の案。国研修の科目表では未確認）" in text
    assert deviations and all("たたき台の案の目安" in d and "手引きの目安" not in d for d in deviations)
    assert "手引きの時間" not in page and "たたき台の案の時間" in page
    assert "【講義と演習①】就労支援の実施方法Ⅰ（推定・たたき台の案）" in page


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
