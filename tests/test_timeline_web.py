"""The timeline page (issue 5) through the test client: generating, moving, refusals, the
checklist, retrospectives carried to the next plan, access rules and the CLI.

CSRF is off here (tests/test_security.py covers it). Every "nothing changed" check reads the
rows again in a fresh app context, so it sees what is saved.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from planner.models import CarriedTodo, ChecklistTick, Milestone, Plan, Training
from planner.models.db import db
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, World, login, make_oita, make_plan, make_prefecture, make_user

OFFICIAL, MEMBER = OITA_OFFICIAL, OITA_MEMBER


@pytest.fixture
def oita(app) -> World:
    """大分県 with an official, a member and a 2025 plan (trainings on 2026-02-18, 03-11, 07-15, 10-21)."""
    with app.app_context():
        return make_oita()


@pytest.fixture
def official(client, oita):
    assert login(client, OFFICIAL).status_code == 302
    return client


@pytest.fixture
def generated(official, oita):
    """The official's client, with the plan's timeline generated."""
    response = official.post(f"/plans/{oita.plan}/timeline/generate", data={"chief_after": "common"})
    assert response.status_code == 302
    return official


def url(world: World, tail: str = "") -> str:
    return f"/plans/{world.plan}/timeline/{tail}"


def saved_milestones(app, plan_id: int) -> list[tuple]:
    """Every stored milestone of the plan as (kind, order, prepares, start, end, done, notes)."""
    with app.app_context():
        rows = db.session.scalars(db.select(Milestone).filter_by(plan_id=plan_id)
                                  .order_by(Milestone.start, Milestone.id)).all()
        return [(m.kind, m.order, m.prepares, m.start, m.end, m.done, m.went_well, m.to_change)
                for m in rows]


def milestone_id(app, plan_id: int, kind: str, order: int = 0, training_key: str | None = None) -> int:
    """The id of a stored milestone: a meeting by its number, a retrospective by its training."""
    with app.app_context():
        for m in db.session.scalars(db.select(Milestone).filter_by(plan_id=plan_id, kind=kind).order_by(Milestone.id)):
            if m.order == order and (training_key is None or m.training.curriculum_key == training_key):
                return m.id
    raise LookupError(kind)


def training_state(app, training_id: int) -> tuple:
    with app.app_context():
        t = db.session.get(Training, training_id)
        return t.first_date, t.day_count, t.revision


def move(client, world, milestone: int, start: str, end: str = "", **extra):
    data = {f"m{milestone}-start": start, f"m{milestone}-end": end}
    data.update({f"m{milestone}-{k}": v for k, v in extra.items()})
    return client.post(url(world, f"milestones/{milestone}"), data=data)


def move_training(client, world, training: int, start: str, end: str = ""):
    return client.post(url(world, f"trainings/{training}"),
                       data={f"t{training}-start": start, f"t{training}-end": end})


# --------------------------------------------------------------------------- generating

def test_timeline_generate_stores_launch_meetings_and_retrospectives(app, generated, oita):
    saved = saved_milestones(app, oita.plan)

    assert [(kind, order, prepares, start) for kind, order, prepares, start, *_ in saved] == [
        ("launch", 0, "", date(2025, 11, 17)),
        ("meeting", 1, "common,chief", date(2026, 1, 8)),
        ("meeting", 2, "common,chief", date(2026, 1, 22)),
        ("retrospective", 0, "", date(2026, 2, 25)),
        ("retrospective", 0, "", date(2026, 3, 18)),
        ("meeting", 1, "counselor,job_support", date(2026, 4, 8)),
        ("meeting", 2, "counselor,job_support", date(2026, 4, 15)),
        ("meeting", 3, "counselor,job_support", date(2026, 4, 22)),
        ("retrospective", 0, "", date(2026, 7, 22)),
        ("retrospective", 0, "", date(2026, 10, 28)),
    ]


def test_timeline_page_shows_trainings_dates_fiscal_years_and_months(app, generated, oita):
    page = generated.get(url(oita)).get_data(as_text=True)

    assert "令和7年11月17日（月）" in page
    assert "前期共通プログラムの伝達研修" in page  # the training, from the plan's trainings
    assert "令和8年2月18日（水）" in page and "令和7年度" in page and "令和8年度" in page
    assert page.count('<th scope="col" class="month') == 12
    assert page.index("11月") < page.index("10月")
    assert 'href="/static/timeline.css"' in page


def test_timeline_page_before_generating_offers_to_generate(official, oita):
    page = official.get(url(oita)).get_data(as_text=True)

    assert "まだ年間の流れを作っていません" in page
    assert "年間の流れを作成" in page


def test_timeline_regenerate_keeps_notes_and_done_marks(app, generated, oita):
    launch = milestone_id(app, oita.plan, "launch")
    retro = milestone_id(app, oita.plan, "retrospective", training_key="common")
    assert move(generated, oita, launch, "2025-11-20", done="y").status_code == 302
    generated.post(url(oita, f"milestones/{retro}/retrospective"),
                   data={f"r{retro}-went_well": "良かった", f"r{retro}-to_change": ""})

    generated.post(url(oita, "generate"), data={"chief_after": "common"})

    with app.app_context():
        assert db.session.get(Milestone, launch).start == date(2025, 11, 17)
        assert db.session.get(Milestone, launch).done is True
        assert db.session.get(Milestone, retro).went_well == "良かった"


def test_timeline_generate_chief_late_moves_chief_to_april_meetings(app, official, oita):
    with app.app_context():
        db.session.get(Training, oita.trainings["chief"]).first_date = date(2026, 6, 17)
        db.session.commit()

    official.post(url(oita, "generate"), data={"chief_after": "late"})

    prepares = {p for kind, _, p, *_ in saved_milestones(app, oita.plan) if kind == "meeting"}
    assert prepares == {"common", "counselor,job_support,chief"}
    with app.app_context():
        assert db.session.get(Plan, oita.plan).chief_after == "late"


def test_timeline_generate_bad_chief_choice_refused(app, official, oita):
    response = official.post(url(oita, "generate"), data={"chief_after": "sometime"})

    assert response.status_code == 422
    assert saved_milestones(app, oita.plan) == []


# --------------------------------------------------------------------------- moving

def test_timeline_move_meeting_saved(app, generated, oita):
    meeting = milestone_id(app, oita.plan, "meeting", 2)

    response = move(generated, oita, meeting, "2026-01-29")

    assert response.status_code == 302
    with app.app_context():
        m = db.session.get(Milestone, meeting)
        assert (m.start, m.end) == (date(2026, 1, 29), date(2026, 1, 29))
    assert "日程を保存しました。" in generated.get(url(oita)).get_data(as_text=True)


def test_timeline_move_to_saturday_saved_with_warning(app, generated, oita):
    meeting = milestone_id(app, oita.plan, "meeting", 2)

    move(generated, oita, meeting, "2026-01-31")

    page = generated.get(url(oita)).get_data(as_text=True)
    assert "令和8年1月31日（土）は土曜日です。" in page


@pytest.mark.parametrize(("kind", "order", "key", "start", "message"), [
    ("meeting", 2, None, "2026-02-20", "が、準備する前期共通プログラムの伝達研修 令和8年2月18日 より後になっています。"),
    ("meeting", 1, None, "2026-02-18", "と同じ日になっています。"),
    ("retrospective", 0, "common", "2026-02-10", "が、前期共通プログラムの伝達研修 令和8年2月18日 より前になっています。"),
    ("meeting", 3, None, "2026-07-16", "準備する相談支援員・後期の伝達研修 令和8年7月15日 より後"),
])
def test_timeline_impossible_move_refused_nothing_changed(app, generated, oita, kind, order, key, start,
                                                          message):
    ident = milestone_id(app, oita.plan, kind, order, key)
    before = saved_milestones(app, oita.plan)

    response = move(generated, oita, ident, start, done="y")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "変更は保存されませんでした" in page
    assert message in page
    assert saved_milestones(app, oita.plan) == before


def test_timeline_move_before_launch_refused(app, generated, oita):
    meeting = milestone_id(app, oita.plan, "meeting", 1)
    before = saved_milestones(app, oita.plan)

    response = move(generated, oita, meeting, "2025-11-10")

    assert response.status_code == 422
    assert "企画会議チームの立ち上げ 令和7年11月17日 より前になっています。" in response.get_data(as_text=True)
    assert saved_milestones(app, oita.plan) == before


@pytest.mark.parametrize(("start", "end", "message"), [
    ("", "", "入力してください。"),
    ("2026-13-40", "", "「2026-13-40」は日付として読めません（例 令和9年2月18日、R9.2.18、2027/2/18）。"),
    ("tomorrow", "", "「tomorrow」は日付として読めません（例 令和9年2月18日、R9.2.18、2027/2/18）。"),
    ("2026-01-20", "2026-01-19", "終了日は開始日と同じか後にしてください。"),
    ("2026-11-05", "", "計画の期間（令和7年11月1日〜令和8年10月31日）の中の日付を入力してください。"),
    ("2025-10-31", "", "計画の期間（令和7年11月1日〜令和8年10月31日）の中の日付を入力してください。"),
])
def test_timeline_bad_input_refused_next_to_field(app, generated, oita, start, end, message):
    meeting = milestone_id(app, oita.plan, "meeting", 1)
    before = saved_milestones(app, oita.plan)

    response = move(generated, oita, meeting, start, end)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<span class="error">{message}</span>' in page
    assert 'aria-invalid="true"' in page
    assert saved_milestones(app, oita.plan) == before


def test_timeline_unknown_milestone_is_404(generated, oita):
    assert move(generated, oita, 99999, "2026-01-20").status_code == 404


# --------------------------------------------------------------------------- trainings: one date

def test_timeline_move_training_changes_the_training(app, generated, oita):
    common = oita.trainings["common"]
    _, _, revision = training_state(app, common)

    response = move_training(generated, oita, common, "2026-02-19", "2026-02-20")

    assert response.status_code == 302
    assert training_state(app, common) == (date(2026, 2, 19), 2, revision + 1)
    page = generated.get(f"/trainings/{common}").get_data(as_text=True)
    assert "令和8年2月19日（木）・2月20日（金）（2日間）" in page  # every day named (issue 24)


def test_training_page_change_shows_on_the_timeline(app, generated, oita):
    counselor = oita.trainings["counselor"]
    with app.app_context():
        from planner.services.plans.changes import update_training
        update_training(db.session.get(Training, counselor), first_date=date(2026, 6, 10))

    page = generated.get(url(oita)).get_data(as_text=True)

    assert "令和8年6月10日（水）" in page
    assert "令和8年7月15日（水）" not in page


def test_timeline_move_training_after_its_retrospective_refused(app, generated, oita):
    common = oita.trainings["common"]
    before = training_state(app, common)

    response = move_training(generated, oita, common, "2026-02-27")

    assert response.status_code == 422
    assert "前期共通プログラムの振り返り・反省会 令和8年2月25日 が、前期共通プログラムの伝達研修 " \
           "令和8年2月27日 より前になっています。" in response.get_data(as_text=True)
    assert training_state(app, common) == before


def test_timeline_move_training_too_long_refused(app, generated, oita):
    counselor = oita.trainings["counselor"]
    before = training_state(app, counselor)

    response = move_training(generated, oita, counselor, "2026-07-13", "2026-07-17")

    assert response.status_code == 422
    assert "研修の日数は1〜3日にしてください。" in response.get_data(as_text=True)
    assert training_state(app, counselor) == before


def test_timeline_undated_training_proposed_date_adopted(app, client):
    with app.app_context():
        prefecture = make_prefecture("大分県")
        make_user(prefecture, OFFICIAL)
        plan = make_plan(prefecture, cycle_year=2026, dates={})
        world = World(prefecture.id, plan.id, {t.curriculum_key: t.id for t in plan.trainings})
    login(client, OFFICIAL)
    client.post(url(world, "generate"), data={"chief_after": "common"})
    page = client.get(url(world)).get_data(as_text=True)
    assert "この日程を採用" in page
    assert "提案: 令和9年2月18日（木）" in page

    response = client.post(url(world, f"trainings/{world.trainings['common']}/adopt"))

    assert response.status_code == 302
    assert training_state(app, world.trainings["common"])[0] == date(2027, 2, 18)


# --------------------------------------------------------------------------- done, overdue

def test_timeline_overdue_until_marked_done(app, generated, oita):
    launch = milestone_id(app, oita.plan, "launch")
    page = generated.get(url(oita)).get_data(as_text=True)
    # the 2025 cycle ended in October 2026: everything not done is overdue
    assert "期限を過ぎて済んでいない項目（10件）" in page

    move(generated, oita, launch, "2025-11-17", done="y")

    page = generated.get(url(oita)).get_data(as_text=True)
    assert "期限を過ぎて済んでいない項目（9件）" in page
    with app.app_context():
        assert db.session.get(Milestone, launch).done is True


# --------------------------------------------------------------------------- checklist

def saved_ticks(app, plan_id: int) -> dict[str, bool]:
    with app.app_context():
        return {t.key: t.done for t in db.session.scalars(db.select(ChecklistTick).filter_by(plan_id=plan_id))}


def test_timeline_checklist_ticks_saved(app, generated, oita):
    response = generated.post(url(oita, "checklist"), data={
        "items": ["select_team", "present_draft@common,chief", "assign_lecturers@counselor,job_support"]})

    assert response.status_code == 302
    ticks = saved_ticks(app, oita.plan)
    assert {k for k, done in ticks.items() if done} == {
        "select_team", "present_draft@common,chief", "assign_lecturers@counselor,job_support"}
    assert len(ticks) == 9  # 1 at the launch + 4 per meeting series
    page = generated.get(url(oita)).get_data(as_text=True)
    assert page.count(" checked>") == 3

    generated.post(url(oita, "checklist"), data={"items": ["select_team"]})
    assert {k for k, done in saved_ticks(app, oita.plan).items() if done} == {"select_team"}


def test_timeline_checklist_unknown_item_refused(app, generated, oita):
    generated.post(url(oita, "checklist"), data={"items": ["select_team"]})

    response = generated.post(url(oita, "checklist"), data={"items": ["select_team", "bake_cake"]})

    assert response.status_code == 422
    assert "このチェック項目はこの計画にありません。" in response.get_data(as_text=True)
    assert saved_ticks(app, oita.plan) == {**{k: False for k in saved_ticks(app, oita.plan)},
                                           "select_team": True}


# --------------------------------------------------------------------------- retrospectives

def test_timeline_retrospective_notes_carried_to_next_plan_on_copy(app, generated, oita):
    retro = milestone_id(app, oita.plan, "retrospective", training_key="common")
    response = generated.post(url(oita, f"milestones/{retro}/retrospective"), data={
        f"r{retro}-went_well": "グループワークで顔の見える関係ができた",
        f"r{retro}-to_change": "事例の匿名化を前日までに確認する\n会場の音響を事前に確かめる"})
    assert response.status_code == 302

    response = generated.post(f"/plans/{oita.plan}/copy")

    new_plan = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        todos = db.session.scalars(db.select(CarriedTodo).filter_by(plan_id=new_plan)
                                   .order_by(CarriedTodo.id)).all()
        assert [(t.text, t.source_title, t.done) for t in todos] == [
            ("【前期共通プログラム・変えること】事例の匿名化を前日までに確認する", "令和7年度 伝達研修計画", False),
            ("【前期共通プログラム・変えること】会場の音響を事前に確かめる", "令和7年度 伝達研修計画", False),
            ("【前期共通プログラム・続けること】グループワークで顔の見える関係ができた", "令和7年度 伝達研修計画", False),
        ]
        first = todos[0].id
    page = generated.get(f"/plans/{new_plan}/timeline/").get_data(as_text=True)
    assert "事例の匿名化を前日までに確認する" in page

    generated.post(f"/plans/{new_plan}/timeline/todos/{first}", data={"done": "y"})
    with app.app_context():
        assert db.session.get(CarriedTodo, first).done is True


def test_timeline_retrospective_empty_notes_refused(app, generated, oita):
    retro = milestone_id(app, oita.plan, "retrospective", training_key="common")
    before = saved_milestones(app, oita.plan)

    response = generated.post(url(oita, f"milestones/{retro}/retrospective"), data={
        f"r{retro}-went_well": "  ", f"r{retro}-to_change": ""})

    assert response.status_code == 422
    assert "「良かった点」か「次に変えること」のどちらかを入力してください。" in response.get_data(as_text=True)
    assert saved_milestones(app, oita.plan) == before


def test_timeline_retrospective_form_on_a_meeting_is_404(app, generated, oita):
    meeting = milestone_id(app, oita.plan, "meeting", 1)

    response = generated.post(url(oita, f"milestones/{meeting}/retrospective"),
                              data={f"r{meeting}-went_well": "x"})

    assert response.status_code == 404


# --------------------------------------------------------------------------- access

def test_timeline_other_prefecture_is_404(app, client, generated, oita):
    meeting = milestone_id(app, oita.plan, "meeting", 1)
    with app.app_context():
        other = make_prefecture("福岡県")
        make_user(other, "official@fukuoka.example.jp")
        own_plan = make_plan(other).id
    client.post("/logout")
    login(client, "official@fukuoka.example.jp")
    before = saved_milestones(app, oita.plan)

    assert client.get(url(oita)).status_code == 404
    assert move(client, oita, meeting, "2026-01-20").status_code == 404
    assert client.post(url(oita, "generate"), data={"chief_after": "common"}).status_code == 404
    # another plan's milestone through one's own plan's address
    assert client.post(f"/plans/{own_plan}/timeline/milestones/{meeting}",
                       data={f"m{meeting}-start": "2026-01-20"}).status_code == 404
    assert saved_milestones(app, oita.plan) == before


def test_timeline_member_views_but_cannot_change(app, client, oita):
    with app.app_context():
        from planner.services.timeline import generate_plan_timeline
        generate_plan_timeline(db.session.get(Plan, oita.plan))
        db.session.commit()
    meeting = milestone_id(app, oita.plan, "meeting", 1)
    login(client, MEMBER)
    before = saved_milestones(app, oita.plan)

    page = client.get(url(oita))
    assert page.status_code == 200
    assert "日程を変更する" not in page.get_data(as_text=True)
    assert move(client, oita, meeting, "2026-01-20").status_code == 403
    assert client.post(url(oita, "checklist"), data={"items": ["select_team"]}).status_code == 403
    assert client.post(url(oita, "generate"), data={"chief_after": "common"}).status_code == 403
    assert saved_milestones(app, oita.plan) == before


def test_timeline_post_without_csrf_token_refused(csrf_app, csrf_client):
    with csrf_app.app_context():
        plan_id = make_plan(make_prefecture("大分県")).id

    response = csrf_client.post(f"/plans/{plan_id}/timeline/generate", data={"chief_after": "common"})

    assert response.status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(db.select(db.func.count(Milestone.id))) == 0


def test_timeline_print_stylesheet_is_a4_landscape(client):
    with client.get("/static/timeline.css") as response:
        css = response.get_data(as_text=True)

    assert "@page { size: A4 landscape;" in css


# --------------------------------------------------------------------------- CLI

def test_timeline_cli_json_lists_milestones_and_trainings_by_date(app, generated, oita, runner):
    result = runner.invoke(args=["timeline", str(oita.plan), "--json"])

    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert [set(i) for i in items] == [{"kind", "title", "start", "end"}] * 14
    assert [i["start"] for i in items] == sorted(i["start"] for i in items)
    assert [i["kind"] for i in items].count("training") == 4
    assert items[0] == {"kind": "launch", "title": "企画会議チームの立ち上げ",
                        "start": "2025-11-17", "end": "2025-11-17"}
    assert {"kind": "training", "title": "前期共通プログラムの伝達研修",
            "start": "2026-02-18", "end": "2026-02-18"} in items


def test_timeline_cli_text_and_unknown_plan(app, generated, oita, runner):
    result = runner.invoke(args=["timeline", str(oita.plan)])
    assert result.exit_code == 0
    assert "令和7年11月17日（月）  令和7年度  企画会議チームの立ち上げ" in result.output

    result = runner.invoke(args=["timeline", "99999"])
    assert result.exit_code == 2
    assert "計画ID 99999 の計画はありません。" in result.output
