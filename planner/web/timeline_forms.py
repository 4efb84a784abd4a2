"""The timeline page's forms: one per action; messages are Japanese and shown next to fields."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from planner.domain.timeline import CHIEF_PLACEMENTS
from planner.web.forms import REQUIRED, JapaneseDateField, check_in_cycle

CHIEF_LABELS = {"common": "前期共通の後（2〜3月に開催、1月の検討会議で準備）",
                "late": "後期の研修と同じ時期（5〜9月に開催、4月の検討会議で準備）"}


class GenerateForm(FlaskForm):
    """Generate (or re-generate) the plan's timeline, with the chief training's placement."""

    chief_after = SelectField("主任相談支援員・後期の研修の時期",
                              choices=[SelectChoice(k, CHIEF_LABELS[k]) for k in CHIEF_PLACEMENTS],
                              validators=[InputRequired(REQUIRED)],
                              invalid_choice_message="一覧から選んでください。")


class MilestoneForm(FlaskForm):
    """Move a milestone or training; an empty end keeps its length. Launch/meetings: done mark."""

    start = JapaneseDateField("開始日", validators=[InputRequired(REQUIRED)])
    end = JapaneseDateField("終了日", validators=[Optional()])
    done = BooleanField("済み")

    def __init__(self, *args, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle

    def validate_start(self, field):
        check_in_cycle(self.cycle, field.data)

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("終了日は開始日と同じか後にしてください。")
        check_in_cycle(self.cycle, field.data)


class RetrospectiveForm(FlaskForm):
    """A retrospective's notes; at least one of the two is needed."""

    went_well = TextAreaField("良かった点（次も続けること）", validators=[
        Length(max=2000, message="2000文字以内で入力してください。")])
    to_change = TextAreaField("次に変えること", validators=[
        Length(max=2000, message="2000文字以内で入力してください。")])

    def validate_to_change(self, field):
        if not ((self.went_well.data or "").strip() or (field.data or "").strip()):
            raise ValidationError("「良かった点」か「次に変えること」のどちらかを入力してください。")


class ChecklistForm(FlaskForm):
    """The whole checklist; the operation refuses keys that are not the plan's."""

    items = SelectMultipleField("準備チェックリスト", choices=[], validate_choice=False)


class TodoForm(FlaskForm):
    """Mark a carried-over to-do done or open again."""

    done = BooleanField("済み")


class MeetingForm(FlaskForm):
    """A meeting's hours, place or online link, agenda and minutes (議事録)."""

    start_time = TimeField("開始時刻", validators=[Optional()], format="%H:%M")
    end_time = TimeField("終了時刻", validators=[Optional()], format="%H:%M")
    place = StringField("会場", validators=[Length(max=200, message="200文字以内で入力してください。")])
    online_url = StringField("オンライン会議のURL", validators=[
        Optional(), Length(max=500, message="500文字以内で入力してください。"),
        Regexp(r"^https?://\S+$", message="http:// または https:// で始まるURLを入力してください。")])
    agenda = TextAreaField("議題（1行に1つ）", validators=[
        Length(max=4000, message="4000文字以内で入力してください。")])
    minutes = TextAreaField("議事録", validators=[
        Length(max=20000, message="20000文字以内で入力してください。")])

    def validate_end_time(self, field):
        if (field.data is None) != (self.start_time.data is None):
            raise ValidationError("開始時刻と終了時刻は両方入力してください。")
        if field.data and self.start_time.data and field.data <= self.start_time.data:
            raise ValidationError("終了時刻は開始時刻より後にしてください。")
