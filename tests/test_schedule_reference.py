"""The timetable builder gives exactly what the pre-issue-17 builder (tests/reference_schedule.py)
gave: the same days, items, notes, reasons, remedies and texts, on thousands of random cases."""
import random
from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curricula import load_curricula
from planner.domain.schedule import (
    DaySettings,
    FixedItem,
    PartSpec,
    ScheduleInputError,
    SubjectSpec,
    build_timetable,
    subjects_of,
    validate,
)
from tests import reference_schedule as reference
from tests.hypothesis_profiles import examples

CURRICULA = [load_curricula()[key] for key in sorted(load_curricula())]


def clock(minutes: int) -> time:
    return time(*divmod(max(0, min(minutes, 23 * 60 + 59)), 60))


def random_subject(rng: random.Random, index: int) -> SubjectSpec:
    """A local subject, sometimes with sessions, sometimes with minutes off the 5-minute grid."""
    low = rng.choice([10, 15, 20, 30, 45, 60, 75, 90, 120, 150, 180, rng.randint(1, 240)])
    high = low + rng.choice([0, 0, 5, 10, 15, 30, 45, 60, rng.randint(0, 90)])
    parts = ()
    if rng.random() < 0.3:
        parts = tuple(PartSpec(f"セッション{j}", rng.choice(["", "lecture", "exercise"]),
                               *rng.choice([(None, None), (m, m), (m, m + 10)]))
                      for j, m in enumerate(rng.choices([10, 20, 30, 45], k=rng.randint(1, 4))))
    return SubjectSpec(f"独自科目{index}", low, min(high, 600), local=True, parts=parts,
                       lecturer=rng.choice(["", "外部講師"]), separate_day_ok=rng.random() < 0.2,
                       override=rng.choice([None] * 6 + [rng.randint(5, 200)]), key=f"local-{index}")


def random_subjects(rng: random.Random) -> list[SubjectSpec]:
    """A curriculum's subjects, some overridden, plus local subjects at random places."""
    subjects = subjects_of(rng.choice(CURRICULA)) if rng.random() < 0.85 else []
    subjects = [s if rng.random() < 0.85 else
                SubjectSpec(s.title, s.minutes_min, s.minutes_max, s.letter,
                            override=rng.choice([s.minutes_min, s.minutes_max, rng.randint(10, 200)]),
                            separate_day_ok=s.separate_day_ok, key=s.key, parts=s.parts, source=s.source)
                for s in subjects]
    for index in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
        subjects.insert(rng.randint(0, len(subjects)), random_subject(rng, index))
    return subjects or [random_subject(rng, 9)]


def random_day(rng: random.Random) -> DaySettings:
    """A day from roomy to impossible, with odd lunch windows, breaks and block limits."""
    start = rng.choice([8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 30, 10 * 60, rng.randint(6 * 60, 12 * 60)])
    length = rng.choice([240, 360, 420, 480, 525, 540, 600, rng.randint(120, 720)])
    early = rng.choice([11 * 60, 11 * 60 + 30, 12 * 60, rng.randint(10 * 60, 14 * 60)])
    opening = tuple(FixedItem(f"開会{j}", rng.choice([5, 10, 15, 30])) for j in range(rng.choice([0, 1, 1, 2])))
    closing = tuple(FixedItem(f"閉会{j}", rng.choice([5, 10, 15, 30])) for j in range(rng.choice([0, 1, 1, 2])))
    return DaySettings(
        start=clock(start), end=clock(start + length),
        lunch_minutes=rng.choice([0, 30, 45, 45, 60, 90, rng.randint(0, 180)]),
        lunch_earliest=clock(early), lunch_latest=clock(early + rng.choice([0, 30, 60, 120, rng.randint(0, 240)])),
        break_minutes=rng.choice([5, 10, 10, 15, 20, rng.randint(5, 60)]),
        longest_block=rng.choice([60, 90, 90, 120, rng.randint(30, 480)]),
        opening=opening, closing=closing)


def outcome(build, subjects, days):
    """The whole result object, or the refusal's message."""
    try:
        return build(subjects, days)
    except ScheduleInputError as error:
        return ("refused", str(error))


def assert_same(subjects, days):
    old = outcome(reference.build_timetable, subjects, days)
    new = outcome(build_timetable, subjects, days)
    assert new == old, (subjects, days)
    return old


@pytest.mark.parametrize("seed", range(4))
def test_timetable_equals_the_reference_on_random_days(seed):
    rng = random.Random(1700 + seed)
    feasible = infeasible = 0
    cases = examples(1000)  # a fifth in CI, all under HYPOTHESIS_PROFILE=nightly (tests/hypothesis_profiles.py)
    for _ in range(cases):
        subjects = random_subjects(rng)
        day_count = rng.choice([1, 1, 1, 1, 2, 3])
        days = [random_day(rng)] * day_count if rng.random() < 0.7 else [random_day(rng) for _ in range(day_count)]
        result = assert_same(subjects, days)
        if not isinstance(result, tuple):
            feasible += result.feasible
            infeasible += not result.feasible
    assert feasible > cases // 10 and infeasible > cases // 10  # the run covers both kinds


@settings(max_examples=examples(300), deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), end=st.integers(min_value=10 * 60, max_value=23 * 60 + 59),
       brk=st.integers(min_value=5, max_value=60), longest=st.integers(min_value=30, max_value=480))
def test_timetable_equals_the_reference_near_the_edges(seed, end, brk, longest):
    rng = random.Random(seed)
    day = DaySettings(end=clock(end), break_minutes=brk, longest_block=longest)

    assert_same(random_subjects(rng), [day])


@pytest.mark.parametrize("curriculum", CURRICULA, ids=lambda c: c.key)
def test_every_end_time_gives_the_reference_result(curriculum):
    subjects = subjects_of(curriculum)
    for end in range(12 * 60, 20 * 60, 5):
        for brk in (5, 10, 15):
            assert_same(subjects, [DaySettings(end=clock(end), break_minutes=brk)])


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["講義", " ", ""]),
                          st.sampled_from([-5, 0, 1, 30, 60, 600, 601]), st.sampled_from([-5, 0, 1, 30, 60, 600, 601]),
                          st.sampled_from([None, None, -1, 0, 45, 600, 601]),
                          st.lists(st.sampled_from(["前半", " ", ""]), max_size=3)), min_size=1, max_size=4))
def test_validate_refuses_subjects_as_before(rows):
    """The same refusal (or none) as the subject checks had before validate's fast path."""
    subjects = [SubjectSpec(title, low, high, override=override, parts=tuple(PartSpec(p) for p in parts))
                for title, low, high, override, parts in rows]

    new = outcome(lambda s, _: validate(s, DaySettings()), subjects, None)
    old = outcome(lambda s, _: reference.check_subjects(s), subjects, None)
    assert new == old
