"""Factory helpers for tests: prefectures, users and plans, and logging in through the form.

The factories add to `db.session` and commit, so call them inside an app context; they
return the model, whose ids stay readable after the context ends (read them inside it).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from planner.models import Plan, Prefecture, User
from planner.models.account import MEMBER, OFFICIAL
from planner.models.db import db
from planner.services.plans.changes import create_plan

PASSWORD = "pw-123456789"

#: one date per training, all weekdays inside the 2025 cycle
DATES_2025 = {"common": date(2026, 2, 18), "counselor": date(2026, 7, 15),
              "chief": date(2026, 3, 11), "job_support": date(2026, 10, 21)}


def make_prefecture(name: str = "大分県") -> Prefecture:
    """A prefecture, committed."""
    prefecture = Prefecture(name=name)
    db.session.add(prefecture)
    db.session.commit()
    return prefecture


def make_user(prefecture: Prefecture, email: str, role: str = OFFICIAL, password: str = PASSWORD,
              name: str | None = None) -> User:
    """An official (default) or member of the prefecture, committed."""
    user = User(prefecture_id=prefecture.id, email=email.lower(), role=role,
                name=name or ("担当職員" if role == OFFICIAL else "チーム員"))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_member(prefecture: Prefecture, email: str, password: str = PASSWORD) -> User:
    """A team member of the prefecture, committed."""
    return make_user(prefecture, email, MEMBER, password)


def make_plan(prefecture: Prefecture, cycle_year: int = 2025, dates: dict[str, date] | None = None,
              title: str = "令和7年度 伝達研修計画", venue: str = "") -> Plan:
    """A plan with its four trainings (through planner.services.plans.changes.create_plan), committed."""
    if dates is None and cycle_year == 2025:
        dates = DATES_2025
    plan = create_plan(prefecture, title, cycle_year, dates=dates, venue=venue)
    db.session.commit()
    return plan


def login(client, email: str, password: str = PASSWORD):
    """Log in through the login form; returns the response (a redirect when it worked)."""
    return client.post("/login", data={"email": email, "password": password})


OITA_OFFICIAL = "official@oita.example.jp"
OITA_MEMBER = "member@oita.example.jp"


@dataclass
class World:
    """Ids of one prefecture's rows, readable outside an app context."""

    prefecture: int
    plan: int
    trainings: dict[str, int]
    subjects: dict[str, int] = field(default_factory=dict)  # common training, by letter


def make_oita() -> World:
    """大分県 with an official, a member and a 2025 plan whose trainings have weekday dates."""
    prefecture = make_prefecture("大分県")
    make_user(prefecture, OITA_OFFICIAL)
    make_member(prefecture, OITA_MEMBER)
    plan = make_plan(prefecture)
    return World(prefecture.id, plan.id, {t.curriculum_key: t.id for t in plan.trainings},
                 {row.letter: row.id for row in plan.trainings[0].subjects})


@contextmanager
def counting_queries(engine):
    """Yields a one-item list holding the number of SQL statements run so far on `engine`."""
    count = [0]

    def listener(*_args):
        count[0] += 1

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield count
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def add_roster(plan: Plan, count: int) -> None:
    """`count` roster members of the plan, each with a course and an unavailable day, every
    third holding a slot (one slot each, in slot order), committed; for query counts and benchmarks."""
    from planner.models import MemberCourse, MemberUnavailable, TeamMember
    from planner.models.team import COURSES, MUNICIPALITY_KINDS
    kinds = list(MUNICIPALITY_KINDS)
    members = [TeamMember(plan=plan, name=f"メンバー{i}", municipality=f"市{i % 7}",
                          municipality_kind=kinds[i % len(kinds)], email=f"m{i}@roster.example.jp",
                          courses=[MemberCourse(course=COURSES[i % len(COURSES)], year=2020 + i % 5)],
                          unavailable=[MemberUnavailable(day=date(2026, 1, 1 + i % 28))])
               for i in range(count)]
    db.session.add_all(members)
    db.session.flush()
    open_slots = [s for t in plan.trainings for s in t.slots if s.holder_id is None]
    for member, slot in zip(members[::3], open_slots):
        slot.holder_id = member.id
    db.session.commit()


@contextmanager
def capture_statements(engine):
    """Yields the list of SQL statements run on `engine` so far (to show what a count counted)."""
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def log_in_browser(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the login page in a browser page (Playwright), as a person types it."""
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
