"""One form per input page; messages are Japanese and shown next to their field."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from planner.domain.dates import cycle_period, outside_cycle_message
from planner.models.team import MUNICIPALITY_KINDS
from planner.services.roster_files import RosterError, parse_days

REQUIRED = "入力してください。"
#: one @, no spaces, a dot in the domain; wtforms' Email() needs the email_validator package,
#: which is not installed, and the link is handed over by the official, not mailed by us
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"


def check_in_cycle(cycle: tuple[date, date] | None, day: date | None) -> None:
    """Refuse a date outside the plan's cycle (start, end), asking for one inside it."""
    if day and cycle and outside_cycle_message(day, *cycle):
        raise ValidationError(f"{cycle_period(*cycle)}の中の日付を入力してください。")


def _length(maximum: int) -> Length:
    return Length(max=maximum, message=f"{maximum}文字以内で入力してください。")


def _minutes(low: int, high: int) -> NumberRange:
    return NumberRange(low, high, message=f"{low}〜{high}の数で入力してください。")


class JapaneseRadioField(RadioField):
    """A radio group whose unknown value is refused in Japanese, naming what was sent."""

    def pre_validate(self, form):
        if self.data not in {value for value, *_ in self.choices}:
            raise ValidationError(f"「{self.data}」は選択肢にありません。表示された選択肢から選んでください。")


