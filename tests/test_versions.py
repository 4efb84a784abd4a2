"""Published versions: a scripted change, then publishing, mails exactly the changes (iMIP)."""
from __future__ import annotations

from datetime import date, time, timedelta

import icalendar
import recurring_ical_events
import vobject

from curricula import get_curriculum
from exports import files, ical
from planner.domain.dates import as_of_ja
from planner.models import RoleSlot, TeamMember, Training, User
from planner.models.db import db
from planner.services.plans import changes as plans
from tests.export_data import build_plan
from tests.factories import login
from tests.smtp import calendar_parts, text_body

HOST_KEY = "CALENDAR_UID_HOST"


def _training(plan_id: int, key: str) -> Training:
    return db.session.scalar(db.select(Training).filter_by(plan_id=plan_id, curriculum_key=key))


def _held_events(app, plan_id: int) -> dict[str, tuple]:
    """Every held role's event of the plan by UID: (holder email, what a calendar shows)."""
    host = app.config[HOST_KEY]
    out = {}
    for member in db.session.scalars(db.select(TeamMember).filter_by(plan_id=plan_id)):
        for _, _, event in ical.invitation_events(member, host, "http://localhost"):
            out[event.uid] = (member.email, (event.summary, event.start, event.end, event.location,
                                             event.description))
    return out


def _mails(smtp) -> list[dict]:
    """What arrived, read as a recipient's mail program would: one entry per calendar part
    (a publication sends each member one mail with one part per changed event)."""
    out = []
    for number, message in enumerate(smtp.inbox.messages()):
        for part in calendar_parts(message):
            data = part.get_payload(decode=True)
            calendar = icalendar.Calendar.from_ical(data)
            event = vobject.readOne(data.decode()).vevent
            assert part.get_param("method") == str(calendar["METHOD"])  # Outlook refuses a mismatch
            assert len(list(calendar.walk("VEVENT"))) == 1
            assert len(list(recurring_ical_events.of(calendar).all())) <= 1
            out.append({"to": message["To"].addresses[0].addr_spec, "subject": message["Subject"],
                        "method": str(calendar["METHOD"]), "uid": event.uid.value, "message": number,
                        "sequence": int(event.sequence.value), "attendee": event.attendee.value,
                        "body": text_body(message)})
    return out


def _one_mail_each(sent: list[dict]) -> None:
    """Each recipient got one message of the publication."""
    messages = {}
    for entry in sent:
        messages.setdefault(entry["to"], set()).add(entry["message"])
    assert all(len(numbers) == 1 for numbers in messages.values()), messages


