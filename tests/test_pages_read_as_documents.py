"""The demo's pages write what the documents write (issue 23): one wave dash (〜, never the
full-width ～ beside it: the curricula's text has ～, the app's own words 〜) and dates in the
era (令和8年11月16日（月）), never 2026年11月16日 or 2027-07-15. Input values keep what the date
parser reads (it reads 和暦 too), so they are not part of what is read here."""
from __future__ import annotations

import re
from datetime import date

import pytest
from flask import current_app

from planner.models import (
    ApplicationLink,
    Milestone,
    Plan,
    Prefecture,
    SupplementaryEvent,
    SurveyResponse,
    TrainingSubject,
)
from planner.models.db import db
from planner.services.demo import DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PREFECTURE
from planner.services.participants.links import token_of
from tests.demo_copy import loaded_demo
from tests.factories import login

OFFICIAL, MEMBER = DEMO_PEOPLE[0][0], DEMO_PEOPLE[1][0]
WESTERN_DATE = re.compile(r"20\d\d-\d\d-\d\d|20\d\d年")
#: what a person reads: no scripts or styles, no typed values (textareas), no tags or attributes
HIDDEN = re.compile(r"<(script|style|textarea)\b[^>]*>.*?</\1>", re.S)


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", HIDDEN.sub(" ", html)).split())


@pytest.fixture
def pages(app) -> dict[str, list[str]]:
    """The demo, and the pages its official and a member read (the municipality's link page too)."""
    loaded_demo(app)
    with app.app_context():
        plan = db.session.scalar(db.select(Plan).join(Prefecture).where(Prefecture.name == DEMO_PREFECTURE)
                                 .order_by(Plan.cycle_year.desc()).limit(1))
        trainings = [t.id for t in plan.trainings]
        meeting = db.session.scalar(db.select(Milestone.id).filter_by(plan_id=plan.id, kind="meeting"))
        supplement = db.session.scalar(db.select(SupplementaryEvent.id).join(TrainingSubject)
                                       .where(TrainingSubject.training_id.in_(trainings)))
        surveyed = db.session.scalar(db.select(SurveyResponse.training_id).limit(1))
        link = db.session.scalar(db.select(ApplicationLink).where(ApplicationLink.training_id.in_(trainings)))
        token = token_of(link, current_app.config["SECRET_KEY"])
        plan_id = plan.id
    official = ["/", f"/plans/{plan_id}", f"/plans/{plan_id}/roles", f"/plans/{plan_id}/timeline/",
                f"/plans/{plan_id}/team", f"/plans/{plan_id}/meetings/{meeting}", f"/supplements/{supplement}",
                "/my/roles", "/feeds", "/outbox", "/settings",
                f"/trainings/{surveyed}/survey", f"/trainings/{surveyed}/survey/results"]
    for t in trainings:
        official += [f"/trainings/{t}", f"/trainings/{t}/edit", f"/trainings/{t}/participants",
                     f"/trainings/{t}/participants/papers", f"/trainings/{t}/materials", f"/trainings/{t}/groups",
                     f"/trainings/{t}/reception", f"/trainings/{t}/versions"]
    return {OFFICIAL: official, MEMBER: ["/my/roles", f"/plans/{plan_id}/roles", "/feeds", f"/plans/{plan_id}"],
            "": [f"/apply/{token}"]}


def _read(app, pages) -> dict[str, str]:
    texts = {}
    for who, urls in pages.items():
        client = app.test_client()
        if who:
            assert login(client, who, DEMO_PASSWORD).status_code == 302
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            texts[f"{who} {url}"] = visible_text(response.get_data(as_text=True))
    return texts


def test_demo_pages_write_one_wave_dash_and_dates_in_the_era(app, pages):
    texts = _read(app, pages)

    dashes = {page: re.findall(".{0,15}\uff5e.{0,15}", text) for page, text in texts.items()}
    western = {page: re.findall(f".{{0,15}}(?:{WESTERN_DATE.pattern}).{{0,10}}", text) for page, text in texts.items()}
    assert {page: found for page, found in dashes.items() if found} == {}
    assert {page: found for page, found in western.items() if found} == {}
    # what the curricula write with ～ is on the pages, with 〜; and the dates are there, in the era
    timetable = next(text for page, text in texts.items() if re.search(r"/trainings/\d+$", page))
    assert re.search(r"\d+〜\d+分", timetable) and re.search(r"令和\d+年\d+月\d+日（[月火水木金土日]）", timetable)


def test_the_dash_is_changed_on_pages_only_and_never_in_what_a_person_typed(app):
    from markupsafe import Markup
    with app.app_context():
        page = app.jinja_env.from_string("{{ text }}|{{ field }}").render(text="20～40分", field=Markup('value="9～10"'))
        mail = app.jinja_env.overlay(autoescape=False).from_string("{{ text }}").render(text="20～40分")

    assert page == '20〜40分|value="9～10"'
    assert mail == "20～40分"


def test_a_date_a_page_reads_out_is_in_the_era_with_its_weekday(app):
    with app.app_context():
        render = app.jinja_env.from_string
        assert render("{{ d | date_ja }}").render(d=date(2026, 11, 16)) == "令和8年11月16日（月）"
        assert render("{{ 2026 | month_wareki(11) }}・{{ 2023 | year_wareki }}").render() == "令和8年11月・令和5年"
