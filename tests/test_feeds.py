"""Personal feeds under polling: conditional GETs (ETag, Last-Modified, 304) answered from a
digest of the feed's rows, a new answer whenever anything the feed shows changes, the same
feed whoever builds it, and one query count whatever the size of the team."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

import icalendar
import pytest
import recurring_ical_events
import vobject

from exports import files
from planner.models import (
    CarriedTodo,
    EventVersion,
    ProgrammeVersion,
    PublishedEvent,
    RoleSlot,
    SupplementaryEvent,
    TeamMember,
    Training,
    TrainingSubject,
    User,
)
from planner.models.db import db
from planner.services.mail.calendar_state import (
    feed_state,
    load_for_feed,
    slot_uid,
    slot_uid_sql,
    supplement_uid,
    supplement_uid_sql,
    training_scope,
    training_scope_sql,
)
from planner.services.team.roster import members_of_user
from tests.export_data import build_plan
from tests.factories import counting_queries


def _path(app, email: str) -> str:
    from planner.web.exports import feed_token
    with app.test_request_context():
        return f"/feeds/{feed_token(db.session.scalar(db.select(User).filter_by(email=email)))}.ics"


def _content(data: bytes) -> bytes:
    """The feed without its DTSTAMPs (the time its content last changed)."""
    return re.sub(rb"DTSTAMP:[0-9TZ]+\r\n", b"", data)


def _read_back(data: bytes) -> list[tuple[str, object]]:
    """The feed through both independent readers: vobject's VEVENTs, and
    recurring-ical-events' occurrences over the year; the two must agree."""
    calendar = vobject.readOne(data.decode("utf-8"))
    with_vobject = sorted((e.uid.value, e.dtstart.value) for e in getattr(calendar, "vevent_list", []))
    occurrences = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(
        date(2020, 1, 1), date(2030, 1, 1))
    assert sorted((str(e["UID"]), e["DTSTART"].dt) for e in occurrences) == with_vobject
    return with_vobject


@pytest.fixture
def feed(app):
    """(plan ids, the feed path of a member who holds slots, their member id)."""
    with app.app_context():
        ids = build_plan()
        member_id = ids.member_ids[0]
        return ids, _path(app, ids.member_emails[0]), member_id


def _settled(client, path: str):
    """The feed once it no longer changes (a build can raise an event's SEQUENCE once)."""
    first = client.get(path)
    second = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    return first if second.status_code == 304 else client.get(path)


def test_unchanged_feed_answers_304_to_either_validator_without_a_body(app, client, feed):
    _, path, _ = feed
    first = client.get(path)
    assert first.status_code == 200 and _read_back(first.data)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert first.headers["Cache-Control"] == "private, no-cache"
    stamp = re.search(rb"DTSTAMP:([0-9TZ]+)", first.data)[1].decode()
    assert stamp == first.last_modified.strftime("%Y%m%dT%H%M%SZ")

    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified},
                    {"If-None-Match": etag, "If-Modified-Since": modified}):
        again = client.get(path, headers=headers)
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == etag  # (Werkzeug leaves Last-Modified out of a 304, as RFC 9110 allows)
    # one ETag, one set of bytes
    assert client.get(path).data == first.data
    # another validator still gets the feed
    assert client.get(path, headers={"If-None-Match": '"other"'}).data == first.data


def _release_a_slot(ids, member_id):
    slot = db.session.scalar(db.select(RoleSlot).filter_by(holder_id=member_id).order_by(RoleSlot.id))
    slot.holder_id = None


def _take_a_slot(ids, member_id):
    slot = db.session.scalar(db.select(RoleSlot).join(Training).where(
        Training.plan_id == ids.plan_id, RoleSlot.holder_id.is_(None), RoleSlot.kind == "lecturer"))
    slot.holder_id = member_id


def _rename_a_lecturer(ids, member_id):
    """Another member's name: the feed names the lecturer of a subject the member reports on."""
    other = db.session.get(TeamMember, ids.member_ids[1])
    other.name = "改名 太郎"


def _move_a_training(ids, member_id):
    training = db.session.scalar(db.select(Training).join(RoleSlot, RoleSlot.training_id == Training.id)
                                 .where(RoleSlot.holder_id == member_id))
    training.first_date += timedelta(days=1)


def _change_the_venue(ids, member_id):
    for training in db.session.scalars(db.select(Training).filter_by(plan_id=ids.plan_id)):
        training.venue = "別の会場"


def _shorten_the_day(ids, member_id):
    for training in db.session.scalars(db.select(Training).filter_by(plan_id=ids.plan_id)):
        training.lunch_minutes = 60


def _rename_a_subject(ids, member_id):
    """The prefecture settles the name of a job-support draft subject the member teaches."""
    slot = db.session.scalar(db.select(RoleSlot).join(Training).where(
        RoleSlot.holder_id == member_id, RoleSlot.subject_id.is_not(None),
        Training.curriculum_key == "job_support").order_by(RoleSlot.id))
    slot.subject.draft_name = "県で決めた科目名"


