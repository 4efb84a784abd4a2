"""The timeline page's forms: one per action; messages are Japanese and shown next to fields."""
from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from planner.domain.timeline import CHIEF_PLACEMENTS
from planner.web.forms import REQUIRED, Form, JapaneseDateField, check_in_cycle, text_field

CHIEF_LABELS = {"common": "前期共通の後（2〜3月に開催、1月の検討会議で準備）",
                "late": "後期の研修と同じ時期（5〜9月に開催、4月の検討会議で準備）"}


class GenerateForm(Form):
    """Generate (or re-generate) the plan's timeline, with the chief training's placement."""

    chief_after = SelectField("主任相談支援員・後期の研修の時期",
                              choices=[SelectChoice(k, CHIEF_LABELS[k]) for k in CHIEF_PLACEMENTS],
                              validators=[InputRequired(REQUIRED)],
                              invalid_choice_message="一覧から選んでください。")


class MilestoneForm(Form):
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


class RetrospectiveForm(Form):
    """A retrospective's notes; at least one of the two is needed."""

    went_well = text_field("良かった点（次も続けること）", "went_well")
    to_change = text_field("次に変えること", "to_change")

    def validate(self, extra_validators=None):
        # not an inline validator: an empty optional field stops its own chain before it
        if not super().validate(extra_validators):
            return False
        if not (self.went_well.data or self.to_change.data):
            self.to_change.errors.append("「良かった点」か「次に変えること」のどちらかを入力してください。")
            return False
        return True


class ChecklistForm(Form):
    """The whole checklist; the operation refuses keys that are not the plan's."""

    items = SelectMultipleField("準備チェックリスト", choices=[], validate_choice=False)


class TodoForm(Form):
    """Mark a carried-over to-do done or open again."""

    done = BooleanField("済み")


class MeetingForm(Form):
    """A meeting's hours, place or online link, agenda and minutes (議事録)."""

    start_time = TimeField("開始時刻", validators=[Optional()], format="%H:%M")
    end_time = TimeField("終了時刻", validators=[Optional()], format="%H:%M")
    place = text_field("会場", "meeting_place")
    online_url = StringField("オンライン会議のURL", validators=[
        Optional(), Length(max=500, message="500文字以内で入力してください。"),
        Regexp(r"^https?://\S+$", message="http:// または https:// で始まるURLを入力してください。")])
    agenda = text_field("議題（1行に1つ）", "agenda")
    minutes = text_field("議事録", "meeting_minutes")

    def validate_end_time(self, field):
        if (field.data is None) != (self.start_time.data is None):
            raise ValidationError("開始時刻と終了時刻は両方入力してください。")
        if field.data and self.start_time.data and field.data <= self.start_time.data:
            raise ValidationError("終了時刻は開始時刻より後にしてください。")
