"""Session minutes as the source states them (issue 24): a figure 「程度」 holds within ±20%,
a range inside it, on one day or several, with or without the source's options."""
import json
from datetime import time
from itertools import combinations, product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curricula import load_curricula
from planner.domain.schedule import DaySettings, PartSpec, build_timetable, source_range, subjects_of

CURRICULA = load_curricula()


def subject_option_sets(subject):
    """Every set of the subject's options that may be on together (the empty set included)."""
    keys = [o.key for o in subject.options]
    return [frozenset(chosen) for n in range(len(keys) + 1) for chosen in combinations(keys, n)
            if not subject.option_problems(chosen)]


def option_sets(curriculum):
    """Every feasible combination of the source's options: any set per subject, all subjects."""
    for combo in product(*[subject_option_sets(s) for s in curriculum.subjects]):
        yield {s.letter: keys for s, keys in zip(curriculum.subjects, combo) if keys}


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


def test_the_option_sets_are_every_combination_but_two_lengths_at_once():
    chief_c = CURRICULA["chief"].subject("C")
    counselor_d = CURRICULA["counselor"].subject("D")

    assert len(subject_option_sets(counselor_d)) == 2 ** len(counselor_d.options)  # any of them together
    assert sorted(map(sorted, subject_option_sets(chief_c))) == [[], ["60"], ["75"]]  # one length
    assert sum(1 for key, _ in CASES if key == "counselor") == 2 ** sum(len(s.options) for s in
                                                                       CURRICULA["counselor"].subjects)
    assert any(len(options.get("D", ())) >= 2 for key, options in CASES if key == "counselor")


def check_default_days(key, options, day_count, day: DaySettings = DaySettings()) -> list:
    """What breaks the source's minutes (or the subject's range) on default days: empty when
    nothing does."""
    curriculum = CURRICULA[key]
    allowed = source_sessions(curriculum)
    timetable = build_timetable(subjects_of(curriculum, options), [day] * day_count)
    if not timetable.feasible:
        return [("infeasible", timetable.reasons)]
    wrong = [(i.letter, i.title, i.minutes) for i in timetable.items if i.kind == "session"
             and (i.letter, i.title) in allowed
             and not allowed[(i.letter, i.title)][0] <= i.minutes <= allowed[(i.letter, i.title)][1]]
    for subject in curriculum.subjects:
        spent = sum(i.minutes for i in timetable.items if i.kind == "session" and i.letter == subject.letter)
        low, high = subject.option_minutes(options.get(subject.letter, ()))
        if not low <= spent <= high:  # and the subject keeps its own range
            wrong.append((subject.letter, "subject", spent))
    added = {t for s in curriculum.subjects for t in s.option_sessions(options.get(s.letter, ()))}
    shown = {i.title for i in timetable.items if i.kind == "session"}
    wrong += [("missing session", title) for title in added - shown]
    return wrong


@pytest.mark.parametrize("key", sorted(CURRICULA))
@pytest.mark.parametrize("day_count", [1, 2])
def test_every_option_set_on_default_days_is_feasible_and_keeps_the_source_minutes(key, day_count):
    """Exhaustive: every feasible set of options of the curriculum, on one day and on two."""
    cases = [options for k, options in CASES if k == key]

    failures = [(options, wrong) for options in cases if (wrong := check_default_days(key, options, day_count))]

    assert cases and failures == []


def test_the_exhaustive_check_reports_a_day_that_does_not_hold_the_options():
    short = DaySettings(end=time(15, 0))

    assert check_default_days("counselor", {"D": {"dialogue"}}, 1) == []
    assert check_default_days("counselor", {"D": {"dialogue"}}, 1, short)[0][0] == "infeasible"


def test_counselor_d_with_the_dialogue_keeps_every_session_in_range():
    curriculum = CURRICULA["counselor"]

    timetable = build_timetable(subjects_of(curriculum, {"D": {"dialogue"}}), [DaySettings()])

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
