"""A form field for a training's later days (2日目・3日目), which need not follow day one."""
from __future__ import annotations

import re
from datetime import date

from wtforms import StringField

from planner.domain import fields


class JapaneseDateListField(StringField):
    """Dates separated by 、 , or spaces (2027/2/24、R9.3.3); `data` is a list of dates."""

    def process_data(self, value):
        if isinstance(value, str):  # the model keeps them as "2027-02-24,2027-03-03"
            try:
                value = [date.fromisoformat(x) for x in value.split(",") if x.strip()]
            except ValueError:
                value = []
        self.data = list(value or [])

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = []
        for part in re.split(r"[、，,\s]+", " ".join(valuelist).strip()):
            if not part:
                continue
            try:
                self.data.append(fields.parse_date(part))
            except fields.FieldError as exc:
                raise ValueError(f"「{part}」: {exc}") from None

    def _value(self) -> str:
        return "、".join(d.isoformat() for d in self.data or [])


def iso_dates(days: list[date]) -> str:
    """The model's form of the later days."""
    return ",".join(d.isoformat() for d in days)
