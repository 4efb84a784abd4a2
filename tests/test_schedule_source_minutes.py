"""Session minutes as the source states them (issue 24): a figure 「程度」 holds within ±20%,
a range inside it, on one day or several, with or without the source's options."""
import json
from datetime import time
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curricula import load_curricula
from planner.domain.schedule import (
    DaySettings,
    PartSpec,
    build_timetable,
    source_range,
    subjects_of,
)

CURRICULA = load_curricula()


def option_sets(curriculum):
    """Every combination of the source's options (none chosen, or one per subject)."""
    choices = [[None] + [o.key for o in s.options] for s in curriculum.subjects]
    for combo in product(*choices):
        yield {s.letter: key for s, key in zip(curriculum.subjects, combo) if key}


CASES = [(key, options) for key, c in CURRICULA.items() for options in option_sets(c)]


def source_sessions(curriculum):
    """(letter, session title) -> the session's allowed minutes, for sessions with source minutes."""
    return {(s.letter, x.title): source_range(PartSpec(x.title, x.kind, x.minutes_min, x.minutes_max, x.about))
            for s in curriculum.subjects for x in s.sessions if x.minutes_min is not None}


def test_about_figures_hold_within_twenty_percent():
    assert source_range(PartSpec("報告", "lecture", 10, 10, about=True)) == (8, 12)
    assert source_range(PartSpec("報告", "lecture", 15, 15, about=True)) == (12, 18)
    assert source_range(PartSpec("事例", "case_report", 30, 50, about=True)) == (30, 50)
    assert source_range(PartSpec("演習", "exercise", 40, 40)) == (40, 40)


def test_the_data_reads_about_from_the_source_wording():
    counselor = CURRICULA["counselor"]
    mini = counselor.subject("D").sessions[0]

    assert (mini.minutes_min, mini.about) == (10, True)
    assert not CURRICULA["job_support"].subject("A").sessions[0].about  # the draft's own figure


@settings(max_examples=400, deadline=None)
@given(case=st.sampled_from(CASES), day_count=st.sampled_from([1, 1, 2, 3]),
       start=st.sampled_from([8 * 60 + 30, 9 * 60, 9 * 60 + 30, 10 * 60]),
       length=st.integers(min_value=6 * 60, max_value=11 * 60),
       brk=st.sampled_from([5, 10, 15]), lunch=st.sampled_from([0, 45, 60]),
       longest=st.sampled_from([60, 90, 120, 480]))
def test_every_feasible_layout_keeps_the_source_minutes(case, day_count, start, length, brk, lunch, longest):
    key, options = case
    curriculum = CURRICULA[key]
    end = min(start + length, 23 * 60 + 59)
    day = DaySettings(start=time(*divmod(start, 60)), end=time(*divmod(end, 60)), break_minutes=brk,
                      lunch_minutes=lunch, longest_block=longest)
    allowed = source_sessions(curriculum)

    timetable = build_timetable(subjects_of(curriculum, options), [day] * day_count)

    for item in timetable.items:
        if item.kind == "session" and not curriculum.official:
            assert item.estimated, item  # the draft's minutes are never the source's
        if item.kind != "session" or item.parts < 2:
            continue
        bounds = allowed.get((item.letter, item.title))
        if bounds is None:
            assert item.estimated, item  # 「按分の目安」
        else:
            assert bounds[0] <= item.minutes <= bounds[1], (key, options, day_count, item)
            assert item.estimated == (not curriculum.official), item


@pytest.mark.parametrize("key,options", CASES, ids=lambda x: str(x))
@pytest.mark.parametrize("day_count", [1, 2])
def test_default_days_are_feasible_and_keep_the_source_minutes(key, options, day_count):
    curriculum = CURRICULA[key]
    allowed = source_sessions(curriculum)

    timetable = build_timetable(subjects_of(curriculum, options), [DaySettings()] * day_count)

    assert timetable.feasible, timetable.reasons
    sessions = [i for i in timetable.items if i.kind == "session" and (i.letter, i.title) in allowed]
    assert all(allowed[(i.letter, i.title)][0] <= i.minutes <= allowed[(i.letter, i.title)][1] for i in sessions)
    for letter in {s.letter for s in curriculum.subjects}:
        spent = sum(i.minutes for i in timetable.items if i.kind == "session" and i.letter == letter)
        subject = curriculum.subject(letter)
        option = subject.option(options.get(letter, ""))
        low, high = (option.minutes,) * 2 if option and option.minutes else (subject.minutes_min, subject.minutes_max)
        assert low <= spent <= high  # and the subject keeps its own range


def test_counselor_d_with_the_dialogue_keeps_every_session_in_range():
    curriculum = CURRICULA["counselor"]

    timetable = build_timetable(subjects_of(curriculum, {"D": "dialogue"}), [DaySettings()])

    d = {i.title: i.minutes for i in timetable.items if i.kind == "session" and i.letter == "D"}
    assert 8 <= d["講義と演習⑥のミニシンポジウムの報告"] <= 12
    assert 30 <= d["任意事業の担当者との対談形式の講義（任意）"] <= 40
    assert 30 <= d["講義と演習⑦の事例と修了者自身の事例の紹介"] <= 50
    assert 60 <= sum(d.values()) <= 80


def test_the_spare_note_names_the_sessions_that_took_the_minutes():
    timetable = build_timetable(subjects_of(CURRICULA["counselor"]), [DaySettings(end=time(18, 15))])

    note = timetable.days[0].spare_note
    assert "「セッション① 包括的な相談受付の場面」+" in note


def test_the_drafts_json_says_draft_and_every_minute_estimated(runner):
    result = runner.invoke(args=["schedule", "job_support", "--json"])

    data = json.loads(result.output)
    sessions = [i for i in data["items"] if i["kind"] == "session"]
    assert (result.exit_code, data["draft"], data["curriculum"]) == (0, True, "job_support")
    assert sessions and all(i["estimated"] for i in sessions)


def test_an_official_curriculums_json_is_not_a_draft(runner):
    data = json.loads(runner.invoke(args=["schedule", "counselor", "--json"]).output)

    assert data["draft"] is False
    assert not any(i["estimated"] for i in data["items"] if i["kind"] == "session")


def test_the_drafts_minimum_fits_its_own_seven_to_eight_hours():
    draft = CURRICULA["job_support"]

    assert (draft.hours_min, draft.hours_max) == (420, 480)
    assert draft.hours_min <= draft.minutes_min <= draft.minutes_max <= draft.hours_max


def test_two_days_print_each_day_in_the_text(runner):
    result = runner.invoke(args=["schedule", "counselor", "--days", "2", "--date", "2027-06-09"])

    assert result.exit_code == 0
    assert "■ 1日目（2027-06-09）" in result.output and "■ 2日目（2027-06-10）" in result.output
