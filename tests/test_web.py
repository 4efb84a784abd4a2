"""The web pages through the test client: the official's journey, refusals, bad input, roles,
invitations and the JSON backup. CSRF is off here (tests/test_security.py covers it).

Every "nothing changed" check reads the rows again in a fresh app context, so it sees what
is saved, not what the request's session held.
"""
from __future__ import annotations

import io
import json
import re
import time
from datetime import date, timedelta
from datetime import time as clock

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from curricula import get_curriculum, load_curricula
from planner.models import Plan, Training, TrainingSubject, User
from planner.models.db import db
from planner.services.accounts import INVITE_MAX_AGE, make_invitation
from planner.web.trainings import SETTING_FIELDS
from tests.factories import (
    OITA_MEMBER,
    OITA_OFFICIAL,
    World,
    counting_queries,
    login,
    make_oita,
    make_plan,
    make_prefecture,
    make_user,
)

OFFICIAL, MEMBER = OITA_OFFICIAL, OITA_MEMBER


@pytest.fixture
def oita(app) -> World:
    """大分県 with an official, a member and a 2025 plan whose trainings have weekday dates."""
    with app.app_context():
        return make_oita()


@pytest.fixture
def official(client, oita):
    """The test client, logged in as 大分県's official."""
    assert login(client, OFFICIAL).status_code == 302
    return client


@pytest.fixture
def member(client, oita):
    """The test client, logged in as 大分県's team member."""
    assert login(client, MEMBER).status_code == 302
    return client


def training_form(**changes) -> dict:
    """Every field of TrainingForm, valid for the 2025 cycle; `changes` override some."""
    form = {"first_date": "2026-02-18", "day_count": "1", "venue": "大分県社会福祉介護研修センター",
            "capacity": "60", "per_municipality": "2", "start_time": "09:00", "end_time": "18:30",
            "lunch_minutes": "45", "lunch_earliest": "11:30", "lunch_latest": "13:30",
            "break_minutes": "10", "opening_title": "開会・オリエンテーション", "opening_minutes": "10",
            "closing_title": "アンケート記入・閉会", "closing_minutes": "10"}
    form.update(changes)
    return form


def saved_training(app, training_id: int) -> dict:
    """The training as saved: its settings and its subjects in order."""
    with app.app_context():
        training = db.session.get(Training, training_id)
        return {
            "settings": {name: getattr(training, name) for name in SETTING_FIELDS},
            "revision": training.revision,
            "subjects": [(row.letter, row.local_name, row.local_minutes, row.lecturer_name,
                          row.lecturer_org, row.minutes_override, row.separate_day, row.position)
                         for row in training.subjects],
        }


def saved_counts(app) -> dict:
    """How many rows of each kind are saved."""
    with app.app_context():
        return {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
                for model in (Plan, Training, TrainingSubject, User)}


def subject_id(app, training_id: int, name: str) -> int:
    """The id of the training's local subject with this name."""
    with app.app_context():
        return db.session.scalar(db.select(TrainingSubject.id).filter_by(
            training_id=training_id, local_name=name))


def field_message(field_id: str, message: str) -> str:
    """The markup of an error message shown next to its field (templates/_macros.html)."""
    return f'<p class="msg" id="{field_id}-msg"><span class="error">{message}</span>'


def timetable_section(html: str) -> str:
    """The part of the timetable page that shows the timetable itself."""
    return html[html.index('<section id="timetable"'):html.index("</section>")]


def plan_id_from(response) -> int:
    """The plan id of a redirect to /plans/<id>."""
    return int(re.fullmatch(r"/plans/(\d+)", response.headers["Location"]).group(1))


# --------------------------------------------------------------------------- the journey

