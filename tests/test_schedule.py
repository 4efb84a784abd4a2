"""The scheduler: hard rules as properties over random days, and the explanations it gives."""
import re
from dataclasses import replace
from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curricula import load_curricula
from planner.domain.schedule import (
    DaySettings,
    FixedItem,
    ScheduleInputError,
    SubjectSpec,
    build_timetable,
    parse_hhmm,
    subjects_of,
)
from tests.hypothesis_profiles import examples


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def blocks(items):
    """Minutes of each run of sessions with no break or lunch between them."""
    runs, run = [], 0
    for item in items:
        if item.kind == "session":
            run += item.minutes
        elif run:
            runs.append(run)
            run = 0
    return runs + ([run] if run else [])


def check_hard_rules(subjects, days, timetable):
    """Every rule the issue names, checked on a built timetable."""
    placed = timetable.subject_items
    assert [i.title for i in placed] == [s.title for s in subjects]  # whole on a day, order kept
    for spec, item in zip(subjects, placed):
        assert spec.low <= item.minutes <= spec.high
    for day, plan in zip(days, timetable.days):
        items = plan.items
        assert items[0].start == day.start
        assert minutes(items[-1].end) <= minutes(day.end)
        for a, b in zip(items, items[1:]):
            assert a.end == b.start  # no overlap, no hole
            if a.kind == "session" and b.kind == "session" and b.part == 1:
                pytest.fail("two subjects with no break between them")
            if b.kind == "session" and b.part > 1:  # a subject's sessions stay together
                assert a.kind in ("session", "break", "lunch")
        for item in items:
            assert minutes(item.end) - minutes(item.start) == item.minutes
        lunches = [i for i in items if i.kind == "lunch"]
        assert len(lunches) <= 1
        for lunch in lunches:
            assert day.lunch_earliest <= lunch.start <= day.lunch_latest
            index = items.index(lunch)
            assert items[index - 1].kind == "session" and items[index + 1].kind == "session"
        if all(block <= day.longest_block for block in blocks(items)):
            assert not any("休憩なしで" in w for w in plan.notes)
        else:  # a longer block is never silent
            assert any("休憩なしで" in w for w in plan.notes)


subject_strategy = st.builds(
    lambda title, low, extra, local: SubjectSpec(title=title, minutes_min=low,
                                                 minutes_max=low + extra, local=local),
    title=st.text(alphabet="権利擁護支援ホームレスabc", min_size=1, max_size=12),
    low=st.integers(min_value=15, max_value=180),
    extra=st.sampled_from([0, 0, 10, 15, 30, 45]),
    local=st.booleans(),
)

day_strategy = st.builds(
    lambda start, length, lunch, brk, early, window: DaySettings(
        start=time(*divmod(start, 60)), end=time(*divmod(min(start + length, 23 * 60 + 59), 60)),
        lunch_minutes=lunch, break_minutes=brk,
        lunch_earliest=time(*divmod(early, 60)), lunch_latest=time(*divmod(early + window, 60))),
    start=st.integers(min_value=8 * 60, max_value=10 * 60).map(lambda m: m - m % 5),
    length=st.integers(min_value=240, max_value=660),
    lunch=st.sampled_from([30, 45, 60]),
    brk=st.sampled_from([5, 10, 15]),
    early=st.integers(min_value=11 * 60, max_value=12 * 60 + 30),
    window=st.integers(min_value=0, max_value=120),
)


@settings(max_examples=examples(300), deadline=None)
@given(curriculum=st.sampled_from(sorted(load_curricula())),
       local=st.lists(subject_strategy, max_size=3), day=day_strategy)
def test_schedule_keeps_hard_rules_or_explains_with_numbers(curriculum, local, day):
    subjects = subjects_of(load_curricula()[curriculum]) + local

    timetable = build_timetable(subjects, [day])

    if timetable.feasible:
        check_hard_rules(subjects, [day], timetable)
    else:
        assert timetable.reasons
        assert all(re.search(r"\d", reason) for reason in timetable.reasons)
        assert timetable.remedies


@settings(max_examples=examples(100), deadline=None)
@given(local=st.lists(subject_strategy, max_size=3), day=day_strategy)
def test_schedule_over_two_days_keeps_hard_rules(local, day):
    subjects = subjects_of(load_curricula()["counselor"]) + local
    days = [day, replace(day)]

    timetable = build_timetable(subjects, days)

    if timetable.feasible:
        assert len(timetable.days) == 2
        check_hard_rules(subjects, days, timetable)
    else:
        assert timetable.reasons and all(re.search(r"\d", r) for r in timetable.reasons)


@pytest.mark.parametrize("key", ["common", "counselor", "chief", "job_support"])
def test_default_day_is_feasible_for_every_curriculum(key):
    subjects = subjects_of(load_curricula()[key])

    timetable = build_timetable(subjects, [DaySettings()])

    assert timetable.feasible, timetable.reasons
    check_hard_rules(subjects, [DaySettings()], timetable)
    assert 420 <= timetable.total_subject_minutes <= 480
    assert timetable.warnings == []


