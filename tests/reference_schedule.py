"""TEST ORACLE, NOT APP CODE: the timetable builder as it was before issue 17 (commit 005f01d).

tests/test_schedule_reference.py checks that planner/domain/schedule.py gives exactly the same
results (timetables, reasons, remedies, every text) as this slower implementation on thousands
of random cases, and bench/bench_schedule.py times it as "before". Do not change the algorithm
here; the data classes and input checks are imported from the app so results compare with ==.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import time
from functools import lru_cache
from itertools import combinations

from planner.domain.schedule import (
    MAX_DAY_MINUTES,
    MAX_ITEM_MINUTES,
    STEP,
    DayPlan,
    DaySettings,
    Item,
    PartSpec,
    ScheduleInputError,
    SubjectSpec,
    Timetable,
    _mins,
    duration_ja,
    hm,
    source_range,
    validate,
)
from planner.domain.schedule import session_ranges as app_session_ranges


def check_subjects(subjects: list[SubjectSpec]) -> None:
    """validate's checks of each subject as they were before its fast path (issue 17)."""
    for s in subjects:
        if not s.title.strip():
            raise ScheduleInputError("名前のない科目があります。科目名を入力してください。")
        for value, what in ((s.minutes_min, "最短"), (s.minutes_max, "最長"), (s.override, "指定")):
            if value is not None and not 1 <= value <= MAX_ITEM_MINUTES:
                raise ScheduleInputError(
                    f"{s.label}の{what}時間 {value}分 は 1〜{MAX_ITEM_MINUTES}分 の範囲で入力してください。")
        if s.minutes_min > s.minutes_max:
            raise ScheduleInputError(
                f"{s.label}の時間が {s.minutes_min}〜{s.minutes_max}分 となっており、最短が最長を超えています。")
        if any(not part.title.strip() for part in s.parts):
            raise ScheduleInputError(f"{s.label}に名前のないセッションがあります。")


# --------------------------------------------------------------------------- sessions

@dataclass(frozen=True)
class _Unit:
    """One session as the day builder places it: its range today and where it came from."""

    spec: SubjectSpec
    subject: int  # index of its subject in the day
    part: int  # 1-based among its subject's sessions
    parts: int
    title: str
    kind: str
    low: int
    high: int
    source: tuple[int | None, int | None] = (None, None)  # the source's minutes for it


def _share(total: int, weights: list[float]) -> list[int]:
    """`total` minutes over `weights`, in STEP units when it divides; largest remainder first."""
    unit = STEP if total % STEP == 0 else 1
    units = total // unit
    weight = sum(weights)
    exact = [units * w / weight for w in weights] if weight else [units / len(weights)] * len(weights)
    base = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: (base[i] - exact[i], i))[:units - sum(base)]:
        base[i] += 1
    return [b * unit for b in base]


# Issue 24 changed what a session may take (the source's minutes, 「程度」 within ±20%), not how
# the day is laid out: the oracle takes the session ranges from the app and checks the rest.
session_ranges = app_session_ranges


def _units(subjects: tuple[SubjectSpec, ...], longest: int) -> list[_Unit]:
    units = []
    for index, spec in enumerate(subjects):
        ranges = session_ranges(spec, longest)
        for part, (session, low, high) in enumerate(ranges, start=1):
            units.append(_Unit(spec, index, part, len(ranges), session.title, session.kind, low, high,
                               source_range(session)))
    return units


def _blocks(units: list[_Unit], longest: int, mode: str) -> tuple[list[_Unit], list[bool]]:
    """Where the breaks go inside subjects, and the session ranges capped to keep blocks short.

    `roomy` packs sessions by their longest minutes (more breaks, every minute usable),
    `tight` by their shortest (fewest breaks, longest minutes capped), `relaxed` puts no break
    inside a subject. The returned flags say, per gap between units, whether a break is due.
    """
    cuts: list[bool] = []
    run = 0
    for i, unit in enumerate(units):
        size = unit.high if mode == "roomy" else unit.low
        if i and unit.part == 1:
            cuts.append(True)
            run = size
        elif i:
            cut = mode != "relaxed" and run + size > longest
            cuts.append(cut)
            run = size if cut else run + size
        else:
            run = size
    if mode == "relaxed":
        return units, cuts
    out = list(units)
    start = 0
    for end in [i + 1 for i, cut in enumerate(cuts) if cut] + [len(units)]:
        excess = sum(u.high for u in out[start:end]) - longest
        for i in reversed(range(start, end)):
            if excess <= 0:
                break
            less = min(excess, out[i].high - out[i].low)
            out[i] = replace(out[i], high=out[i].high - less)
            excess -= less
        start = end
    return out, cuts