class JapaneseIntegerField(IntegerField):
    """An IntegerField whose parse error is Japanese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("半角数字で入力してください。") from None


class JapaneseDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("日付として読めません（例 2026-02-18）。") from None


class JapaneseTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("時刻として読めません（例 09:30）。") from None


class LoginForm(FlaskForm):
    email = EmailField("メールアドレス", validators=[DataRequired(REQUIRED), _length(254)])
    password = PasswordField("パスワード", validators=[DataRequired(REQUIRED), _length(200)])


class InvitationForm(FlaskForm):
    """An official invites a member by e-mail."""

    name = StringField("氏名（所属）", validators=[DataRequired(REQUIRED), _length(100)])
    email = EmailField("メールアドレス", validators=[
        DataRequired(REQUIRED), _length(254), Regexp(EMAIL, message="メールアドレスの形式が正しくありません。")])


class AcceptInvitationForm(FlaskForm):
    """A member sets a password when accepting an invitation."""

    name = StringField("氏名（所属）", validators=[DataRequired(REQUIRED), _length(100)])
    password = PasswordField("パスワード（10文字以上）", validators=[
        DataRequired(REQUIRED), Length(10, 200, "10文字以上で入力してください。")])
    confirm = PasswordField("パスワード（確認）", validators=[
        DataRequired(REQUIRED), EqualTo("password", "パスワードが一致しません。")])


class PlanForm(FlaskForm):
    title = StringField("計画の名前", validators=[DataRequired(REQUIRED), _length(100)])
    cycle_year = SelectField("チーム立ち上げの年（11月）", coerce=int)
    venue = StringField("主な会場（4研修共通、後から研修ごとに変更可）", validators=[Optional(), _length(200)])
    propose_dates = BooleanField("大分県の例の時期（2月・3月・7月・10月の平日）で開催日を仮置きする", default=True)


class TrainingForm(FlaskForm):
    """A training's dates, venue, participants and day settings."""

    first_date = JapaneseDateField("開催日", validators=[Optional()])
    day_count = SelectField("日数", coerce=int, choices=[
        SelectChoice(1, "1日"), SelectChoice(2, "2日間"), SelectChoice(3, "3日間")])
    venue = StringField("会場", validators=[Optional(), _length(200)])
    capacity = JapaneseIntegerField("定員", validators=[Optional(), _minutes(1, 2000)])
    per_municipality = JapaneseIntegerField("1自治体あたりの受講者数", validators=[
        InputRequired(REQUIRED), _minutes(1, 20)])
    start_time = JapaneseTimeField("開始時刻", validators=[InputRequired(REQUIRED)])
    end_time = JapaneseTimeField("終了時刻（上限）", validators=[InputRequired(REQUIRED)])
    lunch_minutes = JapaneseIntegerField("昼食（分）", validators=[InputRequired(REQUIRED), _minutes(0, 180)])
    lunch_earliest = JapaneseTimeField("昼食開始の最早", validators=[InputRequired(REQUIRED)])
    lunch_latest = JapaneseTimeField("昼食開始の最遅", validators=[InputRequired(REQUIRED)])
    break_minutes = JapaneseIntegerField("休憩（分）", validators=[InputRequired(REQUIRED), _minutes(5, 60)])
    longest_block = JapaneseIntegerField("休憩なしで続ける上限（分）", validators=[Optional(), _minutes(30, 480)])
    opening_title = StringField("開会の項目", validators=[DataRequired(REQUIRED), _length(100)])
    opening_minutes = JapaneseIntegerField("開会（分）", validators=[InputRequired(REQUIRED), _minutes(1, 120)])
    closing_title = StringField("閉会の項目", validators=[DataRequired(REQUIRED), _length(100)])
    closing_minutes = JapaneseIntegerField("閉会（分）", validators=[InputRequired(REQUIRED), _minutes(1, 120)])

    def __init__(self, *args, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle

    def validate_first_date(self, field):
        check_in_cycle(self.cycle, field.data)

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("終了時刻は開始時刻より後にしてください。")

    def validate_lunch_latest(self, field):
        if self.lunch_earliest.data and field.data and field.data < self.lunch_earliest.data:
            raise ValidationError("最遅は最早と同じか後にしてください。")


class MinutesForm(FlaskForm):
    """Fix a subject's minutes; empty lets the scheduler choose inside the range."""

    minutes = JapaneseIntegerField("時間（分）", validators=[Optional(), _minutes(1, 600)])


class LocalSubjectForm(FlaskForm):
    name = StringField("独自科目名", validators=[DataRequired(REQUIRED), _length(200)])
    minutes = JapaneseIntegerField("時間（分）", validators=[InputRequired(REQUIRED), _minutes(10, 600)])
    lecturer_name = StringField("外部講師の氏名", validators=[Optional(), _length(100)])
    lecturer_org = StringField("講師の所属", validators=[Optional(), _length(200)])


class ImportForm(FlaskForm):
    file = FileField("計画ファイル（JSON）", validators=[FileRequired("ファイルを選んでください。")])


class MemberForm(FlaskForm):
    """One roster entry; courses as ticks with the year, unavailable dates as a list."""

    name = StringField("氏名", validators=[DataRequired(REQUIRED), _length(100)])
    municipality = StringField("所属自治体", validators=[DataRequired(REQUIRED), _length(100)])
    municipality_kind = SelectField("自治体の種別", choices=[SelectChoice(k, v) for k, v in MUNICIPALITY_KINDS.items()])
    email = EmailField("メールアドレス", validators=[
        DataRequired(REQUIRED), _length(254), Regexp(EMAIL, message="メールアドレスの形式が正しくありません。")])
    course_common = BooleanField("前期共通")
    year_common = JapaneseIntegerField("修了年", validators=[Optional(), _minutes(2000, 2100)])
    course_counselor = BooleanField("相談支援員")
    year_counselor = JapaneseIntegerField("修了年", validators=[Optional(), _minutes(2000, 2100)])
    course_chief = BooleanField("主任相談支援員")
    year_chief = JapaneseIntegerField("修了年", validators=[Optional(), _minutes(2000, 2100)])
    course_job_support = BooleanField("就労支援員")
    year_job_support = JapaneseIntegerField("修了年", validators=[Optional(), _minutes(2000, 2100)])
    unavailable = StringField("参加できない日", validators=[Optional(), _length(500)])
    notes = StringField("備考", validators=[Optional(), _length(500)])

    def validate_unavailable(self, field):
        try:
            self.unavailable_days = parse_days(field.data or "")
        except RosterError as exc:
            raise ValidationError(str(exc).replace("「参加できない日」の", "")) from None


class SlotAssignForm(FlaskForm):
    """An official sets a slot's holder and whether it is locked."""

    member_id = SelectField("担当者", coerce=int)
    locked = BooleanField("確定（メンバーが変更できないようにする）")


class CsvForm(FlaskForm):
    file = FileField("名簿ファイル（CSV）", validators=[FileRequired("ファイルを選んでください。")])


class ProgrammeForm(FlaskForm):
    """The team's programme for one subject; the option choices are set per subject."""

    emphasis = TextAreaField("特に伝えたい内容", validators=[Optional(), _length(4000)])
    key_points = TextAreaField("チームの解説のポイント", validators=[Optional(), _length(4000)])
    how_to_run = TextAreaField("チームの進め方（設問や進行方法の変更など）", validators=[Optional(), _length(4000)])
    worksheets = TextAreaField("使うワークシート・資料", validators=[Optional(), _length(4000)])
    option_key = JapaneseRadioField("手引きが示す選択肢", default="")


class SupplementForm(FlaskForm):
    """A symposium, lecture or case-study meeting that supplements one subject."""

    subject_id = SelectField("補う科目", coerce=int, validate_choice=False)
    kind = JapaneseRadioField("種類", choices=[])
    title = StringField("名称", validators=[DataRequired(REQUIRED), _length(200)])
    day = JapaneseDateField("開催日", validators=[InputRequired(REQUIRED)])
    start_time = JapaneseTimeField("開始時刻", validators=[InputRequired(REQUIRED)])
    end_time = JapaneseTimeField("終了時刻", validators=[InputRequired(REQUIRED)])
    place = StringField("会場", validators=[Optional(), _length(200)])
    lecturer_name = StringField("講師の氏名", validators=[Optional(), _length(100)])
    lecturer_org = StringField("講師の所属", validators=[Optional(), _length(200)])
    effect = JapaneseRadioField("研修当日の科目の扱い", choices=[])
    shortened_minutes = JapaneseIntegerField("短くした時間（分）", validators=[Optional(), _minutes(10, 600)])

    def __init__(self, *args, cycle=None, subjects=(), kinds=None, effects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.subject_id.choices = list(subjects)
        self.kind.choices = list((kinds or {}).items())
        self.effect.choices = list((effects or {}).items())

    def validate_subject_id(self, field):
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("補う科目を選んでください。")

    def validate_day(self, field):
        check_in_cycle(self.cycle, field.data)

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("終了時刻は開始時刻より後にしてください。")

    def validate_shortened_minutes(self, field):
        if self.effect.data == "shortened" and field.data is None:
            raise ValidationError("短くする場合は、研修当日の時間（分）を入力してください。")


class DraftSubjectForm(FlaskForm):
    """One subject of the job-support draft as the prefecture settles it."""

    name = StringField("科目名", validators=[DataRequired(REQUIRED), _length(200)])
    minutes_min = JapaneseIntegerField("時間の最短（分）", validators=[Optional(), _minutes(1, 600)])
    minutes_max = JapaneseIntegerField("時間の最長（分）", validators=[Optional(), _minutes(1, 600)])
    lectures = TextAreaField("国研修の講義（1行に1つ）", validators=[Optional(), _length(2000)])
    session_minutes = StringField("セッションごとの時間（分、カンマ区切り）", validators=[Optional(), _length(200)])

    def validate_minutes_max(self, field):
        if (self.minutes_min.data is None) != (field.data is None):
            raise ValidationError("最短と最長の両方を入力してください（同じ値なら固定）。")
        if field.data is not None and self.minutes_min.data is not None and field.data < self.minutes_min.data:
            raise ValidationError("最長は最短と同じか長くしてください。")

    def _session_text(self) -> str:
        return (self.session_minutes.data or "").replace("、", ",").replace("，", ",").replace(" ", "").strip(",")

    @property
    def session_list(self) -> list[int]:
        """The sessions' minutes as entered (valid once the form validated)."""
        text = self._session_text()
        return [int(part) for part in text.split(",")] if text else []

    def validate_session_minutes(self, field):
        if self._session_text() and not all(p.isdigit() for p in self._session_text().split(",")):
            raise ValidationError("半角数字をカンマで区切って入力してください（例 10,30,30）。")