def test_scripted_change_then_publish_mails_exactly_the_changes(app, client, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        ids = build_plan()
        chief = _training(ids.plan_id, "chief")
        plans.update_training(chief, end_time=time(18, 30))
        plans.add_local_subject(chief, "権利擁護", 30, "外部 講師", "NPO法人")
        db.session.commit()
        counselor_id, chief_id = _training(ids.plan_id, "counselor").id, chief.id
        common_id = _training(ids.plan_id, "common").id
    login(client, ids.official_email)

    # 第1版 of each: every held role gets one REQUEST, each member one mail per publication
    for training_id in (counselor_id, chief_id):
        assert client.post(f"/trainings/{training_id}/publish").status_code == 302
        _one_mail_each([m for m in _mails(smtp) if m["uid"].startswith(f"training-{training_id}-")])
    with app.app_context():
        first = _held_events(app, ids.plan_id)
        in_scope = {u: v for u, v in first.items()
                    if u.startswith((f"training-{counselor_id}-", f"training-{chief_id}-"))}
    sent = _mails(smtp)
    assert sorted(m["uid"] for m in sent) == sorted(in_scope)
    assert {m["method"] for m in sent} == {"REQUEST"}
    assert all(m["to"] == in_scope[m["uid"]][0] and m["attendee"] == f"mailto:{m['to']}" for m in sent)
    sequence = {m["uid"]: m["sequence"] for m in sent}
    assert "第1版" in sent[0]["subject"] and as_of_ja(date.today()) in sent[0]["body"]
    smtp.inbox.received.clear()

    # the scripted change: move a training, remove a local subject, release a role
    with app.app_context():
        counselor = db.session.get(Training, counselor_id)
        plans.update_training(counselor, first_date=counselor.first_date + timedelta(days=7))
        chief = db.session.get(Training, chief_id)
        local = next(r for r in chief.subjects if r.is_local)
        local_uid = f"training-{chief_id}-subject-{local.id}@{app.config[HOST_KEY]}"
        assert local_uid.encode() in files.training_calendar(chief, app.config[HOST_KEY])
        plans.remove_local_subject(chief, local.id)  # a subject with an outside lecturer: no roles
        # a subject moved to a separate day takes its roles with it: those are removed events
        movable = next(r for r in chief.subjects if not r.is_local and any(
            s.holder_id for s in chief.slots if s.subject_id == r.id)
            and get_curriculum("chief").subject(r.letter).may_move_to_separate_day)
        removed = {f"training-{chief_id}-slot-{s.id}@{app.config[HOST_KEY]}"
                   for s in chief.slots if s.subject_id == movable.id and s.holder_id}
        plans.set_separate_day(chief, movable.id, True)
        released = next(s for s in chief.slots if s.holder_id)
        released_uid = f"training-{chief_id}-slot-{released.id}@{app.config[HOST_KEY]}"
        released_from = released.holder.email
        released.holder_id = None
        db.session.commit()
        after = _held_events(app, ids.plan_id)
    changed = {u for u, (who, shown) in after.items() if u in in_scope and in_scope[u][1] != shown}
    cancelled = removed | {released_uid}
    assert removed and changed and set(in_scope) - changed - cancelled  # some stay as they were

    for training_id in (counselor_id, chief_id):
        assert client.post(f"/trainings/{training_id}/publish").status_code == 302
    assert client.post(f"/trainings/{common_id}/publish").status_code == 302  # 第1版, no roles changed
    sent = _mails(smtp)
    requests = {m["uid"]: m for m in sent if m["method"] == "REQUEST"}
    cancels = {m["uid"]: m for m in sent if m["method"] == "CANCEL"}
    common_uids = {u for u in requests if u.startswith(f"training-{common_id}-")}
    assert set(requests) - common_uids == changed  # nothing for the unchanged roles
    assert all(requests[u]["sequence"] == sequence[u] + 1 for u in changed)
    assert set(cancels) == cancelled and len(sent) == len(requests) + len(cancels)
    assert all(cancels[u]["sequence"] == sequence[u] + 1 for u in cancelled)
    assert cancels[released_uid]["to"] == released_from
    assert cancels[released_uid]["attendee"] == f"mailto:{released_from}"
    assert "【伝達研修・取消】" in cancels[released_uid]["subject"]
    assert "第2版" in requests[next(iter(changed))]["subject"]

    # the feeds no longer list what was removed or released
    with app.app_context():
        for email in ids.member_emails:
            user = db.session.scalar(db.select(User).filter_by(email=email))
            feed = icalendar.Calendar.from_ical(files.member_feed(user, app.config[HOST_KEY]))
            assert not {str(e["UID"]) for e in feed.walk("VEVENT")} & cancelled
        assert [v.number for v in db.session.get(Training, chief_id).versions] == [1, 2]
        chief_file = files.training_calendar(db.session.get(Training, chief_id), app.config[HOST_KEY])
        assert local_uid.encode() not in chief_file and b"STATUS:CANCELLED" not in chief_file

    # publishing again without a change is refused and mails nothing
    smtp.inbox.received.clear()
    response = client.post(f"/trainings/{chief_id}/publish", follow_redirects=True)
    assert "変更がないため" in response.get_data(as_text=True)
    assert smtp.inbox.received == []


def test_versions_page_shows_the_changelog_and_handouts_the_version(app, client):
    from exports import handouts
    from tests.test_exports import body_text, read_docx
    with app.app_context():
        ids = build_plan()
        counselor_id = _training(ids.plan_id, "counselor").id
    login(client, ids.official_email)
    page = client.get(f"/trainings/{counselor_id}/versions").get_data(as_text=True)
    assert "下書き（未公開）" in page and "第1版として公開する" in page
    client.post(f"/trainings/{counselor_id}/publish")
    label = f"第1版（{as_of_ja(date.today())}）"
    with app.app_context():
        counselor = db.session.get(Training, counselor_id)
        assert label in body_text(read_docx(handouts.agenda(counselor)))  # the version line
        slot = next(s for s in counselor.slots if s.holder_id)
        holder = slot.holder.name
        slot.holder_id = None
        db.session.commit()
        data = files.training_calendar(counselor, app.config[HOST_KEY])
        assert str(icalendar.Calendar.from_ical(data)["DESCRIPTION"]).endswith(
            f"下書き（{label}の公開後に変更あり）")
    page = client.get(f"/trainings/{counselor_id}").get_data(as_text=True)
    assert f"下書き（{label}の公開後に変更あり）" in page
    page = client.get(f"/trainings/{counselor_id}/versions").get_data(as_text=True)
    assert f"担当を外れた：{holder}さん" in page


def test_as_of_ja():
    assert as_of_ja(date(2026, 1, 20)) == "令和8年1月20日現在"
    assert as_of_ja(date(2019, 5, 1)) == "令和元年5月1日現在"
    assert as_of_ja(date(2019, 4, 30)) == "平成31年4月30日現在"


def test_feed_shows_the_published_version_until_the_next_one(app, client):
    with app.app_context():
        ids = build_plan()
        counselor_id = _training(ids.plan_id, "counselor").id
        holder = db.session.scalar(db.select(RoleSlot).where(
            RoleSlot.training_id == counselor_id, RoleSlot.holder_id.is_not(None)).order_by(RoleSlot.id)).holder
        email = holder.email
    login(client, ids.official_email)

    def feed() -> dict:
        with app.app_context():
            user = db.session.scalar(db.select(User).filter_by(email=email))
            calendar = icalendar.Calendar.from_ical(files.member_feed(user, app.config[HOST_KEY]))
            return {str(e["UID"]): (e["DTSTART"].dt, int(e["SEQUENCE"])) for e in calendar.walk("VEVENT")
                    if str(e["UID"]).startswith(f"training-{counselor_id}-")}, str(calendar["DESCRIPTION"])

    client.post(f"/trainings/{counselor_id}/publish")
    first, _ = feed()
    assert first
    with app.app_context():
        counselor = db.session.get(Training, counselor_id)
        plans.update_training(counselor, first_date=counselor.first_date + timedelta(days=7))
    draft, description = feed()
    assert draft == first  # the draft's move is not in members' calendars yet
    assert "相談後期：第1版" in description
    client.post(f"/trainings/{counselor_id}/publish")
    second, description = feed()
    assert set(second) == set(first) and "相談後期：第2版" in description
    assert all(second[u][0] - first[u][0] == timedelta(days=7) and second[u][1] == first[u][1] + 1
               for u in first)
