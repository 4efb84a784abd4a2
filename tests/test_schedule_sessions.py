"""Sessions, breaks inside long subjects and balanced days, against brute-force enumeration."""
import re
from dataclasses import replace
from datetime import time
from itertools import combinations, product

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from curricula import load_curricula
from planner.domain.schedule import (
    STEP,
    DaySettings,
    PartSpec,
    SubjectSpec,
    build_day,
    build_timetable,
    session_ranges,
    subjects_of,
)
from tests.hypothesis_profiles import examples


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def runs(items):
    """Minutes of each run of sessions with no break or lunch between them."""
    out, run = [], 0
    for item in items:
        if item.kind == "session":
            run += item.minutes
        elif run:
            out.append(run)
            run = 0
    return out + ([run] if run else [])


def grid(low, high):
    return sorted({low, high} | set(range(low - low % STEP + STEP, high, STEP)))


def rule_layout_exists(subjects, day):
    """Brute force: is there any layout of the sessions that keeps every block within the limit?

    Sessions in order within their ranges, a break between subjects and between sessions of one
    subject exactly where the block would otherwise pass the limit, lunch in one gap inside its
    window (none only if the day, closing included, is over before lunch could start),
    everything between the day's start and end.
    """
    units = [(index, low, high) for index, spec in enumerate(subjects)
             for _, low, high in session_ranges(spec, day.longest_block)]
    first = minutes(day.start) + sum(i.minutes for i in day.opening)
    closing = sum(i.minutes for i in day.closing)
    for chosen in product(*(grid(low, high) for _, low, high in units)):
        for lunch in [None] + list(range(1, len(units))):
            clock, run, ok, lunch_start = first, 0, True, None
            for k, length in enumerate(chosen):
                if k == lunch:
                    lunch_start = clock
                    clock += day.lunch_minutes
                    run = 0
                elif k and (units[k][0] != units[k - 1][0] or run + length > day.longest_block):
                    clock += day.break_minutes
                    run = 0
                run += length
                clock += length
                ok = ok and run <= day.longest_block
            end = clock + closing
            if not ok or end > minutes(day.end):
                continue
            if lunch is None and day.lunch_minutes and end > minutes(day.lunch_earliest):
                continue
            if lunch is not None and not minutes(day.lunch_earliest) <= lunch_start <= minutes(day.lunch_latest):
                continue
            return True
    return False


part_strategy = st.builds(PartSpec, title=st.sampled_from(["講義", "演習", "事例報告"]),
                          kind=st.sampled_from(["lecture", "exercise", "case_report"]),
                          minutes_min=st.sampled_from([None, 20, 30, 45]))
small_subject = st.builds(
    lambda title, low, extra, parts: SubjectSpec(
        title=title, minutes_min=low, minutes_max=low + extra,
        parts=tuple(replace(p, minutes_max=p.minutes_min + 10 if p.minutes_min else None) for p in parts)),
    title=st.sampled_from(["甲", "乙", "丙"]), low=st.sampled_from([30, 45, 60, 90, 120]),
    extra=st.sampled_from([0, 10, 15]), parts=st.lists(part_strategy, max_size=3))
small_day = st.builds(
    lambda start, length, lunch, brk, early, longest: DaySettings(
        start=time(*divmod(start, 60)), end=time(*divmod(start + length, 60)), lunch_minutes=lunch,
        break_minutes=brk, lunch_earliest=time(*divmod(early, 60)),
        lunch_latest=time(*divmod(early + 60, 60)), longest_block=longest),
    start=st.sampled_from([9 * 60, 10 * 60]), length=st.integers(180, 420).map(lambda m: m - m % 5),
    lunch=st.sampled_from([30, 45]), brk=st.sampled_from([5, 10]),
    early=st.sampled_from([11 * 60 + 30, 12 * 60]), longest=st.sampled_from([45, 60, 90]))


@settings(max_examples=examples(150), deadline=None)
@given(subjects=st.lists(small_subject, min_size=1, max_size=3), day=small_day)
def test_no_block_passes_the_limit_when_a_layout_with_the_limit_exists(subjects, day):
    plan, _ = build_day(subjects, day)
    long_runs = [r for r in runs(plan.items) if r > day.longest_block] if plan else []

    if rule_layout_exists(subjects, day):
        assert plan is not None and long_runs == []
    if plan is not None and long_runs:
        assert any(f"休憩なしで{r}分続きます" in note for r in long_runs for note in plan.notes)


def day_load(subjects, day):
    plan, _ = build_day(subjects, day)
    return None if plan is None else plan.subject_minutes


whole_subject = st.builds(lambda low, extra: SubjectSpec(title=f"科目{low}", minutes_min=low,
                                                         minutes_max=low + extra),
                          low=st.sampled_from([30, 45, 60, 90, 120, 150]), extra=st.sampled_from([0, 15, 30]))


@settings(max_examples=examples(80), deadline=None)
@given(subjects=st.lists(whole_subject, min_size=2, max_size=5), count=st.sampled_from([2, 3]),
       end=st.sampled_from([time(13, 0), time(15, 0), time(17, 45)]))
