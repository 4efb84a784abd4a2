"""Slot times come from a memo of the timetable's times: they must equal the times read off a
freshly built timetable (the way slot_times worked before), however the training changes."""
from __future__ import annotations

from datetime import time

import pytest

from planner.models import Plan, RoleSlot, Training, TrainingSubject
from planner.models.db import db
from planner.services.plans.timetables import subject_key, timetable_of
from planner.services.team.roles import SlotTime, link_loaded_slots, slot_times
from tests.demo_copy import loaded_demo


def reference_slot_times(training: Training) -> dict[int, SlotTime]:
    """slot_times as it was before the memo: from a timetable built for this call."""
    timetable = timetable_of(training)
    by_key = {}
    for day in timetable.days:
        for item in day.subjects:
            if item.key:
                by_key[item.key] = (day.day, item.start, item.end)
    days = training.days
    times = {}
    for slot in training.slots:
        day = days[slot.day_index] if slot.day_index < len(days) else None
        if slot.kind == "timekeeper" and timetable.days and slot.day_index < len(timetable.days):
            items = timetable.days[slot.day_index].items
            times[slot.id] = SlotTime(day, items[0].start, items[-1].end)
        elif slot.kind in ("lecturer", "case_reporter") and slot.subject_id:
            found = by_key.get(subject_key(training.id, slot.subject_id))
            times[slot.id] = SlotTime(*found) if found else SlotTime(day, None, None)
        else:
            times[slot.id] = SlotTime(day if slot.kind != "material_preparer" else None, None, None)
    return times


def _later_start(training: Training) -> None:
    training.start_time = time(9, 30)


def _two_days(training: Training) -> None:
    training.day_count = 2


def _first_subject_elsewhere(training: Training) -> None:
    # a local training (地域の実情に応じた研修) has local subjects only: its first one
    next((row for row in training.subjects if not row.is_local), training.subjects[0]).separate_day = True


def _longer_subject(training: Training) -> None:
    row = next((row for row in training.subjects if not row.is_local), training.subjects[0])
    row.minutes_override = (row.minutes_override or 60) + 15


def _no_room(training: Training) -> None:
    training.end_time = time(11, 0)  # the day cannot be built: no times at all


@pytest.mark.parametrize("change", [None, _later_start, _two_days, _first_subject_elsewhere, _longer_subject,
                                    _no_room])
def test_slot_times_equal_those_of_a_freshly_built_timetable(app, change):
    loaded_demo(app)
    with app.app_context():
        plan = db.session.scalar(db.select(Plan))
        before = {t.id: slot_times(t) for t in plan.trainings}
        for training in plan.trainings:
            if change:
                change(training)
            expected = reference_slot_times(training)
            assert slot_times(training) == expected, (training.curriculum_key, change)
            assert slot_times(training) == expected  # the memo's answer too
            if change in (_later_start, _no_room):  # the memo follows the change
                assert expected != before[training.id]
        assert any(t.start for times in before.values() for t in times.values())
        db.session.rollback()


def test_linked_slots_point_at_what_the_orm_would_load(app):
    loaded_demo(app)
    with app.app_context():
        plan = db.session.scalar(db.select(Plan))
        link_loaded_slots(plan.trainings)
        linked = {s.id: (s.training.id, s.subject.id if s.subject else None)
                  for t in plan.trainings for s in t.slots}
        db.session.expunge_all()
        loaded = {s.id: (s.training.id, s.subject.id if s.subject else None)
                  for s in db.session.scalars(db.select(RoleSlot).join(RoleSlot.training)
                                              .where(Training.plan_id == plan.id))}
        assert linked == loaded
        assert any(subject for _, subject in linked.values())
        assert {subject for _, subject in linked.values() if subject} <= set(
            db.session.scalars(db.select(TrainingSubject.id)))