def test_official_journey_from_new_plan_to_next_cycle(app, official):
    common = get_curriculum("common")

    # create a plan: four trainings appear on its page
    response = official.post("/plans/new", data={"title": "令和7年度 伝達研修計画（本番）",
                                                 "cycle_year": "2025"})
    assert response.status_code == 302
    plan_id = plan_id_from(response)
    page = official.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert [title in page for title in (c.title for c in load_curricula().values())] == [True] * 4
    with app.app_context():
        training_id = db.session.get(Plan, plan_id).trainings[0].id

    # dates and venue: a later end leaves room for local subjects
    response = official.post(f"/trainings/{training_id}/edit", data=training_form())
    assert response.status_code == 302
    saved = saved_training(app, training_id)["settings"]
    assert (saved["first_date"], saved["venue"], saved["capacity"], saved["end_time"]) == (
        date(2026, 2, 18), "大分県社会福祉介護研修センター", 60, clock(18, 30))

    # the timetable page lists the curriculum's subjects in order
    section = timetable_section(official.get(f"/trainings/{training_id}").get_data(as_text=True))
    positions = [section.index(subject.name) for subject in common.subjects]
    assert positions == sorted(positions)

    # minutes inside the source's range (B: 60-90)
    b_id = next(row[0] for row in _ids_by_letter(app, training_id) if row[1] == "B")
    assert official.post(f"/trainings/{training_id}/subjects/{b_id}/minutes",
                         data={"minutes": "60"}).status_code == 302

    # two local subjects with outside lecturers
    for name, minutes in (("権利擁護", "30"), ("ホームレス支援", "20")):
        response = official.post(f"/trainings/{training_id}/subjects", data={
            "name": name, "minutes": minutes, "lecturer_name": "大分 花子",
            "lecturer_org": "大分県社会福祉士会"})
        assert response.status_code == 302
    homeless = subject_id(app, training_id, "ホームレス支援")
    rights = subject_id(app, training_id, "権利擁護")

    # move the last one up: it swaps with the first local subject
    assert official.post(f"/trainings/{training_id}/subjects/{homeless}/move",
                         data={"direction": "up"}).status_code == 302
    names = [row[1] or row[0] for row in saved_training(app, training_id)["subjects"]]
    assert names == ["A", "B", "C", "D", "E", "F", "ホームレス支援", "権利擁護"]

    # a case-study meeting takes C off the day (the source: 「不足する視点は補う」), then is removed
    c_id = next(row[0] for row in _ids_by_letter(app, training_id) if row[1] == "C")
    response = official.post(f"/supplements/new/{training_id}", data={
        "subject_id": str(c_id), "kind": "case_meeting", "title": "事例で学ぶ視点",
        "day": "2026-03-04", "start_time": "13:30", "end_time": "16:30", "place": "",
        "lecturer_name": "", "lecturer_org": "", "effect": "moves", "shortened_minutes": ""})
    assert response.status_code == 302
    event_path = response.headers["Location"]
    page = official.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert common.subject("C").name not in timetable_section(page)
    assert "事例検討会「事例で学ぶ視点」" in page
    assert official.post(f"{event_path}/delete").status_code == 302
    page = official.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert common.subject("C").name in timetable_section(page)
    assert [row[6] for row in saved_training(app, training_id)["subjects"]] == [False] * 8

    # remove one local subject
    assert official.post(f"/trainings/{training_id}/subjects/{homeless}/delete").status_code == 302
    before_copy = saved_training(app, training_id)
    assert [row[1] or row[0] for row in before_copy["subjects"]] == ["A", "B", "C", "D", "E", "F", "権利擁護"]

    # copy to the next cycle: settings and the local subject kept, dates 52 weeks on
    response = official.post(f"/plans/{plan_id}/copy", data={"confirm": "y"})
    assert response.status_code == 302
    copy_id = plan_id_from(response)
    with app.app_context():
        copy = db.session.get(Plan, copy_id)
        copied_id, cycle_year = copy.trainings[0].id, copy.cycle_year
    copied = saved_training(app, copied_id)
    assert cycle_year == 2026
    assert copied["settings"] == {**before_copy["settings"], "first_date": date(2026, 2, 18) + timedelta(days=364)}
    assert copied["subjects"] == before_copy["subjects"]
    assert rights != subject_id(app, copied_id, "権利擁護")


def _ids_by_letter(app, training_id: int) -> list[tuple[int, str]]:
    """(id, letter) of the training's subjects in order."""
    with app.app_context():
        return [(row.id, row.letter) for row in db.session.get(Training, training_id).subjects]


# --------------------------------------------------------------------------- refused changes