def test_several_days_take_the_most_even_split_that_fits(subjects, count, end):
    assume(len(subjects) >= count)
    days = [DaySettings(end=end) for _ in range(count)]

    timetable = build_timetable(subjects, days)

    spreads = []
    for cuts in combinations(range(1, len(subjects)), count - 1):
        bounds = (0,) + cuts + (len(subjects),)
        loads = [day_load(subjects[a:b], d) for a, b, d in zip(bounds, bounds[1:], days)]
        if None not in loads:
            spreads.append(max(loads) - min(loads))
    if not spreads:
        assert not timetable.feasible and re.search(r"\d", timetable.reasons[0])
        return
    loads = [d.subject_minutes for d in timetable.days]
    assert max(loads) - min(loads) == min(spreads)
    assert [i.title for i in timetable.subject_items] == [s.title for s in subjects]
    if max(loads) != min(loads):
        assert "最も均等な分け方" in timetable.split_note and f"差{max(loads) - min(loads)}分" in timetable.split_note


@settings(max_examples=examples(60), deadline=None)
@given(subjects=st.lists(whole_subject, min_size=2, max_size=6), count=st.sampled_from([1, 2, 3]))
def test_the_seven_to_eight_hour_check_applies_to_several_days_too(subjects, count):
    assume(len(subjects) >= count)

    timetable = build_timetable(subjects, [DaySettings() for _ in range(count)])

    assume(timetable.feasible)
    total = timetable.total_subject_minutes
    said = [w for w in timetable.warnings if "7～8時間程度" in w]
    assert bool(said) == (not 420 <= total <= 480)
    if said:
        assert f"{total}分" in said[0]


# --------------------------------------------------------------------------- examples

def counselor_day(**kwargs):
    return build_timetable(subjects_of(load_curricula()["counselor"]), [DaySettings(**kwargs)])


def test_counselor_e_gets_a_break_between_its_sessions():
    items = counselor_day().days[0].items

    e = [i for i, item in enumerate(items) if item.letter == "E"]
    inside = [items[i].kind for i in range(e[0], e[-1] + 1)]
    assert "break" in inside or "lunch" in inside
    assert max(runs(items)) <= 90
    assert all(items[i].subject == "相談支援の展開" for i in e)


def test_a_longer_block_allowed_means_no_break_inside():
    items = counselor_day(longest_block=180).days[0].items

    e = [i for i, item in enumerate(items) if item.letter == "E"]
    assert all(items[i].kind == "session" for i in range(e[0], e[-1] + 1))


def test_lunch_may_fall_between_two_sessions_of_one_subject():
    subjects = [SubjectSpec("講義甲", 150, 150, "A", parts=(PartSpec("前", minutes_min=90, minutes_max=90),
                                                           PartSpec("後", minutes_min=60, minutes_max=60))),
                SubjectSpec("講義乙", 120, 120, "B")]

    items = build_timetable(subjects, [DaySettings(start=time(10, 0))]).days[0].items

    lunch = next(i for i, item in enumerate(items) if item.kind == "lunch")
    assert (items[lunch - 1].title, items[lunch + 1].title) == ("前", "後")
    assert items[lunch - 1].subject == items[lunch + 1].subject == "講義甲"


def test_the_sources_session_minutes_are_kept_and_shares_are_marked_as_estimates():
    items = build_timetable(subjects_of(load_curricula()["common"], {"C": {"lecturer_practice"}}),
                            [DaySettings()]).items

    c = [i for i in items if i.letter == "C"]
    assert len(c) == 2 and all(i.estimated for i in c)  # the source gives C's parts no minutes
    a = [i for i in counselor_day().items if i.letter == "A"]
    assert [i.estimated for i in a] == [False, False]  # 20～30 and 60 minutes: the source's own
    assert 20 <= a[0].minutes <= 30 and a[1].minutes == 60


def test_an_optional_session_stays_out_unless_chosen():
    d = [i.title for i in counselor_day().items if i.letter == "D"]

    assert not any("対談" in title for title in d)


def test_a_session_over_the_limit_that_cannot_be_cut_is_said():
    subjects = [SubjectSpec("長い演習", 120, 120, "A", parts=(PartSpec("演習", minutes_min=120, minutes_max=120),))]

    timetable = build_timetable(subjects, [DaySettings(lunch_minutes=0, end=time(11, 30))])

    assert timetable.feasible
    assert any("科目A「長い演習」は休憩なしで120分続きます" in w for w in timetable.warnings)


def test_two_days_of_counselor_are_balanced_and_say_how():
    timetable = build_timetable(subjects_of(load_curricula()["counselor"]), [DaySettings(), DaySettings()])

    first, second = ([i.letter for i in d.subjects] for d in timetable.days)
    assert (first, second) == (["A", "B", "C"], ["D", "E"])
    loads = [d.subject_minutes for d in timetable.days]
    assert abs(loads[0] - loads[1]) <= 60
    assert timetable.split_note.startswith(f"講義・演習は1日目{loads[0]}分・2日目{loads[1]}分です。")


@pytest.mark.parametrize("key", sorted(load_curricula()))
def test_default_day_has_no_block_over_ninety_minutes(key):
    timetable = build_timetable(subjects_of(load_curricula()[key]), [DaySettings()])

    assert max(runs(timetable.items)) <= 90
    assert [i.letter for i in timetable.subject_items] == [s.letter for s in load_curricula()[key].subjects]
