"""Command-line commands: `flask --app app curricula|schedule|init-db|demo|...`."""
from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext

from curricula import CURRICULUM_KEYS, load_curricula
from planner.schedule import ScheduleInputError, build_timetable, settings_from_args, subjects_of
from planner.text import format_timetable


def _fail(message: str) -> None:
    """Print a Japanese error to stderr and exit non-zero."""
    click.echo(f"エラー: {message}", err=True)
    raise SystemExit(2)


@click.command("curricula")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
def curricula_command(as_json: bool) -> None:
    """Print the encoded curricula (カリキュラムを表示)."""
    curricula = load_curricula()
    if as_json:
        click.echo(json.dumps([asdict(c) for c in curricula.values()], ensure_ascii=False, indent=2))
        return
    for c in curricula.values():
        click.echo(f"■ {c.title}（{c.key}）  {c.hours_note}  最短{c.minutes_min}分〜最長{c.minutes_max}分")
        if not c.official:
            click.echo(f"  ※ {c.draft_note}")
        for s in c.subjects:
            mark = "  [別日で補える]" if s.may_move_to_separate_day else ""
            click.echo(f"  {s.letter} {s.name}  {s.minutes_text}{mark}")
            for lecture in s.national_lectures:
                click.echo(f"      {lecture}")
        click.echo("")


@click.command("schedule")
@click.argument("curriculum")
@click.option("--date", "day", default=None, help="開催日 YYYY-MM-DD")
@click.option("--start", default="09:00", show_default=True, help="開始時刻 HH:MM")
@click.option("--end", default="17:45", show_default=True, help="終了時刻の上限 HH:MM")
@click.option("--lunch", default=45, show_default=True, type=int, help="昼食の分数")
@click.option("--break", "break_minutes", default=10, show_default=True, type=int, help="休憩の分数")
@click.option("--days", default=1, show_default=True, type=int, help="日数（2日間開催なら2）")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
def schedule_command(curriculum, day, start, end, lunch, break_minutes, days, as_json) -> None:
    """Print a timetable for CURRICULUM (common, counselor, chief, job_support)."""
    curricula = load_curricula()
    if curriculum not in curricula:
        _fail(f"カリキュラム「{curriculum}」はありません。{', '.join(CURRICULUM_KEYS)} のいずれかを指定してください。")
    first = None
    if day:
        try:
            first = date.fromisoformat(day)
        except ValueError:
            _fail(f"開催日「{day}」は日付として読めません。YYYY-MM-DD で入力してください。")
    if not 1 <= days <= 5:
        _fail(f"日数 {days} は 1〜5 日で指定してください。")
    try:
        base = settings_from_args(first, start, end, lunch, break_minutes)
        settings = [replace(base, day=first + timedelta(days=i) if first else None)
                    for i in range(days)]
        timetable = build_timetable(subjects_of(curricula[curriculum]), settings)
    except ScheduleInputError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(timetable.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_timetable(curricula[curriculum], timetable))
    if not timetable.feasible:
        raise SystemExit(1)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (migrations)."""
    from flask_migrate import upgrade
    upgrade()
    click.echo("データベースを最新の状態にしました。")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load a fictitious demo prefecture that a new user can click through."""
    from planner.demo import load_demo
    for line in load_demo():
        click.echo(line)


def register_cli(app: Flask) -> None:
    for command in (curricula_command, schedule_command, init_db_command, demo_command):
        app.cli.add_command(command)