def test_set_minutes_too_long_is_refused_with_reason(app, official, oita):
    training_id, d_id = oita.trainings["common"], oita.subjects["D"]
    before = saved_training(app, training_id)

    response = official.post(f"/trainings/{training_id}/subjects/{d_id}/minutes", data={"minutes": "600"})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "変更は保存されませんでした" in html
    assert re.search(r"最低でも\d+分必要ですが、使える時間は\d+分です", html)
    assert "対処案" in html
    assert saved_training(app, training_id) == before


def test_add_local_subject_that_does_not_fit_is_refused(app, official, oita):
    training_id = oita.trainings["common"]
    before = saved_training(app, training_id)

    response = official.post(f"/trainings/{training_id}/subjects",
                             data={"name": "権利擁護", "minutes": "90"})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "変更は保存されませんでした" in html
    assert re.search(r"最低でも\d+分必要ですが", html)
    # the refused name stays in the form, so the official need not type it again
    assert 'value="権利擁護"' in html
    assert saved_training(app, training_id) == before


def test_edit_training_shorter_day_is_refused(app, official, oita):
    training_id = oita.trainings["common"]
    before = saved_training(app, training_id)

    response = official.post(f"/trainings/{training_id}/edit", data=training_form(end_time="12:00"))

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "保存しませんでした" in html
    assert re.search(r"最低でも\d+分必要ですが、使える時間は180分です", html)
    assert saved_training(app, training_id) == before


def test_remove_curriculum_subject_is_refused(app, official, oita):
    training_id = oita.trainings["common"]
    before = saved_training(app, training_id)

    response = official.post(f"/trainings/{training_id}/subjects/{oita.subjects['A']}/delete")

    assert response.status_code == 422
    assert "手引きの科目は削除できません。" in response.get_data(as_text=True)
    assert saved_training(app, training_id) == before


def test_moving_a_subject_to_a_separate_day_is_now_a_supplementary_event(app, official, oita):
    training_id = oita.trainings["common"]
    before = saved_training(app, training_id)

    response = official.post(f"/trainings/{training_id}/subjects/{oita.subjects['C']}/separate",
                             data={"separate": "1"})

    assert response.status_code == 422
    assert "「補う催しを追加する」から催しを登録してください" in response.get_data(as_text=True)
    assert saved_training(app, training_id) == before


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize(("title", "message"), [
    ("", "入力してください。"),
    ("あ" * 101, "100文字以内で入力してください。"),
])
def test_plan_form_bad_title_is_shown_and_nothing_saved(app, official, title, message):
    before = saved_counts(app)

    response = official.post("/plans/new", data={"title": title, "cycle_year": "2025"})

    assert response.status_code == 422
    assert field_message("title", message) in response.get_data(as_text=True)
    assert saved_counts(app) == before


@pytest.mark.parametrize(("changes", "field_id", "message"), [
    ({"venue": "会" * 201}, "venue", "200文字以内で入力してください。"),
    ({"first_date": "2026-02-30"}, "first_date", "「2026-02-30」は日付として読めません（例 令和9年2月18日、R9.2.18、2027/2/18）。"),
    ({"first_date": "2027-02-17"}, "first_date",
     "計画の期間（令和7年11月1日〜令和8年10月31日）の中の日付を入力してください。"),
    ({"start_time": "10:00", "end_time": "09:30"}, "end_time", "終了時刻は開始時刻より後にしてください。"),
    ({"lunch_minutes": "999"}, "lunch_minutes", "0〜180の数で入力してください。"),
    ({"break_minutes": "0"}, "break_minutes", "5〜60の数で入力してください。"),
    ({"capacity": "abc"}, "capacity", "半角数字で入力してください。"),
    ({"opening_title": ""}, "opening_title", "入力してください。"),
    ({"start_time": "9時"}, "start_time", "時刻として読めません（例 09:30）。"),
    ({"lunch_earliest": "13:00", "lunch_latest": "12:00"}, "lunch_latest",
     "最遅は最早と同じか後にしてください。"),
], ids=["venue-201", "date-feb-30", "date-outside-cycle", "end-before-start", "lunch-999",
        "break-0", "capacity-abc", "opening-empty", "time-kanji", "lunch-window"])
def test_training_form_bad_input_is_shown_and_nothing_saved(app, official, oita, changes,
                                                           field_id, message):
    training_id = oita.trainings["common"]
    before = saved_training(app, training_id)

    response = official.post(f"/trainings/{training_id}/edit", data=training_form(**changes))

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_message(field_id, message) in html
    assert "入力内容を確認してください" in html
    assert saved_training(app, training_id) == before


