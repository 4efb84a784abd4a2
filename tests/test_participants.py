"""Participants: the placement rule (pure), the entry service on the database (both engines),
and two municipalities' contact persons submitting at the same moment at the quota."""
from __future__ import annotations

import itertools
import threading
from datetime import date

import pytest

from planner.domain.participants import (
    ACCEPTED,
    WAITING,
    ParticipantEntry,
    Placement,
    capacity_reason,
    late_reason,
    place_entries,
    quota_reason,
)
from planner.models import Municipality, Participant, Training
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.participants import entries as service
from tests.factories import make_oita

TODAY = date(2026, 1, 10)
DEADLINE = date(2026, 1, 20)


# --------------------------------------------------------------------------- the pure rule

def _place(count, municipality=0, quota=2, training=0, capacity=None, deadline=DEADLINE, today=TODAY):
    return place_entries(count, municipality_accepted=municipality, quota=quota, training_accepted=training,
                         capacity=capacity, deadline=deadline, today=today)


def test_entries_within_the_quota_take_seats_and_the_rest_wait():
    assert _place(3) == [Placement(ACCEPTED), Placement(ACCEPTED), Placement(WAITING, quota_reason(2))]
    assert _place(2, municipality=1) == [Placement(ACCEPTED), Placement(WAITING, quota_reason(2))]
    assert quota_reason(2) == "自治体ごとの定員（2名）を超えています"


def test_capacity_counts_every_municipality_and_the_quota_comes_first():
    assert _place(2, training=29, capacity=30) == [Placement(ACCEPTED), Placement(WAITING, capacity_reason(30))]
    assert _place(1, municipality=2, training=30, capacity=30) == [Placement(WAITING, quota_reason(2))]
    assert capacity_reason(30) == "研修の定員（30名）を超えています"


def test_after_the_deadline_every_entry_waits_but_the_deadline_day_itself_is_open():
    assert _place(2, today=date(2026, 1, 21)) == [Placement(WAITING, late_reason(DEADLINE))] * 2
    assert _place(1, today=DEADLINE) == [Placement(ACCEPTED)]
    assert late_reason(DEADLINE) == "申込締切（1月20日）を過ぎています"


def test_no_quota_no_capacity_no_deadline_means_every_entry_takes_a_seat():
    assert _place(5, quota=None, deadline=None) == [Placement(ACCEPTED)] * 5
    assert _place(0) == []
    with pytest.raises(ValueError):
        _place(-1)


def test_seats_given_never_pass_the_quota_or_the_capacity():
    for count, municipality, quota, training, capacity in itertools.product(
            range(5), range(4), range(1, 4), range(6), (None, 3, 5)):
        placements = _place(count, municipality, quota, training, capacity)
        given = sum(p.status == ACCEPTED for p in placements)
        room = max(0, min(quota - municipality, (capacity - training) if capacity is not None else count))
        assert given == min(count, room)
        # the seats go to the first entries: nobody waits ahead of someone who got a seat
        assert [p.status for p in placements] == [ACCEPTED] * given + [WAITING] * (count - given)


# --------------------------------------------------------------------------- the service

@pytest.fixture
def world(app):
    with app.app_context():
        oita = make_oita()
        training = db.session.get(Training, oita.trainings["common"])
        training.per_municipality = 2
        training.capacity = 4
        training.application_deadline = DEADLINE
        db.session.add_all([Municipality(prefecture_id=oita.prefecture, code="442011", name="大分市",
                                         kind="core_city"),
                            Municipality(prefecture_id=oita.prefecture, code="442020", name="別府市",
                                         kind="city"),
                            Municipality(prefecture_id=oita.prefecture, code="442038", name="中津市",
                                         kind="city")])
        db.session.commit()
        return oita


def _town(name):
    return db.session.scalar(db.select(Municipality).filter_by(name=name))


def _common(world):
    return db.session.get(Training, world.trainings["common"])


def test_add_entries_cleans_places_and_commits(app, world):
    with app.app_context():
        rows = service.add_entries(_common(world), _town("大分市"), [
            ParticipantEntry("  大分 一郎 ", kana="おおいた いちろう", email="Ichiro@Example.JP", job="相談支援員"),
            ParticipantEntry("大分 二郎", kind="official", needs="手話通訳\n車いす"),
            ParticipantEntry("大分 三郎")], "link", today=TODAY)
        assert [(r.name, r.status) for r in rows] == [
            ("大分 一郎", ACCEPTED), ("大分 二郎", ACCEPTED), ("大分 三郎", WAITING)]
        assert rows[0].email == "ichiro@example.jp" and rows[1].needs == "手話通訳\n車いす"
        assert rows[2].waiting_reason == quota_reason(2) and rows[2].entered_via == "link"
        db.session.expire_all()
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 3


