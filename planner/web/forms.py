"""One form per input page; messages are Japanese and shown next to their field.

Every form derives from `Form`, which gives WTForms' own Japanese messages for anything not
worded here, and every text field is made by `text_field` from its rule in data/fields.toml,
so forms, the roster import and the backup accept the same text (planner.domain.fields).
"""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.meta import DefaultMeta
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
from wtforms.widgets import CheckboxInput, ListWidget

from planner.domain import fields
from planner.domain.dates import cycle_period, outside_cycle_message
from planner.models.team import MUNICIPALITY_KINDS
from planner.services.errors import ChangeRefused
from planner.services.password_links import PASSWORD_MAX, PASSWORD_MIN
from planner.services.plans.supplements import parse_symposists
from planner.web.date_list import JapaneseDateListField

REQUIRED = "入力してください。"
#: a Japanese phone number as offices print it: digits in groups joined by hyphens
PHONE = r"^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}$"


class Form(FlaskForm):
    """The base of every form: WTForms' Japanese catalogue ("Not a valid choice." and the like)."""

    class Meta:
        locales = ("ja",)

        def get_translations(self, form):
            # Flask-WTF's own hook looks for Flask-Babel, which the app does not use
            return DefaultMeta.get_translations(self, form)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid and self.is_submitted():
            from planner.web import refused
            refused.note()  # the page that shows the errors answers 422, not 200
        return valid


def text_field(label: str, rule_key: str, required: bool | None = None):
    """A text input (a text area for notes) cleaned and checked by the field's shared rule."""
    rule = fields.rule(rule_key)
    required = rule.required if required is None else required
    validators = [DataRequired(REQUIRED) if required else Optional(), _length(rule.max)]
    field_class = TextAreaField if rule.lines else StringField
    return field_class(label, validators=validators, filters=[
        lambda value: fields.clean_text(value, rule.lines) if isinstance(value, str) else value])


def email_field(label: str = "メールアドレス") -> EmailField:
    """An address as every way in takes it (planner.domain.addresses, email-validator)."""
    from planner.web.address_fields import address_field
    return address_field(label)


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


class JapaneseCheckboxesField(SelectMultipleField):
    """Ticks of which any may be on; an unknown value is refused in Japanese, naming it."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        known = {value for value, *_ in self.choices}
        for value in self.data or ():
            if value not in known:
                raise ValidationError(f"「{value}」は選択肢にありません。表示された選択肢から選んでください。")


#: the largest number any integer field takes before its own range is checked (PostgreSQL INTEGER)
MAX_FORM_INT = 2**31 - 1


class JapaneseIntegerField(IntegerField):
    """An IntegerField whose parse error is Japanese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("半角数字で入力してください。") from None
        if self.data is not None and not -MAX_FORM_INT <= self.data <= MAX_FORM_INT:
            self.data = None  # no column holds it; the field's own range says what fits
            raise ValueError("大きすぎる数です。半角数字で、範囲内の数を入力してください。")


