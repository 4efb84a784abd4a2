"""Sessions that end (logout, password change, lifetime), a lockout that counts tries arriving
together, Japanese error pages for a database that is down and for the unexpected, and what a
team member may see."""
from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
import requests
from flask_login.utils import _create_identifier

from app import create_app
from planner.models import LoginAttempts, TeamMember
from planner.models.db import db
from tests.export_data import publish_plan
from tests.factories import PASSWORD, login, make_member
from tests.http_clients import at_once, csrf_token, logged_in_session
from tests.test_security import OFFICIAL, make_prefecture_with_plan

MEMBER = "member@oita.example.jp"
SECRET_NOTE = "内密：家庭の事情で平日午後は不可"


@pytest.fixture
def oita(app):
    """大分県 with an official on the roster and a member whose roster entry has a private note."""
    with app.app_context():
        ids = make_prefecture_with_plan("大分県", OFFICIAL)
        make_member(db.session.get(TeamMember, ids.member).plan.prefecture, MEMBER)
        db.session.add(TeamMember(plan_id=ids.plan, name="チーム 員", municipality="臼杵市",
                                  municipality_kind="other", email=MEMBER, notes=SECRET_NOTE))
        db.session.commit()
        return ids


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


# --------------------------------------------------------------------------- sessions

def test_logout_kills_a_copied_cookie(app, client, oita):
    login(client, OFFICIAL)
    copied = _session_cookie(client)
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code == 200

    client.post("/logout")

    assert thief.get("/").status_code == 302
    assert thief.get("/").headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, oita):
    login(client, OFFICIAL)
    laptop = app.test_client()
    login(laptop, OFFICIAL)

    response = client.post("/account/password", data={
        "current": PASSWORD, "password": "a-new-password-42", "confirm": "a-new-password-42"})

    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert laptop.get("/").status_code == 302
    assert login(app.test_client(), OFFICIAL, PASSWORD).status_code == 401
    assert login(app.test_client(), OFFICIAL, "a-new-password-42").status_code == 302


def test_password_change_with_wrong_current_password_is_refused_in_japanese(client, oita):
    login(client, OFFICIAL)

    response = client.post("/account/password", data={
        "current": "not-my-password", "password": "a-new-password-42", "confirm": "a-new-password-42"})

    assert response.status_code == 422
    assert "現在のパスワードが違います。" in response.get_data(as_text=True)
    assert login(client, OFFICIAL, PASSWORD).status_code == 302


def test_session_cookie_lasts_the_configured_lifetime(database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "t", "PERMANENT_SESSION_LIFETIME": timedelta(hours=2)})
    with app.app_context():
        db.create_all()
        make_prefecture_with_plan("大分県", OFFICIAL)
    client = app.test_client()
    try:
        response = login(client, OFFICIAL)
        expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", response.headers["Set-Cookie"]).group(1))
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()

    left = expires - datetime.now(timezone.utc)
    assert timedelta(hours=1, minutes=55) < left <= timedelta(hours=2)


def test_session_older_than_its_lifetime_is_refused_by_the_server(database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "t", "PERMANENT_SESSION_LIFETIME": timedelta(seconds=1)})
    with app.app_context():
        db.create_all()
        make_prefecture_with_plan("大分県", OFFICIAL)
    client = app.test_client()
    try:
        login(client, OFFICIAL)
        copied = _session_cookie(client)
        time.sleep(2.1)
        late = app.test_client()
        late.set_cookie("session", copied)  # as if the browser had kept it
        status = late.get("/").status_code
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()

    assert status == 302


def test_wrong_passwords_arriving_together_are_capped_at_five(app, live_server, oita):
    tries = 12
    visitors = []
    for _ in range(tries):
        session = requests.Session()
        visitors.append((session, csrf_token(session.get(f"{live_server}/login").text)))

    responses = at_once(*[
        lambda s=s, token=token: s.post(f"{live_server}/login", allow_redirects=False, data={
            "email": OFFICIAL, "password": "wrong-password", "csrf_token": token})
        for s, token in visitors])
    session, token = visitors[0]
    right = session.post(f"{live_server}/login", allow_redirects=False,
                         data={"email": OFFICIAL, "password": PASSWORD, "csrf_token": token})

    assert sorted(r.status_code for r in responses) == [401] * 5 + [429] * (tries - 5)
    assert right.status_code == 429
    with app.app_context():
        assert db.session.get(LoginAttempts, OFFICIAL).tries == tries + 1


def test_unknown_address_is_answered_like_a_wrong_password(client, oita):
    unknown = login(client, "nobody@oita.example.jp", "wrong-password")
    known = login(client, OFFICIAL, "wrong-password")

    assert unknown.status_code == known.status_code == 401
    assert (re.sub(r'value="[^"]*"', "", unknown.get_data(as_text=True))
            == re.sub(r'value="[^"]*"', "", known.get_data(as_text=True)))


# --------------------------------------------------------------------------- error pages

def test_database_down_gives_a_japanese_503_page_in_the_layout(caplog):
    # a PostgreSQL URL on a port nothing listens on: the shared server is never touched
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=3",
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "t"})
    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # what Flask-Login's strong protection expects
    with client.session_transaction() as session:
        # a logged-in browser: loading its user needs the database too
        session.update({"_user_id": "1:0", "_fresh": True, "_id": identifier})

    with caplog.at_level(logging.ERROR):
        pages = [client.get("/"), client.post("/login", data={"email": OFFICIAL, "password": PASSWORD})]

    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 503
        assert '<html lang="ja">' in html and 'class="site"' in html
        assert "データベースに接続できないか、混み合っています" in html
    assert "database unavailable" in caplog.text


