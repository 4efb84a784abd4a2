"""The groups page's forms: one per action; choices are set by the view from the training."""
from __future__ import annotations

from wtforms import SelectField
from wtforms.validators import InputRequired, NumberRange

from planner.services.participants.groups import SIZE_RANGE
from planner.web.forms import REQUIRED, Form, JapaneseIntegerField

CHOOSE = "一覧から選んでください。"


def _select(label: str) -> SelectField:
    return SelectField(label, coerce=int, validators=[InputRequired(REQUIRED)], invalid_choice_message=CHOOSE)


class MakeGroupsForm(Form):
    """「班を作る」 with the group size."""

    group_size = JapaneseIntegerField(
        "1班の人数", validators=[InputRequired(REQUIRED),
                              NumberRange(*SIZE_RANGE, message=f"{SIZE_RANGE[0]}〜{SIZE_RANGE[1]}名にしてください。")])


class PinForm(Form):
    """Pin a participant to a group; group 0 unpins."""

    participant_id = _select("参加者")
    group_no = _select("固定する班")


class KeepApartForm(Form):
    first_id = _select("1人目")
    second_id = _select("2人目")


class FacilitatorForm(Form):
    """A group's facilitator; 0 leaves the group without one."""

    member_id = _select("ファシリテーター")
