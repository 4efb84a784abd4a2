"""The planning team in the plan's JSON backup (planner.services.backup.plan): each member
(name, municipality, e-mail, notes), the national courses they completed and the days they
cannot attend. E-mails are unique in a plan and kept in lower case: every other part of the
file names a member by e-mail (role holders, material owners, group facilitators).
"""
from __future__ import annotations

from datetime import date

from planner.domain import addresses
from planner.domain import fields as rules
from planner.models import MemberCourse, TeamMember
from planner.models.team import COURSES, MUNICIPALITY_KINDS
from planner.services.backup.reader import BackupError, _Fields, _show

MAX_MEMBERS = rules.limit("members")
MAX_UNAVAILABLE = rules.limit("unavailable_days")


def _member_section(member: TeamMember) -> dict:
    """One roster entry (in the roster's order), its courses and the days it cannot attend."""
    return {"name": member.name, "municipality": member.municipality,
            "municipality_kind": member.municipality_kind, "email": member.email,
            "notes": member.notes,
            "courses": [{"course": c.course, "year": c.year}
                        for c in sorted(member.courses, key=lambda c: COURSES.index(c.course)
                                        if c.course in COURSES else len(COURSES))],
            "unavailable": sorted(u.day.isoformat() for u in member.unavailable)}


def _read_member(fields: _Fields) -> tuple[TeamMember, list[date]]:
    """One roster entry and the days it cannot attend; the e-mail is kept in lower case, as
    every other way in keeps it."""
    fields.only({"name", "municipality", "municipality_kind", "email", "notes", "courses", "unavailable"})
    member = TeamMember(name=fields.typed("name", "member_name"),
                        municipality=fields.typed("municipality", "municipality"),
                        municipality_kind=fields.text("municipality_kind", 20, required=True),
                        email=fields.typed("email", "email").lower(),
                        notes=fields.typed("notes", "member_notes"))
    if member.municipality_kind not in MUNICIPALITY_KINDS:
        raise fields.fail("municipality_kind", f"「{_show(member.municipality_kind)}」はありません。"
                                               f"{', '.join(MUNICIPALITY_KINDS)} のいずれかです。")
    try:  # the sending rule: an older row with a non-ASCII local part still restores
        addresses.wire_address(member.email)
    except rules.FieldError as error:
        raise BackupError(f"{fields.where}: メールアドレス「{_show(member.email)}」: {error}") from None
    fields.where = f"{fields.where}（{member.email}）"
    courses = []
    for j, item in enumerate(fields.items("courses", len(COURSES)), start=1):
        course = _Fields(item, f"{fields.where}の修了した国研修{j}")
        course.only({"course", "year"})
        key = course.text("course", 20, required=True)
        if key not in COURSES:
            raise course.fail("course", f"「{_show(key)}」はありません。{', '.join(COURSES)} のいずれかです。")
        if key in (c.course for c in courses):
            raise course.fail("course", f"「{key}」が2回あります。")
        courses.append(MemberCourse(course=key, year=course.integer("year", 2000, 2100, optional=True)))
    member.courses = courses
    days = fields.items("unavailable", MAX_UNAVAILABLE)
    seen = set()
    for value in days:
        day = fields.parse_day("unavailable", value)
        if day is None:
            raise fields.fail("unavailable", "に日付でない値 null があります。")
        if day in seen:
            raise fields.fail("unavailable", f"の {day.isoformat()} が2回あります。")
        seen.add(day)
    return member, sorted(seen)


def _unique_emails(members: list[TeamMember]) -> None:
    """E-mails are unique in a plan: they say which login is which member."""
    seen = {}
    for i, member in enumerate(members, start=1):
        if member.email in seen:
            raise BackupError(f"メンバー{i}: メールアドレス {member.email} は"
                              f"メンバー{seen[member.email]}と重複しています。")
        seen[member.email] = i
