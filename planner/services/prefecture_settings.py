"""The prefecture's own details that every handout prints: 主催, 問い合わせ先, the letter's sender,
and the prefecture's part of a 文書番号."""
from __future__ import annotations

import hashlib
import json

from planner.models import Prefecture
from planner.models.db import db
from planner.services.errors import ChangeRefused

SETTING_FIELDS = ("department", "letter_sender", "contact_section", "contact_name",
                  "contact_phone", "contact_email", "participant_retention_days", "document_number_prefix",
                  "lecturer_fee", "travel_expenses")
CHANGED_MEANWHILE = ("ほかの担当者がこの画面を開いた後に設定を変更しました。"
                     "最新の内容を表示しています。確認してから、もう一度保存してください。")


def settings_of(prefecture: Prefecture) -> dict[str, str]:
    return {name: getattr(prefecture, name) for name in SETTING_FIELDS}


def settings_version(prefecture: Prefecture) -> str:
    """A digest of the settings as a form shows them, to notice a change made meanwhile."""
    text = json.dumps(settings_of(prefecture), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _stripped(value):
    """Text without surrounding spaces (None as empty); numbers as they are."""
    return value if isinstance(value, int) else (value or "").strip()


def update_settings(prefecture: Prefecture, version: str | None = None, **values: str) -> None:
    """Save the prefecture's handout details (stripped) and commit. With `version` (what the
    form was rendered from), a change someone saved meanwhile is not overwritten: the update
    is conditional on the values read, so of two saves at once only one can apply them.
    Refused, the prefecture is expired, so that it reads the latest values."""
    current = settings_of(prefecture)
    new = {name: _stripped(values.get(name, current[name])) for name in SETTING_FIELDS}
    if new == current:
        return
    if version is not None and version != settings_version(prefecture):
        db.session.expire(prefecture)  # read again: the caller shows the latest values
        raise ChangeRefused([CHANGED_MEANWHILE])
    matched = db.session.execute(
        db.update(Prefecture)
        .where(Prefecture.id == prefecture.id,
               *(getattr(Prefecture, name) == value for name, value in current.items()))
        .values(**new)).rowcount
    if matched != 1:
        db.session.rollback()
        raise ChangeRefused([CHANGED_MEANWHILE])
    db.session.commit()
    db.session.refresh(prefecture)