def test_unexpected_error_gives_a_japanese_500_page_and_logs_the_traceback(app, client, oita, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: TESTING would re-raise

    @app.route("/boom")
    def boom():
        raise RuntimeError("a bug nobody foresaw")

    login(client, OFFICIAL)
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom")

    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="ja">' in html and "エラーが発生しました" in html
    assert "担当職員" in html  # the layout is drawn with the user
    assert "RuntimeError: a bug nobody foresaw" in caplog.text and "Traceback" in caplog.text


def test_same_member_added_by_two_officials_at_once_is_one_row(app, live_server, oita):
    with app.app_context():
        make_member(db.session.get(TeamMember, oita.member).plan.prefecture, "second@oita.example.jp")
    first, second = (logged_in_session(live_server, email, PASSWORD)
                     for email in (OFFICIAL, "second@oita.example.jp"))
    with app.app_context():  # make the second one an official too
        from planner.models import User
        db.session.execute(db.update(User).filter_by(email="second@oita.example.jp").values(role="official"))
        db.session.commit()
    url = f"{live_server}/plans/{oita.plan}/team/new"
    outcomes = set()

    for round_ in range(5):
        email = f"race{round_}@oita.example.jp"
        data = {"name": "同時 登録", "municipality": "別府市", "municipality_kind": "other", "email": email}
        responses = at_once(*[lambda s=s, token=token: s.post(url, data={**data, "csrf_token": token},
                                                              allow_redirects=False)
                              for s, token in (first, second)])
        statuses = sorted(r.status_code for r in responses)
        outcomes.add(tuple(statuses))
        with app.app_context():
            count = db.session.scalar(db.select(db.func.count()).select_from(TeamMember).filter_by(email=email))
        assert count == 1
        assert statuses in ([302, 409], [302, 422]), statuses
        for r in responses:
            if r.status_code == 409:
                assert "ほかの操作と重なりました" in r.text
            if r.status_code == 422:
                assert "このメールアドレスは 同時 登録 さんが使っています。" in r.text


# --------------------------------------------------------------------------- what a member sees

def test_member_gets_no_full_backup_and_no_roster_file(client, oita):
    login(client, MEMBER)

    statuses = [client.get(url).status_code for url in
                (f"/plans/{oita.plan}/export.json", f"/plans/{oita.plan}/team.csv")]
    plan_page = client.get(f"/plans/{oita.plan}").get_data(as_text=True)
    roster = client.get(f"/plans/{oita.plan}/team").get_data(as_text=True)

    assert statuses == [403, 403]
    assert "export.json" not in plan_page
    assert "team.csv" not in roster


def test_member_never_sees_anyones_notes_on_any_page(app, client, oita):
    login(client, MEMBER)
    ids = {"plan_id": oita.plan, "training_id": oita.training, "subject_id": oita.subjects[0],
           "member_id": oita.member, "slot_id": oita.slot, "milestone_id": oita.milestone,
           "todo_id": oita.todo, "user_id": oita.user, "day": 0}
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"
             and set(r.arguments) <= set(ids)]

    answers = {r.rule: client.get(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), r.rule))
               for r in rules}

    assert len(rules) > 20
    assert {rule: a.status_code for rule, a in answers.items() if a.status_code >= 500} == {}
    assert [rule for rule, a in answers.items() if SECRET_NOTE.encode() in a.data] == []


def test_member_zips_hold_only_their_own_meeting_requests(app, client, oita):
    import io
    import zipfile

    from planner.models import RoleSlot

    with app.app_context():
        me = db.session.scalar(db.select(TeamMember).filter_by(plan_id=oita.plan, email=MEMBER))
        slots = db.session.scalars(db.select(RoleSlot).filter_by(training_id=oita.training, kind="timekeeper")
                                   .order_by(RoleSlot.id)).all()
        lecturer = db.session.scalar(db.select(RoleSlot).filter_by(training_id=oita.training, kind="lecturer")
                                     .order_by(RoleSlot.id))
        slots[0].holder_id, lecturer.holder_id = me.id, oita.member  # the member and the official
        db.session.commit()
        publish_plan(oita.plan)  # invitations are what a published version mailed, never a draft
        db.session.commit()

    def attendees_in(path: str, email: str) -> list[str]:
        """The attendee line of each meeting request in the zip."""
        client.post("/logout")
        login(client, email)
        archive = zipfile.ZipFile(io.BytesIO(client.get(path).data))
        texts = [archive.read(n).decode().replace("\r\n ", "") for n in archive.namelist() if n.startswith("招待状/")]
        return sorted(line.rsplit("mailto:", 1)[1] for text in texts for line in text.split("\r\n")
                      if line.startswith("ATTENDEE"))

    for path in (f"/plans/{oita.plan}/export.zip", f"/trainings/{oita.training}/export.zip"):
        assert attendees_in(path, OFFICIAL) == sorted([OFFICIAL, MEMBER])
        assert attendees_in(path, MEMBER) == [MEMBER]
