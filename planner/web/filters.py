"""Template filters: Japanese dates with their fiscal year, durations, curriculum names."""
from flask import Flask

from curricula import get_curriculum
from planner.domain.dates import format_date_ja, format_date_with_fy, format_utc_ja
from planner.domain.schedule import duration_ja
from planner.services.timetables import training_warnings


def register_filters(app: Flask) -> None:
    app.add_template_filter(format_date_ja, "date_ja")
    app.add_template_filter(format_date_with_fy, "date_fy")
    app.add_template_filter(duration_ja, "duration")
    app.add_template_filter(format_utc_ja, "datetime_ja")
    app.add_template_filter(lambda key: get_curriculum(key).short_title, "curriculum_short")
    app.add_template_filter(training_warnings, "training_warnings")