@lru_cache(maxsize=512)
def _break_plans(subjects: tuple[SubjectSpec, ...], longest: int, break_minutes: int):
    """The day's sessions and gaps for each way of placing breaks, in the order to try them.

    Cached: the remedies rebuild the same subjects under many day settings.
    """
    units = _units(subjects, longest)
    plans = []
    for mode in ("tight", "roomy", "relaxed"):
        mode_units, cuts = _blocks(units, longest, mode)
        plan = (tuple(mode_units), tuple(break_minutes if cut else 0 for cut in cuts))
        if plan not in plans:
            plans.append(plan)
    relaxed = plan
    return tuple(p for p in plans if p != relaxed), relaxed


# --------------------------------------------------------------------------- one day

def _fill(units: list[_Unit], minutes: list[int], budget: int, members: range,
          capped: int = 0, cap: int | None = None) -> list[int]:
    """Hand `budget` minutes to `members` in STEP-sized turns, the least-filled subject first.

    The first `capped` units together never pass `cap` minutes (the morning before lunch).
    Ties go to the earlier unit, so the result is deterministic.
    """
    minutes = list(minutes)
    room = sum(units[i].high - minutes[i] for i in members)
    if budget >= room and (cap is None or sum(u.high for u in units[:capped]) <= cap):
        for i in members:  # enough for everyone: all to their longest
            minutes[i] = units[i].high
        return minutes
    low: dict[int, int] = {}
    high: dict[int, int] = {}
    have: dict[int, int] = {}
    for unit, m in zip(units, minutes):
        low[unit.subject] = low.get(unit.subject, 0) + unit.low
        high[unit.subject] = high.get(unit.subject, 0) + unit.high
        have[unit.subject] = have.get(unit.subject, 0) + m
    open_ = [i for i in members if minutes[i] < units[i].high]
    morning = sum(minutes[:capped])
    while budget > 0 and open_:
        best = best_i = None
        for i in open_:
            if i < capped and cap is not None and morning >= cap:
                continue
            unit = units[i]
            s = unit.subject
            rank = ((have[s] - low[s]) / (high[s] - low[s]),
                    (minutes[i] - unit.low) / (unit.high - unit.low))
            if best is None or rank < best:  # ties keep the earlier unit
                best, best_i = rank, i
        if best_i is None:
            break
        i = best_i
        step = min(STEP, budget, units[i].high - minutes[i])
        if cap is not None and i < capped:
            step = min(step, cap - morning)
            morning += step
        minutes[i] += step
        have[units[i].subject] += step
        budget -= step
        if minutes[i] >= units[i].high:
            open_.remove(i)
    return minutes


class _Day:
    """The arithmetic of one day laid out as units with the given gaps between them."""

    def __init__(self, units: tuple[_Unit, ...], gaps: tuple[int, ...], settings: DaySettings):
        self.units = units
        self.gaps = gaps  # minutes between unit i and i+1 (a break, or 0 inside a block)
        self.settings = settings
        self.opening = sum(i.minutes for i in settings.opening)
        self.closing = sum(i.minutes for i in settings.closing)
        self.first_start = _mins(settings.start) + self.opening
        self.span = _mins(settings.end) - _mins(settings.start)
        self._no_lunch = self.span - self.opening - self.closing - sum(gaps)

    def available(self, lunch_after: int | None) -> int:
        """Minutes left for sessions with lunch after unit `lunch_after` (1-based), or none."""
        if lunch_after is None:
            return self._no_lunch
        return self._no_lunch - self.settings.lunch_minutes + self.gaps[lunch_after - 1]


