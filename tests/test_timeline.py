"""The Oita-style timeline: months as the seed gives them, working days, and sound order."""
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.domain.dates import fiscal_year, fiscal_year_label, fiscal_years_label, is_working_day
from planner.domain.timeline import (
    CHECKLIST,
    KIND_NAMES,
    TRAINING_KEYS,
    TimelineError,
    cycle_bounds,
    generate_timeline,
    move_milestone,
    training_window,
    validate_order,
)
from tests.hypothesis_profiles import examples

ALL_DEFAULT = dict.fromkeys(TRAINING_KEYS)


def find(milestones, kind, key=None):
    """The milestones of one kind (and training key), in date order."""
    return [m for m in milestones if m.kind == kind and (key is None or m.training_key == key)]


def index_of(milestones, title):
    """The position of the milestone with this title."""
    return next(i for i, m in enumerate(milestones) if m.title == title)


def test_generate_timeline_defaults_follow_the_oita_months():
    timeline = generate_timeline(2025, ALL_DEFAULT)

    months = {(m.kind, m.training_key, m.order): (m.start.year, m.start.month) for m in timeline}
    assert months[("launch", None, 0)] == (2025, 11)
    assert months[("meeting", "common", 1)] == (2026, 1)
    assert months[("meeting", "common", 2)] == (2026, 1)
    assert months[("training", "common", 0)] in {(2026, 2), (2026, 3)}
    assert [months[("meeting", "counselor", n)] for n in (1, 2, 3)] == [(2026, 4)] * 3
    assert (2026, 5) <= months[("training", "counselor", 0)] <= (2026, 9)
    assert months[("training", "job_support", 0)] == (2026, 10)
    assert len(timeline) == 1 + 2 + 3 + 4 * 2


def test_generate_timeline_defaults_on_working_days_inside_cycle():
    timeline = generate_timeline(2025, ALL_DEFAULT)

    first, last = cycle_bounds(2025)
    assert all(is_working_day(m.start) and is_working_day(m.end) for m in timeline)
    assert all(first <= m.start <= m.end <= last for m in timeline)
    assert [m.start for m in timeline] == sorted(m.start for m in timeline)
    assert validate_order(timeline) == []


def test_generate_timeline_defaults_meetings_before_trainings_retrospectives_after():
    timeline = generate_timeline(2025, ALL_DEFAULT)

    trainings = {m.training_key: m for m in find(timeline, "training")}
    for meeting in find(timeline, "meeting"):
        assert all(meeting.end < trainings[k].start for k in meeting.prepares)
    for retro in find(timeline, "retrospective"):
        gap = (retro.start - trainings[retro.training_key].end).days
        assert 7 <= gap <= 14


def test_generate_timeline_meeting_spacing_and_first_day():
    timeline = generate_timeline(2025, ALL_DEFAULT)

    common = [m.start for m in find(timeline, "meeting", "common")]
    late = [m.start for m in find(timeline, "meeting", "counselor")]
    assert common[0] >= date(2026, 1, 8)
    assert (common[1] - common[0]).days >= 14
    assert all((b - a).days >= 7 for a, b in zip(late, late[1:]))
    assert late[-1] < date(2026, 4, 29)  # before Golden Week


def test_generate_timeline_meeting_titles_and_prepares():
    timeline = generate_timeline(2025, ALL_DEFAULT)

    titles = [m.title for m in find(timeline, "meeting")]
    assert titles == ["前期共通プログラム検討会議（第1回）", "前期共通プログラム検討会議（第2回）",
                      "相談後期・就労後期 検討会議（第1回）", "相談後期・就労後期 検討会議（第2回）",
                      "相談後期・就労後期 検討会議（第3回）"]
    assert find(timeline, "meeting", "common")[0].prepares == ("common", "chief")
    assert find(timeline, "meeting", "counselor")[0].prepares == ("counselor", "job_support")


def test_generate_timeline_fiscal_year_boundary_inside_one_cycle():
    timeline = generate_timeline(2025, ALL_DEFAULT)

    common = find(timeline, "training", "common")[0].start
    late = [m.start for m in find(timeline, "training") if m.training_key != "common"
            and m.training_key != "chief"]
    assert fiscal_year_label(common) == "令和7年度（2025年度）"
    assert {fiscal_year_label(d) for d in late} == {"令和8年度（2026年度）"}
    span = fiscal_years_label(fiscal_year(timeline[0].start), fiscal_year(timeline[-1].end))
    assert span == "令和7〜8年度"


