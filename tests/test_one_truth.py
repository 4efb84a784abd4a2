"""One truth for every channel (issue 23): the same event has the same UID and SEQUENCE in
`flask export`, the invitation downloads, the subscribed feed and the mail; a SEQUENCE moves
only when what a calendar shows changes; a publication mails only the people whose own events
changed, one message each, with one calendar part per changed event."""
from __future__ import annotations

import icalendar

from planner.models import EventVersion, RoleSlot, TeamMember, Training
from planner.models.db import db
from planner.services.team.roles import assign_slot
from tests.export_data import build_plan
from tests.factories import login
from tests.smtp import calendar_parts, text_body


def _events(data: bytes) -> dict[str, tuple[int, str]]:
    """UID -> (SEQUENCE, STATUS) of every VEVENT of a calendar file."""
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): (int(e.get("SEQUENCE", 0)), str(e.get("STATUS", ""))) for e in calendar.walk("VEVENT")}


def _roles(events: dict) -> dict[str, int]:
    return {uid: seq for uid, (seq, _) in events.items() if "-slot-" in uid}


def _mail(smtp) -> list[dict]:
    """Each message: recipient, subject, body, and its calendar parts (method, uid, seq)."""
    out = []
    for message in smtp.inbox.messages():
        parts = []
        for part in calendar_parts(message):
            data = part.get_payload(decode=True)
            calendar = icalendar.Calendar.from_ical(data)
            assert part.get_param("method") == str(calendar["METHOD"])
            (event,) = calendar.walk("VEVENT")  # one event per part: Outlook reads only one
            parts.append((str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])))
        out.append({"to": message["To"].addresses[0].addr_spec, "subject": str(message["Subject"]),
                    "body": text_body(message), "parts": parts})
    return out


def _versions() -> dict[str, int]:
    """Every event's sequence (not the feeds' own validator rows)."""
    return {v.uid: v.sequence for v in db.session.scalars(db.select(EventVersion)) if "-feed-" not in v.uid}


def _downloads(app, ids) -> dict[str, int]:
    """Every invitation each member can download from the web (their /feeds page)."""
    found = {}
    for email in ids.member_emails:
        client = app.test_client()
        login(client, email)
        page = client.get("/feeds").get_data(as_text=True)
        for link in page.split('href="/members/')[1:]:
            response = client.get("/members/" + link.split('"', 1)[0])
            assert response.status_code == 200
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
            found.update(_roles(_events(response.data)))
    return found


def _feeds(app, ids) -> dict[str, dict]:
    """Each member's subscribed feed, fetched by its URL without a login."""
    out = {}
    for email in ids.member_emails:
        client = app.test_client()
        login(client, email)
        page = client.get("/feeds").get_data(as_text=True)
        link = page.split('id="webcal-link">', 1)[1].split("<", 1)[0]
        path = "/" + link.split("/", 3)[3]
        response = app.test_client().get(path)
        assert response.status_code == 200
        out[email] = _events(response.data)
    return out


def _export(runner, ids, folder) -> dict[str, int]:
    result = runner.invoke(args=["export", str(ids.plan_id), str(folder)])
    assert result.exit_code == 0, result.output
    found = {}
    for path in (folder / "招待状").glob("*.ics"):
        found.update(_roles(_events(path.read_bytes())))
    return found


def _publish_all(client, plan_id: int) -> None:
    with client.application.app_context():
        ids = [t.id for t in db.session.scalars(db.select(Training).filter_by(plan_id=plan_id))]
    for training_id in ids:
        assert client.post(f"/trainings/{training_id}/publish").status_code in (302, 303)


