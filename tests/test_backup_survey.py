"""Version 3 of the plan file: the plan's curricula edition, each training's survey questions
and groups' findings, and the retrospectives' 「次に変えること」; never a link, a token or an
answer. Older files (versions 1 and 2) still load; bad files are refused whole."""
from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest

from planner.models import Plan, Training
from planner.models.db import db
from planner.models.survey import ChangeItem, GroupFinding, SurveyAnswer, SurveyLink, SurveyQuestion, SurveyResponse
from planner.services.backup.plan import BackupError, dump_plan, export_plan, load_plan
from planner.services.survey import changes, questions
from planner.services.survey.links import token_of
from tests.conftest import _make_app
from tests.databases import fresh_database
from tests.demo_copy import flask_demo
from tests.factories import login, make_plan, make_user
from tests.test_backup import as_version_2, counts, make_plan_with_team_and_timeline, make_prefecture
from tests.test_editions import _changed_counselor, _counselor, _edition_file, _minutes_of

V2_FILE = Path(__file__).parent / "data" / "plan_v2.json"
OFFICIAL = "official@midori.example.jp"


def make_plan_with_survey(prefecture) -> Plan:
    """The full plan with team and timeline, and on its common training: the questions made
    from the programme plus one of the official's own, the groups' findings in every review
    state, and two changes for next time on its retrospective."""
    plan = make_plan_with_team_and_timeline(prefecture)
    common = plan.trainings[0]
    questions.ensure_questions(common)
    questions.save_question(common, None, "single", "会場への案内は分かりやすかったですか", "はい\nいいえ", True)
    db.session.add_all([
        GroupFinding(training_id=common.id, group_no=1, category="issue", text="町村部では支援員が\n一人で抱え込みやすい"),
        GroupFinding(training_id=common.id, group_no=2, category="key_role", text="山田さんに頼りきり",
                     review="held", findings="人名「山田」"),
        GroupFinding(training_id=common.id, group_no=2, category="measure", text="川口町の佐々木さんと組む",
                     review="hidden", findings="人名「佐々木」、地名「川口町」"),
        GroupFinding(training_id=common.id, group_no=3, category="measure", text="田中課長に相談する",
                     review="released", findings="人名「田中」")])
    db.session.commit()
    retrospective = _retrospective_of(plan, common)
    changes.add_change(retrospective, "A", "制度の理念の説明を短くする")
    changes.add_change(retrospective, "", "班に行政職員を必ず入れる")
    return plan


def _retrospective_of(plan: Plan, training: Training):
    return next(m for m in plan.milestones if m.kind == "retrospective" and m.training is training)


def survey_counts() -> tuple[int, ...]:
    """The plan tables' rows (tests.test_backup.counts) and the survey's."""
    return counts() + tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                            for model in (SurveyQuestion, GroupFinding, ChangeItem))


@pytest.fixture
def second_app(tmp_path):
    """Another empty database, as on another server."""
    with fresh_database(tmp_path / "second.sqlite") as url, _make_app(url) as application:
        yield application