def test_generate_timeline_chief_after_common_in_march_after_common():
    timeline = generate_timeline(2025, ALL_DEFAULT, chief_after="common")

    chief = find(timeline, "training", "chief")[0].start
    common = find(timeline, "training", "common")[0].start
    assert chief.month == 3 and chief > common


def test_generate_timeline_chief_after_late_in_june_prepared_in_april():
    timeline = generate_timeline(2025, ALL_DEFAULT, chief_after="late")

    chief = find(timeline, "training", "chief")[0].start
    april = find(timeline, "meeting", "counselor")
    assert (chief.year, chief.month) == (2026, 6)
    assert april[0].prepares == ("counselor", "job_support", "chief")
    assert find(timeline, "meeting", "common")[0].prepares == ("common",)
    assert validate_order(timeline) == []


def test_generate_timeline_default_on_holiday_moves_to_next_working_day():
    # cycle 2029: 15 July 2030 is 海の日 and 8 January 2030 is a working Tuesday
    timeline = generate_timeline(2029, ALL_DEFAULT)

    assert find(timeline, "training", "counselor")[0].start == date(2030, 7, 16)


def test_generate_timeline_first_meeting_on_coming_of_age_day_moves():
    # cycle 2028: 8 January 2029 is 成人の日
    timeline = generate_timeline(2028, ALL_DEFAULT)

    assert find(timeline, "meeting", "common")[0].start == date(2029, 1, 9)


def test_generate_timeline_given_dates_kept():
    given = {"common": date(2026, 3, 4), "counselor": date(2026, 9, 10)}

    timeline = generate_timeline(2025, given)

    assert find(timeline, "training", "common")[0].start == date(2026, 3, 4)
    assert find(timeline, "training", "counselor")[0].start == date(2026, 9, 10)
    assert find(timeline, "training", "job_support") == []


def test_generate_timeline_early_training_pulls_meetings_earlier():
    timeline = generate_timeline(2025, {"common": date(2026, 2, 2)})

    meetings = [m.start for m in find(timeline, "meeting", "common")]
    assert meetings[-1] <= date(2026, 2, 2) - timedelta(days=14)
    assert (meetings[1] - meetings[0]).days >= 14
    assert all(is_working_day(d) for d in meetings)
    assert validate_order(timeline) == []


def test_generate_timeline_early_late_term_training_pulls_april_meetings():
    timeline = generate_timeline(2025, {"counselor": date(2026, 5, 1)})

    meetings = [m.start for m in find(timeline, "meeting", "counselor")]
    assert meetings[-1] <= date(2026, 4, 17)
    assert all((b - a).days >= 7 for a, b in zip(meetings, meetings[1:]))
    assert validate_order(timeline) == []


def test_generate_timeline_meetings_never_before_launch():
    timeline = generate_timeline(2025, {"common": date(2025, 12, 1)})

    launch = find(timeline, "launch")[0].start
    assert all(m.start > launch for m in find(timeline, "meeting"))


def test_generate_timeline_unknown_training_refused():
    with pytest.raises(ValueError):
        generate_timeline(2025, {"nursing": None})


def test_validate_order_meeting_after_training_message():
    timeline = generate_timeline(2025, {"common": date(2026, 2, 18)})
    second = index_of(timeline, "前期共通プログラム検討会議（第2回）")
    timeline[second] = replace(timeline[second], start=date(2026, 3, 1), end=date(2026, 3, 1))

    messages = validate_order(timeline)

    assert messages == ["前期共通プログラム検討会議（第2回） 令和8年3月1日 が、準備する"
                        "前期共通プログラムの伝達研修 令和8年2月18日 より後になっています。"]


def test_validate_order_end_before_start_and_after_cycle_end():
    timeline = generate_timeline(2025, {"job_support": date(2026, 10, 15)})
    i = index_of(timeline, "就労支援員・後期の振り返り・反省会")
    timeline[i] = replace(timeline[i], start=date(2026, 11, 5), end=date(2026, 11, 2))

    messages = validate_order(timeline)

    assert messages == [
        "就労支援員・後期の振り返り・反省会 の終了日 令和8年11月2日 が、開始日 令和8年11月5日 より前になっています。",
        "就労支援員・後期の振り返り・反省会 令和8年11月2日 が、計画の期間の終わり（令和8年10月31日）より後になっています。",
    ]


def test_move_milestone_meeting_after_training_refused_list_unchanged():
    timeline = generate_timeline(2025, ALL_DEFAULT)
    original = list(timeline)
    second = index_of(timeline, "前期共通プログラム検討会議（第2回）")

    with pytest.raises(TimelineError) as caught:
        move_milestone(timeline, second, date(2026, 2, 18))

    assert caught.value.messages == [
        "前期共通プログラム検討会議（第2回） 令和8年2月18日 が、準備する"
        "前期共通プログラムの伝達研修 令和8年2月18日 と同じ日になっています。"]
    assert timeline == original


