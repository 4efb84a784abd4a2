"""Helpers shared by the command groups: a Japanese error and exit, a plan by id or exit."""
from __future__ import annotations

import click


class BoundedInt(click.ParamType):
    """An integer argument with a range; anything else is refused in Japanese (exit 2),
    before it reaches the database (an id above 2**63 makes SQLite raise OverflowError)."""

    name = "integer"

    def __init__(self, low: int, high: int, what: str = "数"):
        self.low, self.high, self.what = low, high, what

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            if not text.lstrip("-").isdigit() or len(text) > 12:
                self.fail(f"{self.what}「{text[:20]}」は{self.low}〜{self.high}の整数で指定してください。", param, ctx)
            number = int(text)
        if not self.low <= number <= self.high:
            self.fail(f"{self.what} {number} は{self.low}〜{self.high}の範囲で指定してください。", param, ctx)
        return number


#: a plan's id as the commands take it (PostgreSQL INTEGER)
PLAN_ID = BoundedInt(1, 2**31 - 1, "計画ID")


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
