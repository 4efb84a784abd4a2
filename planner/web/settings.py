"""The prefecture's settings page: what the handouts print as 主催 and 問い合わせ先."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from planner.services import usual_day as usual
from planner.services.errors import ChangeRefused
from planner.services.prefecture_settings import SETTING_FIELDS, settings_version, update_settings
from planner.web.access import official_required
from planner.web.forms import PrefectureSettingsForm, UsualDayForm

bp = Blueprint("settings", __name__)


@bp.route("/settings", methods=["GET", "POST"])
@official_required
def edit():
    prefecture = current_user.prefecture
    form = PrefectureSettingsForm(obj=prefecture)
    if not form.is_submitted():
        form.version.data = settings_version(prefecture)
    if form.validate_on_submit():
        try:
            update_settings(prefecture, form.version.data or None,
                            **{name: getattr(form, name).data for name in SETTING_FIELDS})
        except ChangeRefused as exc:
            latest = PrefectureSettingsForm(formdata=None, obj=prefecture)
            latest.version.data = settings_version(prefecture)
            return render_template("settings/edit.html", form=latest, prefecture=prefecture,
                                   refused=exc.messages), 409
        flash("県の設定を保存しました。配布資料の主催・問い合わせ先に使います。", "success")
        return redirect(url_for("settings.edit"))
    return render_template("settings/edit.html", form=form, prefecture=prefecture, refused=None), \
        422 if form.errors else 200


@bp.route("/settings/usual-day", methods=["POST"])
@official_required
def usual_day():
    """The prefecture's usual day, saved from its own form on the settings page."""
    prefecture = current_user.prefecture
    form = UsualDayForm()
    if form.validate_on_submit():
        try:
            usual.update_usual_day(prefecture, **{name: getattr(form, name).data for name in usual.USUAL_DAY_FIELDS})
        except ChangeRefused as exc:
            return render_template("settings/edit.html", form=PrefectureSettingsForm(obj=prefecture),
                                   prefecture=prefecture, refused=exc.messages, day_form=form), 422
        flash("通常の研修日を保存しました。これから作る計画の研修の既定になります（作成済みの研修は変わりません）。", "success")
        return redirect(url_for("settings.edit") + "#usual-day")
    return render_template("settings/edit.html", form=PrefectureSettingsForm(obj=prefecture),
                           prefecture=prefecture, refused=None, day_form=form), 422



@bp.app_context_processor
def _usual_day_form():
    """The settings page's second form, filled with what the prefecture has (for any view
    that renders the page)."""
    return {"usual_day_form": lambda prefecture: UsualDayForm(formdata=None, obj=prefecture)}
