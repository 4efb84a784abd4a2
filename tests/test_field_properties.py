"""Property tests: any text or date that one way in accepts (the member form, the roster CSV,
the roster .xlsx, the training and retrospective forms) survives the plan's backup round trip
unchanged, and the shared field rules are stable (planner.domain.fields)."""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError
from werkzeug.datastructures import MultiDict

from planner.domain import fields
from planner.models import Plan, Prefecture
from planner.models.db import db
from planner.services.backup.plan import dump_plan, export_plan, load_plan
from planner.services.team.files import HEADER, RosterError, parse_roster
from planner.services.team.roster import save_member
from planner.services.timeline import generate_plan_timeline, save_retrospective
from planner.web.forms import MemberForm, TrainingForm
from planner.web.team import _row_from_form
from planner.web.timeline_forms import RetrospectiveForm
from tests.factories import make_plan, make_prefecture
from tests.hypothesis_profiles import examples

SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
#: any text a person could paste: every Unicode category, control characters and line breaks included
any_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(
    "\r\n\t\x00\x07\x0b\x0c\x1f\x7f\x85\u2028\u2029'=+-@ 　"), max_size=120)
#: dates as people and Excel write them, in and far outside the years the app handles
STYLES = st.sampled_from(["{d.year}/{d.month}/{d.day}", "{d.year}/{d.month:02d}/{d.day:02d}", "{d:%Y-%m-%d}"])
written_dates = st.builds(lambda d, style: style.format(d=d), st.dates(date(1990, 1, 1), date(2110, 12, 31)), STYLES)
#: text with something visible in it somewhere, for the fields that must not be empty
filled_text = st.builds(lambda before, core, after: before + core + after, any_text,
                        st.text("佐藤健一あおば市=+-@'A1", min_size=1, max_size=5), any_text.map(lambda t: t[:20]))
#: mostly inside the 2025 plan's cycle, which the training form asks for
cycle_dates = st.builds(lambda d, style: style.format(d=d), st.dates(date(2025, 11, 1), date(2026, 10, 31)),
                        STYLES) | written_dates


# --------------------------------------------------------------------------- pure rules

@given(any_text, st.booleans())
def test_cleaning_is_stable_and_leaves_no_control_character(text, lines):
    once = fields.clean_text(text, lines)

    assert fields.clean_text(once, lines) == once
    assert {c for c in once if unicodedata.category(c) == "Cc"} <= ({"\n", "\t"} if lines else set())
    assert once == once.strip()


@given(any_text)
def test_neutralised_cells_never_start_a_formula_and_restore_exactly(text):
    cell = fields.neutralise_cell(text)

    assert not cell.startswith(fields.FORMULA_STARTS)
    assert fields.restore_cell(cell) == text


@given(written_dates)
def test_a_date_is_read_only_inside_the_years_the_app_handles(text):
    try:
        day = fields.parse_date(text)
    except fields.FieldError:
        return
    assert fields.DATE_MIN <= day <= fields.DATE_MAX
    assert fields.parse_date(day.isoformat()) == day


# --------------------------------------------------------------------------- through the backup

@pytest.fixture
def world(app):
    """A plan to add to, and a second prefecture to restore into; both committed."""
    with app.app_context():
        plan = make_plan(make_prefecture("みどり県"))
        other = make_prefecture("あおぞら県")
        ids = plan.id, other.id
    with app.app_context():
        yield db.session.get(Plan, ids[0]), db.session.get(Prefecture, ids[1])


def restored_the_same(plan: Plan, other: Prefecture) -> tuple[dict, dict]:
    """The plan's backup, and the backup of what that backup restores to."""
    db.session.flush()
    db.session.expire_all()
    before = export_plan(plan)
    copy = load_plan(other, dump_plan(plan))
    db.session.expire_all()
    after = export_plan(copy)
    after["plan"]["title"] = before["plan"]["title"]  # the copy's title is marked （取込）
    return before, after