class JapaneseDateField(DateField):
    """A typed date in the era or the western calendar (planner.domain.dates.parse_date_ja)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        text = " ".join(valuelist).strip()
        if not text:
            raise ValueError(REQUIRED)
        try:
            self.data = fields.parse_date(text)
        except fields.FieldError as exc:
            raise ValueError(str(exc)) from None


class JapaneseTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("時刻として読めません（例 09:30）。") from None


#: the password's length as every form names it (planner.services.password_links)
PASSWORD_LIMITS = f"{PASSWORD_MIN}〜{PASSWORD_MAX}文字"


def password_length() -> Length:
    """The limits, named in the message: 10〜200文字で入力してください。"""
    return Length(PASSWORD_MIN, PASSWORD_MAX, f"{PASSWORD_LIMITS}で入力してください。")


class LoginForm(Form):
    email = EmailField("メールアドレス", validators=[DataRequired(REQUIRED), _length(254)])
    password = PasswordField("パスワード", validators=[DataRequired(REQUIRED), _length(200)])


class InvitationForm(Form):
    """An official invites a member by e-mail."""

    name = text_field("氏名（所属）", "person_name")
    email = email_field()


class AcceptInvitationForm(Form):
    """A member sets a password when accepting an invitation."""

    name = text_field("氏名（所属）", "person_name")
    password = PasswordField(f"パスワード（{PASSWORD_LIMITS}）", validators=[DataRequired(REQUIRED), password_length()])
    confirm = PasswordField("パスワード（確認）", validators=[
        DataRequired(REQUIRED), EqualTo("password", "パスワードが一致しません。")])


class PasswordForm(Form):
    """A logged-in user changes their password."""

    current = PasswordField("現在のパスワード", validators=[DataRequired(REQUIRED), _length(200)])
    password = PasswordField(f"新しいパスワード（{PASSWORD_LIMITS}）", validators=[
        DataRequired(REQUIRED), password_length()])
    confirm = PasswordField("新しいパスワード（確認）", validators=[
        DataRequired(REQUIRED), EqualTo("password", "パスワードが一致しません。")])


class PlanForm(Form):
    title = text_field("計画の名前", "plan_title")
    cycle_year = SelectField("チーム立ち上げの年（11月）", coerce=int)
    venue = text_field("主な会場（4研修共通、後から研修ごとに変更可）", "venue")
    propose_dates = BooleanField("大分県の例の時期（2月・3月・7月・10月の平日）で開催日を仮置きする", default=True)


class TrainingForm(Form):
    """A training's dates, venue, participants and day settings."""

    #: a local training's own title and aim (shown for 地域の実情に応じた研修 only)
    local_title = text_field("研修名", "local_title", required=False)
    aim = text_field("研修のねらい", "training_aim")
    first_date = JapaneseDateField("開催日", validators=[Optional()])
    day_count = SelectField("日数", coerce=int, choices=[
        SelectChoice(1, "1日"), SelectChoice(2, "2日間"), SelectChoice(3, "3日間")])
    later_dates = JapaneseDateListField("2日目・3日目の日付")
    venue = text_field("会場", "venue")
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
    opening_title = text_field("開会の項目", "opening_title")
    opening_minutes = JapaneseIntegerField("開会（分）", validators=[InputRequired(REQUIRED), _minutes(1, 120)])
    closing_title = text_field("閉会の項目", "closing_title")
    closing_minutes = JapaneseIntegerField("閉会（分）", validators=[InputRequired(REQUIRED), _minutes(1, 120)])
    venue_address = text_field("会場の住所", "venue_address")
    venue_access = text_field("会場への交通（研修次第に印刷）", "venue_access")
    reception_time = JapaneseTimeField("受付開始", validators=[Optional()])
    belongings = text_field("持ち物（研修次第に印刷）", "belongings")
    materials_deadline = JapaneseDateField("講師資料の提出締切", validators=[Optional()])
    equipment = text_field("会場の機材（講師用資料に印刷）", "equipment")

    def __init__(self, *args, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle

    def validate_first_date(self, field):
        check_in_cycle(self.cycle, field.data)

    def validate_later_dates(self, field):
        """Days 2..n, each after the one before; blank means the days after day one."""
        if not field.data:
            return
        wanted = (self.day_count.data or 1) - 1
        if wanted == 0:
            raise ValidationError("1日の研修には2日目以降の開催日はありません。空欄にしてください。")
        if len(field.data) != wanted:
            raise ValidationError(f"{wanted + 1}日間の研修です。2日目以降の開催日を{wanted}つ入力してください（入力は{len(field.data)}つ）。")
        if not self.first_date.data:
            raise ValidationError("先に開催日（1日目）を入力してください。")
        previous = self.first_date.data
        for number, day in enumerate(field.data, start=2):
            if day <= previous:
                raise ValidationError(f"{number}日目（{day.isoformat()}）は前の日（{previous.isoformat()}）より後にしてください。")
            check_in_cycle(self.cycle, day)
            previous = day

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("終了時刻は開始時刻より後にしてください。")

    def validate_reception_time(self, field):
        if field.data and self.start_time.data and field.data > self.start_time.data:
            raise ValidationError("受付開始は開始時刻と同じか前にしてください。")

    def validate_materials_deadline(self, field):
        if field.data and self.first_date.data and field.data > self.first_date.data:
            raise ValidationError("提出締切は開催日と同じか前にしてください。")

    def validate_lunch_latest(self, field):
        if self.lunch_earliest.data and field.data and field.data < self.lunch_earliest.data:
            raise ValidationError("最遅は最早と同じか後にしてください。")


class PrefectureSettingsForm(Form):
    """What every handout prints as 主催 and 問い合わせ先, and who signs a request letter."""

    department = StringField("主催する部署", validators=[DataRequired(REQUIRED), _length(100)])
    letter_sender = StringField("依頼文書の発信者（職名）", validators=[DataRequired(REQUIRED), _length(100)])
    lecturer_fee = StringField("講師の謝金", validators=[Optional(), _length(200)])
    travel_expenses = StringField("講師の旅費", validators=[Optional(), _length(200)])
    contact_section = StringField("問い合わせ先の課・係", validators=[DataRequired(REQUIRED), _length(100)])
    contact_name = StringField("担当者", validators=[Optional(), _length(100)])
    contact_phone = StringField("電話番号", validators=[
        DataRequired(REQUIRED), _length(30),
        Regexp(PHONE, message="半角数字とハイフンで、市外局番から入力してください。")])
    contact_email = email_field()
    #: days after the plan's cycle ends that participants' personal data is kept (services.retention)
    participant_retention_days = JapaneseIntegerField("受講者の個人情報を保存する日数", validators=[
        InputRequired(REQUIRED), NumberRange(min=0, max=3650, message="0〜3650日で入力してください。")])
    #: the prefecture's part of a 文書番号: み福 in み福第1234号
    document_number_prefix = StringField("文書番号の接頭辞", validators=[Optional(), _length(20)],
                                         filters=[lambda v: fields.clean_text(v) if isinstance(v, str) else v])
    #: the settings the form was rendered from, so a change saved meanwhile is not overwritten
    version = HiddenField()


class MinutesForm(Form):
    """Fix a subject's minutes; empty lets the scheduler choose inside the range."""

    minutes = JapaneseIntegerField("時間（分）", validators=[Optional(), _minutes(1, 600)])


class LocalSubjectForm(Form):
    name = text_field("独自科目名", "local_name", required=True)
    minutes = JapaneseIntegerField("時間（分）", validators=[InputRequired(REQUIRED), _minutes(10, 600)])
    lecturer_name = text_field("外部講師の氏名", "lecturer_name")
    lecturer_org = text_field("講師の所属", "lecturer_org")
    #: only in a local training (地域の実情に応じた研修)
    team_lecturer = BooleanField("チームのメンバーが講師役を務める（外部講師なし）")
    uses_cases = BooleanField("事例を使う（事例報告役を置く）")


class LocalTrainingForm(LocalSubjectForm):
    """A local training (地域の実情に応じた研修) with its first local subject."""

    title = text_field("研修名", "local_title", required=True)
    aim = text_field("研修のねらい", "training_aim")
    first_date = JapaneseDateField("1日目の開催日", validators=[Optional()])
    second_date = JapaneseDateField("2日目の開催日（1日で行う場合は空欄）", validators=[Optional()])
    #: a second subject, optional (a day of one long subject has no place for lunch)
    name2 = text_field("2つ目の科目名", "local_name", required=False)
    minutes2 = JapaneseIntegerField("2つ目の科目の時間（分）", validators=[Optional(), _minutes(10, 600)])
    lecturer_name2 = text_field("2つ目の科目の外部講師の氏名", "lecturer_name")
    lecturer_org2 = text_field("2つ目の科目の講師の所属", "lecturer_org")
    team_lecturer2 = BooleanField("2つ目の科目はチームのメンバーが講師役を務める（外部講師なし）")
    uses_cases2 = BooleanField("2つ目の科目で事例を使う（事例報告役を置く）")

    def subjects(self) -> list:
        """The subjects entered (the second only when named or timed), as service input."""
        from planner.services.plans.local import LocalSubjectInput
        first = LocalSubjectInput(self.name.data or "", self.minutes.data, self.lecturer_name.data or "",
                                  self.lecturer_org.data or "", bool(self.team_lecturer.data),
                                  bool(self.uses_cases.data))
        if not (self.name2.data or self.minutes2.data is not None):
            return [first]
        return [first, LocalSubjectInput(self.name2.data or "", self.minutes2.data, self.lecturer_name2.data or "",
                                         self.lecturer_org2.data or "", bool(self.team_lecturer2.data),
                                         bool(self.uses_cases2.data))]


class ImportForm(Form):
    file = FileField("計画ファイル（JSON）", validators=[FileRequired("ファイルを選んでください。")])


class MemberForm(Form):
    """One roster entry; courses as ticks with the year, unavailable dates as a list."""

    name = text_field("氏名", "member_name")
    municipality = text_field("所属自治体", "municipality")
    municipality_kind = SelectField("自治体の種別", choices=[SelectChoice(k, v) for k, v in MUNICIPALITY_KINDS.items()])
    email = email_field()
    course_common = BooleanField("前期共通")
    year_common = JapaneseIntegerField("修了年", validators=[Optional(), _minutes(2000, 2100)])
    course_counselor = BooleanField("相談支援員")
    year_counselor = JapaneseIntegerField("修了年", validators=[Optional(), _minutes(2000, 2100)])
    course_chief = BooleanField("主任相談支援員")
    year_chief = JapaneseIntegerField("修了年", validators=[Optional(), _minutes(2000, 2100)])
    course_job_support = BooleanField("就労支援員")
    year_job_support = JapaneseIntegerField("修了年", validators=[Optional(), _minutes(2000, 2100)])
    # as many dates as the roster file may give (the count is checked by parse_dates)
    unavailable = StringField("参加できない日", validators=[Optional(), _length(10000)])
    notes = text_field("備考", "member_notes")

    def validate_unavailable(self, field):
        try:
            self.unavailable_days = fields.parse_dates(field.data or "")
        except fields.FieldError as exc:
            raise ValidationError(str(exc)) from None


class SlotAssignForm(Form):
    """An official sets a slot's holder and whether it is locked."""

    member_id = SelectField("担当者", coerce=int)
    locked = BooleanField("確定（メンバーが変更できないようにする）")
    #: the holder when the form was shown (0: open), so a claim made meanwhile is not overwritten
    shown_holder = HiddenField(filters=[lambda v: int(v) if str(v).isdigit() else 0])


class CsvForm(Form):
    file = FileField("名簿ファイル（Excel .xlsx または CSV）", validators=[FileRequired("ファイルを選んでください。")])


class ConfirmForm(Form):
    """A confirmation page's form: only the CSRF token, the button is the answer."""


class ProgrammeForm(Form):
    """The team's programme for one subject; the options (any of them may be on) are set per subject."""

    emphasis = text_field("特に伝えたい内容", "programme_note")
    key_points = text_field("チームの解説のポイント", "programme_note")
    how_to_run = text_field("チームの進め方（設問や進行方法の変更など）", "programme_note")
    worksheets = text_field("使うワークシート・資料", "programme_note")
    option_keys = JapaneseCheckboxesField("手引きが示す選択肢（行うものにチェック）", default=())


class SupplementForm(Form):
    """A symposium, lecture or case-study meeting that supplements one subject."""

    subject_id = SelectField("補う科目", coerce=int, validate_choice=False)
    kind = JapaneseRadioField("種類", choices=[])
    title = text_field("名称", "event_title")
    day = JapaneseDateField("開催日", validators=[InputRequired(REQUIRED)])
    start_time = JapaneseTimeField("開始時刻", validators=[InputRequired(REQUIRED)])
    end_time = JapaneseTimeField("終了時刻", validators=[InputRequired(REQUIRED)])
    place = text_field("会場", "event_place")
    lecturer_name = text_field("講師の氏名", "lecturer_name")
    lecturer_org = text_field("講師の所属", "lecturer_org")
    coordinator_name = text_field("コーディネーターの氏名", "coordinator_name")
    coordinator_org = text_field("コーディネーターの所属・役職", "coordinator_org")
    #: one per line 「氏名／所属／テーマ」 (services.plans.supplements.parse_symposists reads it)
    symposists_text = TextAreaField("シンポジスト（1行に1人：氏名／所属・役職／報告テーマ）",
                                    validators=[Optional(), _length(4000)], render_kw={"rows": 5, "cols": 60})
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

    def validate_symposists_text(self, field):
        try:
            parse_symposists(field.data)
        except ChangeRefused as refused:  # every line that cannot be read, each said
            field.errors.extend(refused.messages[:-1])
            raise ValidationError(refused.messages[-1]) from None


class DraftSubjectForm(Form):
    """One subject of the job-support draft as the prefecture settles it."""

    name = text_field("科目名", "draft_name")
    minutes_min = JapaneseIntegerField("時間の最短（分）", validators=[Optional(), _minutes(1, 600)])
    minutes_max = JapaneseIntegerField("時間の最長（分）", validators=[Optional(), _minutes(1, 600)])
    lectures = text_field("国研修の講義（1行に1つ）", "draft_lectures")
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


class UsualDayForm(Form):
    """The prefecture's usual training day: the frame every new training starts with."""

    day_start = JapaneseTimeField("開始時刻", validators=[InputRequired(REQUIRED)])
    day_end = JapaneseTimeField("終了時刻（上限）", validators=[InputRequired(REQUIRED)])
    lunch_earliest = JapaneseTimeField("昼食開始の最早", validators=[InputRequired(REQUIRED)])
    lunch_latest = JapaneseTimeField("昼食開始の最遅", validators=[InputRequired(REQUIRED)])
    lunch_minutes = JapaneseIntegerField("昼食（分）", validators=[InputRequired(REQUIRED), _minutes(0, 180)])