def test_the_survey_travels_into_another_database(app, second_app):
    with app.app_context():
        first = dump_plan(make_plan_with_survey(make_prefecture()))

    with second_app.app_context():
        plan_id = load_plan(make_prefecture("あおぞら県"), first).id
        db.session.commit()
        db.session.expire_all()
        plan = db.session.get(Plan, plan_id)
        second = dump_plan(plan)
        common = plan.trainings[0]
        # the rows: a per-subject question names the same subject, reviews stay as they were
        asked = {q.text: q for q in common.survey_questions}
        about_a = next(q for q in common.survey_questions if q.aspect == "understanding")
        assert about_a.subject.letter == "A" and about_a.required
        local = next(q for q in common.survey_questions if q.subject is not None and q.subject.is_local)
        assert local.subject.local_name.startswith("県の取組紹介")
        own = asked["会場への案内は分かりやすかったですか"]
        assert (own.kind, own.choice_list, own.aspect) == ("single", ["はい", "いいえ"], "")
        found = db.session.scalars(db.select(GroupFinding).filter_by(training_id=common.id)
                                   .order_by(GroupFinding.id)).all()
        assert [(f.group_no, f.review) for f in found] == [(1, "clear"), (2, "held"), (2, "hidden"), (3, "released")]
        assert found[0].text == "町村部では支援員が\n一人で抱え込みやすい"
        items = _retrospective_of(plan, common).change_items
        assert [(i.letter, i.text) for i in items] == [("A", "制度の理念の説明を短くする"), ("", "班に行政職員を必ず入れる")]
        assert changes.changes_for_meeting(changes.next_meeting(_retrospective_of(plan, common)))

    assert second == first
    data = json.loads(first)
    assert data["version"] == 3
    survey = data["plan"]["trainings"][0]["survey"]
    assert set(survey) == {"questions", "findings"}
    assert set(survey["questions"][0]) == {"position", "kind", "text", "choices", "required", "aspect", "subject"}
    assert survey["questions"][-1]["choices"] == ["はい", "いいえ"]
    assert survey["findings"][1] == {"group_no": 2, "category": "key_role", "text": "山田さんに頼りきり",
                                     "review": "held", "findings": "人名「山田」"}
    assert data["plan"]["trainings"][1]["survey"] == {"questions": [], "findings": []}
    retrospective = next(m for m in data["plan"]["milestones"] if m["kind"] == "retrospective" and m["training"] == 0)
    assert retrospective["changes"] == [{"letter": "A", "text": "制度の理念の説明を短くする"},
                                        {"letter": "", "text": "班に行政職員を必ず入れる"}]


def test_the_file_carries_no_link_token_or_answer(app, runner):
    """The demo's last cycle: participants answered through one-time links, groups wrote
    through theirs, municipalities got follow-up links. None of it is in the file."""
    flask_demo(runner.app)
    with app.app_context():
        training_id = db.session.scalar(db.select(SurveyResponse.training_id).limit(1))
        plan = db.session.get(Training, training_id).plan
        text = dump_plan(plan)
        links = db.session.scalars(db.select(SurveyLink).filter_by(training_id=training_id)).all()
        answers = db.session.scalars(db.select(SurveyAnswer.text).join(SurveyQuestion)
                                     .where(SurveyQuestion.kind == "text", SurveyAnswer.text != "")).all()
        copied = load_plan(make_prefecture("あおぞら県"), text)
        db.session.commit()
        copied_trainings = [t.id for t in copied.trainings]
        for model in (SurveyLink, SurveyResponse):
            assert db.session.scalar(db.select(db.func.count()).select_from(model)
                                     .where(model.training_id.in_(copied_trainings))) == 0
        assert sum(len(t.survey_questions) for t in copied.trainings) > 0
        secret = app.config["SECRET_KEY"]
        tokens = [token_of(link, secret) for link in links] + [token_of(link, "demo-placeholder-key") for link in links]

    assert len(links) > 10 and answers
    for link in links:
        assert link.salt not in text and link.token_hash not in text
    for token in tokens:
        assert token not in text
    for answer in answers:
        assert json.dumps(answer, ensure_ascii=False) not in text
    assert not _keys(json.loads(text)) & {"salt", "token", "token_hash", "used", "answers", "responses", "links"}


def _keys(value) -> set[str]:
    """Every key of every object in a JSON value."""
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def test_a_version_2_file_still_loads_and_writes_back_as_version_3(app):
    """A file written by version 2 (tests/data/plan_v2.json, kept as that version wrote it):
    it loads on the bundled edition with no survey, and writes back the same plus the new keys."""
    old = V2_FILE.read_text(encoding="utf-8")
    assert json.loads(old)["version"] == 2
    with app.app_context():
        plan = load_plan(make_prefecture(), old)
        db.session.commit()

        again = export_plan(plan)

        assert plan.curricula_edition == ""
        assert all(t.survey_questions == [] for t in plan.trainings)
        assert db.session.scalar(db.select(db.func.count()).select_from(GroupFinding)) == 0
        assert all(m.change_items == [] for m in plan.milestones)
    assert again["version"] == 3 and again["plan"]["curricula_edition"] == ""
    assert all(t["survey"] == {"questions": [], "findings": []} for t in again["plan"]["trainings"])
    assert as_version_2(again) == json.loads(old)


