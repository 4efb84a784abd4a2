"""Invitations by mail: the whole roster in one click, resend, withdraw, and deactivation."""
from __future__ import annotations

import re
import threading

import pytest

from planner.models import Invitation, OutboxMessage, User
from planner.models.db import db
from planner.services.team.files import MemberRow
from planner.services.team.roster import save_member
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, PASSWORD, login, make_oita
from tests.smtp import text_body

ROSTER = [("臼杵 太郎", "taro@usuki.example.jp"), ("佐伯 花子", "hanako@saiki.example.jp"),
          ("日田 次郎", "jiro@hita.example.jp")]


@pytest.fixture
def oita(app, smtp):
    """大分県 with a roster of three members without accounts and one (the member) with one."""
    app.config.update(smtp.config())
    with app.app_context():
        world = make_oita()
        from planner.models import Plan
        plan = db.session.get(Plan, world.plan)
        for name, email in ROSTER + [("会員 一郎", OITA_MEMBER)]:
            save_member(plan, MemberRow(name=name, municipality="市", municipality_kind="other", email=email))
        db.session.commit()
    return world


@pytest.fixture
def official(client, oita):
    login(client, OITA_OFFICIAL)
    return client


def _link(message) -> str:
    return re.search(r"https?://\S+/join/\S+", text_body(message)).group(0)


def test_whole_roster_invited_in_one_action_each_gets_a_japanese_mail_once(app, official, smtp):
    page = official.get("/invitations").get_data(as_text=True)
    assert "名簿の3人をまとめて招待する" in page

    response = official.post("/invitations/roster")
    assert response.status_code == 302
    messages = smtp.inbox.messages()  # sent right after the commit, by the same request
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted(e for _, e in ROSTER)
    assert all(m["Subject"] == "【伝達研修】大分県 企画会議チームへのご招待" for m in messages)
    taro = next(m for m in messages if m["To"].addresses[0].addr_spec == "taro@usuki.example.jp")
    assert "臼杵 太郎 様" in text_body(taro)

    again = official.post("/invitations/roster")  # nobody left to invite
    assert again.status_code == 302 and len(smtp.inbox.messages()) == 3
    page = official.get("/invitations").get_data(as_text=True)
    assert "名簿のメンバーは全員、登録済みか招待中です。" in page
    assert all(email in page for _, email in ROSTER)

    # the link in the mail lets the member join
    path = _link(taro).split("://", 1)[1].split("/", 1)[1]
    member = app.test_client()
    joined = member.post("/" + path, data={"name": "臼杵 太郎", "password": "long-enough-pw",
                                           "confirm": "long-enough-pw"})
    assert joined.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(User).filter_by(email="taro@usuki.example.jp")) is not None
    page = official.get("/invitations").get_data(as_text=True)
    assert "返事待ちの招待（2件）" in page


def test_two_simultaneous_roster_invitations_send_each_mail_once(app, oita, smtp, live_server):
    from tests.http_clients import logged_in_session
    sessions = [logged_in_session(live_server, OITA_OFFICIAL, PASSWORD) for _ in range(2)]
    start = threading.Barrier(2)
    codes = []

    def click(session, token):
        start.wait()
        codes.append(session.post(f"{live_server}/invitations/roster", data={"csrf_token": token},
                                  allow_redirects=False).status_code)

    threads = [threading.Thread(target=click, args=s) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(code in (302, 303) for code in codes), codes
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage)).all()
        assert sorted(r.recipient for r in rows) == sorted(e for _, e in ROSTER)
        assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 3


def test_resend_makes_a_new_mail_and_withdraw_kills_every_link(app, official, smtp):
    official.post("/invitations", data={"name": "臼杵 太郎", "email": "taro@usuki.example.jp"})
    with app.app_context():
        invitation_id = db.session.scalar(db.select(Invitation.id))
    official.post(f"/invitations/{invitation_id}/resend")
    first, second = smtp.inbox.messages()
    assert first["Message-ID"] != second["Message-ID"]
    links = [_link(first), _link(second)]
    anonymous = app.test_client()
    assert anonymous.get("/" + links[1].split("://", 1)[1].split("/", 1)[1]).status_code == 200
    assert "2回" in official.get("/invitations").get_data(as_text=True)

    official.post(f"/invitations/{invitation_id}/withdraw")
    for link in links:
        response = anonymous.get("/" + link.split("://", 1)[1].split("/", 1)[1])
        assert response.status_code == 400
        assert "この招待は取り消されました。" in response.get_data(as_text=True)
    assert official.post(f"/invitations/{invitation_id}/resend").status_code == 303
    assert len(smtp.inbox.messages()) == 2


def test_invitation_of_existing_account_and_other_prefecture_refused(app, official, smtp):
    response = official.post("/invitations", data={"name": "会員", "email": OITA_MEMBER})
    assert response.status_code == 409
    assert "すでにアカウントがあります。" in response.get_data(as_text=True)
    assert official.post("/invitations/9999/withdraw").status_code == 404
    assert smtp.inbox.messages() == []


def test_deactivated_account_cannot_log_in_and_loses_its_session(app, official, oita):
    member = app.test_client()
    assert login(member, OITA_MEMBER).status_code == 302
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).filter_by(email=OITA_MEMBER))
    assert official.post(f"/users/{user_id}/active", data={"active": "0"}).status_code == 302
    assert member.get("/").status_code == 302  # sent to the login page
    assert login(member, OITA_MEMBER).status_code == 401
    official.post(f"/users/{user_id}/active", data={"active": "1"})
    assert login(member, OITA_MEMBER).status_code == 302
    with app.app_context():
        own_id = db.session.scalar(db.select(User.id).filter_by(email=OITA_OFFICIAL))
    assert official.post(f"/users/{own_id}/active", data={"active": "0"}).status_code == 303