def _candidates(day: _Day) -> list[int | None]:
    s = day.settings
    if s.lunch_minutes == 0:
        return [None]
    # A short day that ends before lunch can start needs no lunch at all.
    lows = sum(u.low for u in day.units)
    if _mins(s.start) + day.opening + lows + sum(day.gaps) + day.closing <= _mins(s.lunch_earliest):
        return [None]
    return list(range(1, len(day.units)))


def _layout(day: _Day, any_fit: bool = False) -> tuple[int | None, list[int]] | None:
    """The best minutes per unit and the lunch gap, or None when the day cannot be laid out.

    With `any_fit`, the first layout found is enough (the remedies only ask whether one exists).
    """
    s = day.settings
    units = day.units
    n = len(units)
    lows = [u.low for u in units]
    low_total = sum(lows)
    preferred_lunch = min(max(12 * 60, _mins(s.lunch_earliest)), _mins(s.lunch_latest))
    best = None
    low_prefix = [0]
    high_prefix = [0]
    gap_prefix = [0]
    for u in units:
        low_prefix.append(low_prefix[-1] + u.low)
        high_prefix.append(high_prefix[-1] + u.high)
    for g in day.gaps:
        gap_prefix.append(gap_prefix[-1] + g)
    high_total = high_prefix[-1]
    # Gaps that leave the most minutes first, so the bound below skips more of the rest; the
    # score decides, so the order does not change the result.
    for k in sorted(_candidates(day), key=lambda k: (-day.available(k), k or 0)):
        available = day.available(k)
        if low_total > available:
            continue
        if best is not None and k is not None:
            # no more minutes than this gap could ever give: it cannot beat the best so far
            most = min(available, min(high_prefix[k], _mins(s.lunch_latest) - day.first_start
                                      - gap_prefix[k - 1]) + high_total - high_prefix[k])
            if -most > best[0][0]:
                continue
        if k is None:
            chosen = _fill(units, lows, available - low_total, range(n))
            rank = (0, 0, 0)
        else:
            base = day.first_start + gap_prefix[k - 1]
            lo = max(low_prefix[k], _mins(s.lunch_earliest) - base)
            hi = min(high_prefix[k], _mins(s.lunch_latest) - base)
            if lo > hi or lo + low_total - low_prefix[k] > available:
                continue
            # First give the morning what lunch needs to start inside its window, then hand
            # the rest out fairly without pushing lunch past its window.
            chosen = _fill(units, lows, lo - low_prefix[k], range(k))
            chosen = _fill(units, chosen, available - sum(chosen), range(n), capped=k, cap=hi)
            lunch_start = base + sum(chosen[:k])
            inside = units[k].part > 1  # lunch between two sessions of one subject
            rank = (abs(lunch_start - preferred_lunch), inside, k)
        score = (-sum(chosen), rank)
        if best is None or score < best[0]:
            best = (score, k, chosen)
            if any_fit:
                break
    return None if best is None else (best[1], best[2])


def _place(day: _Day, minutes: list[int], lunch_after: int | None) -> list[Item]:
    """Lay the items end to end; lunch follows unit `lunch_after` (1-based) if given."""
    s = day.settings
    items: list[Item] = []
    clock = _mins(s.start)

    def add(kind: str, title: str, length: int, **extra) -> None:
        nonlocal clock
        start = time(*divmod(clock, 60))
        clock += length
        items.append(Item(kind, title, start, time(*divmod(clock, 60)), length, **extra))

    for fixed in s.opening:
        add("opening", fixed.title, fixed.minutes)
    for index, (unit, length) in enumerate(zip(day.units, minutes), start=1):
        spec = unit.spec
        low, high = unit.source
        add("session", unit.title, length, letter=spec.letter, local=spec.local,
            lecturer=spec.lecturer, key=spec.key, subject=spec.title, part=unit.part,
            parts=unit.parts, session_kind=unit.kind,
            estimated=spec.source != "手引き" or (unit.parts > 1 and (low is None or not low <= length <= high)))
        if index == lunch_after:
            add("lunch", "昼食・休憩", s.lunch_minutes)
        elif index < len(day.units) and day.gaps[index - 1]:
            add("break", "休憩", day.gaps[index - 1])
    for fixed in s.closing:
        add("closing", fixed.title, fixed.minutes)
    return items


