"""The planning team: roster, role slots, claiming, auto-assignment, coverage and my roles."""
from __future__ import annotations

from collections import Counter
from datetime import date, time
from io import BytesIO
from itertools import groupby

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from planner.domain.assign import TEACHING_KINDS
from planner.models import Plan, RoleSlot, TeamMember
from planner.models.team import COURSE_NAMES, COURSES, MUNICIPALITY_KINDS, ROLE_NAMES
from planner.services.plans import holder_conflicts
from planner.services.plans.editions import plan_curricula
from planner.services.spreadsheets import XLSX_TYPE
from planner.services.team import roster as team
from planner.services.team.files import (
    HEADER,
    MemberRow,
    RosterError,
    example_csv,
    example_xlsx,
    parse_roster,
    write_roster,
    write_roster_xlsx,
)
from planner.services.team.roles import (
    ROLES_PAGE,
    ClaimRefused,
    SlotChanged,
    assign_slot,
    claim_slot,
    find_slot,
    find_slot_to_claim,
    link_loaded_slots,
    lock_held_slots,
    release_slot,
    slot_label,
    slot_times,
    slots_by_day,
)
from planner.web import once
from planner.web.access import found_or_404, official_required, plan_or_404, training_or_404
from planner.web.forms import CsvForm, MemberForm, SlotAssignForm
from planner.web.isolated import built_in_child
from planner.web.numbers import bounded_int

bp = Blueprint("team", __name__)


def _member_or_404(plan: Plan, member_id: int) -> TeamMember:
    member = team.find_member(member_id)
    if member is None or member.plan_id != plan.id:
        abort(404)
    return member


def _slot_or_404(plan: Plan, slot_id: int) -> RoleSlot:
    return found_or_404(find_slot(plan.id, slot_id))


# ------------------------------------------------------------------ roster

def _roster_page(plan: Plan, status: int = 200):
    return render_template("team/roster.html", plan=plan, advice=team.composition_advice(plan),
                           coverage=team.coverage(plan), csv_form=CsvForm(), header=HEADER,
                           course_names=COURSE_NAMES, kinds=MUNICIPALITY_KINDS), status


@bp.route("/plans/<int:plan_id>/team")
@login_required
def roster(plan_id: int):
    return _roster_page(plan_or_404(plan_id, *team.WITH_MEMBERS))


def _remember_roster(plan: Plan):
    """Run before the commit: a form's first submit led back to the roster (see planner.web.once)."""
    return lambda: once.remember(url_for("team.roster", plan_id=plan.id))


def _row_from_form(form: MemberForm) -> MemberRow:
    courses = {c: getattr(form, f"year_{c}").data for c in COURSES if getattr(form, f"course_{c}").data}
    return MemberRow(name=form.name.data, municipality=form.municipality.data,
                     municipality_kind=form.municipality_kind.data, email=form.email.data.lower(),
                     courses=courses, unavailable=getattr(form, "unavailable_days", []),
                     notes=form.notes.data or "")


@bp.route("/plans/<int:plan_id>/team/new", methods=["GET", "POST"])
@bp.route("/plans/<int:plan_id>/team/<int:member_id>/edit", methods=["GET", "POST"])
@official_required
def edit_member(plan_id: int, member_id: int | None = None):
    plan = plan_or_404(plan_id)
    member = _member_or_404(plan, member_id) if member_id else None
    form = MemberForm()
    if request.method == "GET" and member:
        form.process(data={"name": member.name, "municipality": member.municipality,
                           "municipality_kind": member.municipality_kind, "email": member.email,
                           "notes": member.notes,
                           "unavailable": ", ".join(d.isoformat() for d in sorted(member.unavailable_days)),
                           **{f"course_{c.course}": True for c in member.courses},
                           **{f"year_{c.course}": c.year for c in member.courses}})
    if form.validate_on_submit():
        if member is None and (repeat := once.first_submit(url_for("team.roster", plan_id=plan.id))):
            return repeat
        row = _row_from_form(form)
        try:
            team.save_roster_member(plan, row, member, _remember_roster(plan))
        except team.MemberRefused as refused:
            getattr(form, refused.field).errors.append(refused.messages[0])
        else:
            flash(f"{row.name} さんを{'更新' if member else '名簿に追加'}しました。", "success")
            return redirect(url_for("team.roster", plan_id=plan.id))
    status = 422 if form.errors else 200
    return render_template("team/member.html", plan=plan, form=form, member=member,
                           courses=COURSES), status


