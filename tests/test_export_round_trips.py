"""Every export that has an import re-imports: the roster as CSV and .xlsx, and the plan's JSON
backup, each downloaded through the web from the demo world (with text that Excel and people
really produce added through the forms) and uploaded again, then compared field by field."""
from __future__ import annotations

import dataclasses
import io
import json

import pytest

from planner.domain import fields
from planner.models import Plan, Prefecture, TeamMember, TrainingSubject
from planner.models.db import db
from planner.services.demo import DEMO_PASSWORD, DEMO_PREFECTURE
from planner.services.team.roster import roster_rows
from planner.services.timeline import save_retrospective
from tests.demo_copy import loaded_demo
from tests.factories import login, make_plan

OFFICIAL = "tanaka@midori.example.jp"
#: a member as an official might type or paste them: formulas, line breaks, Excel's dates
AWKWARD_MEMBER = {"name": "=HYPERLINK(\"http://evil.example\",\"山田\")", "municipality": "@もりの村\r\n役場",
                  "municipality_kind": "other", "email": "yamada@morino.example.jp",
                  "course_chief": "y", "year_chief": "2024", "course_common": "y",
                  "unavailable": "2026/2/18; 2026/03/01, 2026-07-15", "notes": "-引き継ぎ\r\n+\t電話は午後\x07"}


@pytest.fixture
def demo(app, client):
    """The demo world with one awkward member added through the form; the official logged in."""
    loaded_demo(app)
    with app.app_context():
        plan_id = db.session.scalar(db.select(Plan.id).join(Prefecture).where(Prefecture.name == DEMO_PREFECTURE)
                                    .order_by(Plan.id))  # this cycle's plan, made first
    assert login(client, OFFICIAL, DEMO_PASSWORD).status_code == 302
    assert client.post(f"/plans/{plan_id}/team/new", data=AWKWARD_MEMBER).status_code == 302
    with app.app_context():
        empty = make_plan(db.session.get(Plan, plan_id).prefecture, title="取り込み先", dates={}).id
    return plan_id, empty


def fields_of(rows) -> list[dict]:
    return [dataclasses.asdict(row) for row in rows]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_roster_export_re_imports_field_by_field(app, client, demo, extension):
    plan_id, empty_id = demo
    exported = client.get(f"/plans/{plan_id}/team.{extension}")

    first = client.post(f"/plans/{empty_id}/team/import", data={"file": (io.BytesIO(exported.data), f"名簿.{extension}")})
    again = client.post(f"/plans/{empty_id}/team/import", data={"file": (io.BytesIO(exported.data), f"名簿.{extension}")})

    assert (exported.status_code, first.status_code, again.status_code) == (200, 302, 302)
    with app.app_context():
        original = fields_of(roster_rows(db.session.get(Plan, plan_id)))
        copy = fields_of(roster_rows(db.session.get(Plan, empty_id)))
    assert len(copy) == len(original) > 1
    for before, after in zip(original, copy):
        for name, value in before.items():
            assert (before["email"], name, after[name]) == (before["email"], name, value)
    awkward = next(row for row in copy if row["email"] == "yamada@morino.example.jp")
    assert (awkward["name"], awkward["municipality"], awkward["notes"]) == (
        AWKWARD_MEMBER["name"], "@もりの村 役場", "-引き継ぎ\n+\t電話は午後")


def test_backup_export_re_imports_field_by_field(app, client, demo):
    plan_id, _ = demo
    exported = client.get(f"/plans/{plan_id}/export.json")

    imported = client.post("/plans/import", data={"file": (io.BytesIO(exported.data), "計画.json")})

    assert (exported.status_code, imported.status_code) == (200, 302)
    new_id = int(imported.headers["Location"].rstrip("/").rsplit("/", 1)[1])  # /plans/<id>, not the index
    again = json.loads(client.get(f"/plans/{new_id}/export.json").data)
    before = json.loads(exported.data)
    assert again["plan"].pop("title") == before["plan"].pop("title") + "（取込）"
    for section, value in before["plan"].items():
        assert (section, again["plan"][section]) == (section, value)


def test_no_way_in_goes_past_the_row_limits_the_backup_reads(app, client, demo):
    plan_id, empty_id = demo
    with app.app_context():
        plan = db.session.get(Plan, empty_id)
        db.session.add_all([TeamMember(plan=plan, name=f"メンバー{i}", municipality="あおば市",
                                       municipality_kind="other", email=f"m{i}@aoba.example.jp")
                            for i in range(fields.limit("members") - 1)])
        training = plan.trainings[0]
        training.subjects += [TrainingSubject(position=100 + i, local_name=f"独自{i}", local_minutes=10)
                              for i in range(fields.limit("subjects") - len(training.subjects))]
        db.session.commit()
        training_id = training.id
    csv_two = ("氏名,所属自治体,自治体の種別,メールアドレス\r\n"
               "新人A,あおば市,中核市,a@aoba.example.jp\r\n新人B,あおば市,中核市,b@aoba.example.jp\r\n").encode()

    by_file = client.post(f"/plans/{empty_id}/team/import", data={"file": (io.BytesIO(csv_two), "名簿.csv")})
    last = client.post(f"/plans/{empty_id}/team/new", data={**AWKWARD_MEMBER, "email": "last@aoba.example.jp"})
    one_more = client.post(f"/plans/{empty_id}/team/new", data={**AWKWARD_MEMBER, "email": "more@aoba.example.jp"})
    subject = client.post(f"/trainings/{training_id}/subjects", data={"name": "もう1つ", "minutes": "10"})

    assert by_file.status_code == 422 and "名簿は500人までです（今499人、このファイルで2人増えます）。" in by_file.get_data(as_text=True)
    assert last.status_code == 302
    assert one_more.status_code == 422 and "名簿はこれ以上増やせません（500人まで）。" in one_more.get_data(as_text=True)
    assert subject.status_code == 422 and "1つの研修の科目は100までです" in subject.get_data(as_text=True)
    exported = client.get(f"/plans/{empty_id}/export.json")
    restored = client.post("/plans/import", follow_redirects=True,
                           data={"file": (io.BytesIO(exported.data), "計画.json")})
    assert "計画を取り込みました。" in restored.get_data(as_text=True)


def test_a_copied_plan_never_carries_more_to_dos_than_its_backup_reads(app, client, demo):
    plan_id, _ = demo
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        retrospective = next(m for m in plan.milestones if m.kind == "retrospective")
        # one short line after another: as many lines as the form's 2000 characters hold
        notes = "\n".join(str(i % 10) for i in range(700))
        assert len(notes) <= fields.rule("went_well").max
        save_retrospective(retrospective, notes, notes)

    first = client.post(f"/plans/{plan_id}/copy")
    first_id = int(first.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    second = client.post(f"/plans/{first_id}/copy")
    second_id = int(second.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    with app.app_context():
        copies = [db.session.get(Plan, i) for i in (first_id, second_id)]
        assert [len(p.carried_todos) for p in copies] == [fields.limit("carried_todos")] * 2
        assert copies[0].carried_todos[0].text.endswith("変えること】0")
    exported = client.get(f"/plans/{second_id}/export.json")
    restored = client.post("/plans/import", follow_redirects=True,
                           data={"file": (io.BytesIO(exported.data), "計画.json")})
    assert "計画を取り込みました。" in restored.get_data(as_text=True)
