"""A 資料作成役's calendar event sits on the due date of the subject's earliest unfinished
material, not on the training day, and says why (issue 23); the role sheet gives the same
date; the feed, the invitation file and the mail carry one UID and SEQUENCE for it."""
from __future__ import annotations

import io
from datetime import timedelta

import icalendar
from docx import Document

from exports.handouts import role_sheet
from planner.models import Material, RoleSlot, TeamMember, Training
from planner.models.db import db
from planner.services.materials.files import training_due
from tests.export_data import build_plan
from tests.factories import login


def _preparer_world(app):
    """A plan whose first 資料作成役 slot is held by member 0; its subject has three materials:
    one finished and due first, one unfinished due a week before the training's deadline, one
    unfinished without a date of its own (due on the training's deadline)."""
    with app.app_context():
        ids = build_plan()
        slot = db.session.scalar(db.select(RoleSlot).where(RoleSlot.kind == "material_preparer").order_by(RoleSlot.id))
        slot.holder_id = ids.member_ids[0]
        deadline = training_due(slot.training)
        done = Material(subject_id=slot.subject_id, title="投影スライド", category="slides", status="done",
                        due_on=deadline - timedelta(days=20))
        first = Material(subject_id=slot.subject_id, title="事例ワークシート", category="worksheet",
                         status="drafting", due_on=deadline - timedelta(days=7))
        later = Material(subject_id=slot.subject_id, title="配布資料", category="other")
        db.session.add_all([done, first, later])
        db.session.commit()
        uid = f"training-{slot.training_id}-slot-{slot.id}@{app.config['CALENDAR_UID_HOST']}"
        return ids, slot.training_id, uid, first.id, first.due_on, deadline, slot.training.first_date


def _feed(app, email: str) -> dict:
    client = app.test_client()
    login(client, email)
    page = client.get("/feeds").get_data(as_text=True)
    link = page.split('id="webcal-link">', 1)[1].split("<", 1)[0]
    response = app.test_client().get("/" + link.split("/", 3)[3])
    assert response.status_code == 200
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}, response.headers["ETag"]


def test_the_preparers_event_sits_on_the_earliest_unfinished_materials_due_date(app, client):
    ids, training_id, uid, first_id, first_due, deadline, training_day = _preparer_world(app)

    events, etag = _feed(app, ids.member_emails[0])
    event = events[uid]

    assert event["DTSTART"].dt == first_due != training_day
    assert event["DTEND"].dt == first_due + timedelta(days=1)
    description = str(event["DESCRIPTION"])
    assert "未完了の資料2件のうち最も早い「事例ワークシート」の締切" in description
    assert "研修日：" in description and "資料の締切：令和" in description

    # the worksheet is finished: the event moves to the one material left, and the feed says it changed
    with app.app_context():
        db.session.get(Material, first_id).status = "done"
        db.session.commit()
    events, moved_etag = _feed(app, ids.member_emails[0])
    assert events[uid]["DTSTART"].dt == deadline and moved_etag != etag
    assert "「配布資料」の締切" in str(events[uid]["DESCRIPTION"])


def test_the_role_sheet_and_the_invitation_give_the_same_day_as_the_feed(app, client):
    ids, training_id, uid, _, first_due, _, _ = _preparer_world(app)
    login(client, ids.official_email)
    assert client.post(f"/trainings/{training_id}/publish").status_code == 302

    events, _ = _feed(app, ids.member_emails[0])
    member = app.test_client()
    login(member, ids.member_emails[0])
    page = member.get("/feeds").get_data(as_text=True)
    invitations = [icalendar.Calendar.from_ical(member.get("/members/" + link.split('"', 1)[0]).data)
                   for link in page.split('href="/members/')[1:]]
    [invited] = [e for c in invitations for e in c.walk("VEVENT") if str(e["UID"]) == uid]
    with app.app_context():
        training = db.session.get(Training, training_id)
        sheet = Document(io.BytesIO(role_sheet(training.plan, [training])))
        member_name = db.session.get(TeamMember, ids.member_ids[0]).name

    assert invited["DTSTART"].dt == events[uid]["DTSTART"].dt == first_due
    assert int(invited["SEQUENCE"]) == int(events[uid]["SEQUENCE"])
    assert str(events[uid]["STATUS"]) == "CONFIRMED"
    rows = [[c.text for c in row.cells] for t in sheet.tables for row in t.rows]
    preparer = next(r for r in rows if member_name in "".join(r) and any("資料の締切" in c for c in r))
    assert f"{first_due.month}月{first_due.day}日" in "".join(preparer)