def _spare_note(subjects: list[SubjectSpec], units, items: list[Item], slack: int) -> str:
    """Say in one line how the spare minutes went (issue 24: and to which sessions)."""
    taken = [0] * len(subjects)
    lows = [0] * len(subjects)
    to_parts: list[list[str]] = [[] for _ in subjects]
    sessions = [item for item in items if item.kind == "session"]
    for unit, item in zip(units, sessions):
        taken[unit.subject] += item.minutes
        lows[unit.subject] += unit.low
        if unit.parts > 1 and item.minutes > unit.low:
            to_parts[unit.subject].append(f"「{unit.title}」+{item.minutes - unit.low}分")
    extra = [f"{spec.letter or spec.title} +{m - low}分" + (f"：{'、'.join(p)}" if p else "")
             for spec, m, low, p in zip(subjects, taken, lows, to_parts) if m > low]
    parts = []
    if extra:
        parts.append("余裕時間を範囲内で配分しました（" + "／".join(extra) + "）")
    else:
        parts.append("すべての科目を最短時間で組みました")
    if slack > 0:
        parts.append(f"終了予定は上限より{slack}分早くなります")
    return "。".join(parts) + "。"


def _long_blocks(items: list[Item], longest: int) -> list[str]:
    """Runs of sessions with no break longer than the longest-block setting, said per subject."""
    notes = []
    run: list[Item] = []
    for item in items + [Item("closing", "", time(0), time(0), 0)]:
        if item.kind == "session":
            run.append(item)
            continue
        length = sum(i.minutes for i in run)
        if length > longest:
            notes.append(f"{run[0].subject_label}は休憩なしで{length}分続きます（休憩なしの上限は{longest}分ですが、"
                         f"セッションの間に休憩を入れるとこの日に収まりません）。")
        run = []
    return notes


def _solve(subjects: tuple[SubjectSpec, ...], settings: DaySettings, any_fit: bool = False):
    """The day under the first way of placing breaks that fits, with lunch and minutes chosen.

    Returns (day, lunch_after, minutes), or (relaxed day, None, reason) when nothing fits;
    the reason is a text only when the day is too short whatever the breaks, else None.
    """
    plans, relaxed_plan = _break_plans(subjects, settings.longest_block, settings.break_minutes)
    relaxed = _Day(*relaxed_plan, settings)
    # The relaxed day has the fewest gaps: if even it is too long, nothing else is tried.
    with_lunch = _candidates(relaxed) != [None]
    lows = sum(u.low for u in relaxed.units)
    spare_gap = max(relaxed.gaps, default=0) if with_lunch else 0
    available = relaxed.available(None) - (settings.lunch_minutes - spare_gap if with_lunch else 0)
    if lows > available:
        need = relaxed.span - available + lows
        return relaxed, None, (f"最低でも{need}分必要ですが、使える時間は{relaxed.span}分です"
                               f"（{settings.start:%H:%M}〜{settings.end:%H:%M}、{need - relaxed.span}分不足）。")
    found = _first_fit(plans, settings, any_fit)
    if found is not None:
        return found
    loose = _layout(relaxed, any_fit)
    if loose is None:
        return relaxed, None, None
    # The day fits only with fewer breaks than the setting asks: keep as many as still fit, by
    # finding the smallest longer block (in 15-minute steps) that lets the day be laid out.
    limits = range(settings.longest_block + 15, max(s.high for s in subjects) + 15, 15)
    plans_at = lambda limit: _break_plans(subjects, limit, settings.break_minutes)[0]
    first = bisect.bisect_left(range(len(limits)), True,
                               key=lambda i: _first_fit(plans_at(limits[i]), settings, True) is not None)
    if first < len(limits):
        return _first_fit(plans_at(limits[first]), settings, any_fit)
    return relaxed, *loose


def _first_fit(plans, settings: DaySettings, any_fit: bool):
    for plan in plans:
        day = _Day(*plan, settings)
        found = _layout(day, any_fit)
        if found is not None:
            return day, *found
    return None


