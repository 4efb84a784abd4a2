"""`flask --app app init-db|demo|plans|export-plan|import-plan`: the database and its plans."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from planner.cli.common import PLAN_ID, fail, plan_or_exit
from planner.services.plans.editions import plan_curricula


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
    from planner.services.demo import load_demo
    for line in load_demo():
        click.echo(line)
    for line in _demo_versions_and_mail():
        click.echo(line)
    from planner.cli.setup import demo_accounts
    for line in demo_accounts():
        click.echo(line)


def _demo_versions_and_mail() -> list[str]:
    """A published first version (its calendar mails waiting in the outbox), a second draft
    with changes, and invitations for the roster members without an account. Once only."""
    import os
    from datetime import date, time, timedelta

    from flask import current_app

    from exports import files, ical, notices
    from planner.models import Plan, Prefecture, ProgrammeVersion, Training, User
    from planner.models.account import OFFICIAL
    from planner.models.db import db
    from planner.services import accounts, meetings
    from planner.services.demo import DEMO_PREFECTURE
    from planner.services.mail.outbox import MailSettings, pending_count
    from planner.services.plans import changes as plans
    from planner.services.plans import versions
    from planner.services.team.roles import claim_slot

    prefecture = db.session.scalar(db.select(Prefecture).filter_by(name=DEMO_PREFECTURE))
    plan = db.session.scalar(db.select(Plan).filter_by(prefecture_id=prefecture.id).order_by(Plan.id))
    if db.session.scalar(db.select(ProgrammeVersion.id).join(Training).where(Training.plan_id == plan.id)):
        return []
    official = db.session.scalar(db.select(User).filter_by(prefecture_id=prefecture.id, role=OFFICIAL))
    settings = MailSettings.from_config(current_app.config)
    host = current_app.config["CALENDAR_UID_HOST"]
    base = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    by_key = {t.curriculum_key: t for t in plan.trainings}
    for key in ("common", "counselor"):
        training = by_key[key]
        versions.publish(training, official.name, date.today(), settings,
                         notices.version_recipients(training, host, base),
                         notices.version_composer(training, official.name, f"{base}/trainings/{training.id}"),
                         lambda t: files.published_set(t, host))
    # the second draft: the counselor training moves a week earlier, both its days (its
    # retrospective stays after it), a member takes another role
    counselor = by_key["counselor"]
    week = timedelta(days=7)
    plans.update_training(counselor, first_date=counselor.first_date - week,
                          later_dates=",".join((d - week).isoformat() for d in counselor.chosen_later_dates))
    suzuki = next(m for m in plan.members if m.email == "suzuki@kawabe.example.jp")
    claim_slot(next(s for s in counselor.slots if s.kind == "material_preparer" and s.holder_id is None), suzuki)
    db.session.commit()

    # the first planning meeting: hours, place, online link, two answers, its invitation mails
    meeting = next(m for m in plan.milestones if m.kind == "meeting")
    meetings.update_meeting(meeting, time(13, 30), time(15, 30), "みどり県庁 5階 第2会議室",
                            "https://meet.example.jp/midori-kenshu", meetings.default_agenda(),
                            "（会議後に記入）")
    for email, attending in (("sato@aoba.example.jp", True), ("suzuki@kawabe.example.jp", False)):
        meetings.answer(meeting, next(m for m in plan.members if m.email == email), attending)
    secret = current_app.config["SECRET_KEY"]

    def answer_link(member, attending):
        return f"{base}/meetings/answer/{meetings.answer_token(secret, meeting, member, attending)}"

    event = ical.meeting_event(meeting, host, base)
    meetings.invite(meeting, settings, [(m, event) for m in plan.members if m.email != official.email],
                    notices.meeting_composer(meeting, official.name,
                                             f"{base}/plans/{plan.id}/meetings/{meeting.id}", answer_link))

    def compose(invitation, token):
        return notices.invitation_mail(invitation, f"{base}/join/{token}", official.name, prefecture)

    invited = accounts.invite_roster(settings, secret, prefecture.id, compose)
    from planner.services.demo_robust import load_demo_robustness
    robust = load_demo_robustness(plan, settings)
    return robust + ["研修プログラムを公開しました（前期共通・相談支援員 第1版）。相談支援員は第2版の下書きがあります。",
            f"{meeting.title}の日時・会場・議題を設定し、チームに案内しました。",
            f"招待 {invited}人。送信トレイに {pending_count(prefecture.id)}通のメールがあります"
            f"（`flask --app app send-mail` で送信。MAIL_SERVER 未設定なら {settings.outbox_dir} に保存）。"]


def _plan_summary(plan) -> dict:
    """A plan's listing: prefecture, the fiscal years its cycle spans, trainings and dates."""
    from planner.domain.dates import fiscal_year
    first, last = fiscal_year(plan.cycle_start), fiscal_year(plan.cycle_end)
    curricula = plan_curricula(plan)
    return {
        "id": plan.id, "prefecture": plan.prefecture.name, "title": plan.title,
        "cycle_year": plan.cycle_year, "fiscal_years": list(range(first, last + 1)),
        "fiscal_years_label": plan.years_label,
        "trainings": [{
            "id": t.id, "curriculum": t.curriculum_key,
            "title": curricula[t.curriculum_key].short_title if t.curriculum_key in curricula else t.local_title or t.curriculum_key,
            "dates": [day.isoformat() for day in t.days],
        } for t in plan.trainings_by_date],
    }


@click.command("plans")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
@with_appcontext
def plans_command(as_json: bool) -> None:
    """List every plan with its prefecture, fiscal years and training dates (計画の一覧)."""
    from planner.models import Plan
    from planner.models.db import db
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
@click.argument("plan_id", type=PLAN_ID)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def export_plan_command(plan_id: int, file: str) -> None:
    """Write plan PLAN_ID to FILE as JSON ("-" for standard output)."""
    from planner.services.backup.plan import dump_plan
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
    from planner.models import Prefecture
    from planner.models.db import db
    from planner.services.backup.plan import MAX_BYTES, BackupError, load_plan
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
