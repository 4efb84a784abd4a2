"""`flask --app app export PLAN_ID OUT_DIR`: every handout and calendar file of a plan."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from planner.cli.common import PLAN_ID, fail, plan_or_exit


@click.command("export")
@click.argument("plan_id", type=PLAN_ID)
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(plan_id: int, out_dir: Path) -> None:
    """Write all handouts (.docx) and calendar files (.ics) of plan PLAN_ID into OUT_DIR, and
    each training's participants' papers (名簿, 名札, 受付簿, 修了証書) into OUT_DIR/受講者."""
    from exports.files import plan_files
    plan = plan_or_exit(plan_id)
    written = plan_files(plan, current_app.config["CALENDAR_UID_HOST"], with_participants=True)
    try:
        for name, data in written:
            path = out_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    except OSError as exc:
        fail(f"{out_dir} に書き込めません（{exc.strerror}）。")
    click.echo(f"計画「{plan.title}」の資料 {len(written)} 件を {out_dir} に書き出しました。")