def _fits(subjects: list[SubjectSpec], settings: DaySettings) -> bool:
    """Whether the day can be built, without laying out its items."""
    return isinstance(_solve(tuple(subjects), settings, any_fit=True)[2], list)


def build_day(subjects: list[SubjectSpec], settings: DaySettings) -> tuple[DayPlan | None, list[str]]:
    """Build one day, or return the reasons (Japanese, with numbers) why it cannot be built.

    Breaks inside subjects keep every block within the longest-block setting when the day
    allows it; when it does not, the day is laid out without them and says so.
    """
    subjects = list(subjects)
    day, lunch_after, chosen = _solve(tuple(subjects), settings)
    if not isinstance(chosen, list):
        return None, [chosen] if chosen else _lunch_reasons(day)
    items = _place(day, chosen, lunch_after)
    slack = day.available(lunch_after) - sum(chosen)
    return DayPlan(settings.day, items, _spare_note(subjects, day.units, items, slack),
                   _long_blocks(items, settings.longest_block)), []


def _lunch_reasons(day: _Day) -> list[str]:
    """Explain, per gap, when lunch could start, against the window."""
    s = day.settings
    window = f"{s.lunch_earliest:%H:%M}〜{s.lunch_latest:%H:%M}"
    lines = [f"昼食を{window}に始められる科目の区切りがありません。"]
    units = day.units
    for k in range(1, len(units)):
        base = day.first_start + sum(day.gaps[:k - 1])
        early = base + sum(u.low for u in units[:k])
        late = base + sum(u.high for u in units[:k])
        after = sum(u.low for u in units[k:]) + sum(day.gaps[k:])
        end_if_late = early + s.lunch_minutes + after + day.closing
        span = hm(early) if early == late else f"{hm(early)}〜{hm(late)}"
        extra = ""
        if end_if_late > _mins(s.end):
            extra = f"（ただしその場合の終了は{hm(end_if_late)}で、{s.end:%H:%M}を超えます）"
        unit = units[k - 1]
        where = unit.spec.label if unit.part == unit.parts else f"{unit.spec.label}の「{unit.title}」"
        lines.append(f"{where}の後なら昼食開始は{span}{extra}。")
    return lines


def _remedies(subjects: list[SubjectSpec], settings: DaySettings, reasons: list[str]) -> list[str]:
    """The source's own remedies, each checked: does it alone make the day fit?"""
    out = []
    fits = _fits
    for spec in subjects:
        if spec.separate_day_ok:
            rest = [s for s in subjects if s is not spec]
            verdict = "これで収まります" if rest and fits(rest, settings) else "これだけでは収まりません"
            out.append(f"{spec.label}（{spec.low}分）は研修当日に行わず、別日のシンポジウム・講演会・"
                       f"事例検討会で補う（手引きが補う方法として挙げています。「補う催しを追加する」から"
                       f"登録できます）：{verdict}。")
    for shorter in range(settings.break_minutes - STEP, STEP - 1, -STEP):
        if fits(subjects, replace(settings, break_minutes=shorter)):
            out.append(f"休憩を{settings.break_minutes}分から{shorter}分に短くする：これで収まります。")
            break
    else:
        out.append(f"休憩を短くする：{STEP}分にしても収まりません。")
    # A later end never hurts, so the earliest end that fits can be bisected.
    ends = range(_mins(settings.end) + STEP, MAX_DAY_MINUTES, STEP)
    fits_at = lambda m: fits(subjects, replace(settings, end=time(*divmod(m, 60))))
    if ends and fits_at(ends[-1]):
        later = ends[bisect.bisect_left(range(len(ends)), True, key=lambda i: fits_at(ends[i]))]
        out.append(f"終了時刻を{settings.end:%H:%M}から{hm(later)}に延ばす：これで収まります。")
    # a local training's subjects only: the remedy is not attributed to the source
    out.append("2日間に分けて開催する。" if subjects and all(s.local for s in subjects)
               else "2日間に分けて開催する（手引き：プログラムの日数を増やす）。")
    return out


# --------------------------------------------------------------------------- the training