def test_move_milestone_retrospective_before_training_refused():
    timeline = generate_timeline(2025, ALL_DEFAULT)
    original = list(timeline)
    retro = index_of(timeline, "相談支援員・後期の振り返り・反省会")

    with pytest.raises(TimelineError) as caught:
        move_milestone(timeline, retro, date(2026, 7, 1))

    assert caught.value.messages == [
        "相談支援員・後期の振り返り・反省会 令和8年7月1日 が、"
        "相談支援員・後期の伝達研修 令和8年7月15日 より前になっています。"]
    assert timeline == original


def test_move_milestone_before_launch_refused():
    timeline = generate_timeline(2025, ALL_DEFAULT)
    first = index_of(timeline, "前期共通プログラム検討会議（第1回）")

    with pytest.raises(TimelineError) as caught:
        move_milestone(timeline, first, date(2025, 11, 10))

    assert caught.value.messages == [
        "前期共通プログラム検討会議（第1回） 令和7年11月10日 が、"
        "企画会議チームの立ち上げ 令和7年11月17日 より前になっています。"]


def test_move_milestone_to_saturday_warns_but_moves():
    timeline = generate_timeline(2025, ALL_DEFAULT)
    training = index_of(timeline, "前期共通プログラムの伝達研修")

    moved, warnings = move_milestone(timeline, training, date(2026, 2, 21))

    assert moved[training].start == date(2026, 2, 21)
    assert warnings == ["令和8年2月21日（土）は土曜日です。"]
    assert timeline[training].start == date(2026, 2, 18)


def test_move_milestone_multi_day_keeps_length():
    timeline = generate_timeline(2025, ALL_DEFAULT)
    training = index_of(timeline, "相談支援員・後期の伝達研修")
    two_days = timeline[training].start + timedelta(days=1)
    timeline[training] = replace(timeline[training], end=two_days)

    moved, warnings = move_milestone(timeline, training, date(2026, 7, 8))

    assert (moved[training].start, moved[training].end) == (date(2026, 7, 8), date(2026, 7, 9))
    assert warnings == []


def test_move_milestone_mends_broken_plan_step_by_step():
    timeline = generate_timeline(2025, ALL_DEFAULT)
    first = index_of(timeline, "前期共通プログラム検討会議（第1回）")
    second = index_of(timeline, "前期共通プログラム検討会議（第2回）")
    timeline[second] = replace(timeline[second], start=date(2026, 3, 2), end=date(2026, 3, 2))
    assert len(validate_order(timeline)) == 1

    unrelated, _ = move_milestone(timeline, first, date(2026, 1, 9))
    mended, _ = move_milestone(unrelated, second, date(2026, 1, 26))

    assert len(validate_order(unrelated)) == 1  # an old problem does not block other moves
    assert validate_order(mended) == []


def test_checklist_follows_the_seed_steps():
    kinds = {item.kind for item in CHECKLIST}
    keys = [item.key for item in CHECKLIST]

    assert [item.step for item in CHECKLIST] == ["【１】", "①", "②", "③", "【３】"]
    assert kinds <= set(KIND_NAMES) and kinds == {"launch", "meeting"}
    assert len(keys) == len(set(keys))
    assert "たたき台" in CHECKLIST[1].text


def days_in(window):
    """A strategy for any day inside a (first, last) window."""
    first, last = window
    return st.integers(0, (last - first).days).map(lambda n: first + timedelta(days=n))


@st.composite
def training_plans(draw):
    """A cycle year, a chief placement and some trainings dated inside their windows."""
    cycle_year = draw(st.integers(2024, 2040))
    chief_after = draw(st.sampled_from(["common", "late"]))
    keys = draw(st.sets(st.sampled_from(TRAINING_KEYS), min_size=1))
    trainings = {}
    for key in sorted(keys):
        window = training_window(key, cycle_year, chief_after)
        trainings[key] = draw(st.none() | days_in(window))
    return cycle_year, trainings, chief_after


@settings(max_examples=examples(200), deadline=None)
@given(training_plans())
def test_generate_timeline_any_dates_in_windows_validates(plan):
    cycle_year, trainings, chief_after = plan

    timeline = generate_timeline(cycle_year, trainings, chief_after)

    assert validate_order(timeline, cycle_year) == []
    generated = [m for m in timeline if m.kind != "training" or trainings[m.training_key] is None]
    assert all(is_working_day(m.start) for m in generated)
