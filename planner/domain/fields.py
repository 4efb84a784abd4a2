"""One rule set per field: how text and dates are cleaned and checked at every way in.

The web forms, the roster CSV/xlsx import and the JSON backup all call these functions, so a
value one of them accepts is accepted by the others, and a plan's backup always restores.
The rules are data (data/fields.toml). Pure: no Flask, no database.

Text is cleaned rather than refused where a person cannot see the problem: control characters
(pasted from PDFs, or NUL, which PostgreSQL refuses) are dropped, and in one-line fields a line
break (an Excel cell with Alt+Enter) becomes a space. What a person can see and fix (too long,
empty, an unreadable date) is refused with a Japanese message.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from planner.domain import dates

RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "fields.toml"
#: the dates any field may hold: the years the backup reads and the calendars cover
DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)
#: the examples a refused date shows, in the era and the western calendar
DATE_EXAMPLE = dates.DATE_EXAMPLES
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
_ONE_LINE_SPACES = re.compile(r"[\t\r\n\v\f\x1c-\x1f\x85\u2028\u2029]+")
#: one @, no spaces, a dot in the domain; no , or ; which separate addresses in lists and files
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;.]+\Z")
#: a spreadsheet runs a cell that starts with one of these (OWASP: CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FieldError(ValueError):
    """A value no way in accepts; the message is Japanese and names no place (callers add it)."""


@dataclass(frozen=True)
class TextRule:
    """How one text field is cleaned and checked."""

    key: str
    label: str
    max: int
    lines: bool = False
    required: bool = False


@cache
def _data() -> dict:
    with RULES_FILE.open("rb") as f:
        return tomllib.load(f)


@cache
def rule(key: str) -> TextRule:
    """The rule of a field by its key in data/fields.toml."""
    entry = _data()[key]
    return TextRule(key=key, label=entry["label"], max=entry["max"], lines=entry.get("lines", False),
                    required=entry.get("required", False))


def limit(name: str) -> int:
    """How many rows of a kind a plan may hold (members, unavailable_days, ...)."""
    return _data()["limits"][name]


def clean_text(value: str, lines: bool = False) -> str:
    """The text as it is stored: invisible control characters gone, outer spaces stripped.

    One-line fields turn any line break or tab into one space; notes keep line breaks (as LF)
    and tabs.
    """
    if lines:
        value = _LINE_BREAKS.sub("\n", value)
        keep = "\n\t"
    else:
        value = _ONE_LINE_SPACES.sub(" ", value)
        keep = ""
    value = "".join(c for c in value if c in keep or unicodedata.category(c) not in ("Cc", "Cs"))
    return value.strip()


def check_text(value: str, text_rule: TextRule, required: bool | None = None) -> str:
    """The cleaned value, or FieldError when it is empty but required, or too long."""
    value = clean_text(value, text_rule.lines)
    if (text_rule.required if required is None else required) and not value:
        raise FieldError("入力してください。")
    if len(value) > text_rule.max:
        raise FieldError(f"{text_rule.max}文字以内で入力してください（{len(value)}文字あります）。")
    return value


def check_date(day: date) -> date:
    """The date, or FieldError when it lies outside the years every part of the app handles."""
    if isinstance(day, datetime):
        day = day.date()
    if not DATE_MIN <= day <= DATE_MAX:
        raise FieldError(f"{day.year}年の日付は扱えません（{DATE_MIN.year}〜{DATE_MAX.year}年）。")
    return day


def parse_date(value: str | date) -> date:
    """A date as people and Excel write it (令和9年2月18日, R9.2.18, 2027/2/18, 2027-02-18; the
    one reader is planner.domain.dates.parse_date_ja) or an Excel date cell."""
    if isinstance(value, date):
        return check_date(value)
    try:
        day = dates.parse_date_ja(value)
    except dates.DateNotRead as exc:
        raise FieldError(str(exc)) from None
    return check_date(day)


def parse_dates(text: str) -> list[date]:
    """Dates separated by ; 、 , or spaces (people type all of them), sorted, each once."""
    days = {parse_date(part) for part in re.split(r"[;；、,，\s]+", text) if part}
    if len(days) > limit("unavailable_days"):
        raise FieldError(f"日付が{len(days)}件あります。{limit('unavailable_days')}件までです。")
    return sorted(days)


def neutralise_cell(text: str) -> str:
    """A spreadsheet cell that cannot run as a formula: a leading apostrophe where needed.

    Text that would start a formula gets one more apostrophe in front (text that already
    starts with apostrophes before such a character too), so `restore_cell` gives back
    exactly the original.
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def restore_cell(text: str) -> str:
    """The original text of a cell written by `neutralise_cell` (other text is left alone)."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS) else text
