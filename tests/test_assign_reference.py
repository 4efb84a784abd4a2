"""The role suggestion reaches the same optimum as the pre-issue-17 solver (tests/reference_assign.py)
on random plans, with large teams (one new member per slot) and small ones (the full MILP)."""
import random
import subprocess
import sys
from datetime import date, timedelta

import pytest

from planner.domain import assign
from planner.domain.assign import Member, Slot, score, suggest_assignment
from tests import reference_assign

COURSES = ("common", "counselor", "chief", "job_support")


def random_plan(rng: random.Random, n_members: int, trainings: int) -> tuple[list[Member], list[Slot]]:
    """Trainings on their own days or sharing one, subjects back to back, some slots held or locked."""
    days = [date(2026, 5, 10) + timedelta(days=rng.choice([0, 7 * t])) for t in range(trainings)]
    slots = []
    for t, day in enumerate(days):
        key = COURSES[t % 4]
        slots.append(Slot(f"t{t}-tk", "timekeeper", key, day, 540, 1020))
        clock = 550 + rng.choice([0, 30])
        for subject in range(rng.randint(1, 4)):
            length = rng.choice([30, 60, 90])
            for kind in ("lecturer", "material_preparer", "case_reporter")[:rng.randint(1, 3)]:
                slots.append(Slot(f"t{t}-{subject}-{kind}", kind, key, day, clock, clock + length,
                                  course=key if kind == "lecturer" else None))
            clock += length + 10
    members = [Member(f"m{i:03d}", f"メンバー{i}", frozenset(c for c in COURSES if rng.random() < 0.3),
                      frozenset(d for d in days if rng.random() < 0.2)) for i in range(n_members)]
    out = []
    for slot in slots:
        if rng.random() < 0.15:
            holder = rng.choice(members + [Member("outsider", "外部")])
            slot = Slot(slot.id, slot.kind, slot.training_key, slot.day, slot.start, slot.end,
                        holder=holder.id, locked=rng.random() < 0.5, course=slot.course)
        elif rng.random() < 0.05:
            slot = Slot(slot.id, slot.kind, slot.training_key, slot.day, slot.start, slot.end,
                        locked=True, course=slot.course)
        out.append(slot)
    return members, out


@pytest.mark.parametrize("seed", range(100))
def test_suggestion_reaches_the_reference_optimum(seed):
    rng = random.Random(seed)
    n_members = rng.choice([1, 2, 3, 5, 8, 12, 20, 40])
    members, slots = random_plan(rng, n_members, rng.randint(1, 3))
    max_load = rng.choice([None, None, 1, 2, 3])

    new = suggest_assignment(members, slots, max_load)
    old = reference_assign.suggest_assignment(members, slots, max_load)

    assert score(members, slots, new.holders) == score(members, slots, old.holders)
    assert new.warnings == old.warnings
    assert {g.id for g in new.unfilled_slots} == {g.id for g in old.unfilled_slots}
    assert len(new.members_without_role) == len(old.members_without_role)
    assert new.note == old.note


def test_large_teams_take_the_one_new_member_per_slot_path_and_small_ones_the_milp():
    rng = random.Random(7)
    large = random_plan(rng, 60, 3)
    small = random_plan(rng, 3, 3)

    def matched(members, slots):
        members = sorted(members, key=lambda m: m.id)
        open_slots = sorted((s for s in slots if s.holder is None and not s.locked), key=lambda s: s.id)
        held = {m.id: [s for s in slots if s.holder == m.id] for m in members}
        holds = [len(held[m.id]) for m in members]
        pairs = assign._candidates(members, open_slots, held, [len(slots)] * len(members))
        return assign._one_new_member_each(members, open_slots, pairs, holds)

    assert matched(*large) is not None
    assert matched(*small) is None


def test_importing_and_creating_the_app_does_not_import_scipy():
    code = ("import sys, app; app.create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
            "print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))")

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
