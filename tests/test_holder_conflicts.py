"""An official's edit of a training re-checks every slot holder: a double booking or a holder's
unavailable day is listed before saving; the official keeps (recorded, shown on the roles
page) or releases those slots. Nothing is kept silently."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from planner.models import MemberUnavailable, RoleSlot, SlotConflict, TeamMember, Training
from planner.models.db import db
from planner.services.team.roles import assign_slot
from tests.factories import OITA_OFFICIAL, login, make_oita
from tests.forms_on_pages import forms_on


@pytest.fixture
def world(app):
    """A member holding the timekeeper slot of 前期共通 and of 相談支援員後期."""
    with app.app_context():
        oita = make_oita()
        member = TeamMember(plan_id=oita.plan, name="臼杵 太郎", municipality="臼杵市",
                            municipality_kind="other", email="taro@usuki.example.jp")
        db.session.add(member)
        db.session.commit()
        common, counselor = (db.session.get(Training, oita.trainings[k]) for k in ("common", "counselor"))
        for training in (common, counselor):
            slot = next(s for s in training.slots if s.kind == "timekeeper")
            assign_slot(slot, db.session.get(TeamMember, member.id))
        return {"plan": oita.plan, "common": common.id, "counselor": counselor.id, "member": member.id,
                "common_date": common.first_date, "counselor_date": counselor.first_date}


def _edit_form(client, training_id: int) -> dict[str, list[str]]:
    page = client.get(f"/trainings/{training_id}/edit")
    [form] = [f for f in forms_on(f"/trainings/{training_id}/edit", page.get_data(as_text=True))
              if urlsplit(f.action).path.endswith("/edit")]
    data: dict[str, list[str]] = {}
    for name, value in form.values:
        data.setdefault(name, []).append(value)
    return data


def _holder(app, training_id: int) -> int | None:
    with app.app_context():
        return db.session.scalar(db.select(RoleSlot.holder_id).where(
            RoleSlot.training_id == training_id, RoleSlot.kind == "timekeeper"))


def _date(app, training_id: int):
    with app.app_context():
        return db.session.get(Training, training_id).first_date


def _move(client, world, **extra):
    data = _edit_form(client, world["counselor"])
    data["first_date"] = [world["common_date"].isoformat()]
    return client.post(f"/trainings/{world['counselor']}/edit", data={**data, **extra})


def test_moving_a_training_onto_a_double_booking_lists_it_and_saves_nothing(app, client, world):
    login(client, OITA_OFFICIAL)
    asked = _move(client, world)
    assert asked.status_code == 409
    html = asked.get_data(as_text=True)
    assert "臼杵 太郎さんは" in html and "同じ時間帯になります" in html
    assert 'name="holders" value="keep"' in html and 'name="holders" value="release"' in html
    assert _date(app, world["counselor"]) == world["counselor_date"]  # nothing saved
    assert _holder(app, world["counselor"]) == world["member"]
    # keep: saved, the conflict recorded and shown on the roles page
    kept = _move(client, world, holders="keep")
    assert kept.status_code == 302
    assert _date(app, world["counselor"]) == world["common_date"]
    assert _holder(app, world["counselor"]) == world["member"]
    roles = client.get(f"/plans/{world['plan']}/roles").get_data(as_text=True)
    assert "予定と重なる担当" in roles and "同じ時間帯になります" in roles
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SlotConflict)) >= 1
    # a later edit that changes nothing for the holders does not ask again
    data = _edit_form(client, world["counselor"])
    data["venue"] = ["臼杵市民会館"]
    assert client.post(f"/trainings/{world['counselor']}/edit", data=data).status_code == 302


def test_release_frees_the_slots_that_would_be_double_booked(app, client, world):
    login(client, OITA_OFFICIAL)
    released = _move(client, world, holders="release")
    assert released.status_code == 302
    assert _date(app, world["counselor"]) == world["common_date"]
    assert _holder(app, world["counselor"]) is None
    assert _holder(app, world["common"]) == world["member"]  # the other training's slot stays
    roles = client.get(f"/plans/{world['plan']}/roles").get_data(as_text=True)
    assert "予定と重なる担当" not in roles


def test_moving_onto_a_holders_unavailable_day_is_listed(app, client, world):
    with app.app_context():
        db.session.execute(db.update(RoleSlot).where(RoleSlot.training_id == world["common"])
                           .values(holder_id=None))
        db.session.add(MemberUnavailable(member_id=world["member"], day=world["common_date"]))
        db.session.commit()
    login(client, OITA_OFFICIAL)
    asked = _move(client, world)
    assert asked.status_code == 409
    assert "を参加できない日に登録しています" in asked.get_data(as_text=True)
    assert _date(app, world["counselor"]) == world["counselor_date"]


def _slot(training: Training, kind: str, letter: str | None = None) -> RoleSlot:
    return next(s for s in training.slots if s.kind == kind and (letter is None or s.subject.letter == letter))


@pytest.mark.parametrize("change", ["draft", "supplement"])
def test_draft_and_supplement_changes_that_make_a_double_booking_ask(app, world, change):
    """The holder's two lecturer slots on one day sit side by side; the change (a longer
    draft subject, a subject shortened by a symposium) moves one into the other."""
    from datetime import time

    from planner.services.plans import changes as plans
    from planner.services.plans import holder_conflicts, supplements
    with app.app_context():
        db.session.execute(db.update(RoleSlot).values(holder_id=None))
        counselor = db.session.get(Training, world["counselor"])
        other = db.session.scalar(db.select(Training).where(
            Training.plan_id == world["plan"],
            Training.curriculum_key == ("job_support" if change == "draft" else "common")))
        counselor.first_date = other.first_date  # both trainings on one day
        if change == "draft":  # the draft fills 9:00-17:45 at its minimum: half an hour more to lengthen A
            other.end_time = time(18, 15)
        db.session.commit()
        if change == "draft":  # 就労 A 9:10-10:30 at most then 相談 B 10:45-11:45; A to 100 minutes ends after 10:45
            edited, mine, theirs = other, _slot(other, "lecturer", "A"), _slot(counselor, "lecturer", "B")
        else:  # 相談 C 12:30-13:35 then 共通 D 13:45-; 共通 C shortened by 30 minutes moves D to 13:15
            edited, mine, theirs = other, _slot(other, "lecturer", "D"), _slot(counselor, "lecturer", "C")
        for slot in (mine, theirs):
            slot.holder_id = world["member"]
        db.session.commit()
        edited_id, mine_id = edited.id, mine.id

        def run():
            training = db.session.get(Training, edited_id)
            if change == "draft":
                row = next(r for r in training.subjects if r.letter == "A")
                plans.edit_draft_subject(training, row.id, "", 100, 100, "", [])
            else:
                row = next(r for r in training.subjects if r.letter == "C")
                supplements.add_event(training, row.id, supplements.EventValues(
                    kind="symposium", title="相談支援シンポジウム", day=training.first_date,
                    start_time=time(13), end_time=time(15), effect="shortened", shortened_minutes=30))

        with pytest.raises(holder_conflicts.HoldersAffected) as asked:
            run()
        assert mine_id in [c.slot_id for c in asked.value.conflicts]
        assert "同じ時間帯になります" in asked.value.conflicts[0].reason
        assert db.session.get(RoleSlot, mine_id).holder_id == world["member"]
        with holder_conflicts.deciding("release"):
            run()
        assert db.session.get(RoleSlot, mine_id).holder_id is None
