"""`flask --app app create-prefecture NAME` and `create-official EMAIL --prefecture NAME`: how
a server's administrator starts a real prefecture (the demo is not needed)."""
from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from planner.cli.common import fail


def public_url() -> str:
    """Where the links in mails and on the terminal point (PUBLIC_URL, as the demo's mails)."""
    return os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")


@click.command("create-prefecture")
@click.argument("name")
@with_appcontext
def create_prefecture_command(name: str) -> None:
    """Create the prefecture NAME (e.g. 大分県) with its municipalities from the national list."""
    from planner.services.errors import ChangeRefused
    from planner.services.prefectures import create_prefecture
    try:
        result = create_prefecture(name)
    except ChangeRefused as refused:
        fail(" ".join(refused.messages))
    if not result.created:
        click.echo(f"{result.prefecture.name}はすでにあります。何も変更していません。")
        return
    click.echo(f"{result.prefecture.name}を作成しました（市町村 {result.municipalities_added}）。")
    click.echo(f"次に担当職員を作成します: flask --app app create-official メールアドレス --prefecture {result.prefecture.name}")


@click.command("create-official")
@click.argument("email")
@click.option("--prefecture", "prefecture_name", required=True, help="都道府県名（例 大分県）")
@click.option("--name", default="", help="氏名（省略するとメールアドレスの @ の前）")
@with_appcontext
def create_official_command(email: str, prefecture_name: str, name: str) -> None:
    """Create an official of the prefecture and print a one-time link to set the password
    (mailed too when MAIL_SERVER is set)."""
    from flask import current_app

    from exports.account_mails import password_mail
    from planner.models import Prefecture
    from planner.models.db import db
    from planner.models.password_tokens import SETUP
    from planner.services.errors import ChangeRefused
    from planner.services.mail import outbox as mail
    from planner.services.password_links import LIFETIME_TEXT, create_official

    prefecture = db.session.scalar(db.select(Prefecture).filter_by(name=prefecture_name.strip()))
    if prefecture is None:
        fail(f"都道府県「{prefecture_name}」はまだありません。先に flask --app app create-prefecture "
             f"{prefecture_name.strip() or '都道府県名'} で作成してください。")
    settings = mail.MailSettings.from_config(current_app.config)
    mailed = bool(settings.server)

    def compose(user, token, purpose):
        return password_mail(user, f"{public_url()}/password/set/{token}", purpose)
    try:
        created = create_official(settings if mailed else None, prefecture, email, name, compose)
    except ChangeRefused as refused:
        fail(" ".join(refused.messages))
    link = f"{public_url()}/password/set/{created.token}"
    click.echo(f"{prefecture.name}の担当職員 {created.user.name}（{created.user.email}）を作成しました。")
    click.echo(f"パスワードを設定するリンク（{LIFETIME_TEXT[SETUP]}有効、1回だけ使えます）:")
    click.echo(link)
    if mailed:
        report = mail.deliver(settings, ids=mail.take_committed_ids())
        click.echo("同じリンクをメールで送りました。" if report.sent else
                   f"メールは送れませんでした（{report.last_error}）。送信トレイから再送します。上のリンクを本人に伝えてください。")


#: the demo's second official, added as an official adds one: a set-password mail waits in the outbox
DEMO_NEW_OFFICIAL = ("yamada@midori.example.jp", "山田 恵（県 地域福祉課）")


def demo_accounts() -> list[str]:
    """The demo shows an official added by another (the set-password mail in the outbox) and
    where a forgotten password is reset. Once only."""
    from flask import current_app

    from exports.account_mails import password_mail
    from planner.models import Prefecture, User
    from planner.models.db import db
    from planner.services.demo import DEMO_PEOPLE, DEMO_PREFECTURE
    from planner.services.mail.outbox import MailSettings
    from planner.services.password_links import create_official

    lines = ["パスワードを忘れたときは、ログイン画面の「パスワードを忘れた場合」から再設定のメールを受け取れます"
             "（メールサーバが未設定なら、メールは送信トレイに入ります）。"]
    email, name = DEMO_NEW_OFFICIAL
    if db.session.scalar(db.select(User.id).filter_by(email=email)) is not None:
        return lines
    prefecture = db.session.scalar(db.select(Prefecture).filter_by(name=DEMO_PREFECTURE))
    inviter = db.session.scalar(db.select(User.name).filter_by(email=DEMO_PEOPLE[0][0]))

    def compose(user, token, purpose):
        return password_mail(user, f"{public_url()}/password/set/{token}", purpose, inviter)
    created = create_official(MailSettings.from_config(current_app.config), prefecture, email, name, compose)
    return lines + [f"担当職員の追加の例: {created.user.name}（{email}）へのパスワード設定のメールを送信トレイに入れました。"]
