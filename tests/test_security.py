"""Security: CSRF, one prefecture never reaching another's plans, escaping, login lockout,
cookie flags, the content security policy and open redirects."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from urllib.parse import urljoin, urlsplit

import pytest

from app import create_app
from planner.models import (
    Invitation,
    LoginAttempts,
    OutboxMessage,
    Plan,
    RoleSlot,
    TeamMember,
    Training,
    TrainingSubject,
    User,
)
from planner.models.db import db
from planner.models.participants import ApplicationLink, GroupFacilitator, KeepApart, Municipality, Participant
from planner.models.survey import GroupFinding, SurveyAnswer, SurveyQuestion, SurveyResponse
from planner.models.timeline import CarriedTodo, Milestone
from planner.services.materials import files as materials
from planner.services.materials.demo import docx_bytes
from planner.services.plans.changes import add_local_subject
from planner.services.plans.supplements import EventValues, add_event
from planner.services.survey import questions
from planner.services.timeline import generate_plan_timeline
from planner.web.trainings import SETTING_FIELDS
from tests.factories import PASSWORD, login, make_plan, make_prefecture, make_user

OFFICIAL = "official@oita.example.jp"
OTHER = "official@kumamoto.example.jp"
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@dataclass
class Ids:
    """One prefecture's plan, its first training and that training's subjects."""

    plan: int
    training: int
    subjects: list[int]
    member: int  # on the plan's team roster
    slot: int  # a role slot of the training
    milestone: int  # a step of the plan's timeline
    todo: int  # a to-do carried over from last year's retrospective
    user: int  # the prefecture's official
    invitation: int  # a pending invitation
    message: int  # a mail in the outbox
    event: int  # a symposium that supplements 共通 C
    participant: dict = field(default_factory=dict)  # the participants' and materials' rows
    survey: dict = field(default_factory=dict)  # a question, a held answer and a held group finding


def make_prefecture_with_plan(name: str, email: str, user_name: str | None = None,
                              title: str = "令和7年度 伝達研修計画") -> Ids:
    """A prefecture with an official and a 2025 plan whose common training has a local subject,
    and whose team roster has the official on it."""
    prefecture = make_prefecture(name)
    user = make_user(prefecture, email, name=user_name)
    plan = make_plan(prefecture, title=title, venue="県社会福祉センター")
    training = plan.trainings[0]
    add_local_subject(training, "権利擁護", 10, "弁護士 一郎", "県弁護士会")
    member = TeamMember(plan=plan, name="県 職員", municipality=name, municipality_kind="prefecture",
                        email=email)
    db.session.add(member)
    milestone = generate_plan_timeline(plan)[0]
    todo = CarriedTodo(plan=plan, text="会場の予約を早める")
    db.session.add(todo)
    invitation = Invitation(prefecture_id=prefecture.id, email=f"new@{prefecture.id}.example.jp", name="新人")
    db.session.add(invitation)
    message = OutboxMessage(prefecture_id=prefecture.id, kind="invitation", recipient="new@example.jp",
                            subject="招待", message_id=f"<{prefecture.id}@test>", raw=b"Subject: x\r\n\r\nx")
    db.session.add(message)
    db.session.commit()
    slot = db.session.scalar(db.select(RoleSlot).filter_by(training_id=training.id).order_by(RoleSlot.id))
    c = next(row for row in training.subjects if row.letter == "C")
    event = add_event(training, c.id, EventValues(kind="symposium", title="地域で支えるシンポジウム",
                                                  day=date(2026, 3, 4), start_time=time(13, 30),
                                                  end_time=time(16, 0)))
    return Ids(plan.id, training.id, [row.id for row in training.subjects], member.id, slot.id,
               milestone.id, todo.id, user.id, invitation.id, message.id, event.id,
               _participants_and_materials(prefecture, training, member), _survey(training))


def _survey(training) -> dict:
    """The survey rows an official's URLs act on: a question, and a free-text answer and a
    group's finding both held for the official to read."""
    question = next(q for q in questions.ensure_questions(training) if q.kind == "text")
    response = SurveyResponse(id=f"r{training.id:031d}", training_id=training.id, answered_on=date(2026, 3, 4))
    answer = SurveyAnswer(id=f"a{training.id:031d}", response=response, question_id=question.id,
                          text="名前の出る記述", review="held")
    finding = GroupFinding(training_id=training.id, group_no=1, category="issue", text="名前の出る記述",
                           review="held")
    db.session.add_all([response, answer, finding])
    db.session.commit()
    return {"question_id": question.id, "answer_id": answer.id, "finding_id": finding.id}


