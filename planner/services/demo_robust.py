"""Demo data for the robustness features: a municipality contact with a Japanese domain
(sent in its xn-- form), a mail that could not be sent (a mistyped address, failed with its
reason in the outbox, ready to be corrected), and a training moved onto a day a slot holder
cannot attend, kept by the official (shown on the roles page as a kept conflict)."""
from __future__ import annotations

from datetime import timedelta

from planner.domain import addresses
from planner.domain.dates import format_date_wareki
from planner.models import MemberUnavailable, Municipality, Plan
from planner.models.db import db
from planner.services.mail.outbox import MailSettings, queue
from planner.services.plans import changes as plans
from planner.services.plans import holder_conflicts
from planner.services.team.roles import assign_slot


def load_demo_robustness(plan: Plan, settings: MailSettings) -> list[str]:
    lines = []
    places = db.session.scalars(db.select(Municipality).where(Municipality.prefecture_id == plan.prefecture_id)
                                .order_by(Municipality.id)).all()
    free = [m for m in places if not m.contact_email]
    if len(free) >= 2:
        idn, mistyped = free[0], free[1]
        idn.contact_name, idn.contact_email = "森野 光", addresses.check_address(f"soudan@{idn.name}.example.jp")
        mistyped.contact_name = "浜辺 誠"
        common = next(t for t in plan.trainings if t.curriculum_key == "common")
        # an address saved before the address rule, with its domain cut off: failed at once
        queue(settings, plan.prefecture_id, "application_link", f"{mistyped.name} {mistyped.contact_name}",
              "hamabe-fukushi@umibe", f"【{plan.prefecture.name}】前期共通プログラム 受講申込のご案内",
              f"{mistyped.name} {mistyped.contact_name} 様\n\n前期共通プログラム（{format_date_wareki(common.first_date)}）の"
              "受講申込をお願いします。申込用のリンクは担当職員からお送りします。\n")
        db.session.commit()
        lines.append(f"{idn.name}の担当者を日本語ドメインのアドレスにし、{mistyped.name}への案内メールを"
                     "送信できないメールとして送信トレイに置きました（宛先を直して送れます）。")
    lines += _kept_conflict(plan)
    return lines


def _kept_conflict(plan: Plan) -> list[str]:
    """The chief training moved a day later (still before its retrospective) onto a day its
    timekeeper cannot come; the official kept the holder."""
    chief = next((t for t in plan.trainings if t.curriculum_key == "chief"), None)
    if chief is None or chief.first_date is None:
        return []
    slot = next((s for s in sorted(chief.slots, key=lambda s: s.id) if s.kind == "timekeeper"), None)
    member = next((m for m in plan.members if m.email == "takahashi@yamanaka.example.jp"), None)
    later = chief.first_date + timedelta(days=1)
    if slot is None or member is None or later.weekday() >= 5 or later > plan.cycle_end:
        return []
    if slot.holder_id is None:
        assign_slot(slot, member)
    if later not in member.unavailable_days:
        db.session.add(MemberUnavailable(member_id=member.id, day=later))
        db.session.commit()
    with holder_conflicts.deciding(holder_conflicts.KEEP):
        plans.update_training(chief, first_date=later)
    return [f"主任相談支援員の研修を1日後に移し、{member.name}さんの参加できない日と重なる担当を残しました"
            "（役割分担の画面に表示）。"]
