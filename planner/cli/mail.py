"""`flask --app app send-mail`: send what waits in the outbox (run it from cron)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from planner.cli.common import BoundedInt


@click.command("send-mail")
@click.option("--limit", default=500, show_default=True, type=BoundedInt(1, 100000, "最大件数"), help="1回に送る最大件数")
@click.option("--now", "force", is_flag=True, help="再送の待ち時間を待たずに送る")
@with_appcontext
def send_mail_command(limit: int, force: bool) -> None:
    """送信トレイのメールのうち送信時期が来たものを送る（cron で定期実行）。"""
    from planner.services.mail.outbox import MailSettings, deliver
    settings = MailSettings.from_config(current_app.config)
    report = deliver(settings, limit=limit, force=force)
    where = settings.server or str(settings.outbox_dir)
    click.echo(f"送信 {report.sent}件、失敗 {report.failed}件（送信先: {where}）")
    if report.failed:
        click.echo(f"最後のエラー: {report.last_error}", err=True)
        if report.given_up:
            click.echo(f"{report.given_up}件は送信できないメールとして送信トレイに残しました（宛先を直して送れます）。", err=True)
        raise SystemExit(1)