def _participants_and_materials(prefecture, training, member) -> dict:
    """A municipality with a link and two participants kept apart, a facilitator for group 1,
    and a material with one version: what the participants' and materials' URLs act on."""
    town = Municipality(prefecture_id=prefecture.id, code=f"{prefecture.id:02d}2018", name="中央市", kind="city")
    db.session.add(town)
    db.session.flush()
    db.session.add(ApplicationLink(training_id=training.id, municipality_id=town.id, nonce="n"))
    people = [Participant(training_id=training.id, municipality_id=town.id, name=f"受講 {n}", group_no=1)
              for n in ("一", "二")]
    db.session.add_all(people)
    db.session.flush()
    pair = KeepApart(training_id=training.id, first_id=people[0].id, second_id=people[1].id)
    db.session.add_all([pair, GroupFacilitator(training_id=training.id, group_no=1, member_id=member.id)])
    db.session.commit()
    material = materials.add_material(training.subjects[0], "スライド", "slides", False, "県 職員",
                                      materials.Upload("スライド.docx", docx_bytes("概要")))
    db.session.commit()
    return {"municipality_id": town.id, "participant_id": people[0].id, "pair_id": pair.id, "group_no": 1,
            "material_id": material.id, "number": 1, "name": "list", "ext": "csv", "suffix": "docx"}


@pytest.fixture
def oita(app) -> Ids:
    with app.app_context():
        return make_prefecture_with_plan("大分県", OFFICIAL)


@pytest.fixture
def kumamoto(app) -> Ids:
    with app.app_context():
        return make_prefecture_with_plan("熊本県", OTHER)


def saved_plan(app, plan_id: int) -> dict:
    """Everything saved about a plan: its fields, trainings and their subjects."""
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        return {
            "plan": (plan.title, plan.cycle_year, plan.prefecture_id),
            "trainings": [
                ({name: getattr(t, name) for name in SETTING_FIELDS}, t.revision,
                 [(r.letter, r.local_name, r.local_minutes, r.minutes_override, r.separate_day, r.position)
                  for r in t.subjects])
                for t in plan.trainings],
            "team": [(m.name, m.email, m.municipality) for m in plan.members],
            "slots": [(s.kind, s.holder_id, s.locked) for t in plan.trainings for s in t.slots],
            "milestones": db.session.execute(
                db.select(Milestone.title, Milestone.start, Milestone.end, Milestone.done,
                          Milestone.went_well).filter_by(plan_id=plan_id).order_by(Milestone.id)).all(),
            "users": db.session.execute(db.select(User.email, User.name, User.role, User.feed_secret)
                                        .filter_by(prefecture_id=plan.prefecture_id)).all(),
            "todos": db.session.execute(db.select(CarriedTodo.text, CarriedTodo.done)
                                        .filter_by(plan_id=plan_id)).all(),
            "supplements": [(e.title, e.kind, e.day, e.effect, e.revision)
                            for t in plan.trainings for r in t.subjects for e in r.supplements],
        }


def saved_counts(app) -> dict:
    with app.app_context():
        return {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
                for model in (Plan, Training, TrainingSubject, User)}


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on a page."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


# --------------------------------------------------------------------------- CSRF

def test_login_without_csrf_token_is_refused(csrf_app, csrf_client):
    with csrf_app.app_context():
        make_user(make_prefecture(), OFFICIAL)

    response = login(csrf_client, OFFICIAL)

    assert response.status_code == 400
    assert csrf_client.get("/").status_code == 302  # still logged out
    with csrf_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LoginAttempts)) == 0


