"""Command-line commands: `flask --app app curricula|schedule|init-db|demo|plans|...`."""
from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext

from curricula import CURRICULUM_KEYS, load_curricula
from planner.export_cli import export_command
from planner.schedule import (ScheduleInputError, SubjectSpec, build_timetable, settings_from_args,
                              subjects_of)
from planner.text import format_timetable
from planner.timeline_cli import timeline_command


def fail(message: str) -> None:
    """Print a Japanese error to stderr and exit non-zero."""
    click.echo(f"エラー: {message}", err=True)
    raise SystemExit(2)


def plan_or_exit(plan_id: int):
    """The plan with this id, or a Japanese error and a non-zero exit."""
    from planner.db import db
    from planner.models import Plan
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        fail(f"計画ID {plan_id} の計画はありません。")
    return plan


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


def local_subject(text: str) -> SubjectSpec:
    """'権利擁護:45:青木 正' -> a local subject of 45 minutes with its outside lecturer."""
    name, _, rest = text.partition(":")
    minutes, _, lecturer = rest.partition(":")
    if not name.strip():
        raise ScheduleInputError(f"独自科目「{text}」に名前がありません。「名前:分[:講師]」で指定してください。")
    if not minutes.strip().isdigit():
        raise ScheduleInputError(f"独自科目「{name}」の時間「{minutes}」は分の数で指定してください（例 権利擁護:45）。")
    return SubjectSpec(title=name.strip(), minutes_min=int(minutes), minutes_max=int(minutes), local=True,
                       lecturer=lecturer.strip())


@click.command("schedule")
@click.argument("curriculum")
@click.option("--date", "day", default=None, help="開催日 YYYY-MM-DD")
@click.option("--start", default="09:00", show_default=True, help="開始時刻 HH:MM")
@click.option("--end", default="17:45", show_default=True, help="終了時刻の上限 HH:MM")
@click.option("--lunch", default=45, show_default=True, type=int, help="昼食の分数")
@click.option("--break", "break_minutes", default=10, show_default=True, type=int, help="休憩の分数")
@click.option("--days", default=1, show_default=True, type=int, help="日数（2日間開催なら2）")
@click.option("--local", "local", multiple=True, metavar="名前:分[:講師]",
              help="独自科目（外部講師）を最後に加えます。何度でも指定できます。")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
def schedule_command(curriculum, day, start, end, lunch, break_minutes, days, local, as_json) -> None:
    """Print a timetable for CURRICULUM (common, counselor, chief, job_support)."""
    curricula = load_curricula()
    if curriculum not in curricula:
        fail(f"カリキュラム「{curriculum}」はありません。{', '.join(CURRICULUM_KEYS)} のいずれかを指定してください。")
    first = None
    if day:
        try:
            first = date.fromisoformat(day)
        except ValueError:
            fail(f"開催日「{day}」は日付として読めません。YYYY-MM-DD で入力してください。")
    if not 1 <= days <= 5:
        fail(f"日数 {days} は 1〜5 日で指定してください。")
    try:
        base = settings_from_args(first, start, end, lunch, break_minutes)
        settings = [replace(base, day=first + timedelta(days=i) if first else None)
                    for i in range(days)]
        timetable = build_timetable(subjects_of(curricula[curriculum]) + [local_subject(x) for x in local],
                                    settings)
    except ScheduleInputError as exc:
        fail(str(exc))
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


def _plan_summary(plan) -> dict:
    """A plan's listing: prefecture, the fiscal years its cycle spans, trainings and dates."""
    from planner.dates import fiscal_year
    first, last = fiscal_year(plan.cycle_start), fiscal_year(plan.cycle_end)
    curricula = load_curricula()
    return {
        "id": plan.id, "prefecture": plan.prefecture.name, "title": plan.title,
        "cycle_year": plan.cycle_year, "fiscal_years": list(range(first, last + 1)),
        "fiscal_years_label": plan.years_label,
        "trainings": [{
            "id": t.id, "curriculum": t.curriculum_key,
            "title": curricula[t.curriculum_key].short_title if t.curriculum_key in curricula else t.curriculum_key,
            "dates": [day.isoformat() for day in t.days],
        } for t in plan.trainings],
    }


@click.command("plans")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
@with_appcontext
def plans_command(as_json: bool) -> None:
    """List every plan with its prefecture, fiscal years and training dates (計画の一覧)."""
    from planner.db import db
    from planner.models import Plan
    plans = [_plan_summary(p) for p in db.session.scalars(db.select(Plan).order_by(Plan.id))]
    if as_json:
        click.echo(json.dumps(plans, ensure_ascii=False, indent=2))
        return
    if not plans:
        click.echo("計画はありません。")
    for p in plans:
        click.echo(f"計画ID {p['id']}  {p['prefecture']}  {p['title']}  {p['fiscal_years_label']}")
        for t in p["trainings"]:
            click.echo(f"  研修ID {t['id']}  {t['title']}  {'、'.join(t['dates']) or '開催日未定'}")


@click.command("export-plan")
@click.argument("plan_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_plan_command(plan_id: int, file: str) -> None:
    """Write plan PLAN_ID to FILE as JSON ("-" for standard output)."""
    from planner.backup import dump_plan
    plan = plan_or_exit(plan_id)
    text = dump_plan(plan)
    if file == "-":
        click.echo(text, nl=False)
        return
    try:
        with open(file, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        fail(f"ファイル「{file}」に書き込めません（{exc.strerror}）。")
    click.echo(f"計画「{plan.title}」を {file} に書き出しました。", err=True)


@click.command("import-plan")
@click.argument("prefecture_name")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def import_plan_command(prefecture_name: str, file: str) -> None:
    """Read a plan from FILE (written by export-plan) into the prefecture PREFECTURE_NAME."""
    from planner.backup import MAX_BYTES, BackupError, load_plan
    from planner.db import db
    from planner.models import Prefecture
    prefecture = db.session.scalar(db.select(Prefecture).filter_by(name=prefecture_name))
    if prefecture is None:
        fail(f"都道府県「{prefecture_name}」はありません。")
    try:
        stream = click.get_binary_stream("stdin") if file == "-" else open(file, "rb")
        with stream:
            data = stream.read(MAX_BYTES + 1)  # one byte more is enough to refuse it as too large
    except OSError as exc:
        fail(f"ファイル「{file}」を読めません（{exc.strerror}）。")
    try:
        plan = load_plan(prefecture, data)
    except BackupError as exc:
        db.session.rollback()
        fail(f"取り込みませんでした: {exc}")
    db.session.commit()
    click.echo(f"計画「{plan.title}」を{prefecture.name}に取り込みました（計画ID {plan.id}）。")


def register_cli(app: Flask) -> None:
    """Add every command to `flask --app app`."""
    for command in (curricula_command, schedule_command, init_db_command, demo_command,
                    plans_command, export_plan_command, import_plan_command, timeline_command,
                    export_command):
        app.cli.add_command(command)