def _add_a_supplement(ids, member_id):
    row = db.session.scalar(db.select(TrainingSubject).join(Training).where(
        Training.plan_id == ids.plan_id, TrainingSubject.letter != "").order_by(TrainingSubject.id))
    db.session.add(SupplementaryEvent(subject=row, kind="lecture", title="講演会", day=date(2026, 2, 1),
                                      start_time=time(13), end_time=time(15), effect="stays"))


def _rename_the_plan(ids, member_id):
    training = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id))
    training.plan.title = "新しい計画名"


def _publish_a_version(ids, member_id):
    training = db.session.scalar(db.select(Training).join(RoleSlot, RoleSlot.training_id == Training.id)
                                 .where(RoleSlot.holder_id == member_id))
    db.session.add(ProgrammeVersion(training=training, number=1, published_on=date(2025, 12, 1),
                                    snapshot="{}"))


@pytest.mark.parametrize("change", [_release_a_slot, _take_a_slot, _rename_a_lecturer, _move_a_training,
                                    _change_the_venue, _shorten_the_day, _rename_a_subject,
                                    _add_a_supplement, _rename_the_plan, _publish_a_version])
def test_any_change_the_feed_shows_gets_a_new_feed(app, client, feed, change):
    ids, path, member_id = feed
    before = _settled(client, path)
    with app.app_context():
        change(ids, member_id)
        db.session.commit()
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"],
                                      "If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200
    assert _content(after.data) != _content(before.data)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.last_modified > before.last_modified
    # what clients were sent is what a fresh build shows
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=ids.member_emails[0]))
        fresh = files.member_feed(user, app.config["CALENDAR_UID_HOST"], "http://localhost")
    assert _content(fresh) == _content(client.get(path).data)
    _read_back(after.data)
    # and it settles: the next poll with the new validators is answered 304
    settled = _settled(client, path)
    assert client.get(path, headers={"If-None-Match": settled.headers["ETag"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": settled.headers["Last-Modified"]}).status_code == 304


def test_a_change_the_feed_does_not_show_keeps_answering_304(app, client, feed):
    ids, path, _ = feed
    before = _settled(client, path)
    with app.app_context():
        db.session.add(CarriedTodo(plan_id=ids.plan_id, text="名札を早めに作る"))  # no feed shows it
        db.session.commit()
    assert client.get(path, headers={"If-None-Match": before.headers["ETag"]}).status_code == 304
    assert _content(client.get(path).data) == _content(before.data)


def test_the_feed_of_another_host_name_has_its_own_validators(app, client, feed):
    _, path, _ = feed
    local = _settled(client, path)
    other = client.get(path, base_url="https://calendar.example.jp",
                       headers={"If-None-Match": local.headers["ETag"]})
    assert other.status_code == 200 and b"https://calendar.example.jp/trainings/" in other.data
    assert other.headers["ETag"] != local.headers["ETag"]
    again = _settled(client, path)
    assert b"http://localhost/trainings/" in again.data
    assert client.get(path, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def _feed_queries(app, client, path: str, plan_id: int) -> tuple[int, int]:
    """Statements of a full build and of a 304."""
    etag = _settled(client, path).headers["ETag"]
    with app.app_context():
        db.session.add(CarriedTodo(plan_id=plan_id, text="名札を早めに作る"))  # not in the feed
        db.session.commit()
        engine = db.engine
    with counting_queries(engine) as built:
        assert client.get(path).status_code == 200
    with counting_queries(engine) as unchanged:
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    return built[0], unchanged[0]


def test_statements_of_a_feed_do_not_grow_with_the_team_or_the_roles(app, client):
    with app.app_context():
        ids = build_plan(members=2)
        path = _path(app, ids.member_emails[0])
    small = _feed_queries(app, client, path, ids.plan_id)
    with app.app_context():
        free = db.session.scalars(db.select(RoleSlot).join(Training).where(
            Training.plan_id == ids.plan_id, RoleSlot.holder_id.is_(None))).all()
        preparers = [slot for slot in free if slot.kind == "material_preparer"]
        for slot in preparers:  # preparing clashes with nothing
            slot.holder_id = ids.member_ids[0]
        for i in range(10):
            member = TeamMember(plan_id=ids.plan_id, name=f"追加{i}", municipality="大分市",
                                municipality_kind="other", email=f"extra{i}@example.jp")
            db.session.add(member)
            db.session.flush()
            free[len(preparers) + i].holder_id = member.id
        db.session.commit()
        assert len(preparers) >= 4
    assert _feed_queries(app, client, path, ids.plan_id) == small


def test_the_uids_and_scopes_the_database_writes_are_the_ones_python_writes(app, feed):
    """The digest statement finds sent events and raised sequences by UIDs and scopes it
    writes itself: they must be the very strings of slot_uid, supplement_uid, training_scope."""
    ids, _, member_id = feed
    host = "uid.example.jp"
    with app.app_context():
        _add_a_supplement(ids, member_id)
        db.session.commit()
        slots = db.session.execute(db.select(RoleSlot.training_id, RoleSlot.id,
                                             slot_uid_sql(RoleSlot.training_id, RoleSlot.id, host))).all()
        supplements = db.session.execute(
            db.select(Training.plan_id, SupplementaryEvent.id,
                      supplement_uid_sql(Training.plan_id, SupplementaryEvent.id, host))
            .select_from(SupplementaryEvent).join(TrainingSubject).join(Training)).all()
        scopes = db.session.execute(db.select(TeamMember.id, Training.id, training_scope_sql(TeamMember.id, Training.id))
                                    .join(Training, TeamMember.plan_id == Training.plan_id)).all()
    assert slots and supplements and scopes
    assert all(text == slot_uid(training, slot, host) for training, slot, text in slots)
    assert all(text == supplement_uid(plan, event, host) for plan, event, text in supplements)
    assert all(text == training_scope(member, training) for member, training, text in scopes)


def test_what_was_sent_to_the_member_and_raised_sequences_of_their_events_change_the_etag(app, feed):
    """The rows a feed shows of a published training (what the member was sent) and the
    SEQUENCE of their events; the same rows of others leave it alone."""
    ids, _, member_id = feed
    host, base = app.config["CALENDAR_UID_HOST"], "http://localhost"
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=ids.member_emails[0]))
        user_id, secret = user.id, user.feed_secret

        def etag() -> str:
            db.session.commit()
            return feed_state(user_id, secret, host, base).etag

        def sent(member: int, training: int) -> PublishedEvent:
            row = PublishedEvent(scope=training_scope(member, training), uid=f"sent-{member}@{host}",
                                 fingerprint="x", summary="役割", start="2026-01-10", end="2026-01-11")
            db.session.add(row)
            return row

        training = db.session.scalar(db.select(Training).filter_by(plan_id=ids.plan_id).order_by(Training.id))
        held = db.session.scalar(db.select(RoleSlot).filter_by(holder_id=member_id).order_by(RoleSlot.id))
        other = db.session.scalar(db.select(RoleSlot).join(Training).where(
            Training.plan_id == ids.plan_id, RoleSlot.holder_id != member_id).order_by(RoleSlot.id))
        files.member_feed(user, host, base)  # versions of the member's events, at sequence 0
        before = etag()
        assert etag() == before
        sent(ids.member_ids[1], training.id)
        assert etag() == before  # another member's mail
        row = sent(member_id, training.id)
        after = etag()
        assert after != before
        row.summary = "変わった役割"
        assert etag() not in (before, after)
        before = etag()
        db.session.add(EventVersion(uid=slot_uid(other.training_id, other.id, host), sequence=3, fingerprint="x"))
        assert etag() == before  # another member's role
        version = db.session.scalar(db.select(EventVersion).filter_by(uid=slot_uid(held.training_id, held.id, host)))
        version.sequence += 1
        assert etag() != before
        _add_a_supplement(ids, member_id)
        files.member_feed(user, host, base)
        before = etag()
        event = db.session.scalar(db.select(SupplementaryEvent).order_by(SupplementaryEvent.id.desc()))
        version = db.session.scalar(db.select(EventVersion).filter_by(uid=supplement_uid(ids.plan_id, event.id, host)))
        version.sequence += 1
        assert etag() != before


def test_the_feed_loads_the_memberships_members_of_user_finds(app):
    """load_for_feed matches roster entries like members_of_user (the e-mail in any case),
    with the plan and everything the feed walks already in the session."""
    with app.app_context():
        ids = build_plan()
        member = db.session.get(TeamMember, ids.member_ids[2])
        member.email = member.email.upper()
        _publish_a_version(ids, ids.member_ids[0])
        db.session.commit()
        for email in ids.member_emails + ["official@example.jp"]:
            db.session.remove()
            user = db.session.scalar(db.select(User).filter_by(email=email))
            expected = [m.id for m in members_of_user(user)]
            db.session.remove()
            with counting_queries(db.engine) as loading:
                members = load_for_feed(user.prefecture_id, user.email)
            assert [m.id for m in members] == expected
            assert bool(members) == (email != "official@example.jp")
            assert loading[0] <= 8  # memberships, teams, trainings, subjects, supplements, materials (due dates), slots, versions
            with counting_queries(db.engine) as walking:
                for training in (t for m in members for t in m.plan.trainings):
                    [(slot.holder and slot.holder.name) for slot in training.slots]
                    [row.supplements for row in training.subjects]
                    [version.label for version in training.versions]
            assert walking[0] == 0