def test_a_version_3_file_made_version_2_loads_without_its_survey(app):
    with app.app_context():
        data = export_plan(make_plan_with_survey(make_prefecture()))

        plan = load_plan(make_prefecture("あおぞら県"), json.dumps(as_version_2(data), ensure_ascii=False))

        assert plan.trainings[0].survey_questions == [] and len(plan.trainings[0].subjects) == 7
        assert all(m.change_items == [] for m in plan.milestones)


# --------------------------------------------------------------------------- editions

def test_a_plan_keeps_its_edition_and_an_edition_not_here_is_refused(app, runner, client, tmp_path):
    result = runner.invoke(args=["curricula", "--load", _edition_file(tmp_path, _changed_counselor())])
    assert result.exit_code == 0, result.output
    with app.app_context():
        prefecture = make_prefecture()
        make_user(prefecture, OFFICIAL)
        plan = make_plan(prefecture)  # on the newest edition: 相談後期's subject B is 70 minutes there
        assert plan.curricula_edition == "令和9年度版" and _minutes_of(_counselor(plan), "B") == 70
        data = export_plan(plan)
        assert data["plan"]["curricula_edition"] == "令和9年度版"

        copied = load_plan(make_prefecture("あおぞら県"), json.dumps(data, ensure_ascii=False))
        db.session.commit()
        assert copied.curricula_edition == "令和9年度版" and _minutes_of(_counselor(copied), "B") == 70
        assert export_plan(copied) == data

        missing = copy.deepcopy(data)
        missing["plan"]["curricula_edition"] = "令和99年度版"
        before = survey_counts()
        with pytest.raises(BackupError, match="カリキュラムの版（curricula_edition）「令和99年度版」がこのサーバーにありません"):
            load_plan(prefecture, json.dumps(missing, ensure_ascii=False))
        db.session.rollback()
        assert survey_counts() == before

    # as on a server that never loaded the edition: the web form answers 422 and saves nothing
    login(client, OFFICIAL)
    response = client.post("/plans/import", data={"file": (io.BytesIO(json.dumps(missing).encode()), "plan.json")})
    assert response.status_code == 422
    assert "「令和99年度版」がこのサーバーにありません" in response.get_data(as_text=True)
    with app.app_context():
        assert survey_counts() == before