def test_short_day_says_how_many_minutes_are_missing():
    subjects = subjects_of(load_curricula()["common"])

    timetable = build_timetable(subjects, [DaySettings(end=time(16, 30))])

    # 10 + 390 + 4*10 + 45 + 10 = 495 needed; 09:00-16:30 gives 450.
    assert not timetable.feasible
    assert timetable.reasons == ["最低でも495分必要ですが、使える時間は450分です（09:00〜16:30、45分不足）。"]


def test_short_day_offers_the_sources_remedies():
    subjects = subjects_of(load_curricula()["common"])

    timetable = build_timetable(subjects, [DaySettings(end=time(16, 30))])

    text = "\n".join(timetable.remedies)
    assert "科目C「生活困窮者支援に必要と考えられる視点」（60分）は研修当日に行わず、別日" in text
    assert "終了時刻を16:30から17:15に延ばす：これで収まります。" in text
    assert "2日間に分けて開催する" in text


def test_remedy_moving_the_marked_subject_really_fits():
    subjects = subjects_of(load_curricula()["common"])
    day = DaySettings(end=time(16, 45))
    without_c = [s for s in subjects if s.letter != "C"]

    assert not build_timetable(subjects, [day]).feasible
    assert build_timetable(without_c, [day]).feasible


def test_lunch_window_that_no_gap_reaches_is_explained_per_gap():
    subjects = [SubjectSpec("講義甲", 120, 120, "A"), SubjectSpec("講義乙", 120, 120, "B")]
    # 120 minutes in a row allowed, so neither subject is cut and lunch has one gap to go to
    day = DaySettings(start=time(9, 0), end=time(17, 0), lunch_earliest=time(12, 0),
                      lunch_latest=time(12, 30), opening=(), closing=(), longest_block=120)

    timetable = build_timetable(subjects, [day])

    assert not timetable.feasible
    assert timetable.reasons[0] == "昼食を12:00〜12:30に始められる科目の区切りがありません。"
    assert timetable.reasons[1] == "科目A「講義甲」の後なら昼食開始は11:00。"


def test_override_outside_range_is_kept_and_reported():
    spec = SubjectSpec("支援員に求められる基本倫理と基本姿勢", 60, 90, "B", override=100)

    others = [SubjectSpec("x", 120, 120, "A"), SubjectSpec("y", 60, 60, "C")]

    timetable = build_timetable([others[0], spec, others[1]], [DaySettings()])

    assert [i.minutes for i in timetable.subject_items if i.letter == "B"] == [100]
    assert timetable.deviations == [
        "科目B「支援員に求められる基本倫理と基本姿勢」を100分としています（手引きの目安は60〜90分）。"]


def test_spare_minutes_are_handed_out_deterministically_and_said():
    subjects = subjects_of(load_curricula()["common"])

    first = build_timetable(subjects, [DaySettings()])
    second = build_timetable(subjects, [DaySettings()])

    assert first.as_dict() == second.as_dict()
    assert first.days[0].spare_note.startswith("余裕時間を範囲内で配分しました（B +15分／C +15分")


def test_lunch_starts_nearest_noon_among_feasible_gaps():
    subjects = [SubjectSpec(f"科目{i}", 60, 60, str(i)) for i in range(6)]

    # Lunch could start after the 3rd subject at 12:00 or after the 4th at 13:10.
    timetable = build_timetable(subjects, [DaySettings(start=time(8, 30), end=time(17, 45))])

    lunch = next(i for i in timetable.items if i.kind == "lunch")
    assert lunch.start == time(12, 0)


@pytest.mark.parametrize("subjects, day, message", [
    ([], DaySettings(), "科目が1つもありません"),
    ([SubjectSpec(" ", 60, 60)], DaySettings(), "名前のない科目"),
    ([SubjectSpec("x", -5, 60)], DaySettings(), "1〜600分"),
    ([SubjectSpec("x", 60, 6000)], DaySettings(), "1〜600分"),
    ([SubjectSpec("x", 90, 60)], DaySettings(), "最短が最長を超えています"),
    ([SubjectSpec("x", 60, 60)], DaySettings(start=time(17, 0), end=time(9, 0)), "終了時刻 09:00 が開始時刻 17:00 より前"),
    ([SubjectSpec("x", 60, 60)], DaySettings(lunch_minutes=-1), "昼食の時間 -1分"),
    ([SubjectSpec("x", 60, 60)], DaySettings(break_minutes=500), "休憩の時間 500分"),
    ([SubjectSpec("x", 60, 60)], DaySettings(break_minutes=0), "休憩の時間 0分 は 5〜60分"),
    ([SubjectSpec("x", 60, 60)], DaySettings(opening=(FixedItem("", 10),)), "名前のないもの"),
])
def test_bad_input_is_refused_in_japanese(subjects, day, message):
    with pytest.raises(ScheduleInputError, match=message):
        build_timetable(subjects, [day])


@pytest.mark.parametrize("text", ["25:00", "9時", "09:5", "", "12:60", "-1:00"])
def test_bad_clock_time_is_refused(text):
    with pytest.raises(ScheduleInputError, match="時刻として読めません"):
        parse_hhmm(text, "開始時刻")
