"""Template filters: Japanese dates with their fiscal year, durations, curriculum names."""
from flask import Flask

from curricula import get_curriculum
from planner.dates import fiscal_year, fiscal_years_label, format_date_ja, format_date_with_fy
from planner.schedule import duration_ja


def plan_years(plan) -> str:
    """The fiscal years a plan's November-to-October cycle spans, e.g. 令和7〜8年度."""
    return fiscal_years_label(fiscal_year(plan.cycle_start), fiscal_year(plan.cycle_end))


def register_filters(app: Flask) -> None:
    from planner.views.trainings import training_warnings
    app.add_template_filter(format_date_ja, "date_ja")
    app.add_template_filter(format_date_with_fy, "date_fy")
    app.add_template_filter(duration_ja, "duration")
    app.add_template_filter(plan_years, "plan_years")
    app.add_template_filter(lambda key: get_curriculum(key).short_title, "curriculum_short")
    app.add_template_filter(training_warnings, "training_warnings")
