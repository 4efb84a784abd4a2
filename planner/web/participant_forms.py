"""The participants' forms: municipalities, a training's application settings, and one
participant's entry (the municipality's link page and the official's page)."""
from __future__ import annotations

from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from planner.models import MUNICIPALITY_TYPES
from planner.models.participants import PARTICIPANT_KINDS
from planner.web.address_fields import address_field
from planner.web.forms import REQUIRED, Form, JapaneseDateField, JapaneseIntegerField, JapaneseRadioField, text_field


def optional_email(label: str, rule_key: str) -> EmailField:
    """An address that may be left empty, checked like every other (planner.domain.addresses)."""
    return address_field(label, required=False)


class MunicipalityForm(Form):
    code = StringField("全国地方公共団体コード（6桁）", validators=[
        InputRequired(REQUIRED), Regexp(r"^[0-9]{6}$", message="半角数字6桁で入力してください。")],
        filters=[lambda value: value.strip() if isinstance(value, str) else value])
    name = text_field("自治体名", "municipality_name")
    kind = SelectField("種別", choices=[SelectChoice(k, v) for k, v in MUNICIPALITY_TYPES.items()])
    contact_name = text_field("担当者名（申込の宛先）", "contact_name")
    contact_email = optional_email("担当者のメールアドレス", "email")


class ApplicationSettingsForm(Form):
    """Who may apply, how many, and until when."""

    capacity = JapaneseIntegerField("定員", validators=[
        Optional(), NumberRange(1, 2000, message="1〜2000の数で入力してください。")])
    per_municipality = JapaneseIntegerField("1市町村あたりの受講者数（上限）", validators=[
        InputRequired(REQUIRED), NumberRange(1, 20, message="1〜20の数で入力してください。")])
    open_to_officials = BooleanField("自治体担当者も申し込める")
    open_to_agencies = BooleanField("関係機関も申し込める")
    application_deadline = JapaneseDateField("申込締切", validators=[Optional()])
    notice_number = text_field("開催通知の文書番号", "notice_number")
    notice_date = JapaneseDateField("開催通知の日付", validators=[Optional()])


class EntryForm(Form):
    """One participant; `kind` offers only what the training is open to (set by the view)."""

    name = text_field("氏名", "participant_name")
    kana = text_field("ふりがな", "participant_kana")
    affiliation = text_field("所属（課・事業所など）", "participant_affiliation")
    kind = JapaneseRadioField("区分", default="worker",
                              choices=[SelectChoice(k, v) for k, v in PARTICIPANT_KINDS.items()])
    job = text_field("職種（例: 相談支援員、就労支援員、係長）", "participant_job")
    email = optional_email("メールアドレス", "participant_email")
    needs = text_field("配慮が必要なこと（例: 手話通訳、車いす）", "participant_needs")
    waiting = BooleanField("定員を超えている場合は、キャンセル待ちとして申し込む")

    def limit_kinds(self, kinds: list[str]) -> EntryForm:
        self.kind.choices = [SelectChoice(k, PARTICIPANT_KINDS[k]) for k in kinds]
        return self
