"""`flask --app app curricula|schedule`: the encoded curricula and a timetable built from one."""
from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext

from curricula import CURRICULUM_KEYS, load_curricula
from planner.cli.common import BoundedInt, fail
from planner.domain.schedule import ScheduleInputError, SubjectSpec, build_timetable, settings_from_args, subjects_of
from planner.domain.text import format_timetable


@click.command("curricula")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
@click.option("--load", "load_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="新しい版のカリキュラム（TOML、edition = \"令和9年度版\" 付き）をデータベースに読み込みます。")
@click.option("--editions", "list_editions", is_flag=True, help="データベースにある版を一覧します。")
def curricula_command(as_json: bool, load_file: str | None, list_editions: bool) -> None:
    """Print the encoded curricula (カリキュラムを表示); load or list editions in the database."""
    if load_file is not None or list_editions:
        # only these two need the database: the bundled curricula are printed without it
        with_appcontext(_with_database(_editions if load_file is not None else _list_editions))(load_file)
        return
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


def _with_database(command):
    """`command` with the database bound to the app first: `curricula` alone starts without it
    (planner.cli.COMMANDS), the editions live in it."""
    def run(argument):
        from flask import current_app
        current_app.cli.load_layers(("tables",))
        return command(argument)
    return run


def _editions(path: str) -> None:
    """Load one curriculum file of a new edition; a refused file writes nothing and exits 2."""
    from planner.services.plans.editions import EditionRefused, label, load_edition
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{name} がありません（{path}）。")
    except (OSError, UnicodeDecodeError):
        fail(f"{name} を読めません（UTF-8 のテキストファイルを指定してください）。")
    try:
        row = load_edition(text, name)
    except EditionRefused as refused:
        fail(str(refused))
    click.echo(f"{label(row.name)}の{row.curriculum_key}を読み込みました。これから作る計画はこの版を使います。")


def _list_editions(_: None) -> None:
    from planner.services.plans.editions import editions, label
    for info in editions():
        loaded = f"  読み込み {info.loaded_at:%Y-%m-%d %H:%M}" if info.loaded_at else "  同梱"
        click.echo(f"{label(info.name)}{loaded}  カリキュラム: {', '.join(info.keys)}  計画 {info.plans}件")


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
@click.option("--date", "day", default=None, help="開催日（例 令和9年2月18日、2027-02-18）")
@click.option("--start", default="09:00", show_default=True, help="開始時刻 HH:MM")
@click.option("--end", default="17:45", show_default=True, help="終了時刻の上限 HH:MM")
@click.option("--lunch", default=45, show_default=True, type=BoundedInt(-99999, 99999, "昼食の分数"), help="昼食の分数")
@click.option("--break", "break_minutes", default=10, show_default=True, type=BoundedInt(-99999, 99999, "休憩の分数"), help="休憩の分数")
@click.option("--days", default=1, show_default=True, type=BoundedInt(-99999, 99999, "日数"), help="日数（2日間開催なら2）")
@click.option("--longest-block", default=90, show_default=True, type=BoundedInt(-99999, 99999, "休憩なしで続ける上限"),
              help="休憩なしで続ける上限（分）。これより長い科目はセッションの間に休憩を入れます")
@click.option("--local", "local", multiple=True, metavar="名前:分[:講師]",
              help="独自科目（外部講師）を最後に加えます。何度でも指定できます。")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
def schedule_command(curriculum, day, start, end, lunch, break_minutes, days, longest_block, local,
                     as_json) -> None:
    """Print a timetable for CURRICULUM (common, counselor, chief, job_support)."""
    curricula = load_curricula()
    if curriculum not in curricula:
        fail(f"カリキュラム「{curriculum}」はありません。{', '.join(CURRICULUM_KEYS)} のいずれかを指定してください。")
    first = None
    if day:
        from planner.domain.dates import DateNotRead, parse_date_ja
        try:
            first = parse_date_ja(day)
        except DateNotRead as exc:
            fail(f"開催日{exc}")
    if not 1 <= days <= 5:
        fail(f"日数 {days} は 1〜5 日で指定してください。")
    try:
        base = replace(settings_from_args(first, start, end, lunch, break_minutes), longest_block=longest_block)
        settings = [replace(base, day=first + timedelta(days=i) if first else None)
                    for i in range(days)]
        timetable = build_timetable(subjects_of(curricula[curriculum]) + [local_subject(x) for x in local],
                                    settings)
    except ScheduleInputError as exc:
        fail(str(exc))
    if as_json:
        # a draft says so, so that a script never takes its minutes for the source's
        out = {"curriculum": curriculum, "title": curricula[curriculum].title,
               "draft": not curricula[curriculum].official, **timetable.as_dict()}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        click.echo(format_timetable(curricula[curriculum], timetable))
    if not timetable.feasible:
        raise SystemExit(1)