def test_every_channel_shows_the_same_uid_and_sequence(app, client, runner, smtp, tmp_path):
    app.config.update(smtp.config())
    with app.app_context():
        ids = build_plan()
        held = {f"training-{s.training_id}-slot-{s.id}@{app.config['CALENDAR_UID_HOST']}": s.holder.email
                for s in db.session.scalars(db.select(RoleSlot).where(RoleSlot.holder_id.is_not(None)))}
    login(client, ids.official_email)
    # before any publication no invitation leaves, and the feed marks the roles 「公開待ち」
    assert _export(runner, ids, tmp_path / "draft") == {} and _downloads(app, ids) == {}
    draft_feeds = _feeds(app, ids)
    assert {s for f in draft_feeds.values() for s in (st for _, st in f.values())} >= {"TENTATIVE"}

    mailed = {}
    with app.app_context():
        trainings = [t.id for t in db.session.scalars(db.select(Training).filter_by(plan_id=ids.plan_id))]
    for training_id in trainings:
        smtp.inbox.received.clear()
        assert client.post(f"/trainings/{training_id}/publish").status_code == 302
        mails = _mail(smtp)
        # one mail per member who holds a role of this training, one part per role
        mine = {uid: who for uid, who in held.items() if uid.startswith(f"training-{training_id}-")}
        assert sorted(m["to"] for m in mails) == sorted(set(mine.values()))
        assert all(held[uid] == m["to"] and method == "REQUEST" for m in mails for method, uid, _ in m["parts"])
        assert {uid for m in mails for _, uid, _ in m["parts"]} == set(mine)
        mailed.update((uid, seq) for m in mails for _, uid, seq in m["parts"])
    assert set(mailed) == set(held)

    with app.app_context():
        before = _versions()
    first = _export(runner, ids, tmp_path / "one")
    second = _export(runner, ids, tmp_path / "two")
    downloads = _downloads(app, ids)
    feeds = _feeds(app, ids)
    with app.app_context():
        assert _versions() == before  # writing files never raises a sequence
    for email, feed in feeds.items():
        mine = {uid for uid, who in held.items() if who == email}
        assert set(_roles(feed)) == mine
        assert all(status == "CONFIRMED" for uid, (_, status) in feed.items() if uid in mine)
    feed_roles = {uid: seq for feed in feeds.values() for uid, seq in _roles(feed).items()}
    for channel in (first, second, downloads, feed_roles):
        assert channel == mailed

    # nothing changed: publishing again mails nobody
    smtp.inbox.received.clear()
    _publish_all(client, ids.plan_id)
    assert smtp.inbox.received == []


def test_removing_one_role_mails_only_its_holder_and_a_new_request_is_higher(app, client, runner, smtp, tmp_path):
    app.config.update(smtp.config())
    with app.app_context():
        ids = build_plan()
        host = app.config["CALENDAR_UID_HOST"]
        slot = db.session.scalar(db.select(RoleSlot).where(RoleSlot.holder_id.is_not(None),
                                                          RoleSlot.kind == "lecturer").order_by(RoleSlot.id))
        slot_id, training_id, member_id = slot.id, slot.training_id, slot.holder_id
        email, venue = slot.holder.email, slot.training.venue
        uid = f"training-{training_id}-slot-{slot_id}@{host}"
    login(client, ids.official_email)
    _publish_all(client, ids.plan_id)
    published = {uid_: seq for m in _mail(smtp) for _, uid_, seq in m["parts"]}
    assert published[uid] >= 0
    smtp.inbox.received.clear()

    with app.app_context():
        assign_slot(db.session.get(RoleSlot, slot_id), None)
    assert client.post(f"/trainings/{training_id}/publish").status_code == 302
    mails = _mail(smtp)
    assert [m["to"] for m in mails] == [email]  # only that member, one message
    (mail,) = mails
    assert mail["parts"] == [("CANCEL", uid, published[uid] + 1)]
    assert "取り消された担当" in mail["body"] and f"会場：{venue}" in mail["body"]
    assert "担当を外れた" not in mail["body"]  # no one else's changes
    cancel_sequence = mail["parts"][0][2]
    with app.app_context():
        assert uid not in _roles(_feeds(app, ids)[email])
    smtp.inbox.received.clear()

    with app.app_context():
        assign_slot(db.session.get(RoleSlot, slot_id), db.session.get(TeamMember, member_id))
    # the claim shows in the member's feed at once, awaiting publication
    with app.app_context():
        assert _feeds(app, ids)[email][uid][1] == "TENTATIVE"
    assert client.post(f"/trainings/{training_id}/publish").status_code == 302
    (mail,) = _mail(smtp)
    assert mail["to"] == email
    ((method, mailed_uid, sequence),) = mail["parts"]
    assert (method, mailed_uid) == ("REQUEST", uid) and sequence > cancel_sequence
    assert _roles(_feeds(app, ids)[email])[uid] == sequence
    assert _downloads(app, ids)[uid] == sequence
    assert _export(runner, ids, tmp_path / "after")[uid] == sequence