def test_training_form_empty_venue_is_allowed_as_undecided(app, official, oita):
    training_id = oita.trainings["common"]

    response = official.post(f"/trainings/{training_id}/edit", data=training_form(venue=""))

    assert response.status_code == 302
    assert saved_training(app, training_id)["settings"]["venue"] == ""


@pytest.mark.parametrize(("minutes", "message"), [
    ("abc", "時間: 半角数字で入力してください。"),
    ("0", "時間: 1〜600の数で入力してください。"),
    ("601", "時間: 1〜600の数で入力してください。"),
])
def test_minutes_form_bad_input_is_refused(app, official, oita, minutes, message):
    training_id = oita.trainings["common"]
    before = saved_training(app, training_id)

    response = official.post(f"/trainings/{training_id}/subjects/{oita.subjects['B']}/minutes",
                             data={"minutes": minutes})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "変更は保存されませんでした" in html
    assert f"<li>{message}</li>" in html
    assert saved_training(app, training_id) == before


@pytest.mark.parametrize(("data", "field_id", "message"), [
    ({"name": "", "minutes": "30"}, "name", "入力してください。"),
    ({"name": "権利擁護", "minutes": "5"}, "minutes", "10〜600の数で入力してください。"),
    ({"name": "権利擁護", "minutes": "x"}, "minutes", "半角数字で入力してください。"),
    ({"name": "権" * 201, "minutes": "30"}, "name", "200文字以内で入力してください。"),
    ({"name": "権利擁護", "minutes": "30", "lecturer_name": "氏" * 101}, "lecturer_name",
     "100文字以内で入力してください。"),
], ids=["name-empty", "minutes-5", "minutes-x", "name-201", "lecturer-101"])
def test_local_subject_form_bad_input_is_shown_and_nothing_saved(app, official, oita, data,
                                                                field_id, message):
    training_id = oita.trainings["common"]
    before = saved_training(app, training_id)

    response = official.post(f"/trainings/{training_id}/subjects", data=data)

    assert response.status_code == 422
    assert field_message(field_id, message) in response.get_data(as_text=True)
    assert saved_training(app, training_id) == before