def test_plan_creation_without_csrf_token_is_refused(csrf_app, csrf_client):
    with csrf_app.app_context():
        make_user(make_prefecture(), OFFICIAL)
    token = csrf_token(csrf_client, "/login")
    logged_in = csrf_client.post("/login", data={"email": OFFICIAL, "password": PASSWORD,
                                                 "csrf_token": token})
    before = saved_counts(csrf_app)

    refused = csrf_client.post("/plans/new", data={"title": "偽の計画", "cycle_year": "2025"})

    assert logged_in.status_code == 302
    assert refused.status_code == 400
    assert saved_counts(csrf_app) == before


def test_plan_creation_with_csrf_token_works(csrf_app, csrf_client):
    with csrf_app.app_context():
        make_user(make_prefecture(), OFFICIAL)
    csrf_client.post("/login", data={"email": OFFICIAL, "password": PASSWORD,
                                     "csrf_token": csrf_token(csrf_client, "/login")})

    response = csrf_client.post("/plans/new", data={"title": "本物の計画", "cycle_year": "2025",
                                                    "csrf_token": csrf_token(csrf_client, "/plans/new")})

    assert response.status_code == 302
    assert saved_counts(csrf_app)["Plan"] == 1


def test_timetable_change_without_csrf_token_is_refused(csrf_app, csrf_client):
    with csrf_app.app_context():
        ids = make_prefecture_with_plan("大分県", OFFICIAL)
    csrf_client.post("/login", data={"email": OFFICIAL, "password": PASSWORD,
                                     "csrf_token": csrf_token(csrf_client, "/login")})
    before = saved_plan(csrf_app, ids.plan)

    responses = [
        csrf_client.post(f"/trainings/{ids.training}/subjects/{ids.subjects[1]}/minutes", data={"minutes": "90"}),
        csrf_client.post(f"/trainings/{ids.training}/subjects/{ids.subjects[1]}/move", data={"direction": "up"}),
        csrf_client.post(f"/trainings/{ids.training}/subjects/{ids.subjects[-1]}/delete"),
        csrf_client.post(f"/plans/{ids.plan}/copy"),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400]
    assert saved_plan(csrf_app, ids.plan) == before
    assert saved_counts(csrf_app)["Plan"] == 1


# --------------------------------------------------------------------------- prefectures

#: every field any form of a plan, training or subject takes, all valid
ANY_FORM = {"title": "乗っ取り", "member_id": "0", "locked": "y", "email": "x@example.jp",
            "municipality": "x", "municipality_kind": "other", "start": "2026-01-05", "end": "2026-01-06",
            "done": "y", "went_well": "x", "to_change": "x", "cycle_year": "2025", "first_date": "2026-02-18", "day_count": "1",
            "venue": "乗っ取り会場", "capacity": "10", "per_municipality": "1", "start_time": "09:00",
            "end_time": "18:00", "lunch_minutes": "45", "lunch_earliest": "11:30",
            "lunch_latest": "13:30", "break_minutes": "5", "opening_title": "開会", "opening_minutes": "5",
            "closing_title": "閉会", "closing_minutes": "5", "minutes": "90", "name": "乗っ取り科目",
            "lecturer_name": "x", "lecturer_org": "x", "direction": "up", "separate": "1", "confirm": "y",
            "kind": "symposium", "day": "2026-03-05", "effect": "moves", "place": "乗っ取り会場"}


def _url(rule, ids: dict) -> str:
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def test_other_prefecture_gets_404_on_every_plan_url(app, client, oita, kumamoto):
    before = saved_plan(app, oita.plan)
    counts = saved_counts(app)
    login(client, OTHER)
    rules = [r for r in app.url_map.iter_rules() if any(a.endswith("_id") for a in r.arguments)]
    # the subject of oita's that each subject rule acts on: the local one can be removed
    targets = {"plan_id": oita.plan, "training_id": oita.training, "subject_id": oita.subjects[-1],
               "member_id": oita.member, "slot_id": oita.slot, "milestone_id": oita.milestone,
               "todo_id": oita.todo, "user_id": oita.user, "day": 0,
               "invitation_id": oita.invitation, "message_id": oita.message,
               "meeting_id": oita.milestone, "event_id": oita.event, **oita.participant, **oita.survey}
    # a municipality's link (/apply/<token>) has no login: its own tests check it shows only its entries
    rules = [r for r in rules if "token" not in r.arguments]
    unknown = {arg for rule in rules for arg in rule.arguments} - set(targets)
    assert unknown == set(), "a new URL argument: give this test an id of oita's for it"

    statuses = {}
    for rule in rules:
        url = _url(rule, targets)
        if "GET" in rule.methods:
            statuses[f"GET {rule.rule}"] = client.get(url).status_code
        if "POST" in rule.methods:
            statuses[f"POST {rule.rule}"] = client.post(url, data=ANY_FORM).status_code

    assert statuses == {key: 404 for key in statuses}
    assert len(statuses) >= 10
    assert saved_plan(app, oita.plan) == before
    assert saved_counts(app) == counts


