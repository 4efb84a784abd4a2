"""Starting a real prefecture: the prefecture with its municipalities from the national list."""
from __future__ import annotations

from dataclasses import dataclass

from planner.domain.municipalities import municipalities_of, prefecture_names
from planner.models import Prefecture
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.participants import municipalities


@dataclass(frozen=True)
class PrefectureCreated:
    """The prefecture, whether it was made now, and how many municipalities were added."""

    prefecture: Prefecture
    created: bool
    municipalities_added: int


def create_prefecture(name: str) -> PrefectureCreated:
    """Create one of the 47 prefectures with its municipalities (data/municipalities.csv);
    commit. One that exists is left as it is (created False). ChangeRefused for any other name."""
    name = (name or "").strip()
    names = prefecture_names()
    if name not in names:
        hint = next((n for n in names if n.startswith(name) or name.startswith(n[:-1])), None) if name else None
        raise ChangeRefused([f"「{name}」は都道府県の名前ではありません。"
                             + (f"「{hint}」のことですか。" if hint else "「大分県」「東京都」「北海道」のように、都・道・府・県まで入力してください。")])
    existing = db.session.scalar(db.select(Prefecture).filter_by(name=name))
    if existing is not None:
        return PrefectureCreated(existing, False, 0)
    prefecture = Prefecture(name=name)
    db.session.add(prefecture)
    db.session.flush()
    # one commit with its municipalities: a prefecture never exists without them
    result = municipalities.load_list(prefecture, municipalities_of(name))
    return PrefectureCreated(prefecture, True, len(result.added))
