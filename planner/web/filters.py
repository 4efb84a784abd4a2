"""Template filters: Japanese dates in the era (和暦) with their fiscal year, durations,
curriculum names; and one wave dash on every page."""
from datetime import datetime

from flask import Flask
from jinja2 import pass_eval_context
from markupsafe import Markup

from curricula import get_curriculum
from planner.domain.dates import (
    format_date_ja,
    format_date_wareki,
    format_date_with_fy,
    format_days_ja,
    format_month_wareki,
    format_utc_ja,
    format_year_wareki,
)
from planner.domain.schedule import duration_ja
from planner.services.plans.editions import curriculum_for
from planner.services.plans.timetables import training_warnings
from planner.services.timeline import training_name

#: the wave dash pages show (〜, as the app's own words write it) and the one they do not
#: (～, as the curricula's source text and Windows write it): a row never shows both
WAVE_DASH, FULLWIDTH_TILDE = "\u301c", "\uff5e"


@pass_eval_context
def one_wave_dash(eval_ctx, value):
    """What a page prints, with ～ written as 〜. Only pages (autoescaped HTML): a mail's text
    keeps the documents' dash. Markup (a form field's own HTML, which holds what a person
    typed) is left as it is, so saving a form never changes their text."""
    if eval_ctx.autoescape and isinstance(value, str) and not isinstance(value, Markup):
        return value.replace(FULLWIDTH_TILDE, WAVE_DASH)
    return value


def utc_local(moment: datetime | None) -> str:
    """A stored UTC time (naive) as Tokyo's clock reads it, e.g. 令和8年1月20日（火）9:05."""
    if moment is None:
        return "—"
    return format_utc_ja(moment)


def register_filters(app: Flask) -> None:
    app.jinja_env.finalize = one_wave_dash  # every {{ … }}: curricula, stored text, messages
    app.add_template_filter(utc_local, "utc_local")
    app.add_template_filter(format_date_ja, "date_ja")  # 令和8年2月18日（水）, as documents write it
    app.add_template_filter(lambda training: format_days_ja(training.days), "training_days")
    app.add_template_filter(format_date_with_fy, "date_fy")
    app.add_template_filter(format_date_wareki, "date_wareki")
    app.add_template_filter(format_month_wareki, "month_wareki")
    app.add_template_filter(format_year_wareki, "year_wareki")
    app.add_template_filter(duration_ja, "duration")
    app.add_template_filter(format_utc_ja, "datetime_ja")
    # a training (a local one has its own title) or a curriculum key
    app.add_template_filter(lambda t: get_curriculum(t).short_title if isinstance(t, str)
                            else curriculum_for(t).short_title, "curriculum_short")
    app.add_template_filter(curriculum_for, "curriculum_of")
    app.add_template_filter(training_name, "training_name")
    app.add_template_filter(training_warnings, "training_warnings")
