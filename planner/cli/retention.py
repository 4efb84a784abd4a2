"""`flask --app app purge-participants`: delete participants' personal data after the cycle."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from planner.cli.common import fail


@click.command("purge-participants")
@click.option("--today", "today_text", default=None, metavar="YYYY-MM-DD",
              help="この日付の時点で判断します（既定は今日）。")
@click.option("--dry-run", is_flag=True, help="削除せず、対象の件数だけを表示します。")
@with_appcontext
def purge_participants_command(today_text: str | None, dry_run: bool) -> None:
    """Delete the names, kana, affiliations, jobs, e-mails and needs of the participants of
    plans whose cycle ended more than the prefecture's retention days ago (県の設定)."""
    from planner.domain.dates import DateNotRead, parse_date_ja
    from planner.services.participants.entries import today_in_japan
    from planner.services.participants.retention import PERSONAL, purge_due
    try:
        today = parse_date_ja(today_text) if today_text else today_in_japan()
    except DateNotRead as exc:
        fail(f"--today {exc}")
    done = purge_due(today, dry_run=dry_run)
    verb = "削除の対象です（--dry-run のため削除していません）" if dry_run else "削除しました"
    for item in done:
        click.echo(f"{item.plan.prefecture.name}「{item.plan.title}」（保存期限 {item.kept_until.isoformat()}）: "
                   f"受講者 {item.participants}名の氏名・{'・'.join(_LABELS[c] for c in PERSONAL)}を{verb}。")
    if not done:
        click.echo("保存期限を過ぎた受講者の個人情報はありません。")


_LABELS = {"kana": "ふりがな", "affiliation": "所属", "job": "職名", "email": "メール", "needs": "配慮事項"}