def test_other_prefecture_subject_through_own_training_is_not_touched(app, client, oita, kumamoto):
    before = saved_plan(app, oita.plan)
    login(client, OTHER)
    own, foreign = kumamoto.training, oita.subjects[-1]

    responses = [client.post(f"/trainings/{own}/subjects/{foreign}/{action}", data=ANY_FORM)
                 for action in ("minutes", "move", "separate", "delete")]

    assert [r.status_code for r in responses] == [422] * 4
    assert ["指定された科目はこの研修にありません。" in r.get_data(as_text=True) for r in responses] == [True] * 4
    assert saved_plan(app, oita.plan) == before


def test_other_prefecture_survey_rows_through_own_training_are_not_touched(app, client, oita, kumamoto):
    """The survey's question, comment and finding URLs check the row belongs to the training."""
    login(client, OTHER)
    own, foreign = kumamoto.training, oita.survey
    responses = [client.get(f"/trainings/{own}/survey/questions/{foreign['question_id']}"),
                 client.post(f"/trainings/{own}/survey/questions/{foreign['question_id']}", data=ANY_FORM),
                 client.post(f"/trainings/{own}/survey/questions/delete",
                             data={"question_id": str(foreign["question_id"])}),
                 client.post(f"/trainings/{own}/survey/comments/{foreign['answer_id']}", data={"release": "1"}),
                 client.post(f"/trainings/{own}/survey/findings/{foreign['finding_id']}", data={"release": "1"})]
    assert [r.status_code for r in responses] == [404] * 5
    with app.app_context():
        assert db.session.get(SurveyAnswer, foreign["answer_id"]).review == "held"
        assert db.session.get(GroupFinding, foreign["finding_id"]).review == "held"
        assert db.session.get(SurveyQuestion, foreign["question_id"]) is not None


def test_plan_list_shows_only_own_prefecture(app, client, oita, kumamoto):
    with app.app_context():
        db.session.get(Plan, oita.plan).title = "大分だけの計画"
        db.session.commit()
    login(client, OTHER)

    html = client.get("/").get_data(as_text=True)

    assert "大分だけの計画" not in html
    assert f'href="/plans/{kumamoto.plan}"' in html


# --------------------------------------------------------------------------- escaping

def test_script_in_user_input_is_escaped_on_plan_and_timetable_pages(app, client):
    with app.app_context():
        ids = make_prefecture_with_plan("大分県", OFFICIAL, user_name=XSS, title=XSS)
    login(client, OFFICIAL)
    client.post(f"/trainings/{ids.training}/subjects/{ids.subjects[-1]}/delete")
    added = client.post(f"/trainings/{ids.training}/subjects", data={
        "name": XSS, "minutes": "10", "lecturer_name": XSS, "lecturer_org": XSS})
    edited = client.post(f"/trainings/{ids.training}/edit", data={**ANY_FORM, "venue": XSS,
                                                                  "end_time": "18:30"})

    pages = {"plan": client.get(f"/plans/{ids.plan}").get_data(as_text=True),
             "timetable": client.get(f"/trainings/{ids.training}").get_data(as_text=True),
             "list": client.get("/").get_data(as_text=True)}

    assert (added.status_code, edited.status_code) == (302, 302)
    assert {name: XSS_ESCAPED in html for name, html in pages.items()} == dict.fromkeys(pages, True)
    assert {name: "<script>alert(1)" in html for name, html in pages.items()} == dict.fromkeys(pages, False)
    # each input appears escaped: title (h1), user name (header), venue, subject and lecturer
    assert pages["timetable"].count(XSS_ESCAPED) >= 5


