"""Which municipalities have sent nobody, per training and over the year; seats left; the
warning in the last days before the application deadline."""
from __future__ import annotations

from datetime import date

from planner.models import Participant, Plan, Training
from planner.models.db import db
from planner.services.participants.coverage import WARN_DAYS, training_coverage, year_coverage
from planner.services.participants.entries import today_in_japan
from tests.factories import OITA_OFFICIAL, login, make_oita
from tests.participant_data import add_participants, make_municipalities

DEADLINE = date(2026, 1, 30)


def _world():
    world = make_oita()
    places = make_municipalities(world.prefecture)
    common = db.session.get(Training, world.trainings["common"])
    common.capacity, common.application_deadline = 10, DEADLINE
    add_participants(common, places[:3], 5)  # 大分市 2, 別府市 2, 中津市 1
    chief = db.session.get(Training, world.trainings["chief"])
    waiting = add_participants(chief, [places[3]], 1)[0]  # 日田市, on the waiting list
    waiting.status = "waiting"
    db.session.commit()
    return world, places, common, chief


def test_training_coverage_counts_seats_and_silent_municipalities(app):
    with app.app_context():
        _, places, common, chief = _world()

        cov = training_coverage(common, today=date(2026, 1, 10))
        chief_cov = training_coverage(chief, today=date(2026, 1, 10))

        assert cov.total_accepted == 5 and cov.seats_left == 5
        assert [m.name for m in cov.silent] == ["日田市", "姫島村", "日出町"]
        assert cov.accepted[places[0].id] == 2
        assert chief_cov.seats_left is None  # no capacity set
        assert places[3] not in chief_cov.silent and chief_cov.waiting[places[3].id] == 1


def test_warning_only_in_the_last_days_before_the_deadline(app):
    with app.app_context():
        _, _, common, _ = _world()

        early = training_coverage(common, today=date(2026, 1, 10))
        close = training_coverage(common, today=date(2026, 1, 30 - WARN_DAYS))
        on_the_day = training_coverage(common, today=DEADLINE)
        after = training_coverage(common, today=date(2026, 1, 31))

        assert (early.warn, close.warn, on_the_day.warn, after.warn) == (False, True, True, False)
        assert close.days_to_deadline == WARN_DAYS and after.deadline_passed


def test_year_coverage_lists_those_who_sent_nobody_to_any_training(app, client):
    with app.app_context():
        world, places, common, _ = _world()
        plan = db.session.get(Plan, world.plan)

        year = year_coverage(plan, today=date(2026, 1, 10))

        assert [m.name for m in year.silent] == ["姫島村", "日出町"]
        assert year.sent_to(places[0]) == 1
        common.application_deadline = today_in_japan()
        db.session.commit()
        training_id = common.id
    login(client, OITA_OFFICIAL)
    year_page = client.get(f"/plans/{world.plan}/participants/coverage").get_data(as_text=True)
    training_page = client.get(f"/trainings/{training_id}/participants").get_data(as_text=True)

    assert "今年度どの研修にも申込のない市町村（2）：姫島村、日出町" in year_page
    assert "申込のない市町村（3）</strong>：日田市、姫島村、日出町" in training_page
    assert "あと0日です" in training_page
    assert "残り <strong>5</strong>席" in training_page


def test_declined_entries_count_as_a_reply_but_not_as_a_seat(app):
    with app.app_context():
        _, places, common, _ = _world()
        hita = add_participants(common, [places[3]], 1)[0]
        hita.status = "declined"
        db.session.commit()

        cov = training_coverage(common, today=date(2026, 1, 10))

        assert places[3] not in cov.silent
        assert cov.total_accepted == 5
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 7
