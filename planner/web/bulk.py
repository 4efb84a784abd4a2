"""Actions over many things at once, each behind a page that says whom it will mail:
every municipality's application link of a training (or of the whole plan) issued and
mailed with its 開催通知, and every changed training of a plan published."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user

from planner.models import Plan, Training
from planner.services.mail import link_mailing
from planner.services.participants.entries import today_in_japan
from planner.services.plans import publishing
from planner.services.plans.editions import curriculum_for
from planner.web import confirm, once, survey
from planner.web.access import official_required, plan_or_404, training_or_404
from planner.web.lazy import lazy_module
from planner.web.mail import settings as mail_settings
from planner.web.participants import link_url

# the Word builder and the mail texts load with the first send, not in every server process
municipality_mails, notices = lazy_module("exports.municipality_mails"), lazy_module("exports.notices")
files = lazy_module("exports.files")

bp = Blueprint("bulk", __name__)


def _short(training: Training) -> str:
    return curriculum_for(training).short_title


# --------------------------------------------------------------------------- links and notices

def _link_page(trainings: list[Training], action: str, back: str):
    """Who gets which link, who has no address, and what is already mailed."""
    by_contact: dict[int, list] = {}
    notes, no_address, revoked, done, closed = [], {}, {}, 0, []
    for training, problems in link_mailing.held_back(trainings):
        notes.append(_held_note(training, problems))
    for target in link_mailing.targets(trainings):
        m = target.municipality
        if target.action in (link_mailing.NEW, link_mailing.MAIL):
            by_contact.setdefault(m.id, [m, []])[1].append(_short(target.training))
        elif target.action == link_mailing.NO_ADDRESS:
            no_address.setdefault(m.name, []).append(_short(target.training))
        elif target.action == link_mailing.REVOKED:
            revoked.setdefault(m.name, []).append(_short(target.training))
        elif target.action == link_mailing.HELD:
            continue  # named once per training above
        elif target.action == link_mailing.CLOSED:
            if _short(target.training) not in closed:
                closed.append(_short(target.training))
        else:
            done += 1
    people = [confirm.Person(f"{m.name} {m.contact_name or '担当者'}",
                             f"{m.contact_email}・{'、'.join(names)}（{len(names)}通）")
              for m, names in by_contact.values()]
    if no_address:
        notes.append("担当者のメールアドレスがない市町村（URLは発行し、メールは送りません。市町村の一覧でアドレスを入れると、"
                     "次にこのボタンを押したときに送ります）: "
                     + "、".join(f"{name}（{'・'.join(ts)}）" for name, ts in no_address.items()))
    if revoked:
        notes.append("URLを取り消した市町村（送りません。受講者・申込の画面で再発行できます）: "
                     + "、".join(f"{name}（{'・'.join(ts)}）" for name, ts in revoked.items()))
    if done:
        notes.append(f"送信済みの申込URL {done}件は、もう一度は送りません。")
    if closed:
        notes.append(f"申込締切を過ぎた研修（送りません）: {'、'.join(closed)}")
    count = sum(len(names) for _, names in by_contact.values())
    titles = "・".join(_short(t) for t in trainings)
    return confirm.page(
        f"申込URLと開催通知をまとめて送る（{titles}）",
        f"まだURLのない市町村にはURLを発行し、各市町村の担当者に、その市町村専用の申込URLと開催通知（Word）を"
        f"メールで送ります（{len(people)}人に{count}通）。",
        f"{len(people)}人に{count}通を送る", back, people=people, notes=notes, action=action)


def _held_note(training: Training, problems: list[str]) -> str:
    return (f"{_short(training)}は開催通知に不足があるため送りません（URLも発行しません）: {' '.join(problems)}"
            "「受講者・申込」の申込の設定（「県の設定」とある項目は県の設定）で入力すると送れます。")


def _compose():
    today = today_in_japan()

    def compose(training, municipality, link):
        return municipality_mails.link_mail(training, municipality, link_url(link), today)
    return compose


def _send_links(trainings: list[Training], back: str):
    if repeat := once.first_submit(back):
        return repeat
    once.remember(back)
    report = link_mailing.issue_and_mail(trainings, mail_settings(), _compose())
    for training, problems in report.held:
        flash(_held_note(training, problems), "error")
    if report.mailed or report.issued:
        flash(f"申込URLを{report.issued}件発行し、{len(report.mailed)}通のメールを送りました（送信トレイ）。", "success")
    elif not report.held:
        flash("送る申込URLはありませんでした（すべて送信済みです）。", "success")
    if report.no_address:
        flash("担当者のメールアドレスがないため送れなかった市町村: " + "、".join(report.no_address), "warning")
    if report.closed:
        flash("申込締切を過ぎたため送らなかった研修: " + "、".join(_short(t) for t in report.closed), "warning")
    return redirect(back)


@bp.route("/trainings/<int:training_id>/links/send", methods=["GET", "POST"])
@official_required
def training_links(training_id: int):
    training = training_or_404(training_id)
    back = url_for("participants.training", training_id=training.id, _anchor="links")
    if request.method == "GET":
        return _link_page([training], url_for("bulk.training_links", training_id=training.id), back)
    return _send_links([training], back)


@bp.route("/plans/<int:plan_id>/links/send", methods=["GET", "POST"])
@official_required
def plan_links(plan_id: int):
    plan = plan_or_404(plan_id)
    back = url_for("plans.show", plan_id=plan.id)
    trainings = link_mailing.plan_trainings(plan)
    if request.method == "GET":
        return _link_page(trainings, url_for("bulk.plan_links", plan_id=plan.id), back)
    return _send_links(trainings, back)


# --------------------------------------------------------------------------- publishing

def _recipients(training: Training):
    return notices.version_recipients(training, current_app.config["CALENDAR_UID_HOST"],
                                      request.url_root.rstrip("/"))


def _composer(training: Training):
    page = url_for("trainings.timetable", training_id=training.id, _external=True)
    return notices.version_composer(training, current_user.name, page)


def publish_people(trainings: list[Training]) -> list[confirm.Person]:
    """The team members a publish of these trainings will mail (for the confirmation pages)."""
    found = publishing.publish_preview({t.id: _recipients(t) for t in trainings}, trainings)
    return [confirm.Person(r.name, f"{r.email}・予定{r.events}件") for r in found]


def _publish_page(plan: Plan):
    changed = publishing.changed_trainings(plan)
    back = url_for("plans.show", plan_id=plan.id)
    if not changed:
        flash("公開していない変更のある研修はありません。", "success")
        return redirect(back)
    notes = [f"{_short(t)}：{'第' + str(t.versions[-1].number + 1) + '版' if t.versions else '第1版'}として公開"
             for t in changed]
    lines = [(t.id, _short(t)) for t in changed]  # read before the preview rolls its writes back
    people = publish_people(changed)
    return confirm.page(
        f"変更のある研修をまとめて公開する（{len(lines)}件）",
        f"{'・'.join(name for _, name in lines)}の時間割と役割分担を公開し、担当に変更のあるメンバーにだけ"
        f"カレンダーの招待または取消をメールで送ります（{len(people)}人）。",
        f"{len(lines)}件の研修を公開する", back, people=people, notes=notes,
        action=url_for("bulk.publish_all", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/publish", methods=["GET", "POST"])
@official_required
def publish_all(plan_id: int):
    plan = plan_or_404(plan_id)
    back = url_for("plans.show", plan_id=plan.id)
    if request.method == "GET":
        return _publish_page(plan)
    if repeat := once.first_submit(back):
        return repeat
    once.remember(back)
    host = current_app.config["CALENDAR_UID_HOST"]
    # the survey links are made before any publish commits (making one commits)
    survey_urls = {t.id: survey.agenda_url(t) for t in publishing.changed_trainings(plan)}
    report = publishing.publish_all(plan, current_user.name, today_in_japan(), mail_settings(),
                                    _recipients, _composer,
                                    lambda t: files.published_set(t, host, survey_urls.get(t.id)))
    if report.published:
        flash("公開しました: " + "、".join(f"{_short(v.training)} {v.label}" for v in report.published)
              + "。影響のある人にメールを送ります（送信トレイ）。", "success")
    else:
        flash("公開する変更はありませんでした。", "success")
    for message in report.refused:
        flash(message, "error")
    return redirect(back)


# --------------------------------------------------------------------------- the plan page's year

def year_context(plan: Plan) -> dict:
    """What the plan page's 「年間の作業」 needs: the meetings in date order and how many links
    are still to be mailed. (Which trainings have unpublished changes needs every timetable and
    role holder: the publish page works that out, not every view of the plan page.)"""
    meetings = sorted((m for m in plan.milestones if m.kind in ("launch", "meeting")),
                      key=lambda m: (m.start, m.order))
    to_mail = sum(t.action in (link_mailing.NEW, link_mailing.MAIL)
                  for t in link_mailing.targets(link_mailing.plan_trainings(plan)))
    return {"year_meetings": meetings, "links_to_mail": to_mail}
