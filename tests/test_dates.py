"""Fiscal years, era labels, holidays and working days, checked against known dates."""
from datetime import date

import pytest

from planner.domain.dates import (
    add_working_days,
    date_warnings,
    era_year,
    fiscal_year,
    fiscal_year_label,
    fiscal_years_label,
    format_date_ja,
    format_date_with_fy,
    holiday_name,
    is_working_day,
    next_working_day,
    previous_working_day,
)

CYCLE_2025 = (date(2025, 11, 1), date(2026, 10, 31))


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 2, 18), 2025),
    (date(2026, 3, 31), 2025),
    (date(2026, 4, 1), 2026),
    (date(2026, 5, 1), 2026),
    (date(2025, 11, 17), 2025),
])
def test_fiscal_year_april_to_march(day, expected):
    assert fiscal_year(day) == expected


@pytest.mark.parametrize(("fy", "expected"), [
    (2025, "令和7年度"),
    (2019, "令和元年度"),
    (2020, "令和2年度"),
    (2018, "平成30年度"),
    (1989, "平成元年度"),
])
def test_era_year_reiwa_and_heisei(fy, expected):
    assert era_year(fy) == expected


def test_era_year_before_heisei_refused():
    with pytest.raises(ValueError):
        era_year(1988)


def test_fiscal_year_label_common_training_in_reiwa_7():
    label = fiscal_year_label(date(2026, 2, 18))

    assert label == "令和7年度（2025年度）"


def test_fiscal_year_label_late_term_training_in_reiwa_8():
    label = fiscal_year_label(date(2026, 5, 1))

    assert label == "令和8年度（2026年度）"


def test_fiscal_years_label_span_of_a_cycle():
    assert fiscal_years_label(2025, 2026) == "令和7〜8年度"


def test_fiscal_years_label_same_year_single():
    assert fiscal_years_label(2025, 2025) == "令和7年度"


def test_fiscal_years_label_across_eras():
    assert fiscal_years_label(2018, 2019) == "平成30〜令和元年度"


def test_format_date_ja_with_weekday():
    assert format_date_ja(date(2026, 2, 18)) == "令和8年2月18日（水）"


def test_format_date_with_fy_appends_era_fiscal_year():
    assert format_date_with_fy(date(2026, 2, 18)) == "令和8年2月18日（水）令和7年度"


def test_holiday_name_emperors_birthday():
    assert holiday_name(date(2026, 2, 23)) == "天皇誕生日"


def test_holiday_name_substitute_holiday_after_sunday():
    assert holiday_name(date(2025, 11, 23)) == "勤労感謝の日"  # a Sunday
    assert holiday_name(date(2025, 11, 24)) == "振替休日"
    assert not is_working_day(date(2025, 11, 24))


def test_holiday_name_citizens_holiday_between_two_holidays():
    assert holiday_name(date(2026, 9, 21)) == "敬老の日"
    assert holiday_name(date(2026, 9, 22)) == "国民の休日"
    assert holiday_name(date(2026, 9, 23)) == "秋分の日"


def test_holiday_name_ordinary_day_none():
    assert holiday_name(date(2026, 2, 18)) is None


def test_is_working_day_leap_day_tuesday():
    leap_day = date(2028, 2, 29)

    assert leap_day.weekday() == 1
    assert is_working_day(leap_day)
    assert fiscal_year(leap_day) == 2027


@pytest.mark.parametrize("day", [date(2025, 12, 29), date(2025, 12, 31), date(2026, 1, 2),
                                 date(2026, 1, 3)])
def test_is_working_day_year_end_closure(day):
    assert not is_working_day(day)


def test_next_working_day_over_three_day_weekend():
    # Sat 2026-01-10, Sun 11, 成人の日 Mon 12
    assert next_working_day(date(2026, 1, 10)) == date(2026, 1, 13)


def test_next_working_day_itself_when_working():
    assert next_working_day(date(2026, 2, 18)) == date(2026, 2, 18)


def test_next_working_day_after_year_end_closure():
    assert next_working_day(date(2025, 12, 27)) == date(2026, 1, 5)


def test_previous_working_day_before_year_end_closure():
    assert previous_working_day(date(2026, 1, 4)) == date(2025, 12, 26)


def test_add_working_days_skips_holiday_and_weekend():
    # Fri 2026-02-20 + 1: Sat, Sun, 天皇誕生日 Mon are skipped
    assert add_working_days(date(2026, 2, 20), 1) == date(2026, 2, 24)


def test_add_working_days_backwards():
    assert add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 20)


def test_add_working_days_zero_rolls_forward():
    assert add_working_days(date(2026, 2, 21), 0) == date(2026, 2, 24)


def test_date_warnings_saturday():
    warnings = date_warnings(date(2026, 2, 21), *CYCLE_2025)

    assert warnings == ["令和8年2月21日（土）は土曜日です。"]


def test_date_warnings_holiday_names_it():
    warnings = date_warnings(date(2026, 2, 23), *CYCLE_2025)

    assert warnings == ["令和8年2月23日（月）は祝日（天皇誕生日）です。"]


def test_date_warnings_outside_cycle():
    warnings = date_warnings(date(2026, 11, 4), *CYCLE_2025)

    assert warnings == ["令和8年11月4日（水）は計画の期間（令和7年11月1日〜令和8年10月31日）の外です。"]


def test_date_warnings_year_end_closure():
    warnings = date_warnings(date(2025, 12, 29), *CYCLE_2025)

    assert warnings == ["令和7年12月29日（月）は年末年始（12月29日〜1月3日）の閉庁日です。"]


def test_date_warnings_working_day_none():
    assert date_warnings(date(2026, 2, 18), *CYCLE_2025) == []