def test_script_in_refused_form_is_escaped(app, client, oita):
    login(client, OFFICIAL)

    response = client.post(f"/trainings/{oita.training}/subjects", data={"name": XSS, "minutes": "600"})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert(1)" not in html
    assert XSS_ESCAPED in html


# --------------------------------------------------------------------------- lockout

def test_sixth_login_after_five_failures_is_locked_even_with_right_password(app, client, oita):
    failures = [login(client, OFFICIAL, "wrong-password").status_code for _ in range(5)]

    locked = login(client, OFFICIAL)

    assert failures == [401] * 5
    assert locked.status_code == 429
    assert "15分間ログインできません" in locked.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in
    with app.app_context():  # the refused sixth try is counted too
        assert db.session.get(LoginAttempts, OFFICIAL).tries == 6


def test_lockout_holds_in_another_app_on_same_database(app, client, oita, database_url):
    for _ in range(5):
        login(client, OFFICIAL, "wrong-password")
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                        "WTF_CSRF_ENABLED": False, "SECRET_KEY": "another-process"})

    try:
        locked = login(other.test_client(), OFFICIAL)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()

    assert locked.status_code == 429
    assert "15分間" in locked.get_data(as_text=True)


def test_successful_login_clears_failures(app, client, oita):
    for _ in range(4):
        login(client, OFFICIAL, "wrong-password")

    response = login(client, OFFICIAL)

    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(LoginAttempts, OFFICIAL) is None


def test_failures_of_other_address_do_not_lock(app, client, oita):
    for _ in range(5):
        login(client, "someone-else@oita.example.jp", "wrong-password")

    response = login(client, OFFICIAL)

    assert response.status_code == 302


# --------------------------------------------------------------------------- headers

def _session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_session_cookie_is_httponly_and_samesite_lax(client, oita):
    response = login(client, OFFICIAL)

    flags = [part.strip() for part in _session_cookie(response).split(";")[1:]]
    assert response.status_code == 302
    assert "HttpOnly" in flags
    assert "SameSite=Lax" in flags


@pytest.mark.parametrize("path", ["/login", "/", "/plans/1", "/trainings/1"])
def test_pages_have_strict_content_security_policy(client, oita, path):
    login(client, OFFICIAL)

    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_login_next_to_another_site_goes_home(client, oita):
    response = client.post("/login", query_string={"next": "https://evil.example"},
                           data={"email": OFFICIAL, "password": PASSWORD})

    assert (response.status_code, response.headers["Location"]) == (302, "/")


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "javascript:alert(1)", "https:evil.example", "http://localhost.evil.example/",
])
def test_login_next_tricks_stay_on_this_site(client, oita, target):
    response = client.post("/login", query_string={"next": target},
                           data={"email": OFFICIAL, "password": PASSWORD})

    # resolved as a browser would against the login page; a backslash arrives as %5C
    resolved = urlsplit(urljoin("http://localhost/login", response.headers["Location"]))
    assert response.status_code == 302
    assert (resolved.scheme, resolved.netloc) == ("http", "localhost")


def test_login_next_on_this_site_is_followed(client, oita):
    response = client.post("/login", query_string={"next": f"/plans/{oita.plan}"},
                           data={"email": OFFICIAL, "password": PASSWORD})

    assert response.headers["Location"] == f"/plans/{oita.plan}"


def test_passwords_are_hashed_with_scrypt_unless_a_cheaper_method_is_named(monkeypatch):
    from planner.models.account import User, hash_password
    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    user = User(email="a@example.jp", name="a", role="official")
    user.set_password("正しい馬電池ホチキス")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("正しい馬電池ホチキス") and not user.check_password("ちがう")
    monkeypatch.setenv("PASSWORD_HASH_METHOD", "pbkdf2:sha256:1")
    assert hash_password("x").startswith("pbkdf2:sha256:1$")
