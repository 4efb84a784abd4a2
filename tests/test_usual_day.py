"""The prefecture's usual day (issue 24): the default frame of new trainings, set on the
settings page; a day that does not fit names the setting to change."""
from datetime import time

from planner.models import Prefecture, Training
from planner.models.db import db
from planner.services.plans.changes import create_plan
from tests.factories import OITA_OFFICIAL, login, make_oita


def test_a_new_plan_takes_the_prefectures_usual_day(app, client):
    with app.app_context():
        world = make_oita()
    login(client, OITA_OFFICIAL)

    response = client.post("/settings/usual-day", data={
        "day_start": "09:30", "day_end": "16:30", "lunch_earliest": "12:00", "lunch_latest": "12:00",
        "lunch_minutes": "60"})

    assert response.status_code == 302
    with app.app_context():
        prefecture = db.session.get(Prefecture, world.prefecture)
        plan = create_plan(prefecture, "令和9年度 伝達研修計画", 2026)
        db.session.commit()
        training = plan.trainings[0]
        assert (training.start_time, training.end_time, training.lunch_earliest, training.lunch_latest,
                training.lunch_minutes) == (time(9, 30), time(16, 30), time(12), time(12), 60)
        old = db.session.get(Training, world.trainings["common"])
        assert old.start_time == time(9, 0)  # a training made before keeps its own frame
    page = client.get("/settings").text
    assert 'value="09:30"' in page and "通常の研修日" in page


def test_a_usual_day_that_cannot_hold_lunch_is_refused_with_reasons(app, client):
    with app.app_context():
        world = make_oita()
    login(client, OITA_OFFICIAL)

    response = client.post("/settings/usual-day", data={
        "day_start": "13:00", "day_end": "12:00", "lunch_earliest": "12:00", "lunch_latest": "11:00",
        "lunch_minutes": "60"})

    assert response.status_code == 422
    assert "終了時刻は開始時刻より後にしてください。" in response.text
    assert "昼食開始の最遅は最早と同じか後にしてください。" in response.text
    with app.app_context():
        assert db.session.get(Prefecture, world.prefecture).day_start == time(9, 0)


def test_a_day_too_short_names_the_setting_to_change(app, client):
    with app.app_context():
        world = make_oita()
    login(client, OITA_OFFICIAL)
    with app.app_context():
        training = db.session.get(Training, world.trainings["counselor"])
        training.end_time = time(15, 0)
        db.session.commit()

    page = client.get(f"/trainings/{world.trainings['counselor']}").text

    assert "現在の設定では時間割が組めません" in page
    assert "県の設定「通常の研修日」から変更済み" in page and "「研修の設定」の「1日の枠組み」" in page
