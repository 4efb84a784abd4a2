"""Template filters: Japanese dates with their fiscal year, durations, curriculum names."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask

from curricula import get_curriculum
from planner.domain.dates import (
    format_date_ja,
    format_date_wareki,
    format_date_with_fy,
    format_days_ja,
    format_utc_ja,
)
from planner.domain.schedule import duration_ja
from planner.services.plans.timetables import training_warnings

TOKYO = ZoneInfo("Asia/Tokyo")


def utc_local(moment: datetime | None) -> str:
    """A stored UTC time (naive) as Tokyo wall-clock time, e.g. 2026/01/20 09:05."""
    if moment is None:
        return "—"
    return moment.replace(tzinfo=timezone.utc).astimezone(TOKYO).strftime("%Y/%m/%d %H:%M")


def register_filters(app: Flask) -> None:
    app.add_template_filter(utc_local, "utc_local")
    app.add_template_filter(format_date_ja, "date_ja")
    app.add_template_filter(lambda training: format_days_ja(training.days), "training_days")
    app.add_template_filter(format_date_with_fy, "date_fy")
    app.add_template_filter(format_date_wareki, "date_wareki")  # mails and documents: 令和8年2月18日（水）
    app.add_template_filter(duration_ja, "duration")
    app.add_template_filter(format_utc_ja, "datetime_ja")
    app.add_template_filter(lambda key: get_curriculum(key).short_title, "curriculum_short")
    app.add_template_filter(training_warnings, "training_warnings")
