"""`flask --app app timeline PLAN_ID [--json]`: a plan's milestones, trainings included."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from planner.cli.common import PLAN_ID, plan_or_exit
from planner.domain.dates import era_year, fiscal_year, format_date_ja


@click.command("timeline")
@click.argument("plan_id", type=PLAN_ID)
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
@with_appcontext
def timeline_command(plan_id: int, as_json: bool) -> None:
    """Print the timeline of plan PLAN_ID in date order (年間の流れ)."""
    from planner.services.timeline import order_problems, timeline_rows
    plan = plan_or_exit(plan_id)
    steps = [r.step for r in timeline_rows(plan)]
    if as_json:
        click.echo(json.dumps([{"kind": s.kind, "title": s.title, "start": s.start.isoformat(),
                                "end": s.end.isoformat()} for s in steps],
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"計画ID {plan.id}  {plan.title}")
    if not steps:
        click.echo("年間の流れはまだありません（画面の「年間の流れを作成」で作れます）。")
    for s in steps:
        end = f"〜{format_date_ja(s.end)}" if s.end != s.start else ""
        click.echo(f"  {format_date_ja(s.start)}{end}  {era_year(fiscal_year(s.start))}  {s.title}")
    for t in plan.trainings:
        if t.first_date is None:
            click.echo(f"  開催日未定  {t.curriculum_key}")
    for message in order_problems(plan):
        click.echo(f"注意: {message}", err=True)