def _header(data: bytes) -> str:
    from io import BytesIO

    from docx import Document
    doc = Document(BytesIO(data))
    return " ".join(p.text for section in doc.sections for p in section.header.paragraphs)


def test_documents_come_from_the_published_version_and_a_draft_says_so(app, client):
    from datetime import timedelta

    from planner.domain.dates import as_of_ja, format_date_wareki
    from planner.services.plans import changes as plans
    from tests.export_data import publish_plan
    with app.app_context():
        ids = build_plan()
        training = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id, curriculum_key="counselor"))
        training_id, published_day = training.id, training.first_date
    login(client, ids.official_email)
    # never published: built from the draft, 「案」 and the date on every page (the header)
    draft = client.get(f"/trainings/{training_id}/agenda.docx").data
    assert "【案】" in _header(draft)
    with app.app_context():
        publish_plan(ids.plan_id)
        training = db.session.get(Training, training_id)
        plans.update_training(training, first_date=published_day + timedelta(days=7))
    moved = published_day + timedelta(days=7)
    published = client.get(f"/trainings/{training_id}/agenda.docx").data
    from tests.test_exports import body_text, read_docx
    text = "\n".join(body_text(read_docx(published)))
    assert "【案】" not in _header(published) and "第1版" in text
    assert format_date_wareki(published_day) in text and format_date_wareki(moved) not in text
    chosen = client.get(f"/trainings/{training_id}/agenda.docx?source=draft").data
    assert f"【案】{as_of_ja(__import__('datetime').date.today())}" in _header(chosen)
    assert format_date_wareki(moved) in "\n".join(body_text(read_docx(chosen)))
    # the timetable file is the published one too
    calendar = icalendar.Calendar.from_ical(client.get(f"/trainings/{training_id}/timetable.ics").data)
    assert {e["DTSTART"].dt.date() for e in calendar.walk("VEVENT")} == {published_day}
    # a member cannot ask for the draft: they get the published version
    member = app.test_client()
    login(member, ids.member_emails[0])
    assert "【案】" not in _header(member.get(f"/trainings/{training_id}/agenda.docx?source=draft").data)


def test_a_members_feed_shows_their_whole_year_in_the_sites_scheme(app, client):
    from datetime import date, time

    from planner.models import Milestone
    from planner.services.materials.files import training_due
    with app.app_context():
        ids = build_plan()
        member = db.session.get(TeamMember, ids.member_ids[0])
        preparer = db.session.scalar(db.select(RoleSlot).where(RoleSlot.kind == "material_preparer")
                                     .order_by(RoleSlot.id))
        preparer.holder_id = member.id
        meeting = Milestone(plan_id=ids.plan_id, kind="meeting", title="第1回 検討会議", order=1,
                            start=date(2025, 12, 10), end=date(2025, 12, 10),
                            start_time=time(14, 0), end_time=time(16, 0), place="県庁 会議室")
        db.session.add(meeting)
        db.session.commit()
        host = app.config["CALENDAR_UID_HOST"]
        preparer_uid = f"training-{preparer.training_id}-slot-{preparer.id}@{host}"
        due = training_due(preparer.training)
        meeting_uid = f"plan-{ids.plan_id}-milestone-{meeting.id}@{host}"
        assert due != preparer.training.first_date
    login(client, ids.member_emails[0])
    page = client.get("/feeds").get_data(as_text=True)
    link = page.split('id="https-link" aria-label="購読URL"', 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert link.startswith("http://localhost/feeds/")  # served over http: an http link
    secure = client.get("/feeds", base_url="https://localhost").get_data(as_text=True)
    assert 'value="https://localhost/feeds/' in secure
    calendar = icalendar.Calendar.from_ical(app.test_client().get("/" + link.split("/", 3)[3]).data)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    role = events[preparer_uid]
    assert role["DTSTART"].dt == due and "資料の締切" in str(role["SUMMARY"])
    assert str(role["STATUS"]) == "TENTATIVE"  # held in the draft only: awaiting publication
    assert str(events[meeting_uid]["LOCATION"]) == "県庁 会議室"


def test_team_csv_says_its_charset_once(app, client):
    with app.app_context():
        ids = build_plan()
    login(client, ids.official_email)
    for url in (f"/plans/{ids.plan_id}/team.csv", "/team/roster-example.csv"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url
