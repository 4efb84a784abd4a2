"""Test data for the export tests: a plan with a team holding some slots, and hostile text."""
from __future__ import annotations

from dataclasses import dataclass

from planner.models import TeamMember
from planner.models.account import MEMBER
from planner.models.db import db
from tests.factories import make_plan, make_prefecture, make_user

#: newlines, a CR, commas, semicolons, a backslash, emoji, markup and a BEL control character
HOSTILE = "行1\n行2\r\n行3, カンマ; セミコロン\\ 😀🎌 <script>alert(1)</script>\x07終わり"
LONG = "とても長い名前" * 14  # 98 characters: within every column's limit
VENUE = "大分県社会福祉会館 4階 大会議室"


@dataclass
class ExportPlan:
    """Ids of what build_plan made (objects expire between requests)."""

    plan_id: int
    prefecture_id: int
    official_email: str
    member_ids: list[int]
    member_emails: list[str]


def build_plan(members: int = 4, hostile: bool = False, venue: str = VENUE) -> ExportPlan:
    """A 2025 plan with dated trainings, a team with logins, and every other slot held."""
    prefecture = make_prefecture()
    official = make_user(prefecture, "official@example.jp", name="県 担当者")
    plan = make_plan(prefecture, venue=venue)
    for i in range(members):
        make_user(prefecture, f"member{i}@example.jp", role=MEMBER, name=f"チーム員{i}")
    rows = []
    for i in range(members):
        email = f"member{i}@example.jp"
        name = (HOSTILE[:60] + str(i)) if hostile and i == 0 else f"山田 花子{i}"
        if hostile and i == 1:
            name = LONG
        rows.append(TeamMember(plan=plan, name=name, municipality="大分市", email=email,
                               municipality_kind="other"))
        db.session.add(rows[-1])
    db.session.flush()
    index = 0
    for training in plan.trainings:
        for slot in training.slots:
            if index % 2 == 0:
                slot.holder_id = rows[(index // 2) % members].id
            index += 1
    db.session.commit()
    return ExportPlan(plan.id, prefecture.id, official.email, [m.id for m in rows],
                      [m.email for m in rows])


def publish_plan(plan_id: int, today=None, host: str | None = None) -> None:
    """Publish every training of the plan that has changes, as the official's 公開 does
    (the mails go to the outbox table; nothing is delivered)."""
    from datetime import date

    from flask import current_app

    from exports import files, notices
    from planner.models import Plan
    from planner.services.mail.outbox import MailSettings
    from planner.services.plans import versions

    plan = db.session.get(Plan, plan_id)
    host = host or current_app.config["CALENDAR_UID_HOST"]
    for training in list(plan.trainings):
        if versions.pending_changes(training) is None:
            continue
        page = f"http://localhost/trainings/{training.id}"
        versions.publish(training, "県 担当者", today or date.today(), MailSettings.from_config(current_app.config),
                         notices.version_recipients(training, host, "http://localhost"),
                         notices.version_composer(training, "県 担当者", page),
                         lambda t: files.published_set(t, host))