@pytest.mark.parametrize(("data", "field_id", "message"), [
    ({"name": "臼杵 太郎", "email": "usuki.example.jp"}, "email",
     "メールアドレスの形式が正しくありません。「usuki.example.jp」には「@」がありません（例 tanto@city.example.lg.jp）。"),
    ({"name": "臼杵 太郎", "email": "taro@usuki"}, "email",
     "メールアドレスの形式が正しくありません。「taro@usuki」はメールアドレスとして使えません（例 tanto@city.example.lg.jp）。"),
    ({"name": "臼杵 太郎", "email": "担当@usuki.example.jp"}, "email",
     "「@」より前に日本語などの全角文字は使えません（半角の英数字と . _ - + などで入力してください。"
     "「@」より後の日本語ドメインは使えます）。"),
    ({"name": "", "email": "taro@usuki.example.jp"}, "name", "入力してください。"),
])
def test_invitation_form_bad_input_makes_no_link(app, official, data, field_id, message):
    response = official.post("/invitations", data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_message(field_id, message) in html
    assert "/join/" not in html


@pytest.mark.parametrize(("password", "confirm", "field_id", "message"), [
    ("short-pw", "short-pw", "password", "10〜200文字で入力してください。"),
    ("long-enough-pw", "long-enough-pX", "confirm", "パスワードが一致しません。"),
    ("", "", "password", "入力してください。"),
])
def test_accept_form_bad_password_creates_no_user(app, client, oita, password, confirm,
                                                  field_id, message):
    token = make_invitation(app.config["SECRET_KEY"], oita.prefecture, "new@oita.example.jp", "新人")
    before = saved_counts(app)

    response = client.post(f"/join/{token}", data={"name": "新人", "password": password,
                                                   "confirm": confirm})

    assert response.status_code == 422
    assert field_message(field_id, message) in response.get_data(as_text=True)
    assert saved_counts(app) == before


# --------------------------------------------------------------------------- dates

def test_plan_page_warns_of_holiday(app, client):
    with app.app_context():
        prefecture = make_prefecture()
        make_user(prefecture, OFFICIAL)
        plan_id = make_plan(prefecture, dates={"common": date(2026, 2, 23)}).id
    login(client, OFFICIAL)

    html = client.get(f"/plans/{plan_id}").get_data(as_text=True)

    assert "令和8年2月23日（月）は祝日（天皇誕生日）です。" in html
    assert "開催日が未定です。" in html  # the three trainings without a date


def test_plan_page_shows_fiscal_years(official, oita):
    html = official.get(f"/plans/{oita.plan}").get_data(as_text=True)

    assert "令和7〜8年度" in html
    assert "令和8年2月18日（水）令和7年度" in html
    assert "令和8年7月15日（水）令和8年度" in html


def test_edit_saved_with_weekend_date_flashes_warning(app, official, oita):
    training_id = oita.trainings["common"]

    response = official.post(f"/trainings/{training_id}/edit",
                             data=training_form(first_date="2026-02-21"), follow_redirects=True)

    assert response.status_code == 200
    assert "令和8年2月21日（土）は土曜日です。" in response.get_data(as_text=True)
    assert saved_training(app, training_id)["settings"]["first_date"] == date(2026, 2, 21)


# --------------------------------------------------------------------------- roles

def test_member_can_view_plans_and_timetables(member, oita):
    training_id = oita.trainings["common"]

    statuses = [member.get(url).status_code for url in
                ("/", f"/plans/{oita.plan}", f"/trainings/{training_id}")]
    timetable = member.get(f"/trainings/{training_id}").get_data(as_text=True)

    assert statuses == [200, 200, 200]
    assert "時間割を調整する" not in timetable
    assert get_curriculum("common").subject("A").name in timetable


def test_member_gets_403_on_every_change(app, member, oita):
    before = saved_training(app, oita.trainings["common"])
    counts = saved_counts(app)
    ids = {"plan_id": oita.plan, "training_id": oita.trainings["common"], "subject_id": oita.subjects["C"],
           "invitation_id": 1, "user_id": 1}
    # the team blueprint's own tests cover its pages (members may claim roles there); the team's
    # programme is written by the whole team (tests/test_programme.py; its options stay official)
    open_to_all = {"auth.login", "auth.logout", "auth.accept", "auth.password",
                   "trainings.programme_edit"}
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in open_to_all
             and r.endpoint.split(".")[0] in ("auth", "plans", "trainings")]
    form = {**training_form(), "title": "乗っ取り", "cycle_year": "2025", "minutes": "90", "name": "x",
            "direction": "up", "separate": "1", "email": "x@example.jp", "confirm": "y"}

    statuses = {r.rule: member.post(_url(r, ids), data=form).status_code for r in rules}
    pages = {url: member.get(url).status_code for url in
             ("/plans/new", f"/trainings/{ids['training_id']}/edit", "/invitations")}

    assert statuses == {r.rule: 403 for r in rules}
    assert {"/plans/new", "/plans/import", "/trainings/<int:training_id>/edit"} <= set(statuses)
    assert pages == {url: 403 for url in pages}
    assert saved_training(app, oita.trainings["common"]) == before
    assert saved_counts(app) == counts


def _url(rule, ids: dict) -> str:
    """The rule's path with the given ids filled in."""
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def test_logged_out_visitor_is_sent_to_login(client, oita):
    response = client.get(f"/plans/{oita.plan}")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


# --------------------------------------------------------------------------- invitations

def _invitation_token(official, email: str = "taro@usuki.example.jp") -> str:
    """Make an invitation through the page and return the token of its link."""
    response = official.post("/invitations", data={"name": "臼杵市 生活支援課 臼杵 太郎", "email": email})
    assert response.status_code == 200
    return re.search(r'value="http://[^"]+/join/([^"]+)"', response.get_data(as_text=True)).group(1)


