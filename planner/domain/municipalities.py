"""The national list of municipalities: 全国地方公共団体コード with their check digit, and each
municipality's kind (政令市, 中核市, 市, 町, 村). Pure: reads the data files, no database.

Data: data/municipalities.csv (the 総務省 code list) and data/municipality_kinds.toml (the
designated and core cities, which the code list does not carry); both say where they come from.
"""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"
#: the code list's weights for the check digit (総務省: 各桁に 6,5,4,3,2 を乗じた和を 11 で割る)
_WEIGHTS = (6, 5, 4, 3, 2)


@dataclass(frozen=True)
class MunicipalityRow:
    """One municipality of the national list."""

    code: str
    prefecture: str
    name: str
    kana: str
    kind: str


def check_digit(first_five: str) -> int:
    """The sixth digit of a 全国地方公共団体コード: 11 minus the weighted sum modulo 11, last digit."""
    total = sum(int(digit) * weight for digit, weight in zip(first_five, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def valid_code(code: str) -> bool:
    """Six ASCII digits whose last is the check digit of the first five."""
    return len(code) == 6 and code.isascii() and code.isdigit() and check_digit(code[:5]) == int(code[5])


@cache
def _kinds_by_code() -> dict[str, str]:
    with (DATA / "municipality_kinds.toml").open("rb") as f:
        lists = tomllib.load(f)
    return {code: kind for kind, codes in lists.items() for code in codes}


def kind_of(code: str, name: str) -> str:
    """政令市 and 中核市 from their lists; otherwise by the name's last character (市, 町, 村).
    Tokyo's special wards (特別区, e.g. 千代田区) run their own support like a city: 市."""
    listed = _kinds_by_code().get(code)
    if listed:
        return listed
    return {"町": "town", "村": "village"}.get(name[-1:], "city")


@cache
def national_list() -> tuple[MunicipalityRow, ...]:
    """Every municipality of Japan, in code order."""
    with (DATA / "municipalities.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(line for line in f if not line.startswith("#"))
        return tuple(MunicipalityRow(code=row["code"], prefecture=row["prefecture"], name=row["name"],
                                     kana=row["kana"], kind=kind_of(row["code"], row["name"]))
                     for row in reader)


def prefecture_names() -> list[str]:
    """The 47 prefectures of the list, in code order."""
    return list(dict.fromkeys(row.prefecture for row in national_list()))


@cache
def demo_list() -> tuple[MunicipalityRow, ...]:
    """The demo prefecture's fictitious municipalities (data/municipalities_demo.csv)."""
    with (DATA / "municipalities_demo.csv").open(encoding="utf-8", newline="") as f:
        return tuple(MunicipalityRow(**row) for row in csv.DictReader(line for line in f if not line.startswith("#")))


def municipalities_of(prefecture: str) -> list[MunicipalityRow]:
    """The prefecture's municipalities from the national list (or the demo's fictitious one);
    empty for a name in neither."""
    return [row for row in national_list() + demo_list() if row.prefecture == prefecture]
