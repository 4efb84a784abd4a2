"""A fictitious prefecture (みどり県) with an official, team members and a yearly plan."""
from __future__ import annotations

from datetime import date

from planner.db import db
from planner.models import Plan, Prefecture, User
from planner.models.account import MEMBER, OFFICIAL
from planner.operations import create_plan

DEMO_PREFECTURE = "みどり県"
DEMO_PASSWORD = "demo-pass-2026"
DEMO_PEOPLE = [
    # (email, name, role)
    ("tanaka@midori.example.jp", "田中 ゆかり（県 地域福祉課）", OFFICIAL),
    ("sato@aoba.example.jp", "佐藤 健一（あおば市 自立相談支援センター）", MEMBER),
    ("suzuki@kawabe.example.jp", "鈴木 真理（かわべ市 生活相談窓口）", MEMBER),
    ("takahashi@yamanaka.example.jp", "高橋 翔（やまなか町 社会福祉協議会）", MEMBER),
]


def load_demo() -> list[str]:
    """Create the demo data once; running it again changes nothing. Returns lines to print."""
    prefecture = db.session.scalar(db.select(Prefecture).filter_by(name=DEMO_PREFECTURE))
    if prefecture is None:
        prefecture = Prefecture(name=DEMO_PREFECTURE)
        db.session.add(prefecture)
        for email, name, role in DEMO_PEOPLE:
            user = User(prefecture=prefecture, email=email, name=name, role=role)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
        db.session.flush()
        plan = create_plan(prefecture, "令和8年度 伝達研修計画（デモ）", cycle_year=2025,
                           dates={"common": date(2026, 2, 18), "chief": date(2026, 3, 11),
                                  "counselor": date(2026, 7, 15), "job_support": date(2026, 10, 21)},
                           venue="みどり県総合福祉センター 大会議室")
        db.session.commit()
        created = f"デモデータを作成しました（{DEMO_PREFECTURE}、計画ID {plan.id}）。"
    else:
        created = f"デモデータは作成済みです（{DEMO_PREFECTURE}）。"
    lines = [created, "ログイン（パスワードはすべて " + DEMO_PASSWORD + "）:"]
    lines += [f"  {'担当職員' if role == OFFICIAL else 'チーム員'}: {email}" for email, _, role in DEMO_PEOPLE]
    return lines