@bp.route("/plans/<int:plan_id>/team/<int:member_id>/delete", methods=["POST"])
@official_required
def delete_member(plan_id: int, member_id: int):
    plan = plan_or_404(plan_id)
    member = _member_or_404(plan, member_id)
    team.remove_member(member)
    flash(f"{member.name} さんを名簿から外しました。担当していた役割は空きに戻りました。", "success")
    return redirect(url_for("team.roster", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/team.csv")
@official_required  # the roster file holds everyone's notes and contacts
def export_roster(plan_id: int):
    plan = plan_or_404(plan_id)
    return send_file(BytesIO(write_roster(team.roster_rows(plan))), mimetype="text/csv",
                     as_attachment=True, download_name=f"研修チーム名簿_{plan.cycle_year}.csv")


@bp.route("/plans/<int:plan_id>/team.xlsx")
@official_required  # like team.csv: everyone's notes and contacts
@built_in_child
def export_roster_xlsx(plan_id: int):
    plan = plan_or_404(plan_id)
    return send_file(BytesIO(write_roster_xlsx(team.roster_rows(plan))), mimetype=XLSX_TYPE,
                     as_attachment=True, download_name=f"研修チーム名簿_{plan.cycle_year}.xlsx")


@bp.route("/team/roster-example.csv")
@login_required
def roster_example_csv():
    """A filled-in example of the roster file, to start from in Excel."""
    return send_file(BytesIO(example_csv(date.today())), mimetype="text/csv",
                     as_attachment=True, download_name="研修チーム名簿_記入例.csv")


@bp.route("/team/roster-example.xlsx")
@login_required
@built_in_child
def roster_example_xlsx():
    return send_file(BytesIO(example_xlsx(date.today())), mimetype=XLSX_TYPE,
                     as_attachment=True, download_name="研修チーム名簿_記入例.xlsx")


@bp.route("/plans/<int:plan_id>/team/import", methods=["POST"])
@official_required
def import_roster(plan_id: int):
    plan = plan_or_404(plan_id)
    form = CsvForm()
    if not form.validate_on_submit():
        for message in form.file.errors:
            flash(message, "error")
        return redirect(url_for("team.roster", plan_id=plan.id))
    try:
        rows = parse_roster(form.file.data.read())
    except RosterError as exc:
        flash(f"名簿を取り込みませんでした（1件も登録していません）: {exc}", "error")
        return _roster_page(plan, 422)
    if repeat := once.first_submit(url_for("team.roster", plan_id=plan.id)):
        return repeat
    try:
        added, updated = team.import_roster_rows(plan, rows, _remember_roster(plan))
    except (RosterError, ClaimRefused) as exc:
        flash(f"名簿を取り込みませんでした（1件も登録していません）: {exc}", "error")
        return _roster_page(plan, 422)
    flash(f"名簿を取り込みました（追加{added}人、更新{updated}人）。", "success")
    return redirect(url_for("team.roster", plan_id=plan.id))


# ------------------------------------------------------------------ role slots

def _roles_page(plan: Plan, status: int = 200):
    """The slots of every training; a refused claim re-renders it with its message."""
    link_loaded_slots(plan.trainings)
    times = {}
    for training in plan.trainings:
        times.update(slot_times(training))
    held_open = [s for t in plan.trainings for s in t.slots if s.holder_id and not s.locked]
    me = team.member_for(plan, current_user.email)
    return render_template("team/roles.html", plan=plan, times=times, me=me,
                           held_open=held_open, away=_away_slots(times, me),
                           kept_conflicts=holder_conflicts.kept_conflicts(plan.id),
                           coverage=team.coverage(plan), curricula=plan_curricula(plan),
                           role_names=ROLE_NAMES, slot_label=slot_label,
                           ordered={t.id: slots_by_day(t, times) for t in plan.trainings}), status


def _away_slots(times: dict, me: TeamMember | None) -> set[int]:
    """The slots on a day the member marked unavailable: no 申し込む there. Each slot's own
    day counts (a member away on day 1 may take a day-2 role); material preparation is done
    beforehand, so it has no day and is never one of them."""
    days = me.unavailable_days if me else set()
    return {slot_id for slot_id, when in times.items() if when.day is not None and when.day in days}


@bp.route("/plans/<int:plan_id>/roles")
@login_required
def roles(plan_id: int):
    return _roles_page(plan_or_404(plan_id, *ROLES_PAGE))


def _back_to_roles(plan_id: int, slot_id: int):
    return redirect(url_for("team.roles", plan_id=plan_id) + f"#slot-{slot_id}")


def _wants_json() -> bool:
    """Scripts (and the benchmark) ask for JSON: no page, no flash kept in the session."""
    return request.accept_mimetypes.best == "application/json"


def _slot_to_claim(plan_id: int, slot_id: int) -> tuple[RoleSlot, TeamMember | None]:
    """The slot and the user's roster entry in its plan, in one query, if the plan is the
    user's prefecture's; else a 404."""
    return found_or_404(find_slot_to_claim(current_user.prefecture_id, plan_id, slot_id, current_user.email))


def _claim_outcome(plan_id: int, slot_id: int, message: str, status: int):
    """Answer a claim or release: JSON for scripts, otherwise the page with a message.

    Takes ids, not rows: after the commit every row is expired and reading one costs a query.
    """
    if _wants_json():
        return jsonify(ok=status == 200, message=message), status
    flash(message, "success" if status == 200 else "error")
    if status == 200:
        return _back_to_roles(plan_id, slot_id)
    return _roles_page(plan_or_404(plan_id, *ROLES_PAGE), status)


@bp.route("/plans/<int:plan_id>/roles/<int:slot_id>/claim", methods=["POST"])
@login_required
def claim(plan_id: int, slot_id: int):
    slot, me = _slot_to_claim(plan_id, slot_id)
    if me is None:
        flash("この計画の研修チーム名簿にあなたが載っていないため、役割を申し込めません。担当職員に連絡してください。", "error")
        return _roles_page(plan_or_404(plan_id, *ROLES_PAGE), 403)
    label = slot_label(slot)  # before the commit expires the slot, its training and subject
    try:
        claim_slot(slot, me)
    except ClaimRefused as exc:
        return _claim_outcome(plan_id, slot_id, str(exc), 409)
    return _claim_outcome(plan_id, slot_id, f"「{label}」を担当します。", 200)


@bp.route("/plans/<int:plan_id>/roles/<int:slot_id>/release", methods=["POST"])
@login_required
def release(plan_id: int, slot_id: int):
    slot, me = _slot_to_claim(plan_id, slot_id)
    if me is None:
        abort(403)
    label = slot_label(slot)
    try:
        release_slot(slot, me)
    except ClaimRefused as exc:
        return _claim_outcome(plan_id, slot_id, str(exc), 409)
    return _claim_outcome(plan_id, slot_id, f"「{label}」の担当を取り消しました。", 200)


@bp.route("/plans/<int:plan_id>/roles/<int:slot_id>/assign", methods=["GET", "POST"])
@official_required
def assign(plan_id: int, slot_id: int):
    plan = plan_or_404(plan_id)
    slot = _slot_or_404(plan, slot_id)
    # the holder the form is shown with travels with it: a claim made meanwhile is not overwritten
    form = SlotAssignForm(data={"member_id": slot.holder_id or 0, "locked": slot.locked,
                                "shown_holder": slot.holder_id or 0}
                          if request.method == "GET" else None)
    # each member's load, so the official can see who is free to take one more
    load = team.coverage(plan).load
    teaching = Counter(s.holder_id for s in slot.training.slots if s.kind in TEACHING_KINDS)
    form.member_id.choices = [SelectChoice(0, "（空き）")] + [
        SelectChoice(m.id, f"{m.name}（{m.municipality}）担当{load[m.id]}件") for m in plan.members]
    status = 200
    if form.validate_on_submit():
        member = _member_or_404(plan, form.member_id.data) if form.member_id.data else None
        try:
            assign_slot(slot, member, form.locked.data, expected_holder=form.shown_holder.data or None,
                        yourself=member is not None and member.email.lower() == current_user.email.lower())
        except SlotChanged as exc:
            status = 409
            form.member_id.errors.append(str(exc))
            form.shown_holder.data = slot.holder_id or 0
        except ClaimRefused as exc:
            form.member_id.errors.append(str(exc))
        else:
            flash(f"「{slot_label(slot)}」の担当を{'「' + member.name + '」さんに' if member else '空きに'}しました。", "success")
            return _back_to_roles(plan.id, slot.id)
    if form.errors and status == 200:
        status = 422
    loads = [(m, load[m.id], teaching[m.id]) for m in plan.members]
    return render_template("team/assign.html", plan=plan, slot=slot, form=form, loads=loads,
                           label=slot_label(slot)), status


@bp.route("/plans/<int:plan_id>/roles/lock", methods=["POST"])
@official_required
def lock_all(plan_id: int):
    """Bulk 確定: lock every held slot of the plan, or of one training (?training=ID)."""
    plan = plan_or_404(plan_id)
    training_id = bounded_int(request.form.get("training"))
    trainings = [training_or_404(training_id)] if training_id else list(plan.trainings)
    if any(t.plan_id != plan.id for t in trainings):
        abort(404)
    count = lock_held_slots(trainings)
    flash(f"担当者のいる役割{count}件を確定しました。メンバーは申し込み・取り消しができなくなります。"
          if count else "確定する役割はありませんでした（担当者のいる役割はすでに確定済みです）。", "success")
    return redirect(url_for("team.roles", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/roles/suggest", methods=["GET", "POST"])
@official_required
def suggest(plan_id: int):
    plan = plan_or_404(plan_id)
    if request.method == "POST":
        pairs = [tuple(map(int, value.split(":"))) for value in request.form.getlist("pair")
                 if value.count(":") == 1 and value.replace(":", "").isdigit()]
        _flash_accepted(*team.accept_suggestion(plan, pairs))
        return redirect(url_for("team.roles", plan_id=plan.id))
    suggestion = team.suggest(plan)
    slots = {s.id: s for t in plan.trainings for s in t.slots}
    members = {m.id: m for m in plan.members}
    new = [(slots[a.slot_id], members[a.member_id], a.reason) for a in suggestion.assignments
           if slots[a.slot_id].holder_id is None]
    now, after = team.coverage(plan).load, Counter(a.member_id for a in suggestion.assignments)
    loads = [(m, now[m.id], after[m.id]) for m in plan.members]
    return render_template("team/suggest.html", plan=plan, suggestion=suggestion, new=new, slots=slots, loads=loads,
                           members=members, slot_label=slot_label,
                           undated=[t for t in plan.trainings if not t.first_date], curricula=plan_curricula(plan))


def _flash_accepted(accepted: int, skipped: int) -> None:
    flash(f"提案を{accepted}件反映しました。" + (f"{skipped}件は、その間に申し込みがあったため反映していません。" if skipped else ""), "success")


@bp.route("/plans/<int:plan_id>/roles/accept-all", methods=["POST"])
@official_required
def accept_all(plan_id: int):
    """The roles page's shortcut: compute the suggestion and accept all of it in one step."""
    plan = plan_or_404(plan_id)
    suggestion = team.suggest(plan)
    open_ids = {s.id for t in plan.trainings for s in t.slots if s.holder_id is None}
    _flash_accepted(*team.accept_suggestion(
        plan, [(a.slot_id, a.member_id) for a in suggestion.assignments if a.slot_id in open_ids]))
    for message in filter(None, [suggestion.note, *suggestion.warnings]):
        flash(message, "warning")
    return redirect(url_for("team.roles", plan_id=plan.id))


@bp.route("/my/roles")
@login_required
def my_roles():
    members = team.members_of_user(current_user)
    slots = team.slots_of_member([m.id for m in members])
    times = {}
    for training in {s.training for s in slots}:
        times.update(slot_times(training))
    return render_template("team/my_roles.html", slots=slots, days=_by_day(slots, times), times=times,
                           slot_label=slot_label, members=members)


def _by_day(slots: list[RoleSlot], times: dict) -> list[tuple[date | None, list[RoleSlot]]]:
    """The slots grouped by the day they are held on (undated last), each day's in time order."""
    def day(s: RoleSlot) -> date | None:
        when = times.get(s.id)
        return when.day if when and when.day else s.training.first_date

    def start(s: RoleSlot) -> time:
        when = times.get(s.id)
        return when.start if when and when.start else time.min

    ordered = sorted(slots, key=lambda s: (day(s) or date.max, start(s), s.training.position, s.sort_key))
    return [(d, list(group)) for d, group in groupby(ordered, key=day)]