def member_by_form(app, name, municipality, notes, unavailable):
    with app.test_request_context(method="POST"):
        form = MemberForm(formdata=MultiDict({
            "name": name, "municipality": municipality, "municipality_kind": "other",
            "email": "ito@kawabe.example.jp", "notes": notes, "unavailable": unavailable,
            "course_common": "y", "year_common": "2024"}), meta={"csrf": False})
        return _row_from_form(form) if form.validate() else None


def member_by_csv(name, municipality, notes, unavailable):
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, [name, municipality, "その他の市町村", "ito@kawabe.example.jp",
                                        "前期共通:2024", unavailable, notes]])
    try:
        return parse_roster(out.getvalue().encode("utf-8"))[0]
    except RosterError:
        return None


def member_by_xlsx(name, municipality, notes, unavailable):
    book = Workbook()
    try:
        book.active.append(HEADER)
        book.active.append([name, municipality, "その他の市町村", "ito@kawabe.example.jp", "前期共通:2024",
                            unavailable, notes])
    except IllegalCharacterError:
        return None  # an .xlsx cannot hold it, so no official can send it
    out = io.BytesIO()
    book.save(out)
    try:
        return parse_roster(out.getvalue())[0]
    except RosterError:
        return None


@SETTINGS
@given(way=st.sampled_from(["form", "csv", "xlsx"]), name=filled_text, municipality=filled_text, notes=any_text,
       unavailable=st.lists(written_dates, max_size=4).map(";".join))
def test_a_member_any_way_accepts_survives_the_backup(app, world, way, name, municipality, notes, unavailable):
    plan, other = world
    args = (name, municipality, notes, unavailable)
    row = member_by_form(app, *args) if way == "form" else (
        member_by_csv(*args) if way == "csv" else member_by_xlsx(*args))
    assume(row is not None)

    save_member(plan, row)
    before, after = restored_the_same(plan, other)
    db.session.rollback()

    assert after["plan"]["members"] == before["plan"]["members"]
    assert before["plan"]["members"][0]["name"] == row.name
    assert before["plan"]["members"][0]["notes"] == row.notes
    assert before["plan"]["members"][0]["unavailable"] == [d.isoformat() for d in row.unavailable]


@SETTINGS
@given(venue=any_text, opening=filled_text, first_date=cycle_dates)
def test_training_text_and_date_the_form_accepts_survive_the_backup(app, world, venue, opening, first_date):
    plan, other = world
    training = plan.trainings[0]
    with app.test_request_context(method="POST"):
        form = TrainingForm(formdata=MultiDict({
            "first_date": first_date, "day_count": "1", "venue": venue, "per_municipality": "2",
            "start_time": "09:30", "end_time": "17:00", "lunch_minutes": "60", "lunch_earliest": "11:30",
            "lunch_latest": "13:00", "break_minutes": "10", "opening_title": opening, "opening_minutes": "10",
            "closing_title": "閉会", "closing_minutes": "10"}), meta={"csrf": False},
            cycle=(plan.cycle_start, plan.cycle_end))
        accepted = form.validate()
    assume(accepted)

    training.venue, training.opening_title, training.first_date = form.venue.data, form.opening_title.data, form.first_date.data
    before, after = restored_the_same(plan, other)
    db.session.rollback()

    assert after["plan"]["trainings"] == before["plan"]["trainings"]
    assert before["plan"]["trainings"][0]["venue"] == form.venue.data


@SETTINGS
@given(went_well=any_text, to_change=any_text)
def test_retrospective_notes_the_form_accepts_survive_the_backup(app, world, went_well, to_change):
    plan, other = world
    with app.test_request_context(method="POST"):
        form = RetrospectiveForm(formdata=MultiDict({"went_well": went_well, "to_change": to_change}),
                                 meta={"csrf": False})
        accepted = form.validate()
    assume(accepted)

    if not plan.milestones:
        generate_plan_timeline(plan)
    retrospective = next(m for m in plan.milestones if m.kind == "retrospective")
    save_retrospective(retrospective, form.went_well.data, form.to_change.data)
    before, after = restored_the_same(plan, other)
    db.session.rollback()

    assert after["plan"]["milestones"] == before["plan"]["milestones"]
    assert (form.went_well.data, form.to_change.data) in [(m["went_well"], m["to_change"])
                                                          for m in before["plan"]["milestones"]]
