"""The backup import writes its many small rows in one statement per table: the team's
programme versions, completed courses and unavailable days come back exactly, in the
session that imported them as after a commit, and a holder who is away on their role's day
is refused before anything is written."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from planner.domain.dates import format_date_wareki
from planner.models import MemberUnavailable, Plan, ProgrammeEntry, TeamMember, TrainingSubject
from planner.models.db import db
from planner.services.backup.plan import BackupError, dump_plan, load_plan
from tests.test_backup import make_plan_with_team_and_timeline, make_prefecture


def _with_programme(plan: Plan) -> None:
    """Three versions of the team's programme on two subjects."""
    rows = [row for row in plan.trainings[0].subjects if row.letter][:2]
    for row, count in zip(rows, (2, 1)):
        for version in range(1, count + 1):
            db.session.add(ProgrammeEntry(subject=row, version=version, emphasis=f"強調{version}",
                                          key_points="要点\n二行目", author_name="担当",
                                          created_at=datetime(2025, 12, version, 9)))
    db.session.commit()


def test_a_plan_with_programme_courses_and_days_round_trips_identically(app):
    with app.app_context():
        plan = make_plan_with_team_and_timeline(make_prefecture())
        _with_programme(plan)
        first = dump_plan(plan)
        copied = load_plan(plan.prefecture, first)
        # in the importing session, before the commit, as in the view and the command
        assert sum(len(row.programme) for t in copied.trainings for row in t.subjects) == 3
        assert [m.unavailable_days for m in copied.members] == [m.unavailable_days for m in plan.members]
        assert [m.graduate_of for m in copied.members] == [m.graduate_of for m in plan.members]
        db.session.commit()
        copied_id = copied.id
        db.session.expire_all()
        second = dump_plan(db.session.get(Plan, copied_id))
    data, again = json.loads(first), json.loads(second)
    assert again["plan"].pop("title") == data["plan"].pop("title") + "（取込）"
    assert again == data
    assert any(s["programme"] for t in data["plan"]["trainings"] for s in t["subjects"])
    assert any(m["courses"] and m["unavailable"] for m in data["plan"]["members"])


def test_a_holder_away_on_the_day_is_refused_before_anything_is_written(app):
    with app.app_context():
        plan = make_plan_with_team_and_timeline(make_prefecture())
        data = json.loads(dump_plan(plan))
        role = next(r for t in data["plan"]["trainings"] for r in t["roles"]
                    if r["holder"] and r["kind"] != "material_preparer")
        training = next(t for t in data["plan"]["trainings"] if role in t["roles"])
        member = next(m for m in data["plan"]["members"] if m["email"] == role["holder"])
        member["unavailable"] = sorted(set(member["unavailable"]) | {training["first_date"]})
        before = [db.session.scalar(db.select(db.func.count()).select_from(model))
                  for model in (Plan, TeamMember, TrainingSubject, MemberUnavailable, ProgrammeEntry)]
        with pytest.raises(BackupError, match=f"役割の担当: {member['name']}さんは{format_date_wareki(date.fromisoformat(training['first_date']), weekday=False)}を参加できない日"):
            load_plan(plan.prefecture, json.dumps(data, ensure_ascii=False))
        db.session.rollback()
        after = [db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in (Plan, TeamMember, TrainingSubject, MemberUnavailable, ProgrammeEntry)]
        assert after == before


def test_the_benchmark_file_round_trips_identically(app):
    """The 2 MB file of bench/bench_backup.py (500 members with 150 unavailable days each,
    every slot held, 1,500 programme versions): written in one statement per table, read
    back equal, field for field."""
    from bench.bench_backup import backup_text
    with app.app_context():
        prefecture = make_prefecture()
        text = backup_text(prefecture)
        copied = load_plan(prefecture, text)
        db.session.commit()
        copied_id = copied.id
        db.session.expire_all()
        again = json.loads(dump_plan(db.session.get(Plan, copied_id)))
    data = json.loads(text)
    assert again["plan"].pop("title") == data["plan"].pop("title") + "（取込）"
    assert again == data
    assert sum(len(m["unavailable"]) for m in data["plan"]["members"]) == 75_000
