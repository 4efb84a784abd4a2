"""Curricula editions: a new edition loaded from a file changes new plans only; a plan moves to it
after seeing the differences; a bad file names its line and writes nothing."""
from pathlib import Path

from planner.models import CurriculaEdition, Plan
from planner.models.db import db
from planner.services.plans.timetables import timetable_of
from tests.factories import login, make_plan, make_prefecture, make_user

BUNDLED = Path(__file__).resolve().parent.parent / "curricula" / "counselor.toml"
OFFICIAL = "official@midori.example.jp"


def _edition_file(tmp_path, text: str, name: str = "counselor_r9.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _changed_counselor() -> str:
    """The bundled 相談後期 as 令和9年度版, with subject B at 70 minutes instead of 60."""
    text = BUNDLED.read_text(encoding="utf-8")
    old = 'letter = "B"\nname = "支援の技術 ―アウトリーチ・観察と記録―"\nnational_lectures = ["【講義③】アウトリーチ", "【講義④】観察と記録"]\nminutes = 60\nminutes_text = "60分"'
    assert old in text
    return 'edition = "令和9年度版"\n' + text.replace(old, old.replace("minutes = 60", "minutes = 70")
                                                     .replace('"60分"', '"70分"'))


def _minutes_of(training, letter: str) -> int:
    timetable = timetable_of(training)
    assert timetable.feasible
    return sum(item.minutes for day in timetable.days for item in day.subjects if item.letter == letter)


def _counselor(plan: Plan):
    return next(t for t in plan.trainings if t.curriculum_key == "counselor")


def test_a_loaded_edition_changes_new_plans_and_leaves_old_ones(app, runner, tmp_path):
    with app.app_context():
        old_id = make_plan(make_prefecture("みどり県")).id
        assert _minutes_of(_counselor(db.session.get(Plan, old_id)), "B") == 60

    result = runner.invoke(args=["curricula", "--load", _edition_file(tmp_path, _changed_counselor())])
    assert result.exit_code == 0, result.output
    assert "令和9年度版" in result.output

    with app.app_context():
        new = make_plan(db.session.scalar(db.select(Plan)).prefecture, title="令和9年度 計画")
        assert new.curricula_edition == "令和9年度版"
        assert _minutes_of(_counselor(new), "B") == 70
        old = db.session.get(Plan, old_id)
        assert old.curricula_edition == ""
        assert _minutes_of(_counselor(old), "B") == 60
        # the curricula the edition did not reload stay the bundled ones
        common = next(t for t in new.trainings if t.curriculum_key == "common")
        assert _minutes_of(common, "A") == 60

    listed = runner.invoke(args=["curricula", "--editions"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].startswith("令和8年度版") and "計画 1件" in lines[0]
    assert lines[1].startswith("令和9年度版") and "counselor" in lines[1] and "計画 1件" in lines[1]


def test_a_bad_toml_names_its_line_and_writes_nothing(app, runner, tmp_path):
    text = _changed_counselor().replace('minutes_text = "70分"', 'minutes_text = "70分', 1)
    line = text.splitlines().index('minutes_text = "70分') + 1

    result = runner.invoke(args=["curricula", "--load", _edition_file(tmp_path, text)])

    assert result.exit_code != 0
    assert f"{line}行目" in result.output and "TOML として読めません" in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CurriculaEdition.id))) == 0


def test_a_schema_error_names_the_entry_and_its_line(app, runner, tmp_path):
    text = _changed_counselor().replace("minutes = 70", 'minutes = "70"', 1)
    line = text.splitlines().index('minutes = "70"') + 1

    result = runner.invoke(args=["curricula", "--load", _edition_file(tmp_path, text)])

    assert result.exit_code != 0
    assert f"{line}行目" in result.output and "subject B" in result.output and "「minutes」の型が違います" in result.output
    missing = runner.invoke(args=["curricula", "--load", _edition_file(tmp_path, BUNDLED.read_text(encoding="utf-8"))])
    assert missing.exit_code != 0 and "「edition」がありません" in missing.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CurriculaEdition.id))) == 0


def test_a_missing_file_is_refused_in_japanese(app, runner, tmp_path):
    result = runner.invoke(args=["curricula", "--load", str(tmp_path / "nope.toml")])
    assert result.exit_code != 0 and "nope.toml がありません" in result.output


def test_the_same_edition_twice_is_refused(app, runner, tmp_path):
    path = _edition_file(tmp_path, _changed_counselor())
    assert runner.invoke(args=["curricula", "--load", path]).exit_code == 0
    again = runner.invoke(args=["curricula", "--load", path])
    assert again.exit_code != 0 and "読み込み済み" in again.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CurriculaEdition.id))) == 1


def test_a_plan_moves_to_the_new_edition_after_seeing_the_differences(app, client, runner, tmp_path):
    with app.app_context():
        plan_id = make_plan(make_user(make_prefecture("みどり県"), OFFICIAL).prefecture).id
    login(client, OFFICIAL)
    assert "新しい版" not in client.get(f"/plans/{plan_id}").get_data(as_text=True)
    text = _changed_counselor()
    text = text[:text.index('[[subjects]]\nletter = "E"')]  # the new edition also drops subject E
    assert runner.invoke(args=["curricula", "--load", _edition_file(tmp_path, text)]).exit_code == 0

    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "カリキュラム：令和8年度版" in page and "新しい版 令和9年度版" in page
    shown = client.get(f"/plans/{plan_id}/edition")
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "時間 60分 → 70分" in body
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        assert plan.curricula_edition == ""  # showing changes nothing
        assert _minutes_of(_counselor(plan), "B") == 60
        letters = [r.letter for r in _counselor(plan).subjects]
    removed = [x for x in letters if f'letter = "{x}"' not in text]
    assert removed == ["E"]
    assert "なくなる科目" in body and "<li>E " in body

    moved = client.post(f"/plans/{plan_id}/edition")
    assert moved.status_code == 302
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        assert plan.curricula_edition == "令和9年度版"
        assert _minutes_of(_counselor(plan), "B") == 70
        assert not set(removed) & {r.letter for r in _counselor(plan).subjects}
    assert "新しい版" not in client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert client.get(f"/plans/{plan_id}/edition").status_code == 302
