"""Municipalities and participants for tests of the day's papers, the reception and the files.

Rows are inserted directly (a factory, like tests/factories.py); the entry rule itself is
tested through planner.services.participants.entries.add_entries elsewhere.
"""
from __future__ import annotations

from datetime import datetime

from planner.models.db import db
from planner.models.participants import Municipality, Participant
from planner.models.plan import Training

#: a few of 大分県's municipalities with their 全国地方公共団体コード (check digit included)
OITA_MUNICIPALITIES = [("442011", "大分市", "core_city"), ("442020", "別府市", "city"),
                       ("442038", "中津市", "city"), ("442046", "日田市", "city"),
                       ("443221", "姫島村", "village"), ("443417", "日出町", "town")]
FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
FAMILY_KANA = ["さとう", "すずき", "たかはし", "たなか", "いとう", "わたなべ", "やまもと", "なかむら",
               "こばやし", "かとう"]
GIVEN = ["花子", "一郎", "恵", "健太", "美咲", "翔", "由美", "大輔"]
GIVEN_KANA = ["はなこ", "いちろう", "めぐみ", "けんた", "みさき", "しょう", "ゆみ", "だいすけ"]
KINDS = ["worker", "worker", "official", "agency"]


def make_municipalities(prefecture_id: int, rows=OITA_MUNICIPALITIES) -> list[Municipality]:
    made = [Municipality(prefecture_id=prefecture_id, code=code, name=name, kind=kind)
            for code, name, kind in rows]
    db.session.add_all(made)
    db.session.commit()
    return made


def many_municipalities(prefecture_id: int, count: int) -> list[Municipality]:
    """`count` fictitious municipalities with distinct codes."""
    return make_municipalities(prefecture_id, [(f"99{n:03d}0", f"第{n + 1}市", "city") for n in range(count)])


def add_participants(training: Training, municipalities: list[Municipality], count: int,
                     attended: int = 0, groups: int = 0) -> list[Participant]:
    """`count` accepted participants spread over the municipalities; the first `attended`
    ticked at reception; in `groups` groups when given."""
    people = []
    for n in range(count):
        family, given = n % len(FAMILY), (n // len(FAMILY)) % len(GIVEN)
        people.append(Participant(
            training_id=training.id, municipality_id=municipalities[n % len(municipalities)].id,
            name=f"{FAMILY[family]} {GIVEN[given]}", kana=f"{FAMILY_KANA[family]} {GIVEN_KANA[given]}",
            affiliation="福祉課 生活相談係", kind=KINDS[n % len(KINDS)], job="相談支援員",
            email=f"p{n}@example.jp", needs="車いす" if n % 7 == 3 else "",
            attended_at=datetime(2026, 2, 18, 0, 30) if n < attended else None,
            group_no=(n % groups) + 1 if groups else None))
    db.session.add_all(people)
    db.session.commit()
    return people
