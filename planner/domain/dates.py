"""Japanese calendar helpers: fiscal years (年度), era labels, holidays and working days.

Pure functions, no Flask, no database. Holidays come from the maintained `holidays` package
(national holidays, 振替休日 and 国民の休日 included), so the tables stay right when the law
or the equinox dates change. The package is run in a short-lived process of its own: importing
it loads every country's rules and calendars (about 20 MiB, for Japan's few dates a year), which
a web server would otherwise keep for good.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from datetime import date, timedelta, timezone
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping
from zoneinfo import ZoneInfo

WEEKDAYS_JA = "月火水木金土日"
WEEKDAY_NAMES_JA = ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日")

# (first fiscal year, era name), newest first. Fiscal 2019 began on 1 April 2019 under 平成
# but is called 令和元年度 by convention (the cabinet office and most prefectures do so).
ERAS = ((2019, "令和"), (1989, "平成"))


def fiscal_year(d: date) -> int:
    """The fiscal year (年度, April to March) that holds the date."""
    return d.year if d.month >= 4 else d.year - 1


def _era(fy: int) -> tuple[str, str]:
    """The era name and the year within it as written (元 for the first year)."""
    for first, name in ERAS:
        if fy >= first:
            number = fy - first + 1
            return name, "元" if number == 1 else str(number)
    raise ValueError(f"{fy}年度は平成より前のため和暦に変換できません。")


def era_year(fy: int) -> str:
    """The fiscal year in the Japanese era, e.g. 2025 -> "令和7年度", 2019 -> "令和元年度"."""
    name, number = _era(fy)
    return f"{name}{number}年度"


def fiscal_year_label(d: date) -> str:
    """The fiscal year of the date in both calendars, e.g. "令和7年度（2025年度）"."""
    fy = fiscal_year(d)
    return f"{era_year(fy)}（{fy}年度）"


def fiscal_years_label(first_fy: int, last_fy: int) -> str:
    """A span of fiscal years in the era, e.g. "令和7〜8年度"; one year if equal."""
    if first_fy == last_fy:
        return era_year(first_fy)
    (first_era, first_no), (last_era, last_no) = _era(first_fy), _era(last_fy)
    last_part = last_no if first_era == last_era else f"{last_era}{last_no}"
    return f"{first_era}{first_no}〜{last_part}年度"


def format_date_ja(d: date) -> str:
    """A date as a person reads it on a page, in a mail or a document: in the era, with the
    weekday, e.g. "令和8年2月18日（水）" (the same as `format_date_wareki`)."""
    return format_date_wareki(d)


#: the first day of each era, newest first, for dates (a fiscal year uses ERAS)
ERA_STARTS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"))


def _era_of_day(d: date) -> tuple[str, str]:
    """The era name and year of a calendar date as written (元 for the first year)."""
    for first, name in ERA_STARTS:
        if d >= first:
            number = d.year - first.year + 1
            return name, "元" if number == 1 else str(number)
    raise ValueError(f"{d.isoformat()}は平成より前のため和暦に変換できません。")


def format_date_wareki(d: date, weekday: bool = True) -> str:
    """The date in the Japanese era, as participant documents print it: 令和8年2月18日（水）."""
    name, year = _era_of_day(d)
    text = f"{name}{year}年{d.month}月{d.day}日"
    return text + (f"（{WEEKDAYS_JA[d.weekday()]}）" if weekday else "")


def format_month_wareki(year: int, month: int) -> str:
    """A month in the era, e.g. "令和8年11月"."""
    name, number = _era_of_day(date(year, month, 1))
    return f"{name}{number}年{month}月"


def format_year_wareki(year: int) -> str:
    """A calendar year in the era it mostly lies in, e.g. 2023 -> "令和5年", 2019 -> "令和元年"."""
    name, number = _era(year)
    return f"{name}{number}年"


def format_days_ja(days: list[date]) -> str:
    """A training's days as pages name them: "令和9年2月17日（水）", or for several days
    "令和9年2月17日（水）・2月24日（水）" (each day named, consecutive or not)."""
    if not days:
        return ""
    first = _era_of_day(days[0])
    rest = [f"{d.month}月{d.day}日（{WEEKDAYS_JA[d.weekday()]}）" if _era_of_day(d) == first else format_date_ja(d)
            for d in days[1:]]
    return "・".join([format_date_ja(days[0]), *rest])


def format_date_plain(d: date) -> str:
    """The date without the weekday, e.g. "令和8年2月18日"."""
    return format_date_wareki(d, weekday=False)


def format_date_with_fy(d: date) -> str:
    """The date and its fiscal year, e.g. "令和8年2月18日（水）令和7年度"."""
    return f"{format_date_ja(d)}{era_year(fiscal_year(d))}"


#: years of holidays one run of the package gives (a plan's dates lie in one or two such blocks)
HOLIDAY_BLOCK_YEARS = 20
_HOLIDAYS_SCRIPT = ("import json, sys, holidays\n"
                    "first = int(sys.argv[1])\n"
                    "table = holidays.country_holidays('JP', language='ja', years=range(first, first + int(sys.argv[2])))\n"
                    "print(json.dumps({day.isoformat(): name for day, name in table.items()}))")


@lru_cache(maxsize=None)
def _holiday_table(block: int) -> Mapping[date, str]:
    """Japanese national holidays with Japanese names of one block of HOLIDAY_BLOCK_YEARS years
    (built once per block, in a child process: see the module's docstring)."""
    first = block * HOLIDAY_BLOCK_YEARS
    result = subprocess.run([sys.executable, "-c", _HOLIDAYS_SCRIPT, str(first), str(HOLIDAY_BLOCK_YEARS)],
                            capture_output=True, check=True, timeout=120)
    # read-only, because the cached table is shared by every caller
    return MappingProxyType({date.fromisoformat(day): name for day, name in json.loads(result.stdout).items()})


def holiday_name(d: date) -> str | None:
    """The national holiday's Japanese name (振替休日 and 国民の休日 included), or None."""
    return _holiday_table(d.year // HOLIDAY_BLOCK_YEARS).get(d)


def is_year_end_closure(d: date) -> bool:
    """Whether the date is in the 年末年始 closure, 29 December to 3 January."""
    # 行政機関の休日に関する法律 (and each prefecture's matching 条例) closes public offices
    # on these days although only 1 January is a national holiday.
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


def is_working_day(d: date) -> bool:
    """Whether public offices are open: a weekday that is no holiday and not 年末年始."""
    return d.weekday() < 5 and holiday_name(d) is None and not is_year_end_closure(d)


def next_working_day(d: date) -> date:
    """The date itself if it is a working day, else the first working day after it."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def previous_working_day(d: date) -> date:
    """The date itself if it is a working day, else the last working day before it."""
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after d (before d when n < 0); n == 0 rolls d forward."""
    if n == 0:
        return next_working_day(d)
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if is_working_day(d):
            remaining -= 1
    return d


def cycle_period(start: date, end: date) -> str:
    """The plan's cycle as messages name it, e.g. "計画の期間（令和7年11月1日〜令和8年10月31日）"."""
    return f"計画の期間（{format_date_plain(start)}〜{format_date_plain(end)}）"


def outside_cycle_message(d: date, start: date, end: date) -> str | None:
    """A Japanese message when the date lies outside the cycle from start to end, else None."""
    if start <= d <= end:
        return None
    return f"{format_date_ja(d)}は{cycle_period(start, end)}の外です。"


def date_warnings(d: date, cycle_start: date, cycle_end: date) -> list[str]:
    """Japanese warnings about a date: weekend, holiday, 年末年始, or outside the cycle."""
    label = format_date_ja(d)
    warnings = []
    if d.weekday() >= 5:
        warnings.append(f"{label}は{WEEKDAY_NAMES_JA[d.weekday()]}です。")
    name = holiday_name(d)
    if name:
        warnings.append(f"{label}は祝日（{name}）です。")
    elif is_year_end_closure(d):
        warnings.append(f"{label}は年末年始（12月29日〜1月3日）の閉庁日です。")
    outside = outside_cycle_message(d, cycle_start, cycle_end)
    if outside:
        warnings.append(outside)
    return warnings


def as_of_ja(d: date) -> str:
    """A version's date as offices write it, e.g. "令和8年1月20日現在"."""
    return f"{format_date_wareki(d, weekday=False)}現在"


def format_utc_ja(moment) -> str:
    """A stored UTC time (naive) as Japan's clock reads it: '令和8年11月29日（日）21:05'."""
    local = moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Asia/Tokyo"))
    return f"{format_date_wareki(local.date())}{local:%H:%M}"


# --------------------------------------------------------------------------- reading typed dates

#: the first day of each era that a typed date may use, by the names people write
_ERA_FIRST_DAY = {"令和": date(2019, 5, 1), "R": date(2019, 5, 1),
                  "平成": date(1989, 1, 8), "H": date(1989, 1, 8)}
#: the last day of each era (平成 ended on 30 April 2019)
_ERA_LAST_DAY = {"平成": date(2019, 4, 30), "H": date(2019, 4, 30)}
_SEP = r"\s*[-/.]\s*"
#: 令和9年2月3日, 令和元年5月1日, R9.2.3, R9/2/3, R9-2-3, H31.4.30 (after NFKC: full width read too)
_ERA_DATE = re.compile(rf"(令和|平成|[RH])\s*(元|[0-9]{{1,2}})\s*(?:年\s*([0-9]{{1,2}})\s*月\s*([0-9]{{1,2}})\s*日?"
                       rf"|{_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}))", re.IGNORECASE)
#: 2027/2/3, 2027-02-03, 2027.2.3, 2027年2月3日
_WESTERN_DATE = re.compile(rf"([0-9]{{4}})(?:{_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{1,2}})"
                           r"|\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日?)")
#: a weekday written after the date, as letters print it: （水）, (水), 水曜日
_WEEKDAY_SUFFIX = re.compile(r"\s*(?:[(（]\s*[月火水木金土日]\s*(?:曜日?)?\s*[)）]|[月火水木金土日]曜日?)\s*\Z")
#: the example every refusal shows: both ways offices write a date
DATE_EXAMPLES = "令和9年2月18日、R9.2.18、2027/2/18"


class DateNotRead(ValueError):
    """Text that is no date; the message is Japanese and shows examples in both calendars."""


def parse_date_ja(text: str) -> date:
    """A date as Japanese officials type it, in the era or the western calendar.

    令和9年2月3日, 令和元年5月1日, R9.2.3, R9/2/3, 平成31年4月30日, H31.4.30, 2027/2/3,
    2027-02-03, 2027.2.3, 2027年2月3日; full-width digits and letters, spaces and a trailing
    weekday such as （水） are read too. An era date outside its era (令和元年4月1日) is refused:
    it is a typing mistake, not a date anyone means.
    """
    normalised = unicodedata.normalize("NFKC", text).strip()
    normalised = _WEEKDAY_SUFFIX.sub("", normalised)
    try:
        day = _read_era(normalised) or _read_western(normalised)
    except ValueError:
        day = None
    if day is None:
        raise DateNotRead(f"「{text}」は日付として読めません（例 {DATE_EXAMPLES}）。")
    return day


def _read_era(text: str) -> date | None:
    match = _ERA_DATE.fullmatch(text)
    if not match:
        return None
    era, number = match.group(1).upper() if len(match.group(1)) == 1 else match.group(1), match.group(2)
    month, day = (match.group(3), match.group(4)) if match.group(3) else (match.group(5), match.group(6))
    first = _ERA_FIRST_DAY[era]
    year = first.year + (1 if number == "元" else int(number)) - 1
    result = date(year, int(month), int(day))
    if number != "元" and int(number) == 0:
        raise ValueError
    if result < first or result > _ERA_LAST_DAY.get(era, date.max):
        raise ValueError
    return result


def _read_western(text: str) -> date | None:
    match = _WESTERN_DATE.fullmatch(text)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
    return date(int(year), int(month), int(day))