def test_invalid_entries_save_nothing_and_say_which_and_why(app, world):
    with app.app_context():
        training = _common(world)
        training.open_to_agencies = False
        db.session.commit()
        with pytest.raises(ChangeRefused) as refused:
            service.add_entries(training, _town("大分市"), [
                ParticipantEntry("正しい 人"), ParticipantEntry(" ", email="not-an-address"),
                ParticipantEntry("機関 の人", kind="agency")], "import", today=TODAY)
        assert refused.value.messages == [
            "2人目: 氏名: 入力してください。", "2人目: メールアドレス: 形式が正しくありません。「not-an-address」には「@」がありません（例 tanto@city.example.lg.jp）。",
            "3人目: 区分: 「関係機関」はこの研修の対象ではありません（対象は 支援員、自治体担当者）。"]
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 0


def test_the_link_refuses_a_waiting_entry_unless_its_contact_person_chose_the_waiting_list(app, world):
    with app.app_context():
        training, oita_city = _common(world), _town("大分市")
        service.add_entries(training, oita_city, [ParticipantEntry("一"), ParticipantEntry("二")], "link",
                            today=TODAY)
        with pytest.raises(ChangeRefused) as refused:
            service.add_entries(training, oita_city, [ParticipantEntry("三")], "link", today=TODAY,
                                waiting_ok=False)
        assert refused.value.messages == ["自治体ごとの定員（2名）を超えています。この申込は受講決定にできません。"]
        [row] = service.add_entries(training, oita_city, [ParticipantEntry("三")], "link", today=TODAY)
        assert row.status == WAITING


def test_capacity_and_deadline_put_entries_on_the_waiting_list(app, world):
    with app.app_context():
        training = _common(world)
        service.add_entries(training, _town("大分市"), [ParticipantEntry("一"), ParticipantEntry("二")], "link",
                            today=TODAY)
        rows = service.add_entries(training, _town("別府市"), [ParticipantEntry("三"), ParticipantEntry("四")],
                                   "link", today=TODAY)
        assert [r.status for r in rows] == [ACCEPTED, ACCEPTED]
        [full] = service.add_entries(training, _town("中津市"), [ParticipantEntry("五")], "link", today=TODAY)
        assert (full.status, full.waiting_reason) == (WAITING, capacity_reason(4))
        [late] = service.add_entries(training, None, [ParticipantEntry("六", kind="agency")], "official",
                                     today=date(2026, 1, 21))
        assert (late.status, late.waiting_reason) == (WAITING, late_reason(DEADLINE))


def test_update_remove_and_the_officials_decision(app, world):
    with app.app_context():
        training, oita_city = _common(world), _town("大分市")
        first, _, third = service.add_entries(
            training, oita_city, [ParticipantEntry("一"), ParticipantEntry("二"), ParticipantEntry("三")],
            "official", today=TODAY)
        service.update_entry(first, ParticipantEntry("一 改", kana="いち", kind="official"))
        assert (first.name, first.kana, first.kind, first.status) == ("一 改", "いち", "official", ACCEPTED)
        with pytest.raises(ChangeRefused):
            service.update_entry(first, ParticipantEntry(""))
        assert db.session.get(Participant, first.id).name == "一 改"
        service.remove_entry(first)
        assert db.session.get(Participant, first.id) is None
        # a freed seat does not move the waiting entry: the official decides
        assert db.session.get(Participant, third.id).status == WAITING
        service.decide_waiting(third, accept=True)
        assert third.status == ACCEPTED
        with pytest.raises(ChangeRefused):
            service.decide_waiting(third, accept=False)


def test_another_prefectures_municipality_is_refused(app, world):
    with app.app_context():
        from tests.factories import make_prefecture
        other = make_prefecture("みどり県")
        stranger = Municipality(prefecture_id=other.id, code="999991", name="よその市", kind="city")
        db.session.add(stranger)
        db.session.commit()
        with pytest.raises(ChangeRefused):
            service.add_entries(_common(world), stranger, [ParticipantEntry("一")], "link", today=TODAY)


def test_simultaneous_submits_at_the_quota_never_pass_it(app, world):
    """Eight rounds of two threads, each with its own session and connection, sending one
    entry each for the last seat of the municipality's quota at the same moment."""
    for round_number in range(8):
        with app.app_context():
            db.session.execute(db.delete(Participant))
            db.session.commit()
            service.add_entries(_common(world), _town("大分市"), [ParticipantEntry("先")], "link", today=TODAY)
        start = threading.Barrier(2)
        outcomes = [None, None]
        threads = [threading.Thread(target=_submit_one, args=(app, world, i, start, outcomes)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["refused", "saved"], round_number
        with app.app_context():
            assert service.seats_taken(_common(world), _town("大分市")) == 2


def _submit_one(app, world, index, start, outcomes):
    with app.app_context():
        training, town = _common(world), _town("大分市")
        start.wait()
        try:
            service.add_entries(training, town, [ParticipantEntry(f"同時{index}")], "link",
                                today=TODAY, waiting_ok=False)
            outcomes[index] = "saved"
        except ChangeRefused:
            outcomes[index] = "refused"
        finally:
            db.session.remove()
