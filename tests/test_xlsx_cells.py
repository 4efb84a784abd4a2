"""Every .xlsx the app writes, as a recipient's Excel shows it (issue 23): dates are date cells
shown in 和暦, 班 and counts are numbers, the file names the app as its creator and has a
title, and every column is wide enough for its heading. The files that have an import (the
team roster, the 受講者名簿 as a reply file) import again with those typed cells."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from planner.models import Participant, Plan, Prefecture, SurveyResponse, Training
from planner.models.db import db
from planner.services.demo import DEMO_PASSWORD, DEMO_PREFECTURE
from planner.services.spreadsheets import CREATOR, DATE_FORMAT, shown_width
from planner.services.team.files import MemberRow, parse_roster, write_roster_xlsx
from tests.demo_copy import loaded_demo
from tests.factories import login, make_plan

OFFICIAL = "tanaka@midori.example.jp"


@pytest.fixture
def demo(app, client):
    """The demo world, its official logged in: (this cycle's plan, its common training, the
    training of last cycle that has survey answers)."""
    loaded_demo(app)
    with app.app_context():
        plan = db.session.scalar(db.select(Plan).join(Prefecture).where(Prefecture.name == DEMO_PREFECTURE)
                                 .order_by(Plan.cycle_year.desc()).limit(1))
        common = next(t.id for t in plan.trainings if t.curriculum_key == "common")
        surveyed = db.session.scalar(db.select(SurveyResponse.training_id).limit(1))
        ids = plan.id, common, surveyed
    assert login(client, OFFICIAL, DEMO_PASSWORD).status_code == 302
    return ids


def _book(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return load_workbook(io.BytesIO(response.data))


def test_every_workbook_names_its_maker_a_title_and_fits_its_headings(client, demo):
    plan_id, common_id, surveyed_id = demo
    urls = {f"/plans/{plan_id}/team.xlsx": 1, "/team/roster-example.xlsx": 1,
            f"/trainings/{common_id}/participants/papers/list.xlsx": 1,
            f"/trainings/{common_id}/participants/reply-example.xlsx": 1,
            f"/trainings/{common_id}/groups.xlsx": 3,  # under the title and the date
            f"/trainings/{surveyed_id}/survey/answers.xlsx": 1}

    for url, header_row in urls.items():
        book = _book(client, url)
        assert (url, book.properties.creator, book.properties.lastModifiedBy) == (url, CREATOR, CREATOR)
        assert book.properties.title and book.properties.title != book.active.title, url
        for sheet in book.worksheets:
            row = header_row if sheet is book.active else 1
            for cell in sheet[row]:
                if isinstance(cell.value, str) and len(cell.value) <= 20:  # a heading, not a question
                    width = sheet.column_dimensions[cell.column_letter].width
                    assert (url, cell.value, width >= shown_width(cell.value)) == (url, cell.value, True)


def test_the_roster_writes_dates_as_date_cells_and_imports_them_again(app, client, demo):
    plan_id, _, _ = demo
    exported = client.get(f"/plans/{plan_id}/team.xlsx").data
    sheet = load_workbook(io.BytesIO(exported)).active
    header = [c.value for c in sheet[1]]
    days = [row[header.index("参加できない日")] for row in sheet.iter_rows(min_row=2)]

    typed = [c for c in days if c.is_date]
    assert typed and {c.number_format for c in typed} == {DATE_FORMAT}
    assert all(isinstance(c.value, datetime) for c in typed)
    with app.app_context():
        empty_id = make_plan(db.session.get(Plan, plan_id).prefecture, title="取り込み先", dates={}).id
    imported = client.post(f"/plans/{empty_id}/team/import", data={"file": (io.BytesIO(exported), "名簿.xlsx")})
    assert imported.status_code == 302
    assert parse_roster(client.get(f"/plans/{empty_id}/team.xlsx").data) == parse_roster(exported)


def test_several_days_are_one_text_cell_in_wareki_that_reads_back():
    rows = [MemberRow(name="佐藤 健一", municipality="あおば市", municipality_kind="other", email="sato@example.jp",
                      unavailable=[date(2027, 3, 1), date(2027, 2, 18)]),
            MemberRow(name="鈴木 真理", municipality="かわべ市", municipality_kind="other", email="suzuki@example.jp",
                      unavailable=[date(2019, 5, 1)])]

    data = write_roster_xlsx(rows)
    sheet = load_workbook(io.BytesIO(data)).active

    assert sheet["F2"].value == "令和9年2月18日（木）;令和9年3月1日（月）" and sheet["F2"].data_type == "s"
    assert sheet["F3"].is_date and sheet["F3"].number_format == DATE_FORMAT
    assert parse_roster(data) == [MemberRow(**{**vars(rows[0]), "unavailable": [date(2027, 2, 18), date(2027, 3, 1)]}),
                                  rows[1]]


def test_the_participant_list_has_its_group_as_a_number_and_imports_as_a_reply(app, client, demo):
    _, common_id, _ = demo
    exported = client.get(f"/trainings/{common_id}/participants/papers/list.xlsx").data
    sheet = load_workbook(io.BytesIO(exported)).active
    groups = [row[8] for row in sheet.iter_rows(min_row=2)]

    assert groups and all(isinstance(c.value, int) and c.data_type == "n" for c in groups)
    assert {c.number_format for c in groups} == {'0"班"'}
    with app.app_context():
        plan_id = db.session.get(Training, common_id).plan_id
        target = db.session.scalar(db.select(Training).filter_by(plan_id=plan_id, curriculum_key="counselor"))
        target.per_municipality, target.application_deadline = 10, None
        db.session.commit()
        target_id = target.id
    imported = client.post(f"/trainings/{target_id}/participants/import",
                           data={"file": (io.BytesIO(exported), "受講者名簿.xlsx")})
    assert imported.status_code in (302, 303), imported.get_data(as_text=True)[:2000]
    with app.app_context():
        def entries(training_id):
            return sorted(((p.municipality_id, p.name, p.kana, p.affiliation, p.kind, p.job, p.email, p.needs)
                           for p in db.session.scalars(db.select(Participant).filter_by(training_id=training_id,
                                                                                        status="accepted"))),
                          key=repr)
        assert entries(target_id) == entries(common_id) != []


def test_survey_averages_and_counts_are_numbers(client, demo):
    _, _, surveyed_id = demo
    summary = _book(client, f"/trainings/{surveyed_id}/survey/answers.xlsx")["集計"]

    scale = [row for row in summary.iter_rows(min_row=2) if row[1].value == "5段階"]
    assert scale and all(row[2].data_type == "n" and isinstance(row[3].value, (int, float))
                         for row in scale)
    assert {row[3].number_format for row in scale} == {"0.0"}