def build_timetable(subjects: list[SubjectSpec], days: list[DaySettings]) -> Timetable:
    """Build a timetable over one or more days; subjects keep their order across days."""
    subjects = list(subjects)
    for settings in days:
        validate(subjects, settings)
    result = Timetable()
    for spec in subjects:
        outside = spec.override is not None and not spec.minutes_min <= spec.override <= spec.minutes_max
        if outside and spec.local and spec.minutes_min == spec.minutes_max:
            # a local subject's minutes are the prefecture's own, never the source's
            result.deviations.append(f"{spec.label}を{spec.override}分としています（登録した時間は{spec.minutes_min}分）。")
        elif outside:
            result.deviations.append(
                f"{spec.label}を{spec.override}分としています（{spec.source}の目安は{spec.minutes_min}〜"
                f"{spec.minutes_max}分）。" if spec.minutes_min != spec.minutes_max else
                f"{spec.label}を{spec.override}分としています（{spec.source}の目安は{spec.minutes_min}分）。")
    if len(days) == 1:
        plan, reasons = build_day(subjects, days[0])
        if plan:
            result.days = [plan]
        else:
            result.reasons = reasons
            result.remedies = _remedies(subjects, days[0], reasons)
    else:
        result.days, result.reasons, result.split_note = _split_days(subjects, days)
        if result.reasons:
            result.remedies = ["日数を増やすか、各日の開始・終了時刻を広げてください。"]
    if result.feasible:
        for plan in result.days:
            result.warnings += plan.notes
        # The source's 「7～8時間程度」 is the whole programme's, on one day or split over several.
        total = result.total_subject_minutes
        # the job-support draft's hours are its own (「７～８時間程度を想定」), not the source's
        guide = "たたき台の目安" if any(s.source != "手引き" for s in subjects) else "手引きの目安"
        where = "講義・演習の合計" if len(days) == 1 else f"{len(days)}日間の講義・演習の合計"
        if subjects and all(s.local for s in subjects):
            pass  # a local training: the source gives it no hours
        elif total < 7 * 60:
            result.warnings.append(
                f"{where}は{total}分（{duration_ja(total)}）で、{guide}「7～8時間程度」より短くなっています。")
        elif total > 8 * 60:
            result.warnings.append(
                f"{where}は{total}分（{duration_ja(total)}）で、{guide}「7～8時間程度」を超えています。")
    return result


def _split_days(subjects: list[SubjectSpec], days: list[DaySettings]) -> tuple[list[DayPlan], list[str], str]:
    """Split whole subjects in order over the days, as evenly as the days allow.

    Every split is tried (a few dozen at most); among those where each day fits, the one with
    the smallest gap between the fullest and the emptiest day wins, then the most minutes.
    """
    n, count = len(subjects), len(days)
    if n < count:
        return [], [f"{count}日間に対して科目が{n}つしかありません。"], ""
    built: dict[tuple[int, int, int], DayPlan | None] = {}

    def day_plan(start: int, end: int, index: int) -> DayPlan | None:
        key = (start, end, index)
        if key not in built:
            built[key] = build_day(subjects[start:end], days[index])[0]
        return built[key]

    best = None
    for cuts in combinations(range(1, n), count - 1):
        bounds = (0,) + cuts + (n,)
        plans = []
        for index in range(count):
            plan = day_plan(bounds[index], bounds[index + 1], index)
            if plan is None:
                break
            plans.append(plan)
        else:
            loads = [p.subject_minutes for p in plans]
            score = (max(loads) - min(loads), -sum(loads), cuts)
            if best is None or score < best[0]:
                best = (score, plans, loads)
    if best is None:
        need = sum(s.low for s in subjects)
        return [], [f"{count}日間のどの分け方でも収まりません（科目の最短合計{need}分）。"], ""
    _, plans, loads = best
    split = "・".join(f"{i}日目{m}分" for i, m in enumerate(loads, start=1))
    if max(loads) == min(loads):
        return plans, [], f"講義・演習を{split}に均等に分けました。"
    return plans, [], (f"講義・演習は{split}です。科目は日をまたいで分けないため、"
                       f"これが各日に収まる中で最も均等な分け方です（差{max(loads) - min(loads)}分）。")
