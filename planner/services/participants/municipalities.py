"""The prefecture's municipalities: loading them from the national list, and the official's
changes (name, kind, contact person)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from planner.domain import addresses, fields
from planner.domain.municipalities import MunicipalityRow, valid_code
from planner.models import MUNICIPALITY_TYPES, Municipality, Participant, Prefecture
from planner.models.db import db
from planner.services.errors import ChangeRefused, rolled_back_on


@dataclass(frozen=True)
class LoadResult:
    """What loading a list did: added and updated names, and those the list no longer has."""

    added: list[str]
    updated: list[str]
    not_in_list: list[str]


def municipalities(prefecture: Prefecture) -> list[Municipality]:
    """The prefecture's municipalities in code order (the order of the national list)."""
    return list(db.session.scalars(db.select(Municipality).filter_by(prefecture_id=prefecture.id)
                                   .order_by(Municipality.code)))


def load_list(prefecture: Prefecture, rows: list[MunicipalityRow]) -> LoadResult:
    """Add the list's municipalities the prefecture lacks and bring names and kinds up to date
    (by code), keeping contact persons; commit. A municipality the list no longer has (merged)
    is kept and reported: its participants stay the official's to move or remove."""
    if not rows:
        raise ChangeRefused([(f"{prefecture.name}の市町村は全国の一覧にありません。"
                             "市町村は一つずつ追加してください。")])
    existing = {m.code: m for m in municipalities(prefecture)}
    added, updated = [], []
    for row in rows:
        municipality = existing.pop(row.code, None)
        if municipality is None:
            db.session.add(Municipality(prefecture_id=prefecture.id, code=row.code, name=row.name, kind=row.kind))
            added.append(row.name)
        elif (municipality.name, municipality.kind) != (row.name, row.kind):
            municipality.name, municipality.kind = row.name, row.kind
            updated.append(row.name)
    db.session.commit()
    return LoadResult(added, updated, sorted(m.name for m in existing.values()))


def check_values(prefecture: Prefecture, code: str, name: str, kind: str, contact_name: str,
                 contact_email: str, municipality: Municipality | None = None) -> dict:
    """The cleaned values of a municipality, or ChangeRefused (Japanese) naming each problem."""
    problems = []
    code = (code or "").strip()
    if not valid_code(code):
        problems.append(f"団体コード: 「{code}」は全国地方公共団体コード（検査数字つき6桁）ではありません。")
    else:
        same = db.session.scalar(db.select(Municipality).filter_by(prefecture_id=prefecture.id, code=code))
        if same is not None and same is not municipality:
            problems.append(f"団体コード: {code} はすでに{same.name}のコードです。")
    values = {"code": code, "kind": kind}
    for attr, key, value in (("name", "municipality_name", name), ("contact_name", "contact_name", contact_name)):
        rule = fields.rule(key)
        try:
            values[attr] = fields.check_text(value or "", rule)
        except fields.FieldError as error:
            problems.append(f"{rule.label}: {error}")
    try:
        email = addresses.check_optional_address(contact_email or "")
    except fields.FieldError as error:
        email = ""
        problems.append(f"担当者のメールアドレス: {error}")
    values["contact_email"] = email
    if kind not in MUNICIPALITY_TYPES:
        problems.append("種別: 一覧から選んでください。")
    if problems:
        raise ChangeRefused(problems)
    return values


def save_municipality(prefecture: Prefecture, values: dict, municipality: Municipality | None = None) -> Municipality:
    """Add (municipality None) or change a municipality with values from `check_values`; commit."""
    if municipality is None:
        municipality = Municipality(prefecture_id=prefecture.id)
        db.session.add(municipality)
    for attr, value in values.items():
        setattr(municipality, attr, value)
    db.session.commit()
    return municipality


def add_municipality(prefecture: Prefecture, code: str, name: str, kind: str, contact_name: str,
                     contact_email: str, before_commit: Callable[[], None] = lambda: None) -> Municipality:
    """Check and add a municipality and commit, `before_commit()` just before; ChangeRefused (rolled back) for bad values."""
    with rolled_back_on(ChangeRefused):
        values = check_values(prefecture, code, name, kind, contact_name, contact_email)
    before_commit()
    return save_municipality(prefecture, values)


def find_municipality(prefecture_id: int, municipality_id: int) -> Municipality | None:
    """The prefecture's municipality with this id, or None."""
    municipality = db.session.get(Municipality, municipality_id)
    if municipality is None or municipality.prefecture_id != prefecture_id:
        return None
    return municipality


def remove_municipality(municipality: Municipality) -> None:
    """Delete a municipality that has sent nobody (its links go with it); commit."""
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(Participant)
                             .filter_by(municipality_id=municipality.id))
    if sent:
        raise ChangeRefused([(f"{municipality.name}には受講者が{sent}名登録されているため削除できません。"
                             "先に受講者を削除してください。")])
    db.session.delete(municipality)
    db.session.commit()
