"""Creating a year in one step: four trainings on proposed working days, timetables built."""
import io
import zipfile
from datetime import date, timedelta

from planner.domain.dates import is_working_day
from planner.models import Plan
from planner.models.db import db
from planner.services.plans.timetables import timetable_of
from tests.factories import login, make_prefecture, make_user


def test_new_plan_with_proposed_dates_has_four_buildable_trainings(app, client):
    with app.app_context():
        make_user(make_prefecture("みどり県"), "official@midori.example.jp")
    login(client, "official@midori.example.jp")

    response = client.post("/plans/new", data={"title": "令和8年度 計画", "cycle_year": 2025,
                                               "venue": "県民会館", "propose_dates": "y"})

    assert response.status_code == 302
    with app.app_context():
        plan = db.session.scalar(db.select(Plan))
        dates = {t.curriculum_key: t.first_date for t in plan.trainings}
        assert all(is_working_day(d) and plan.cycle_start <= d <= plan.cycle_end for d in dates.values())
        assert (dates["common"].month, dates["counselor"].month, dates["job_support"].month) == (2, 7, 10)
        assert all(timetable_of(t).feasible and t.venue == "県民会館" for t in plan.trainings)
        assert sorted({m.kind for m in plan.milestones}) == ["launch", "meeting", "retrospective"]


def test_new_plan_without_proposed_dates_leaves_dates_open(app, client):
    with app.app_context():
        make_user(make_prefecture("みどり県"), "official@midori.example.jp")
    login(client, "official@midori.example.jp")

    client.post("/plans/new", data={"title": "令和8年度 計画", "cycle_year": 2025})

    with app.app_context():
        assert [t.first_date for t in db.session.scalar(db.select(Plan)).trainings] == [None] * 4


def test_plan_zip_holds_every_handout_and_calendar(app, client):
    with app.app_context():
        make_user(make_prefecture("みどり県"), "official@midori.example.jp")
    login(client, "official@midori.example.jp")
    client.post("/plans/new", data={"title": "令和8年度 計画", "cycle_year": 2025, "propose_dates": "y"})
    with app.app_context():
        plan_id = db.session.scalar(db.select(Plan.id))

    response = client.get(f"/plans/{plan_id}/export.zip")

    assert response.mimetype == "application/zip"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert sum(n.startswith("研修次第") for n in names) == 4
    assert "企画スケジュール.docx" in names and "検討会議.ics" in names


def test_copy_keeps_a_first_of_november_date_inside_the_next_cycle(app):
    from planner.services.plans.changes import create_plan
    from planner.services.plans.next_cycle import copy_plan
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        plan = create_plan(prefecture, "計画", 2025, dates={"common": date(2025, 11, 1)})

        copy = copy_plan(plan)

        moved = copy.trainings[0].first_date
        assert moved == date(2026, 11, 7) and moved.weekday() == date(2025, 11, 1).weekday()
        assert copy.cycle_start <= moved <= copy.cycle_end


def test_copy_moves_chosen_later_days_with_day_one(app):
    from planner.services.plans.changes import create_plan, update_training
    from planner.services.plans.next_cycle import copy_plan
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        plan = create_plan(prefecture, "計画", 2025, dates={"counselor": date(2026, 7, 15)})
        counselor = next(t for t in plan.trainings if t.curriculum_key == "counselor")
        update_training(counselor, day_count=2, later_dates="2026-07-22")  # a week apart

        copy = copy_plan(plan)
        days = next(t for t in copy.trainings if t.curriculum_key == "counselor").days

    assert days[0] > date(2027, 1, 1) and days[1] - days[0] == timedelta(days=7)


def training_form(**changes) -> dict:
    """Every field of the training form, with the defaults of a new training."""
    return {"first_date": "2026-02-18", "day_count": "1", "venue": "県民会館", "per_municipality": "1",
            "start_time": "09:00", "end_time": "17:45", "lunch_minutes": "45", "lunch_earliest": "11:30",
            "lunch_latest": "13:30", "break_minutes": "10", "opening_title": "開会・オリエンテーション",
            "opening_minutes": "10", "closing_title": "アンケート記入・閉会", "closing_minutes": "10",
            **changes}


def test_training_date_that_breaks_the_timeline_order_is_refused(app, client):
    with app.app_context():
        make_user(make_prefecture("みどり県"), "official@midori.example.jp")
    login(client, "official@midori.example.jp")
    client.post("/plans/new", data={"title": "令和8年度 計画", "cycle_year": 2025, "propose_dates": "y"})
    with app.app_context():
        common = db.session.scalar(db.select(Plan)).trainings[0]
        training_id, before = common.id, common.first_date

    # the second planning meeting for the common programme is on 2026-01-22
    refused = client.post(f"/trainings/{training_id}/edit", data=training_form(first_date="2026-01-15"))
    moved = client.post(f"/trainings/{training_id}/edit", data=training_form(first_date="2026-02-20"))

    assert refused.status_code == 422
    assert "検討会議（第2回）" in refused.get_data(as_text=True)
    assert moved.status_code == 302
    with app.app_context():
        from planner.models import Training
        assert before == date(2026, 2, 18)
        assert db.session.get(Training, training_id).first_date == date(2026, 2, 20)


def test_plan_is_deleted_only_from_its_confirmation_page_which_offers_the_backup(app, client):
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        make_user(prefecture, "official@midori.example.jp")
        make_user(prefecture, "member@midori.example.jp", role="member")
    login(client, "official@midori.example.jp")
    client.post("/plans/new", data={"title": "消す計画", "cycle_year": 2025, "propose_dates": "y"})
    with app.app_context():
        plan_id = db.session.scalar(db.select(Plan.id))

    page = client.get(f"/plans/{plan_id}/delete").get_data(as_text=True)
    deleted = client.post(f"/plans/{plan_id}/delete")

    assert f"/plans/{plan_id}/export.json" in page and "この計画を削除する" in page
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Plan)) is None
    assert client.get(f"/plans/{plan_id}").status_code == 404


def test_member_cannot_delete_a_plan(app, client):
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        make_user(prefecture, "official@midori.example.jp")
        make_user(prefecture, "member@midori.example.jp", role="member")
    login(client, "official@midori.example.jp")
    client.post("/plans/new", data={"title": "残る計画", "cycle_year": 2025, "propose_dates": "y"})
    client.post("/logout")
    login(client, "member@midori.example.jp")
    with app.app_context():
        plan_id = db.session.scalar(db.select(Plan.id))

    response = client.post(f"/plans/{plan_id}/delete")

    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Plan, plan_id) is not None
