"""Helpers shared by the command groups: a Japanese error and exit, a plan by id or exit."""
from __future__ import annotations

import click


def fail(message: str) -> None:
    """Print a Japanese error to stderr and exit non-zero."""
    click.echo(f"エラー: {message}", err=True)
    raise SystemExit(2)


def plan_or_exit(plan_id: int):
    """The plan with this id, or a Japanese error and a non-zero exit."""
    from planner.models import Plan
    from planner.models.db import db
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        fail(f"計画ID {plan_id} の計画はありません。")
    return plan
