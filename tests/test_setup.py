"""A real prefecture starts without the demo: the setup commands on an empty database, the
first password through the printed one-time link in a real browser, a forgotten password
through a real SMTP server, an official inviting another, and a plan renamed."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from planner.models import Municipality, OutboxMessage, Plan, Prefecture, User
from planner.models.account import OFFICIAL
from planner.models.db import db
from planner.models.password_tokens import PasswordToken
from tests.factories import PASSWORD, login, make_plan, make_prefecture, make_user
from tests.smtp import text_body

NEW_PASSWORD = "kabosu-2027-oita"
LINK = re.compile(r"https?://\S+/password/set/[A-Za-z0-9_-]+")


def counts():
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in (Prefecture, Municipality, User))


# --------------------------------------------------------------------------- the commands

def test_create_prefecture_loads_its_municipalities_once(app, runner):
    first = runner.invoke(args=["create-prefecture", "大分県"])
    again = runner.invoke(args=["create-prefecture", "大分県"])

    assert first.exit_code == 0, first.output
    assert first.output.startswith("大分県を作成しました（市町村 18）。")
    assert again.exit_code == 0
    assert again.output == "大分県はすでにあります。何も変更していません。\n"
    with app.app_context():
        assert counts() == (1, 18, 0)
        assert "大分市" in {m.name for m in db.session.scalars(db.select(Municipality))}


@pytest.mark.parametrize(("name", "message"), [
    ("大分", "エラー: 「大分」は都道府県の名前ではありません。「大分県」のことですか。"),
    ("みどり県", "エラー: 「みどり県」は都道府県の名前ではありません。「大分県」「東京都」「北海道」のように"),
    ("", "エラー: 「」は都道府県の名前ではありません。"),
])
def test_create_prefecture_refuses_unknown_names_in_japanese_and_writes_nothing(app, runner, name, message):
    result = runner.invoke(args=["create-prefecture", name])

    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert counts() == (0, 0, 0)


def test_create_official_prints_a_one_time_link_and_refuses_an_existing_address(app, runner):
    runner.invoke(args=["create-prefecture", "大分県"])

    made = runner.invoke(args=["create-official", "Kato@Pref.Oita.example.jp", "--prefecture", "大分県",
                               "--name", "加藤　さくら"])
    twice = runner.invoke(args=["create-official", "kato@pref.oita.example.jp", "--prefecture", "大分県"])
    nowhere = runner.invoke(args=["create-official", "abe@pref.example.jp", "--prefecture", "架空県"])
    bad = runner.invoke(args=["create-official", "not-an-address", "--prefecture", "大分県"])

    assert made.exit_code == 0, made.output
    assert "大分県の担当職員 加藤　さくら（kato@pref.oita.example.jp）を作成しました。" in made.output
    assert LINK.search(made.output)
    assert twice.exit_code != 0 and "kato@pref.oita.example.jp はすでにアカウントがあります。" in twice.output
    assert nowhere.exit_code != 0 and "都道府県「架空県」はまだありません。" in nowhere.output
    assert bad.exit_code != 0 and "メールアドレス「not-an-address」は形式が正しくありません。" in bad.output
    with app.app_context():
        user = db.session.scalar(db.select(User))
        token = LINK.search(made.output).group(0).rsplit("/", 1)[1]
        stored = db.session.scalar(db.select(PasswordToken))
        assert (user.role, user.name, counts()) == (OFFICIAL, "加藤　さくら", (1, 18, 1))
        assert token not in stored.digest and len(stored.digest) == 64  # kept hashed only
        assert not user.check_password(token)


def test_create_official_mails_the_link_when_mail_is_configured(app, runner, smtp):
    app.config.update(smtp.config())
    runner.invoke(args=["create-prefecture", "大分県"])

    result = runner.invoke(args=["create-official", "kato@pref.oita.example.jp", "--prefecture", "大分県"])

    [message] = smtp.inbox.messages()
    assert result.exit_code == 0 and "同じリンクをメールで送りました。" in result.output
    assert LINK.search(text_body(message)).group(0) == LINK.search(result.output).group(0)
    assert message["Subject"] == "【伝達研修】パスワードの設定のお願い（大分県）"


@pytest.mark.browser
def test_setup_commands_then_password_through_the_printed_link_then_a_renamed_plan(
        app, runner, live_server, browser_page, monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", live_server)
    assert runner.invoke(args=["create-prefecture", "大分県"]).exit_code == 0
    made = runner.invoke(args=["create-official", "kato@pref.oita.example.jp", "--prefecture", "大分県",
                               "--name", "加藤　さくら"])
    link = LINK.search(made.output).group(0)
    page = browser_page

    page.goto(link)
    page.get_by_label("新しいパスワード（10〜200文字）").fill("short")
    page.get_by_label("新しいパスワード（確認）").fill("short")
    page.get_by_role("button", name="パスワードを設定する").click()
    page.get_by_text("10〜200文字で入力してください。").first.wait_for()
    page.get_by_label("新しいパスワード（10〜200文字）").fill(NEW_PASSWORD)
    page.get_by_label("新しいパスワード（確認）").fill(NEW_PASSWORD)
    page.get_by_role("button", name="パスワードを設定する").click()
    page.get_by_text("パスワードを設定しました。").wait_for()
    page.get_by_label("メールアドレス").fill("kato@pref.oita.example.jp")
    page.get_by_label("パスワード").fill(NEW_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_text("加藤　さくら さん、ようこそ。").wait_for()
    page.goto(f"{live_server}/plans/new")
    page.get_by_label("計画の名前").fill("令和9年度 伝達研修計画")
    page.get_by_role("button", name="作成").click()
    page.get_by_role("heading", name="令和9年度 伝達研修計画").wait_for()
    page.get_by_role("link", name="計画の名前を変更").click()
    field = page.get_by_label("計画の名前")
    opened_with = field.input_value()
    field.fill("大分県 令和9年度 伝達研修計画")
    page.get_by_role("button", name="変更する").click()
    page.get_by_role("heading", name="大分県 令和9年度 伝達研修計画").wait_for()
    again = page.goto(link)

    assert opened_with == "令和9年度 伝達研修計画"
    assert again.status == 410
    assert "このリンクはすでに使われています。" in page.content()
    with app.app_context():
        assert [p.title for p in db.session.scalars(db.select(Plan))] == ["大分県 令和9年度 伝達研修計画"]
        assert db.session.scalar(db.select(Prefecture.name)) == "大分県"


# --------------------------------------------------------------------------- forgotten passwords

@pytest.fixture
def oita(app, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        prefecture = make_prefecture("大分県")
        make_user(prefecture, "kato@pref.oita.example.jp", name="加藤　さくら")
        return make_plan(prefecture).id


def test_forgotten_password_link_by_real_mail_works_once(app, client, smtp, oita):
    login_page = client.get("/login").get_data(as_text=True)

    asked = client.post("/password/forgot", data={"email": "KATO@pref.oita.example.jp"})
    [message] = smtp.inbox.messages()
    link = LINK.search(text_body(message)).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    opened = client.get(f"/{path}")
    short = client.post(f"/{path}", data={"password": "short", "confirm": "short"})
    done = client.post(f"/{path}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    second = client.post(f"/{path}", data={"password": "another-password-1", "confirm": "another-password-1"})
    old = login(client, "kato@pref.oita.example.jp", PASSWORD)
    new = login(client, "kato@pref.oita.example.jp", NEW_PASSWORD)

    assert 'href="/password/forgot">パスワードを忘れた場合</a>' in login_page
    assert "パスワードを再設定するリンクをメールで送りました" in asked.get_data(as_text=True)
    assert message["To"] == "加藤　さくら <kato@pref.oita.example.jp>"
    assert message["Subject"] == "【伝達研修】パスワードの再設定（大分県）"
    assert "1時間有効、1回だけ使えます" in text_body(message)
    assert opened.status_code == 200 and "kato@pref.oita.example.jp" in opened.get_data(as_text=True)
    assert short.status_code == 422 and "10〜200文字で入力してください。" in short.get_data(as_text=True)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert second.status_code == 410
    assert "このリンクはすでに使われています。" in second.get_data(as_text=True)
    assert old.status_code == 401
    assert new.status_code == 302


def test_reset_answer_is_the_same_for_an_unknown_address_and_sends_nothing(app, client, smtp, oita):
    known = client.post("/password/forgot", data={"email": "kato@pref.oita.example.jp"}).get_data(as_text=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@pref.oita.example.jp"}).get_data(as_text=True)

    assert known == unknown
    assert [m["To"] for m in smtp.inbox.messages()] == ["加藤　さくら <kato@pref.oita.example.jp>"]


def test_reset_link_expires_and_a_wrong_one_is_refused_in_japanese(app, client, smtp, oita):
    client.post("/password/forgot", data={"email": "kato@pref.oita.example.jp"})
    path = "/" + LINK.search(text_body(smtp.inbox.messages()[0])).group(0).split("/", 3)[3]
    with app.app_context():
        row = db.session.scalar(db.select(PasswordToken))
        row.expires_at -= timedelta(hours=2)
        db.session.commit()

    expired = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    wrong = client.get("/password/set/not-a-token")

    assert expired.status_code == 410 and "有効期限（1時間）が切れています" in expired.get_data(as_text=True)
    assert wrong.status_code == 404 and "このリンクは正しくありません。" in wrong.get_data(as_text=True)
    assert login(client, "kato@pref.oita.example.jp", NEW_PASSWORD).status_code == 401


def test_reset_mails_per_hour_are_limited(app, client, smtp, oita):
    for _ in range(5):
        client.post("/password/forgot", data={"email": "kato@pref.oita.example.jp"})

    assert len(smtp.inbox.messages()) == 3


# --------------------------------------------------------------------------- officials and plans

def test_official_invites_another_official_who_sets_a_password_by_mail(app, client, smtp, oita):
    login(client, "kato@pref.oita.example.jp")

    form = client.get("/officials/new")
    added = client.post("/officials/new", data={"name": "大分　太郎", "email": "taro@pref.oita.example.jp"})
    twice = client.post("/officials/new", data={"name": "大分　太郎", "email": "taro@pref.oita.example.jp"})
    [message] = smtp.inbox.messages()
    path = "/" + LINK.search(text_body(message)).group(0).split("/", 3)[3]
    client.post("/logout")
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert form.status_code == 200 and "担当職員を追加する（大分県）" in form.get_data(as_text=True)
    assert added.status_code == 302
    assert twice.status_code == 409 and "すでにアカウントがあります" in twice.get_data(as_text=True)
    assert "加藤　さくらさんからのご案内です" in text_body(message)
    assert login(client, "taro@pref.oita.example.jp", NEW_PASSWORD).status_code == 302
    with app.app_context():
        taro = db.session.scalar(db.select(User).filter_by(email="taro@pref.oita.example.jp"))
        assert (taro.role, taro.prefecture.name) == (OFFICIAL, "大分県")
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1


def test_member_cannot_invite_an_official(app, client, smtp, oita):
    with app.app_context():
        make_user(db.session.scalar(db.select(Prefecture)), "member@oita.example.jp", role="member")
    login(client, "member@oita.example.jp")

    assert client.post("/officials/new", data={"name": "x", "email": "x@oita.example.jp"}).status_code == 403


def test_rename_opens_with_the_current_title_and_refuses_an_empty_one(app, client, oita):
    login(client, "kato@pref.oita.example.jp")

    form = client.get(f"/plans/{oita}/rename").get_data(as_text=True)
    empty = client.post(f"/plans/{oita}/rename", data={"title": "  "})
    long = client.post(f"/plans/{oita}/rename", data={"title": "計" * 101})
    renamed = client.post(f"/plans/{oita}/rename", data={"title": "令和7年度 大分県 伝達研修計画"})

    assert 'value="令和7年度 伝達研修計画"' in form
    assert empty.status_code == 422 and "入力してください。" in empty.get_data(as_text=True)
    assert long.status_code == 422 and "100文字以内で入力してください。" in long.get_data(as_text=True)
    assert renamed.status_code == 302
    with app.app_context():
        assert db.session.get(Plan, oita).title == "令和7年度 大分県 伝達研修計画"


def test_settings_page_edits_organiser_contact_and_document_prefix_and_speaks_no_commands(app, client, oita):
    from docx import Document

    from exports.participant_notice import notice
    login(client, "kato@pref.oita.example.jp")
    values = {"department": "福祉保健部 地域福祉課", "letter_sender": "大分県福祉保健部長",
              "contact_section": "地域福祉課 生活支援班", "contact_name": "加藤　さくら",
              "contact_phone": "097-506-2600", "contact_email": "chiiki@pref.oita.example.jp",
              "participant_retention_days": "90", "document_number_prefix": "福祉第"}

    page = client.get("/settings").get_data(as_text=True)
    saved = client.post("/settings", data=values)
    reopened = client.get("/settings").get_data(as_text=True)

    assert "flask" not in page and "purge" not in page
    assert saved.status_code == 302
    assert 'value="福祉第"' in reopened and 'value="地域福祉課 生活支援班"' in reopened
    with app.app_context():
        training = db.session.get(Plan, oita).trainings[0]
        first_line = Document(io.BytesIO(notice(training))).paragraphs[0].text
        assert first_line == "福祉第　　　　号"
