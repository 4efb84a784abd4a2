"""The prefecture's own details that every handout prints: 主催, 問い合わせ先, the letter's sender."""
from __future__ import annotations

from planner.models import Prefecture
from planner.models.db import db

SETTING_FIELDS = ("department", "letter_sender", "contact_section", "contact_name",
                  "contact_phone", "contact_email")


def update_settings(prefecture: Prefecture, **values: str) -> None:
    """Save the prefecture's handout details (stripped) and commit."""
    for name in SETTING_FIELDS:
        if name in values:
            setattr(prefecture, name, (values[name] or "").strip())
    db.session.commit()


def missing_settings(prefecture: Prefecture) -> list[str]:
    """The Japanese names of details still empty, which the handouts would print as 未設定."""
    labels = {"department": "主催する部署", "contact_section": "問い合わせ先の課・係",
              "contact_phone": "電話番号", "contact_email": "メールアドレス",
              "letter_sender": "依頼文書の発信者"}
    return [label for name, label in labels.items() if not getattr(prefecture, name)]