def test_invitation_link_lets_member_join_once(app, official, oita):
    token = _invitation_token(official)
    newcomer = app.test_client()

    form_page = newcomer.get(f"/join/{token}").get_data(as_text=True)
    joined = newcomer.post(f"/join/{token}", data={"name": "臼杵 太郎", "password": "long-enough-pw",
                                                   "confirm": "long-enough-pw"})
    home = newcomer.get("/").get_data(as_text=True)
    again = app.test_client().get(f"/join/{token}")

    assert "taro@usuki.example.jp として登録します。" in form_page
    assert 'value="臼杵市 生活支援課 臼杵 太郎"' in form_page
    assert (joined.status_code, joined.headers["Location"]) == (302, "/")
    assert "大分県・臼杵 太郎（チーム員）" in home
    assert again.status_code == 400
    assert "この招待はすでに使われています。" in again.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="taro@usuki.example.jp"))
        assert (user.role, user.prefecture_id, user.check_password("long-enough-pw")) == (
            "member", oita.prefecture, True)


class _PastSigner(TimestampSigner):
    """Signs with a timestamp just over the invitation's lifetime ago."""

    def get_timestamp(self) -> int:
        return int(time.time()) - INVITE_MAX_AGE - 60


def test_expired_invitation_is_refused(app, client, oita):
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="member-invitation",
                                        signer=_PastSigner)
    token = serializer.dumps({"p": oita.prefecture, "e": "late@oita.example.jp", "n": "遅刻"})
    before = saved_counts(app)

    response = client.post(f"/join/{token}", data={"name": "遅刻", "password": "long-enough-pw",
                                                   "confirm": "long-enough-pw"})

    assert response.status_code == 400
    assert "招待リンクの有効期限（7日間）が切れています。" in response.get_data(as_text=True)
    assert saved_counts(app) == before


def test_invitation_signed_with_other_secret_is_refused(app, client, oita):
    token = make_invitation("another-secret", oita.prefecture, "fake@oita.example.jp", "偽物")

    response = client.get(f"/join/{token}")

    assert response.status_code == 400
    assert "招待リンクが正しくありません。" in response.get_data(as_text=True)


# --------------------------------------------------------------------------- JSON backup

def test_export_json_downloads_plan_file(official, oita):
    response = official.get(f"/plans/{oita.plan}/export.json")

    data = json.loads(response.get_data(as_text=True))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert (data["format"], data["plan"]["cycle_year"], len(data["plan"]["trainings"])) == (
        "dentatsu-planner/plan", 2025, 4)


def test_import_json_creates_copy_of_exported_plan(app, official, oita):
    exported = official.get(f"/plans/{oita.plan}/export.json").get_data()

    response = official.post("/plans/import", data={"file": (io.BytesIO(exported), "plan.json")})

    new_id = plan_id_from(response)
    with app.app_context():
        new = db.session.get(Plan, new_id)
        title, trainings = new.title, [t.id for t in new.trainings]
    assert new_id != oita.plan
    assert title == "令和7年度 伝達研修計画（取込）"
    assert saved_training(app, trainings[0])["subjects"] == saved_training(app, oita.trainings["common"])["subjects"]


@pytest.mark.parametrize(("body", "message"), [
    (b'{"format": "dentatsu-planner/plan", "version": 1, "plan": {', "ファイルが JSON として読めません"),
    (b'{"format": "other"}', "このアプリの計画ファイルではありません"),
    (b"\xff\xfe\x00garbage", "ファイルを UTF-8 の文字として読めません。"),
])
def test_import_damaged_json_flashes_error_and_creates_nothing(app, official, oita, body, message):
    before = saved_counts(app)

    response = official.post("/plans/import", data={"file": (io.BytesIO(body), "plan.json")})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert '<p class="flash error" role="alert">' in html
    assert saved_counts(app) == before


def test_import_without_file_flashes_error(app, official):
    before = saved_counts(app)

    response = official.post("/plans/import", data={})

    assert response.status_code == 422
    assert "ファイルを選んでください。" in response.get_data(as_text=True)
    assert saved_counts(app) == before


# --------------------------------------------------------------------------- queries

def _queries_for(app, client, url: str) -> int:
    """How many SQL statements one request of the page runs."""
    with app.app_context():
        engine = db.engine
    with counting_queries(engine) as count:
        assert client.get(url).status_code == 200
    return count[0]


def test_plan_list_queries_do_not_grow_with_plans(app, official, oita):
    one_plan = _queries_for(app, official, "/")
    with app.app_context():
        prefecture = db.session.get(Plan, oita.plan).prefecture
        for year in range(2016, 2025):
            make_plan(prefecture, cycle_year=year)

    ten_plans = _queries_for(app, official, "/")

    assert ten_plans == one_plan
