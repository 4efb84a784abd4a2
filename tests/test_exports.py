"""Word handouts and calendar files, read back with independent readers.

python-docx reads the .docx (text, fonts including w:eastAsia, table cells); vobject and
recurring-ical-events parse the .ics (times compared in Asia/Tokyo).
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import sqlalchemy as sa
import vobject
from docx import Document
from docx.oxml.ns import qn

from curricula import get_curriculum
from exports import clean_line, clean_text, files, handouts, ical
from exports.docx_common import half_width_digits
from planner.models import EventVersion, Plan, RoleSlot, TeamMember, Training, User
from planner.models.db import db
from planner.services.plans import changes as plans
from planner.services.plans.timetables import timetable_of
from tests.export_data import HOSTILE, LONG, VENUE, build_plan, publish_plan
from tests.factories import login, make_prefecture, make_user

TOKYO = ZoneInfo("Asia/Tokyo")
HOST = "planner.example.jp"


# --------------------------------------------------------------------------- readers

def read_docx(data: bytes):
    return Document(io.BytesIO(data))


def body_text(doc) -> list[str]:
    """Every paragraph and every table cell paragraph, in document order."""
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [cell.text] + [p.text for p in cell.paragraphs]
    return lines


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def east_asian_font(element) -> str | None:
    rpr = element.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def vevents(data: bytes) -> list:
    """VEVENTs through vobject (a second parser, not icalendar)."""
    calendar = vobject.readOne(data.decode("utf-8"))
    return list(getattr(calendar, "vevent_list", []))


def by_uid(data: bytes) -> dict:
    return {e.uid.value: e for e in vevents(data)}


def training(plan_id: int, key: str) -> Training:
    return db.session.scalar(db.select(Training).filter_by(plan_id=plan_id, curriculum_key=key))


# --------------------------------------------------------------------------- Word: page and fonts

def test_agenda_is_a4_with_japanese_fonts_header_and_page_field(app):
    with app.app_context():
        ids = build_plan()
        t = training(ids.plan_id, "common")
        doc = read_docx(handouts.agenda(t))

        section = doc.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert round(section.left_margin.mm) == round(section.top_margin.mm) == 20
        normal = doc.styles["Normal"].element
        assert east_asian_font(normal) == "游明朝"
        for name in ("Title", "Heading 1", "Table Grid", "List Bullet"):
            assert east_asian_font(doc.styles[name].element), name
        fonts = normal.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsiaTheme")) is None
        lang = normal.find(qn("w:rPr")).find(qn("w:lang"))
        assert lang.get(qn("w:eastAsia")) == "ja-JP"
        runs = [r for p in doc.paragraphs for r in p.runs if r.text]
        runs += [r for tb in doc.tables for row in tb.rows for c in row.cells
                 for p in c.paragraphs for r in p.runs if r.text]
        assert runs and all(east_asian_font(r._r) for r in runs)
        header = section.header.paragraphs[0].text
        # never published: built from the draft, which every page's header says (issue 23)
        assert header.startswith("【案】") and header.endswith("大分県　令和7年度 伝達研修")
        footer_xml = section.footer.paragraphs[0]._p.xml
        assert " PAGE " in footer_xml and 'w:fldCharType="begin"' in footer_xml
        assert section.footer.paragraphs[0].text.startswith("- ")


def test_agenda_lists_date_venue_timetable_and_lecturers(app):
    with app.app_context():
        ids = build_plan()
        t = training(ids.plan_id, "common")
        timetable = timetable_of(t)
        doc = read_docx(handouts.agenda(t))

        text = body_text(doc)
        assert text[0] == "令和7年度 生活困窮者自立支援制度 伝達研修\n前期共通プログラム　研修次第"
        facts = dict(table_rows(doc.tables[0]))
        assert facts["日時"] == "令和8年2月18日（水） 9:00～17:45"
        assert facts["会場"] == VENUE
        rows = table_rows(doc.tables[1])
        assert rows[0] == ["時間", "内容", "時間数", "講師（所属）"]
        assert len(rows) - 1 == len(timetable.days[0].items)
        lecturer_slot = next(s for s in t.slots if s.kind == "lecturer" and s.subject.letter == "A")
        expected = (f"{lecturer_slot.holder.name}（大分市）" if lecturer_slot.holder else "未定")
        first_subject = next(r for r in rows if r[1].startswith("科目A　"))
        assert first_subject[3] == expected
        assert any(r[3] == "未定" for r in rows[1:])


def test_agenda_table_has_fixed_layout_and_widths(app):
    with app.app_context():
        ids = build_plan()
        doc = read_docx(handouts.agenda(training(ids.plan_id, "counselor")))

        table = doc.tables[1]
        layout = table._tbl.tblPr.find(qn("w:tblLayout"))
        assert layout.get(qn("w:type")) == "fixed"
        widths = [round(c.width.mm) for c in table.columns]
        assert sum(widths) == 170
        assert [round(c.width.mm) for c in table.rows[1].cells] == widths


def test_draft_curriculum_says_tatakidai_everywhere(app):
    with app.app_context():
        ids = build_plan()
        t = training(ids.plan_id, "job_support")
        docs = [handouts.agenda(t), handouts.role_sheet(t.plan, [t]),
                handouts.briefing(t, t.subjects[0])]

        for data in docs:
            assert any("たたき台" in line for line in body_text(read_docx(data)))
        summaries = [e.summary.value for e in vevents(files.training_calendar(t, HOST))]
        assert summaries and all("就労後期" in s for s in summaries)
        descriptions = [e.description.value for e in vevents(files.training_calendar(t, HOST))]
        assert all("たたき台" in d for d in descriptions)


def test_role_sheet_lists_every_slot_and_holder(app):
    with app.app_context():
        ids = build_plan()
        plan = db.session.get(Plan, ids.plan_id)
        doc = read_docx(handouts.role_sheet(plan))

        tables = [tb for tb in doc.tables if tb.rows[0].cells[0].text == "科目"]
        assert len(tables) == 4
        for t, table in zip(plan.trainings_by_date, tables):  # in the order they are held
            rows = table_rows(table)[1:]
            assert len(rows) == len(t.slots)
            expected = sorted(((s.role_name, f"{s.holder.name}（大分市）" if s.holder else "未定")
                               for s in t.slots))
            assert sorted((r[1], r[3]) for r in rows) == expected


def test_briefing_of_case_subject_quotes_anonymity_rule(app):
    with app.app_context():
        ids = build_plan()
        t = training(ids.plan_id, "common")
        curriculum = get_curriculum("common")
        case_row = next(r for r in t.subjects if curriculum.subject(r.letter).uses_cases)
        plain_row = next(r for r in t.subjects if not curriculum.subject(r.letter).uses_cases)
        subject = curriculum.subject(case_row.letter)

        doc = read_docx(handouts.briefing(t, case_row))
        text = body_text(doc)
        quote_text = "「事例を扱う場合には、関係機関や個人名等が特定されないよう、匿名性を担保する。」"
        assert quote_text in text
        assert all(half_width_digits(point) in text for point in subject.key_points)
        assert all(half_width_digits(step) in text for step in subject.how_to_run)
        assert all(half_width_digits(lecture) in text for lecture in subject.national_lectures)
        facts = dict(table_rows(doc.tables[0]))
        assert facts["時間の目安（手引き）"] == half_width_digits(subject.minutes_text)
        item = next(i for i in timetable_of(t).subject_items if i.key.endswith(f"subject-{case_row.id}"))
        assert facts["日時"] == (f"令和8年2月18日（水） {item.start.hour}:{item.start:%M}～"
                               f"{item.end.hour}:{item.end:%M}（{item.minutes}分）")
        assert not any("匿名性" in line for line in body_text(read_docx(handouts.briefing(t, plain_row))))


def test_briefing_lists_sessions_with_minutes(app):
    with app.app_context():
        ids = build_plan()
        t = training(ids.plan_id, "job_support")
        subject = get_curriculum("job_support").subject("A")
        doc = read_docx(handouts.briefing(t, next(r for r in t.subjects if r.letter == "A")))

        sessions = next(tb for tb in doc.tables if tb.rows[0].cells[0].text == "内容")
        assert table_rows(sessions)[1:] == [
            [half_width_digits(s.title), f"{s.minutes_min}分" if s.minutes_min == s.minutes_max
             else f"{s.minutes_min}～{s.minutes_max}分", half_width_digits(s.note)]
            for s in subject.sessions]


def test_timeline_from_generated_then_stored_milestones(app):
    with app.app_context():
        ids = build_plan()
        plan = db.session.get(Plan, ids.plan_id)
        generated = handouts.timeline_rows(plan)
        text = body_text(read_docx(handouts.timeline(plan)))
        assert any("前期共通プログラム検討会議（第1回）" in line for line in text)
        assert all(r.tentative for r in generated if r.kind == "meeting")

        from planner.services.timeline import generate_plan_timeline
        generate_plan_timeline(plan)
        stored = handouts.timeline_rows(plan)
        assert [r.title for r in stored if r.kind == "meeting"] == \
            [r.title for r in generated if r.kind == "meeting"]
        assert not any(r.tentative for r in stored)
        assert all(r.uid_part.startswith(("milestone-", "training-")) for r in stored)
        meetings = by_uid(files.meetings_calendar(plan, HOST))
        assert len([e for e in meetings.values() if "検討会議" in e.summary.value]) == 5


# --------------------------------------------------------------------------- calendars

def test_training_calendar_times_in_tokyo_with_vtimezone(app):
    with app.app_context():
        ids = build_plan()
        t = training(ids.plan_id, "common")
        data = files.training_calendar(t, HOST)
        # issue 11: the timetable file carries the opening and closing items too
        timetable = timetable_of(t)
        items = sorted([i for i in timetable.items if i.kind in ("opening", "closing")] + timetable.subject_items,
                       key=lambda i: (i.start, i.kind != "opening"))

        assert b"BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo" in data
        assert b"DTSTART;TZID=Asia/Tokyo:" in data and b"\r\n" in data
        assert not data.startswith(b"\xef\xbb\xbf")
        events = vevents(data)
        subjects = [i for i in items if i.kind == "subject"]
        assert [e.uid.value for e in events if "-subject-" in e.uid.value] == \
            [f"training-{t.id}-{i.key.split('-', 2)[2]}@{HOST}" for i in subjects]
        assert [e.summary.value for e in events][0] == "前期共通 開会・オリエンテーション"
        assert [(e.dtstart.value.astimezone(TOKYO).time(), e.dtend.value.astimezone(TOKYO).time())
                for e in events] == [(i.start, i.end) for i in items]
        calendar = vobject.readOne(data.decode())
        assert calendar.method.value == "PUBLISH"
        occurrences = recurring_ical_events.of(__import__("icalendar").Calendar.from_ical(data)) \
            .between(date(2026, 2, 18), date(2026, 2, 19))
        assert sorted(o["DTSTART"].dt.astimezone(TOKYO).time() for o in occurrences) == \
            [i.start for i in items]


def test_changed_minutes_keep_uid_and_raise_sequence_of_changed_events_only(app):
    with app.app_context():
        ids = build_plan()
        t = training(ids.plan_id, "common")
        row = next(r for r in t.subjects if get_curriculum("common").subject(r.letter).is_range)
        subject = get_curriculum("common").subject(row.letter)
        uid = f"training-{t.id}-subject-{row.id}@{HOST}"
        before = by_uid(files.training_calendar(t, HOST))
        minutes = int((before[uid].dtend.value - before[uid].dtstart.value).total_seconds() // 60)

        plans.set_minutes(t, row.id, subject.minutes_min if minutes != subject.minutes_min
                               else subject.minutes_max)
        after = by_uid(files.training_calendar(t, HOST))

        # issue 11: SEQUENCE follows each event's own content, not the training's revision
        assert int(after[uid].sequence.value) == int(before[uid].sequence.value) + 1
        assert after[uid].dtend.value != before[uid].dtend.value
        for other in set(before) - {uid}:
            moved = (after[other].dtstart.value, after[other].dtend.value) != \
                (before[other].dtstart.value, before[other].dtend.value)
            assert int(after[other].sequence.value) == int(before[other].sequence.value) + moved
        opening = f"training-{t.id}-day-0-opening-0@{HOST}"
        assert int(after[opening].sequence.value) == 0
        assert by_uid(files.training_calendar(t, HOST)) .keys() == after.keys()
        assert {u: int(e.sequence.value) for u, e in by_uid(files.training_calendar(t, HOST)).items()} == \
            {u: int(e.sequence.value) for u, e in after.items()}  # fetching again changes nothing


def _feed(user_email: str) -> dict:
    user = db.session.scalar(db.select(User).filter_by(email=user_email))
    return by_uid(files.member_feed(user, HOST))


def test_member_feed_is_publish_without_attendee_with_refresh(app):
    with app.app_context():
        ids = build_plan()
        user = db.session.scalar(db.select(User).filter_by(email=ids.member_emails[0]))
        data = files.member_feed(user, HOST)

        calendar = vobject.readOne(data.decode())
        assert calendar.method.value == "PUBLISH"
        assert b"ATTENDEE" not in data
        assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in data
        assert b"X-PUBLISHED-TTL:PT6H\r\n" in data
        assert calendar.contents["x-wr-calname"][0].value == ical.FEED_NAME
        held = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == ids.member_ids[0])).all()
        assert len([e for e in vevents(data) if "-slot-" in e.uid.value]) == len(held)
        timed = [e for e in vevents(data) if isinstance(e.dtstart.value, datetime)]
        assert timed and all(e.dtstart.value.utcoffset().total_seconds() == 9 * 3600 for e in timed)


def _slot_uid(slot) -> str:
    return f"training-{slot.training_id}-slot-{slot.id}@{HOST}"


def test_released_slot_leaves_the_member_feed(app):
    with app.app_context():
        ids = build_plan()
        slot = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == ids.member_ids[0])
                                  .order_by(RoleSlot.id)).first()
        uid = _slot_uid(slot)
        first = _feed(ids.member_emails[0])
        assert first[uid].status.value == "TENTATIVE"  # not published yet: 「公開待ち」
        assert first[uid].summary.value.endswith(files.PENDING_MARK)

        slot.holder_id = None
        db.session.commit()
        after = _feed(ids.member_emails[0])

        # issue 11: a PUBLISH feed carries current events only (Outlook shows CANCELLED ones as real)
        assert uid not in after and set(after) == set(first) - {uid}
        assert {u: int(e.sequence.value) for u, e in after.items()} == \
            {u: int(first[u].sequence.value) for u in after}


def test_subject_moved_away_and_training_deleted_leave_the_feed(app):
    with app.app_context():
        ids = build_plan(members=1)
        email = ids.member_emails[0]
        common = training(ids.plan_id, "common")
        movable = next(r for r in common.subjects
                       if get_curriculum("common").subject(r.letter).may_move_to_separate_day)
        moved_uids = {_slot_uid(s) for s in common.slots if s.subject_id == movable.id and s.holder_id}
        job = training(ids.plan_id, "job_support")
        job_uids = {_slot_uid(s) for s in job.slots if s.holder_id}
        assert moved_uids and job_uids
        before = _feed(email)

        plans.set_separate_day(common, movable.id, True)
        db.session.delete(job)
        db.session.commit()
        feed = _feed(email)

        slots = {u for u in before if "-slot-" in u}
        assert {u for u in feed if "-slot-" in u} == slots - moved_uids - job_uids
        assert all(feed[u].status.value == "TENTATIVE" for u in feed if "-slot-" in u)


def test_removed_local_subject_leaves_the_training_calendar(app):
    with app.app_context():
        ids = build_plan()
        t = training(ids.plan_id, "chief")
        plans.update_training(t, end_time=time(18, 30))
        plans.add_local_subject(t, "権利擁護", 30, "外部 講師", "NPO法人")
        local = next(r for r in t.subjects if r.is_local)
        uid = f"training-{t.id}-subject-{local.id}@{HOST}"
        assert by_uid(files.training_calendar(t, HOST))[uid].status.value == "CONFIRMED"

        plans.remove_local_subject(t, local.id)
        assert uid not in by_uid(files.training_calendar(t, HOST))


def test_empty_feed_keeps_its_vtimezone_without_a_comment_under_it(app):
    with app.app_context():
        ids = build_plan()
        db.session.execute(db.update(RoleSlot).values(holder_id=None))
        db.session.commit()
        user = db.session.scalar(db.select(User).filter_by(email=ids.member_emails[0]))
        assert not [e for e in vevents(files.member_feed(user, HOST)) if "-slot-" in e.uid.value]
        data = ical.calendar_bytes([], name=ical.FEED_NAME)
        calendar = __import__("icalendar").Calendar.from_ical(data)

        assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
        assert "COMMENT" not in calendar.subcomponents[0]
        assert vobject.readOne(data.decode()).vtimezone.tzid.value == "Asia/Tokyo"
        full = files.training_calendar(training(ids.plan_id, "common"), HOST)
        for timezone_component in __import__("icalendar").Calendar.from_ical(full).walk("VTIMEZONE"):
            assert "COMMENT" not in timezone_component


def test_invitation_is_one_request_per_role_with_organizer_and_attendee(app):
    with app.app_context():
        ids = build_plan()
        member = db.session.get(TeamMember, ids.member_ids[0])
        assert files.invitations(member, HOST) == []  # a draft never leaves as an invitation
        publish_plan(ids.plan_id, host=HOST)
        found = files.invitations(member, HOST)
        held = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == member.id)).all()

        # issue 11: one invitation per role, with the same UID as the role's event in the feed
        assert len(found) == len(held)
        feed = _feed(member.email)
        for _, data in found:
            calendar = vobject.readOne(data.decode())
            assert calendar.method.value == "REQUEST"
            assert len(calendar.vevent_list) == 1
            event = calendar.vevent
            assert event.organizer.value == f"mailto:{ids.official_email}"
            assert event.attendee.value == f"mailto:{member.email}"
            assert event.attendee.params["RSVP"] == ["TRUE"]
            assert not isinstance(event.dtstart.value, datetime) or event.dtstart.value.tzinfo is not None
            assert feed[event.uid.value].sequence.value == event.sequence.value


def test_feed_and_invitations_merged_show_each_role_once(app):
    import icalendar
    with app.app_context():
        ids = build_plan()
        publish_plan(ids.plan_id, host=HOST)
        member = db.session.get(TeamMember, ids.member_ids[0])
        held = db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id == member.id)).all()
        merged = icalendar.Calendar.from_ical(files.member_feed(
            db.session.scalar(db.select(User).filter_by(email=member.email)), HOST))
        for _, data in files.invitations(member, HOST):
            for component in icalendar.Calendar.from_ical(data).walk("VEVENT"):
                merged.add_component(component)
        occurrences = list(recurring_ical_events.of(merged).between(date(2025, 1, 1), date(2027, 12, 31)))
        # recurring-ical-events keeps one occurrence per UID (the highest SEQUENCE wins)
        assert sorted(str(o["UID"]) for o in occurrences if "-slot-" in str(o["UID"])) == \
            sorted(_slot_uid(s) for s in held)


# --------------------------------------------------------------------------- hostile text

def test_hostile_text_survives_docx_and_ics(app):
    with app.app_context():
        ids = build_plan(hostile=True, venue=HOSTILE)
        t = training(ids.plan_id, "chief")
        plans.update_training(t, end_time=time(19, 0))
        long_subject = (HOSTILE + LONG + "x" * 200)[:200]
        plans.add_local_subject(t, long_subject, 30, HOSTILE[:100], "<b>NPO;法人,</b>")
        local = next(r for r in t.subjects if r.is_local)
        hostile_member = db.session.get(TeamMember, ids.member_ids[0])
        long_member = db.session.get(TeamMember, ids.member_ids[1])

        agenda_doc = read_docx(handouts.agenda(t))
        agenda = body_text(agenda_doc)
        assert dict(table_rows(agenda_doc.tables[0]))["会場"] == half_width_digits(clean_line(HOSTILE))
        assert "\x07" not in "".join(agenda)
        assert any(line.startswith(half_width_digits(clean_line(long_subject))) for line in agenda)
        brief = read_docx(handouts.briefing(t, local))
        assert dict(table_rows(brief.tables[0]))["講師"] == \
            half_width_digits(f"{clean_line(HOSTILE[:100])}（<b>NPO;法人,</b>）")
        roles = body_text(read_docx(handouts.role_sheet(t.plan)))
        assert f"{clean_line(hostile_member.name)}（大分市）" in roles
        assert f"{LONG}（大分市）" in roles

        events = by_uid(files.training_calendar(t, HOST))
        event = events[f"training-{t.id}-subject-{local.id}@{HOST}"]
        assert event.summary.value == clean_text(f"主任後期 {long_subject.strip()}")
        assert event.location.value == clean_text(HOSTILE)
        user = db.session.scalar(db.select(User).filter_by(email=ids.member_emails[0]))
        feed = files.member_feed(user, HOST)
        assert b"\x07" not in feed and b"\r\r" not in feed
        assert all(e.location.value == clean_text(HOSTILE) for e in vevents(feed) if "-slot-" in e.uid.value)
        publish_plan(ids.plan_id, host=HOST)
        invitation = vobject.readOne(files.invitations(hostile_member, HOST)[0][1].decode())
        assert invitation.vevent.attendee.params["CN"] == [clean_line(hostile_member.name)]
        assert clean_line(hostile_member.name) in invitation.vevent.description.value


def test_clean_text_keeps_text_and_drops_controls():
    assert clean_text("a\r\nb\rc\x07d\x00e\tf😀") == "a\nb\ncd" + "e\tf😀"
    assert clean_line(" a\nb ") == "a b"


# --------------------------------------------------------------------------- web

@pytest.fixture
def plan_ids(app):
    with app.app_context():
        ids = build_plan()
        publish_plan(ids.plan_id)
        return ids


def _content_disposition_name(response) -> str:
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment;")
    return header.split("filename*=UTF-8''", 1)[1]


def test_downloads_have_types_and_japanese_names(app, client, plan_ids):
    login(client, plan_ids.official_email)
    with app.app_context():
        t = training(plan_ids.plan_id, "common")
        tid, sid = t.id, t.subjects[1].id
    cases = [
        (f"/trainings/{tid}/agenda.docx", files.DOCX, "研修次第_前期共通.docx"),
        (f"/trainings/{tid}/roles.docx", files.DOCX, "役割分担表_前期共通.docx"),
        (f"/trainings/{tid}/subjects/{sid}/briefing.docx", files.DOCX, "講師用資料_前期共通_B.docx"),
        (f"/trainings/{tid}/timetable.ics", files.ICS, "時間割_前期共通.ics"),
        (f"/trainings/{tid}/export.zip", files.ZIP, "伝達研修_前期共通_一式.zip"),
        (f"/plans/{plan_ids.plan_id}/roles.docx", files.DOCX, "役割分担表.docx"),
        (f"/plans/{plan_ids.plan_id}/timeline.docx", files.DOCX, "企画スケジュール.docx"),
        (f"/plans/{plan_ids.plan_id}/meetings.ics", files.ICS, "検討会議.ics"),
    ]
    for url, mimetype, name in cases:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == mimetype
        assert _content_disposition_name(response) == quote(name)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/trainings/{tid}/export.zip").data))
    names = archive.namelist()
    assert "研修次第_前期共通.docx" in names and "時間割_前期共通.ics" in names
    assert any(n.startswith("招待状/招待_前期共通_1日目_") for n in names)
    assert len([n for n in names if n.startswith("講師用資料_")]) == len(get_curriculum("common").subjects)


def test_pages_link_to_their_downloads(app, client, plan_ids):
    login(client, plan_ids.official_email)
    with app.app_context():
        tid = training(plan_ids.plan_id, "common").id
    timetable = client.get(f"/trainings/{tid}").get_data(as_text=True)
    for part in ("agenda.docx", "roles.docx", "timetable.ics", "export.zip", "briefing.docx"):
        assert f"/trainings/{tid}/" in timetable and part in timetable
    show = client.get(f"/plans/{plan_ids.plan_id}").get_data(as_text=True)
    for part in ("roles.docx", "timeline.docx", "meetings.ics", "/feeds"):
        assert part in show


def test_downloads_need_login_and_stay_in_the_prefecture(app, client, plan_ids):
    with app.app_context():
        tid = training(plan_ids.plan_id, "common").id
        other = make_prefecture("福岡県")
        make_user(other, "other@example.jp")
    assert client.get(f"/trainings/{tid}/agenda.docx").status_code in (302, 401)
    login(client, "other@example.jp")
    assert client.get(f"/trainings/{tid}/agenda.docx").status_code == 404
    assert client.get(f"/plans/{plan_ids.plan_id}/meetings.ics").status_code == 404


def _https_link(page: str) -> str:
    return page.split('id="https-link"', 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]


def test_feed_url_works_without_login_and_revoke_makes_it_404(app, client, plan_ids):
    email = plan_ids.member_emails[0]
    login(client, email)
    page = client.get("/feeds").get_data(as_text=True)
    https = _https_link(page)
    assert https.startswith("http://localhost/") and https.endswith(".ics")  # the scheme it is served with
    assert "webcal://" + https.split("://", 1)[1] in page
    path = "/" + https.split("/", 3)[3]
    anonymous = app.test_client()

    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert vevents(response.data)
    # issue 11: UIDs carry this installation's random id (instance/installation_id) and the
    # role's event links back to its training's page
    installation = (Path(app.instance_path) / "installation_id").read_text().strip()
    assert len(installation) == 16
    assert all(e.uid.value.endswith(f"@{installation}.planner.example.jp") for e in vevents(response.data))
    assert all(e.url.value.startswith("http://localhost/trainings/") for e in vevents(response.data)
               if "-slot-" in e.uid.value)
    assert anonymous.get(path[:-6] + "x.ics").status_code == 404

    client.post("/feeds/revoke")
    assert anonymous.get(path).status_code == 404
    new_page = client.get("/feeds").get_data(as_text=True)
    new_path = "/" + _https_link(new_page).split("/", 3)[3]
    assert new_path != path and anonymous.get(new_path).status_code == 200


def test_official_revokes_a_members_feed(app, client, plan_ids):
    member = app.test_client()
    login(member, plan_ids.member_emails[0])
    page = member.get("/feeds").get_data(as_text=True)
    path = "/" + _https_link(page).split("/", 3)[3]
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).filter_by(email=plan_ids.member_emails[0]))

    login(client, plan_ids.official_email)
    client.post(f"/users/{user_id}/feed/revoke")

    assert app.test_client().get(path).status_code == 404


def test_feed_of_a_deactivated_user_is_404_and_writes_nothing(app, client, plan_ids):
    """The owner's active flag and secret are read in the feed's digest query: a deactivated
    user's feed, with the same token, answers 404 before any feed state is written."""
    login(client, plan_ids.member_emails[0])
    path = "/" + _https_link(client.get("/feeds").get_data(as_text=True)).split("/", 3)[3]
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 200
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=plan_ids.member_emails[0]))
        user.active = False
        db.session.commit()
        versions = db.session.scalar(db.select(sa.func.count()).select_from(EventVersion))

    assert anonymous.get(path).status_code == 404
    assert anonymous.get(path, headers={"If-None-Match": "*"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(sa.func.count()).select_from(EventVersion)) == versions
        user = db.session.scalar(db.select(User).filter_by(email=plan_ids.member_emails[0]))
        user.active = True
        db.session.commit()
    assert anonymous.get(path).status_code == 200


def test_invitation_download_is_method_request(app, client, plan_ids):
    login(client, plan_ids.member_emails[0])
    page = client.get("/feeds").get_data(as_text=True)
    link = page.split('/members/', 1)[1].split('"', 1)[0]
    response = client.get("/members/" + link)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert vobject.readOne(response.get_data(as_text=True)).method.value == "REQUEST"
    other_member = plan_ids.member_ids[1]
    assert client.get(f"/members/{other_member}/" + link.split("/", 1)[1]).status_code == 404


# --------------------------------------------------------------------------- command line

def test_cli_export_writes_every_file(app, runner, plan_ids, tmp_path):
    result = runner.invoke(args=["export", str(plan_ids.plan_id), str(tmp_path / "out")])

    assert result.exit_code == 0, result.output
    written = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")
               if p.is_file()}
    assert {"役割分担表.docx", "企画スケジュール.docx", "検討会議.ics", "時間割_就労後期.ics",
            "研修次第_前期共通.docx", "講師用資料_就労後期_E.docx"} <= written
    assert any(n.startswith("招待状/") for n in written)
    for name in written:
        data = (tmp_path / "out" / name).read_bytes()
        if name.endswith(".docx"):
            assert read_docx(data).paragraphs
        else:
            assert vevents(data)
    assert runner.invoke(args=["export", "999", str(tmp_path)]).exit_code == 2