def test_an_edition_plan_is_checked_against_its_edition(app, runner, tmp_path):
    """The reader checks the subjects against the plan's edition, not the bundled one: an
    edition whose subject C names one of its choices differently."""
    text = _changed_counselor().replace('key = "hellowork_lecture"', 'key = "hellowork_talk"')
    result = runner.invoke(args=["curricula", "--load", _edition_file(tmp_path, text)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        data = export_plan(make_plan(make_prefecture()))
        counselor = next(t for t in data["plan"]["trainings"] if t["curriculum_key"] == "counselor")
        next(s for s in counselor["subjects"] if s["letter"] == "C")["option_keys"] = ["hellowork_talk"]

        copied = load_plan(make_prefecture("あおぞら県"), json.dumps(data, ensure_ascii=False))
        assert next(r for r in _counselor(copied).subjects if r.letter == "C").option_keys == "hellowork_talk"
        db.session.rollback()

        data["plan"]["curricula_edition"] = ""  # the same subjects, read on the bundled edition
        with pytest.raises(BackupError, match="「hellowork_talk」は科目Cの選択肢にありません"):
            load_plan(make_prefecture("あおぞら県"), json.dumps(data, ensure_ascii=False))
        db.session.rollback()


# --------------------------------------------------------------------------- bad files

def _edit(change):
    def make(good: dict) -> str:
        data = copy.deepcopy(good)
        change(data)
        return json.dumps(data, ensure_ascii=False)
    return make


def _survey(data: dict) -> dict:
    return data["plan"]["trainings"][0]["survey"]


def _question(data: dict, index: int = 0) -> dict:
    return _survey(data)["questions"][index]


def _finding(data: dict, index: int = 0) -> dict:
    return _survey(data)["findings"][index]


def _retrospective(data: dict) -> dict:
    return next(m for m in data["plan"]["milestones"] if m["kind"] == "retrospective" and m["training"] == 0)


def _as_version_2_with_a_survey(data: dict) -> None:
    older = as_version_2(data)
    older["plan"]["trainings"][0]["survey"] = data["plan"]["trainings"][0]["survey"]
    data.clear()
    data.update(older)


def _set_many(**values):
    def change(data):
        data["plan"].update(values)
    return change


COMMON = "研修1（前期共通プログラム）"
QUESTION = f"{COMMON}のアンケートの質問1: "
FINDING = f"{COMMON}のアンケートの班の成果"
BAD_FILES = {
    "survey missing": (lambda d: d["plan"]["trainings"][0].pop("survey"), f"{COMMON}: アンケート（survey）がありません。"),
    "survey not an object": (lambda d: d["plan"]["trainings"][0].update(survey=[]),
                             f"{COMMON}のアンケート: 項目の集まり（JSON のオブジェクト）であるべきところが配列です。"),
    "survey with answers": (lambda d: _survey(d).update(answers=[]), f"{COMMON}のアンケート: 知らない項目「answers」があります。"),
    "questions not a list": (lambda d: _survey(d).update(questions={}), "質問の一覧（questions）が一覧（JSON の配列）ではありません"),
    "question kind unknown": (lambda d: _question(d).update(kind="essay"), QUESTION + "質問の種類（kind）「essay」はありません。"),
    "question text missing": (lambda d: _question(d).pop("text"), QUESTION + "質問文（text）がありません。"),
    "question text too long": (lambda d: _question(d).update(text="あ" * 301),
                               QUESTION + "質問文（text）が301文字あります。300文字以内にしてください。"),
    "question with a token": (lambda d: _question(d).update(token="abc"), QUESTION + "知らない項目「token」があります。"),
    "question required as text": (lambda d: _question(d).update(required="yes"),
                                  QUESTION + "必須（required）「yes」は true か false ではありません。"),
    "question position as text": (lambda d: _question(d).update(position="1"),
                                  QUESTION + "順番（position）「1」は数値（整数）ではありません。"),
    "question subject not here": (lambda d: _question(d).update(subject=42), QUESTION + "科目（subject） 42 の科目はこの研修にありません"),
    "question aspect unknown": (lambda d: _question(d).update(aspect="mood"), QUESTION + "質問の観点（aspect）「mood」はありません。"),
    "single with one choice": (lambda d: _question(d, -1).update(choices=["はい"]), "選択肢（choices）は2つ以上書きます"),
    "choices as text": (lambda d: _question(d, -1).update(choices="はい,いいえ"),
                        "選択肢（choices）が一覧（JSON の配列）ではありません（文字列）。"),
    "choice twice": (lambda d: _question(d, -1).update(choices=["はい", "はい"]), "選択肢（choices）に同じ選択肢が2回あります。"),
    "choice not text": (lambda d: _question(d, -1).update(choices=[1, 2]), "選択肢（choices）の「1」は200文字以内の文字列ではありません。"),
    "finding category unknown": (lambda d: _finding(d).update(category="wish"), f"{FINDING}1: 種類（category）「wish」はありません。"),
    "finding review unknown": (lambda d: _finding(d).update(review="ok"), f"{FINDING}1: 確認の状態（review）「ok」はありません。"),
    "held finding with nothing found": (lambda d: _finding(d, 1).update(findings=""),
                                        f"{FINDING}2: 匿名化の確認で見つかった語（findings）は、確認の状態（review）が clear のときだけ空です。"),
    "finding group 0": (lambda d: _finding(d).update(group_no=0), f"{FINDING}1: 班の番号（group_no） 0 は 1〜500 の範囲にありません。"),
    "finding text too long": (lambda d: _finding(d).update(text="あ" * 501), f"{FINDING}1: 内容（text）が501文字あります。"),
    "finding text missing": (lambda d: _finding(d).pop("text"), f"{FINDING}1: 内容（text）がありません。"),
    "finding with a created time": (lambda d: _finding(d).update(created_at="2026-02-18T10:00:00"),
                                    f"{FINDING}1: 知らない項目「created_at」があります。"),
    "changes on a launch": (lambda d: d["plan"]["milestones"][0].update(changes=[{"letter": "", "text": "早めに"}]),
                            "スケジュールの項目1: 次に変えること（項目）（changes）は振り返り・反省会にだけ書きます。"),
    "changes missing": (lambda d: _retrospective(d).pop("changes"), "次に変えること（項目）（changes）がありません。"),
    "change letter unknown": (lambda d: _retrospective(d)["changes"][0].update(letter="Z"),
                              "の次に変えること1: 科目記号（letter）「Z」はこの振り返りの研修の科目にありません。"),
    "change text empty": (lambda d: _retrospective(d)["changes"][1].update(text=" "), "の次に変えること2: 内容（text）が空です。"),
    "change by someone": (lambda d: _retrospective(d)["changes"][0].update(author="山田"), "知らない項目「author」があります。"),
    "edition unknown": (_set_many(curricula_edition="令和99年度版"),
                        "計画: カリキュラムの版（curricula_edition）「令和99年度版」がこのサーバーにありません。"),
    "edition as a number": (_set_many(curricula_edition=9), "計画: カリキュラムの版（curricula_edition）が文字列ではありません（数値）。"),
    "edition missing": (lambda d: d["plan"].pop("curricula_edition"), "計画: カリキュラムの版（curricula_edition）がありません。"),
    "version 2 with an edition": (lambda d: d.update(version=2), "計画: 知らない項目「curricula_edition」があります。"),
    "version 2 with a survey": (_as_version_2_with_a_survey, "研修1: 知らない項目「survey」があります。"),
}


@pytest.fixture(scope="module")
def good_export(tmp_path_factory) -> dict:
    with (fresh_database(tmp_path_factory.mktemp("good") / "good.sqlite") as url, _make_app(url) as application,
          application.app_context()):
        return export_plan(make_plan_with_survey(make_prefecture()))


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_survey_or_edition_is_refused_whole_and_writes_nothing(app, good_export, name):
    change, message = BAD_FILES[name]
    with app.app_context():
        prefecture = make_prefecture()
        load_plan(prefecture, json.dumps(good_export, ensure_ascii=False))
        db.session.commit()
        before = survey_counts()

        with pytest.raises(BackupError) as excinfo:
            load_plan(prefecture, _edit(change)(good_export))
        db.session.rollback()

        assert message in str(excinfo.value)
        assert survey_counts() == before


@pytest.mark.parametrize("name", ["question kind unknown", "finding review unknown", "change letter unknown"])
def test_the_web_form_answers_a_bad_survey_with_422_and_saves_nothing(app, client, good_export, name):
    change, message = BAD_FILES[name]
    with app.app_context():
        make_user(make_prefecture(), OFFICIAL)
        before = survey_counts()
    login(client, OFFICIAL)

    response = client.post("/plans/import", data={"file": (io.BytesIO(_edit(change)(good_export).encode()), "plan.json")})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "取り込みませんでした" in html and message.split(": ")[-1] in html
    with app.app_context():
        assert survey_counts() == before
