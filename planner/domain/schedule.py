"""The one-day (or multi-day) timetable builder: pure functions, no Flask, no database.

A training day is: opening items, the subjects in the given order laid out as their sessions
(lecture, exercise, group work, case report), a break between consecutive subjects and inside
a subject wherever a block would otherwise run past the plan's longest block, lunch in one of
those gaps (inside its window, possibly between two sessions of one subject), and closing items.
Each subject takes minutes inside its range, shared among its sessions; the spare minutes of
the day are handed out fairly in 5-minute steps, and when nothing fits the result says why,
with numbers, and which of the source's remedies would help. Several days are split as evenly
as whole subjects allow.
"""
from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time
from functools import cached_property, lru_cache
from itertools import accumulate, combinations
from typing import NamedTuple

STEP = 5  # spare minutes are handed out in steps of this size
MAX_DAY_MINUTES = 24 * 60
MAX_ITEM_MINUTES = 600
DEFAULT_LONGEST_BLOCK = 90  # minutes of sessions in a row before a break is due


class ScheduleInputError(ValueError):
    """Input the scheduler refuses; the message is Japanese and meant for the user."""


@dataclass(frozen=True)
class PartSpec:
    """A session of a subject; minutes are the source's own, or None where it gives none."""

    title: str
    kind: str = ""  # lecture | exercise | group_work | case_report, or "" when not said
    minutes_min: int | None = None
    minutes_max: int | None = None
    #: the source gives one figure with 「程度」 (about): it holds within ±20%
    about: bool = False


def source_range(part: PartSpec) -> tuple[int | None, int | None]:
    """The minutes the source allows a session: a range as given, one figure 「程度」 within
    ±20% (「１０分程度」 is 8–12), one plain figure exactly; (None, None) where it gives none."""
    low, high = part.minutes_min, part.minutes_max
    if low is None or high is None:
        return None, None
    if part.about and low == high:
        return -(-low * 4 // 5), low * 6 // 5
    return low, high


@dataclass(frozen=True)
class SubjectSpec:
    """A subject to place: a curriculum subject or a local one, with its minute range."""

    title: str
    minutes_min: int
    minutes_max: int
    letter: str = ""
    #: minutes the official fixed on purpose; may lie outside the range (a deviation)
    override: int | None = None
    local: bool = False
    lecturer: str = ""
    #: the source says this subject may move to a separate symposium or case-study day
    separate_day_ok: bool = False
    key: str = ""
    #: the subject's sessions in order; none means the subject is one session
    parts: tuple[PartSpec, ...] = ()
    #: whose minutes the range is: the source's, or the job-support draft's own
    source: str = "手引き"

    def __hash__(self) -> int:
        # The day builder's caches are keyed by subjects: hash a few fields that tell subjects
        # apart, not every session (equal subjects still hash alike; == compares them all).
        return hash((self.title, self.minutes_min, self.minutes_max, self.override, self.key))

    @property
    def label(self) -> str:
        return f"科目{self.letter}「{self.title}」" if self.letter else f"「{self.title}」"

    @property
    def low(self) -> int:
        return self.override if self.override is not None else self.minutes_min

    @property
    def high(self) -> int:
        return self.override if self.override is not None else self.minutes_max


@dataclass(frozen=True)
class FixedItem:
    """An opening or closing item such as orientation or the closing survey."""

    title: str
    minutes: int


@dataclass(frozen=True)
class DaySettings:
    """How one training day is framed."""

    day: date | None = None
    start: time = time(9, 0)
    end: time = time(17, 45)
    lunch_minutes: int = 45
    lunch_earliest: time = time(11, 30)
    lunch_latest: time = time(13, 30)
    break_minutes: int = 10
    #: the longest run of sessions without a break (a Training column)
    longest_block: int = DEFAULT_LONGEST_BLOCK
    opening: tuple[FixedItem, ...] = (FixedItem("開会・オリエンテーション", 10),)
    closing: tuple[FixedItem, ...] = (FixedItem("アンケート記入・閉会", 10),)


@dataclass(frozen=True)
class Item:
    """One timed line of a timetable."""

    kind: str  # opening | session | break | lunch | closing (| subject for a subject's span)
    title: str
    start: time
    end: time
    minutes: int
    letter: str = ""
    local: bool = False
    lecturer: str = ""
    key: str = ""
    #: for a session: its subject's title, its place among the subject's sessions, its kind
    subject: str = ""
    part: int = 0
    parts: int = 0
    session_kind: str = ""
    #: the minutes are the app's share of the subject, not a figure the source gives the session
    estimated: bool = False

    @property
    def full_title(self) -> str:
        """A session as a printed timetable names it: its subject, then itself if it is a part."""
        if self.kind == "session" and self.parts > 1:
            # a subject cut in equal parts names itself already: 「…（前半）」, not 「…／…（前半）」
            return self.title if self.title.startswith(self.subject) else f"{self.subject}／{self.title}"
        return self.title

    @property
    def subject_label(self) -> str:
        return f"科目{self.letter}「{self.subject}」" if self.letter else f"「{self.subject}」"

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "letter": self.letter, "title": self.title,
               "start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M"),
               "minutes": self.minutes, "local": self.local, "lecturer": self.lecturer}
        if self.kind == "session":
            out.update(subject=self.subject, part=self.part, parts=self.parts,
                       session_kind=self.session_kind, estimated=self.estimated)
        return out


@dataclass
class DayPlan:
    """A built day: its items and what the builder did with the spare minutes."""

    day: date | None
    items: list[Item]
    spare_note: str
    #: what the builder could not honour, e.g. a block longer than the longest-block setting
    notes: list[str] = field(default_factory=list)

    @property
    def subject_minutes(self) -> int:
        return sum([i.minutes for i in self.items if i.kind == "session"])

    @property
    def subjects(self) -> list[Item]:
        """One item per subject, from its first session's start to its last session's end."""
        out: list[Item] = []
        for item in self.items:
            if item.kind != "session":
                continue
            if item.part == 1:
                out.append(Item("subject", item.subject, item.start, item.end, item.minutes,
                                letter=item.letter, local=item.local, lecturer=item.lecturer,
                                key=item.key, subject=item.subject, parts=item.parts))
            else:
                last = out[-1]
                out[-1] = replace(last, end=item.end, minutes=last.minutes + item.minutes)
        return out


@dataclass
class Timetable:
    """The result: the days when feasible, otherwise the reasons and the remedies."""

    days: list[DayPlan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    deviations: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    remedies: list[str] = field(default_factory=list)
    #: for several days: how the subjects were split and why it is not even, if it is not
    split_note: str = ""

    @property
    def feasible(self) -> bool:
        return bool(self.days) and not self.reasons

    @property
    def items(self) -> list[Item]:
        return [item for day in self.days for item in day.items]

    @property
    def subject_items(self) -> list[Item]:
        return [item for day in self.days for item in day.subjects]

    @property
    def total_subject_minutes(self) -> int:
        return sum(d.subject_minutes for d in self.days)

    def as_dict(self) -> dict:
        return {
            "feasible": self.feasible,
            "days": [{"date": d.day.isoformat() if d.day else None,
                      "items": [i.as_dict() for i in d.items], "spare_note": d.spare_note}
                     for d in self.days],
            "items": [i.as_dict() for i in self.items],
            "total_subject_minutes": self.total_subject_minutes,
            "warnings": self.warnings, "deviations": self.deviations,
            "reasons": self.reasons, "remedies": self.remedies, "split_note": self.split_note,
        }


def hm(minutes: int) -> str:
    """Minutes since midnight as HH:MM."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def duration_ja(minutes: int) -> str:
    """480 -> '8時間', 390 -> '6時間30分'."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}分"
    return f"{hours}時間{rest}分" if rest else f"{hours}時間"


def _mins(t: time) -> int:
    return t.hour * 60 + t.minute


def parse_hhmm(text: str, what: str) -> time:
    """'9:30' or '09:30' to a time; anything else is a Japanese error naming the field."""
    try:
        hours, minutes = text.strip().split(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        raise ScheduleInputError(
            f"{what}「{text}」は時刻として読めません。00:00〜23:59 の HH:MM で入力してください。"
        ) from None


def _refuse_minutes(s: SubjectSpec) -> None:
    """Say which of a subject's minutes is wrong (validate found one is)."""
    for value, what in ((s.minutes_min, "最短"), (s.minutes_max, "最長"), (s.override, "指定")):
        if value is not None and not 1 <= value <= MAX_ITEM_MINUTES:
            raise ScheduleInputError(
                f"{s.label}の{what}時間 {value}分 は 1〜{MAX_ITEM_MINUTES}分 の範囲で入力してください。")
    raise ScheduleInputError(
        f"{s.label}の時間が {s.minutes_min}〜{s.minutes_max}分 となっており、最短が最長を超えています。")


def validate(subjects: list[SubjectSpec], settings: DaySettings) -> None:
    """Refuse input no timetable could honour, with a message the official understands."""
    if not subjects:
        raise ScheduleInputError("科目が1つもありません。")
    for s in subjects:
        if not s.title.strip():
            raise ScheduleInputError("名前のない科目があります。科目名を入力してください。")
        if not (1 <= s.minutes_min <= s.minutes_max <= MAX_ITEM_MINUTES
                and (s.override is None or 1 <= s.override <= MAX_ITEM_MINUTES)):
            _refuse_minutes(s)
        for part in s.parts:
            if not part.title.strip():
                raise ScheduleInputError(f"{s.label}に名前のないセッションがあります。")
    if _mins(settings.end) <= _mins(settings.start):
        raise ScheduleInputError(
            f"終了時刻 {settings.end:%H:%M} が開始時刻 {settings.start:%H:%M} より前（または同じ）です。")
    if _mins(settings.lunch_latest) < _mins(settings.lunch_earliest):
        raise ScheduleInputError(
            f"昼食の開始可能時間帯 {settings.lunch_earliest:%H:%M}〜{settings.lunch_latest:%H:%M} が逆になっています。")
    # Lunch may be 0 (a half day); a break between subjects is a rule, so it is at least STEP.
    for value, what, bottom, top in ((settings.lunch_minutes, "昼食", 0, 180),
                                     (settings.break_minutes, "休憩", STEP, 60),
                                     (settings.longest_block, "休憩なしで続ける上限", 30, 480)):
        if not bottom <= value <= top:
            raise ScheduleInputError(
                f"{what}の時間 {value}分 は {bottom}〜{top}分 の範囲で入力してください。")
    for item in settings.opening + settings.closing:
        if not item.title.strip():
            raise ScheduleInputError("開会・閉会の項目に名前のないものがあります。")
        if not 0 < item.minutes <= 120:
            raise ScheduleInputError(f"「{item.title}」の時間 {item.minutes}分 は 1〜120分 で入力してください。")



# --------------------------------------------------------------------------- sessions

class _Unit(NamedTuple):
    """One session as the day builder places it: its range today and where it came from."""

    spec: SubjectSpec
    part: int  # 1-based among its subject's sessions
    parts: int
    title: str
    kind: str
    low: int
    high: int
    source: tuple[int | None, int | None] = (None, None)  # the source's minutes for it
    #: its Item's fields from letter to session_kind, gathered once for _place
    item_fields: tuple = ()


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


def _spread(total: int, caps: list[int]) -> list[int]:
    """`total` (at most sum(caps)) over items in proportion to their caps, never past a cap."""
    if total <= 0 or not caps:
        return [0] * len(caps)
    out = [min(cap, share) for cap, share in zip(caps, _share(total, caps))]
    left = total - sum(out)
    for i in sorted(range(len(caps)), key=lambda i: (out[i] - caps[i], i)):  # the roomiest first
        give = min(left, caps[i] - out[i])
        out[i] += give
        left -= give
    return out


def _adjust(values: list[int], lower: list[int], upper: list[int], target: int,
            about: list[bool]) -> list[int]:
    """Move `values` to add up to `target` inside [lower, upper]: sessions the source gives a
    range change first, those with one figure 「程度」 last (they keep their figure if they can)."""
    values = list(values)
    diff = target - sum(values)
    tiers = ([i for i, a in enumerate(about) if not a], [i for i, a in enumerate(about) if a])
    for tier in tiers if diff > 0 else tiers[::-1]:
        if not diff:
            break
        caps = [(upper[i] - values[i]) if diff > 0 else (values[i] - lower[i]) for i in tier]
        moved = _spread(min(abs(diff), sum(caps)), caps)
        for i, m in zip(tier, moved):
            values[i] += m if diff > 0 else -m
        diff += -sum(moved) if diff > 0 else sum(moved)
    return values


def _source_kept(spec: SubjectSpec, parts: list[PartSpec]) -> list[tuple[PartSpec, int, int]] | None:
    """Session ranges inside the source's minutes for each session that has them, or None
    when the subject's own minutes (e.g. a length the official fixed) leave no such ranges.

    The subject's range narrows to what its sessions allow; spare minutes go to the sessions
    with a range first, then to those 「程度」, then to sessions without minutes.
    """
    bounds = [source_range(p) for p in parts]
    known = [i for i, b in enumerate(bounds) if b[0] is not None]
    if not known:
        return None
    unknown = [i for i, b in enumerate(bounds) if b[0] is None]
    low_k = [bounds[i][0] for i in known]
    high_k = [bounds[i][1] for i in known]
    about = [parts[i].about and parts[i].minutes_min == parts[i].minutes_max for i in known]
    nominal = [parts[i].minutes_min if a else lo for i, a, lo in zip(known, about, low_k)]
    lows, highs = [0] * len(parts), [0] * len(parts)
    if unknown:
        rest = spec.low - sum(low_k)
        if rest < STEP * len(unknown) or sum(high_k) > spec.high:
            return None
        known_lows = low_k
        shares = _share(rest, [1] * len(unknown))
        extra = spec.high - spec.low
        grow = _spread(min(extra, sum(h - lo for h, lo in zip(high_k, low_k))),
                       [h - lo for h, lo in zip(high_k, low_k)])
        known_highs = [lo + g for lo, g in zip(low_k, grow)]
        more = _share(extra - sum(grow), shares)
        for i, share, m in zip(unknown, shares, more):
            lows[i], highs[i] = share, share + m
    else:
        if sum(low_k) > spec.high or sum(high_k) < spec.low:
            return None
        known_lows = _adjust(nominal, low_k, high_k, max(spec.low, sum(low_k)), about)
        known_highs = _adjust([max(lo, n) for lo, n in zip(known_lows, nominal)], known_lows, high_k,
                              min(spec.high, sum(high_k)), about)
    for i, lo, hi in zip(known, known_lows, known_highs):
        lows[i], highs[i] = lo, hi
    return [(p, lo, hi) for p, lo, hi in zip(parts, lows, highs)]


def session_ranges(spec: SubjectSpec, longest: int) -> list[tuple[PartSpec, int, int]]:
    """Each session's minute range: inside the source's minutes where it gives them.

    Sessions the source gives minutes keep them (a range as given, one figure 「程度」 within
    ±20%) and the subject takes what they allow inside its own range. Where it gives none, or
    the official fixed a length they cannot reach, the subject's minutes are shared out, the
    source's figures serving as weights (those sessions show 「按分の目安」). A subject without
    sessions that runs past the longest block is cut in equal parts.
    """
    parts = list(spec.parts)
    if not parts:
        count = -(-spec.high // longest)
        if count <= 1:
            return [(PartSpec(spec.title), spec.low, spec.high)]
        names = ["前半", "後半"] if count == 2 else [f"その{i}" for i in range(1, count + 1)]
        parts = [PartSpec(f"{spec.title}（{name}）") for name in names]
    if len(parts) == 1:  # one session left (its options off): it is the subject, under its name
        return [(replace(parts[0], title=spec.title), spec.low, spec.high)]
    kept = _source_kept(spec, parts)
    if kept is not None:
        return kept
    known = [p.minutes_min for p in parts if p.minutes_min is not None]
    fill = sum(known) / len(known) if known else 1
    lows = _share(spec.low, [p.minutes_min if p.minutes_min is not None else fill for p in parts])
    if 0 in lows:  # too short to share out: the subject is one session
        return [(PartSpec(spec.title), spec.low, spec.high)]
    spread = [(p.minutes_max - p.minutes_min) if p.minutes_min is not None else 0 for p in parts]
    extras = _share(spec.high - spec.low, spread if any(spread) else lows)
    return [(p, low, low + extra) for p, low, extra in zip(parts, lows, extras)]


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
            out[i] = out[i]._replace(high=out[i].high - less)
            excess -= less
        start = end
    return out, cuts


class _Plan(NamedTuple):
    """The day's sessions and where a break is due between them (one way of placing breaks)."""

    units: tuple[_Unit, ...]
    cuts: tuple[bool, ...]  # per gap between units: a break is due there
    low_total: int  # the sessions' shortest minutes together
    breaks: int  # how many breaks
    #: per gap k (lunch after unit k): the shortest and longest minutes of units 1..k, and
    #: how many breaks come before unit k
    lows_before: tuple[int, ...]
    highs_before: tuple[int, ...]
    breaks_before: tuple[int, ...]
    #: per gap: the last gap at or before it where a break is due (-1: none)
    last_break: tuple[int, ...]
    #: what the day builder reads per unit, worked out once with the cached plan: each unit's
    #: subject (0, 0, 1, 2, 2, …), its shortest minutes, the shortest and longest minutes and
    #: the breaks before it (one more entry: the totals), and each subject's shortest and longest
    subject_of: tuple[int, ...]
    lows: tuple[int, ...]
    low_prefix: tuple[int, ...]
    high_prefix: tuple[int, ...]
    break_prefix: tuple[int, ...]
    subject_lows: tuple[int, ...]
    subject_highs: tuple[int, ...]


@lru_cache(maxsize=1024)
def _subject_plans(spec: SubjectSpec, longest: int) -> tuple[tuple[tuple[_Unit, ...], tuple[bool, ...]], ...]:
    """A subject's sessions and the breaks inside it, for each way of placing breaks.

    Blocks never run across subjects (a break is always due between two), so each subject is
    worked out on its own, and cached: the same subjects come back with other local subjects
    and day settings.
    """
    ranges = session_ranges(spec, longest)
    units = [_Unit(spec, part, len(ranges), session.title, session.kind, low, high,
                   source_range(session),
                   (spec.letter, spec.local, spec.lecturer, spec.key, spec.title, part, len(ranges), session.kind))
             for part, (session, low, high) in enumerate(ranges, start=1)]
    return tuple((tuple(mode_units), tuple(cuts))
                 for mode_units, cuts in (_blocks(units, longest, mode) for mode in ("tight", "roomy", "relaxed")))


@lru_cache(maxsize=512)
def _break_plans(subjects: tuple[SubjectSpec, ...], longest: int):
    """The day's sessions and where breaks go, for each way of placing them, in the order to try.

    Cached: the remedies rebuild the same subjects under many day settings.
    """
    pieces = [_subject_plans(spec, longest) for spec in subjects]
    plans = []
    for mode in range(3):
        units = tuple(unit for piece in pieces for unit in piece[mode][0])
        cuts = tuple(cut for index, piece in enumerate(pieces)
                     for cut in ((True,) if index else ()) + piece[mode][1])
        subject_of = tuple(index for index, piece in enumerate(pieces) for _ in piece[mode][0])
        lows = tuple(unit.low for unit in units)
        subject_lows, subject_highs = [0] * len(pieces), [0] * len(pieces)
        for unit, index in zip(units, subject_of):
            subject_lows[index] += unit.low
            subject_highs[index] += unit.high
        plan = _Plan(units, cuts, sum(unit.low for unit in units), sum(cuts),
                     tuple(accumulate(unit.low for unit in units[:-1])),
                     tuple(accumulate(unit.high for unit in units[:-1])),
                     tuple(accumulate(cuts[:-1], initial=0)),
                     tuple(accumulate((i if cut else -1 for i, cut in enumerate(cuts)), max, initial=-1))[1:],
                     subject_of, lows, tuple(accumulate(lows, initial=0)),
                     tuple(accumulate((unit.high for unit in units), initial=0)),
                     tuple(accumulate(cuts, initial=0)), tuple(subject_lows), tuple(subject_highs))
        if plan not in plans:
            plans.append(plan)
    relaxed = plan
    return tuple(p for p in plans if p != relaxed), relaxed


# --------------------------------------------------------------------------- one day

def _fill(plan: _Plan, minutes: list[int], budget: int, upto: int, capped: int = 0,
          cap: int | None = None) -> list[int]:
    """Hand `budget` minutes to the first `upto` units in STEP-sized turns, the least-filled
    subject first.

    The first `capped` units together never pass `cap` minutes (the morning before lunch).
    Ties go to the earlier unit, so the result is deterministic. A heap holds each open unit's
    rank; a turn changes the ranks of its own subject's units only, which are pushed again
    (entries of an older turn of that subject are skipped when they come up).
    """
    minutes = list(minutes)
    if budget <= 0:
        return minutes
    units, subject_of, high_prefix = plan.units, plan.subject_of, plan.high_prefix
    if budget >= high_prefix[upto] - sum(minutes[:upto]) and (cap is None or high_prefix[capped] <= cap):
        for i in range(upto):  # enough for everyone: all to their longest
            minutes[i] = units[i].high
        return minutes
    low, high = plan.subject_lows, plan.subject_highs  # per subject
    count = len(low)
    have = [0] * count
    for s, m in zip(subject_of, minutes):
        have[s] += m
    open_units: list[list[int]] = [[] for _ in range(count)]  # per subject
    heap: list[tuple[float, float, int, int]] = []  # (subject's share, unit's share, unit, turn)
    for i in range(upto):
        unit = units[i]
        if minutes[i] < unit.high:
            s = subject_of[i]
            open_units[s].append(i)
            heap.append(((have[s] - low[s]) / (high[s] - low[s]), (minutes[i] - unit.low) / (unit.high - unit.low),
                         i, 0))
    heapq.heapify(heap)
    turn = [0] * count  # turns each subject has had
    heappush, heappop = heapq.heappush, heapq.heappop

    def push(s: int) -> None:
        share = (have[s] - low[s]) / (high[s] - low[s])
        for j in open_units[s]:
            unit = units[j]
            if minutes[j] < unit.high:
                heappush(heap, (share, (minutes[j] - unit.low) / (unit.high - unit.low), j, turn[s]))

    morning = sum(minutes[:capped])
    while budget > 0 and heap:
        _, _, i, when = heappop(heap)
        s = subject_of[i]
        if when != turn[s]:
            continue  # ranked before its subject's last turn
        if i < capped and cap is not None and morning >= cap:
            continue  # the morning is full: this unit gets nothing more
        step = min(STEP, budget, units[i].high - minutes[i])
        if cap is not None and i < capped:
            step = min(step, cap - morning)
            morning += step
        minutes[i] += step
        have[s] += step
        budget -= step
        turn[s] += 1
        push(s)
    return minutes


class _Day:
    """The arithmetic of one day laid out as units with the given gaps between them."""

    def __init__(self, plan: _Plan, settings: DaySettings):
        self.plan = plan
        self.units = plan.units
        self.cuts = plan.cuts
        self.settings = settings
        self.opening = sum(i.minutes for i in settings.opening)
        self.closing = sum(i.minutes for i in settings.closing)
        self.first_start = _mins(settings.start) + self.opening
        self.span = _mins(settings.end) - _mins(settings.start)
        self.low_total = plan.low_total
        #: the minutes of everything but the sessions and lunch
        self.frame = self.opening + self.closing + settings.break_minutes * plan.breaks
        self._no_lunch = self.span - self.frame

    @cached_property
    def gaps(self) -> tuple[int, ...]:
        """Minutes between unit i and i+1: a break where one is due, else 0 (inside a block)."""
        return tuple(self.settings.break_minutes if cut else 0 for cut in self.cuts)

    def available(self, lunch_after: int | None) -> int:
        """Minutes left for sessions with lunch after unit `lunch_after` (1-based), or none."""
        if lunch_after is None:
            return self._no_lunch
        saved = self.settings.break_minutes if self.cuts[lunch_after - 1] else 0  # lunch takes a break's place
        return self._no_lunch - self.settings.lunch_minutes + saved


def _has_lunch(s: DaySettings, frame: int, low_total: int) -> bool:
    """Whether a day has lunch: a short day that ends before lunch can start needs none.

    `frame` is the minutes of all but the sessions and lunch, `low_total` the sessions' shortest.
    """
    return s.lunch_minutes > 0 and _mins(s.start) + frame + low_total > _mins(s.lunch_earliest)


def _need(plan: _Plan, s: DaySettings) -> int | None:
    """The fewest minutes from start to end in which the plan can be laid out (None: never).

    The closed form of "does _layout find a layout": with lunch after unit k, the morning
    needs at least its shortest minutes and enough to reach the lunch window; the rest of the
    day its shortest minutes. Whether the window can be reached does not depend on the end.
    """
    start, opening = _mins(s.start), sum(i.minutes for i in s.opening)
    frame = opening + sum(i.minutes for i in s.closing) + s.break_minutes * plan.breaks
    if not _has_lunch(s, frame, plan.low_total):
        return frame + plan.low_total
    earliest = _mins(s.lunch_earliest) - start - opening
    latest = _mins(s.lunch_latest) - start - opening
    brk = s.break_minutes
    lows, highs, before = plan.lows_before, plan.highs_before, plan.breaks_before
    # Lunch after gap i (0-based) can start in its window when the morning at its shortest is
    # not too long (true for the first gaps, up to `last`) and at its longest not too short
    # (true from some gap on). The minutes the morning must add to reach the window only
    # shrink from gap to gap, and lunch in place of a break saves that break: so the best is
    # lunch in the last such gap, or in the last one with a break.
    last = bisect.bisect_right(range(len(lows)), latest, key=lambda i: lows[i] + brk * before[i]) - 1
    if last < 0:
        return None
    best = None
    for i in (last, plan.last_break[last]):
        if i < 0 or highs[i] + brk * before[i] < earliest:
            continue
        saved = brk if plan.cuts[i] else 0
        need = frame + s.lunch_minutes + plan.low_total - saved + max(0, earliest - brk * before[i] - lows[i])
        if best is None or need < best:
            best = need
    return best


def _layout(day: _Day) -> tuple[int | None, list[int]] | None:
    """The best minutes per unit and the lunch gap, or None when the day cannot be laid out.

    The best has the most minutes, then lunch nearest noon, then no lunch inside a subject,
    then the earliest gap.
    """
    s, plan = day.settings, day.plan
    units = plan.units
    n = len(units)
    lows = plan.lows
    low_total = plan.low_total
    if not _has_lunch(s, day.frame, low_total):
        spare = day.available(None) - low_total
        return None if spare < 0 else (None, _fill(plan, lows, spare, n))
    earliest, latest = _mins(s.lunch_earliest), _mins(s.lunch_latest)
    preferred_lunch = min(max(12 * 60, earliest), latest)
    best = None
    low_prefix, high_prefix, cuts = plan.low_prefix, plan.high_prefix, plan.cuts
    high_total = high_prefix[-1]
    brk = s.break_minutes
    with_lunch = day.available(None) - s.lunch_minutes  # plus the break lunch takes the place of
    # Each gap where lunch can start in its window, with the best score it could reach (the
    # most minutes it could give, lunch as near noon as it could start), best first: a gap
    # whose best cannot beat a layout found so far is not worth filling. The score decides,
    # so the order does not change the result.
    gaps = []
    first_start, break_prefix = day.first_start, plan.break_prefix
    for k in range(1, n):
        base = first_start + brk * break_prefix[k - 1]
        if base + high_prefix[k] < earliest:
            continue  # the morning cannot reach the window yet
        if base + low_prefix[k] > latest:
            break  # the morning is past the window, here and at every later gap
        available = with_lunch + brk if cuts[k - 1] else with_lunch
        lo = max(low_prefix[k], earliest - base)
        hi = min(high_prefix[k], latest - base)
        if lo > hi or lo + low_total - low_prefix[k] > available:
            continue
        most = min(available, hi + high_total - high_prefix[k])
        nearest = max(base + lo - preferred_lunch, preferred_lunch - base - hi, 0)
        inside = units[k].part > 1  # lunch between two sessions of one subject
        gaps.append(((-most, (nearest, inside, k)), k, available, base, lo, hi))
    gaps.sort()
    for bound, k, available, base, lo, hi in gaps:
        if best is not None and bound > best[0]:
            break  # the gaps after this one can do no better
        # First give the morning what lunch needs to start inside its window, then hand
        # the rest out fairly without pushing lunch past its window.
        chosen = _fill(plan, lows, lo - low_prefix[k], k)
        chosen = _fill(plan, chosen, available - sum(chosen), n, capped=k, cap=hi)
        lunch_start = base + sum(chosen[:k])
        score = (-sum(chosen), (abs(lunch_start - preferred_lunch), bound[1][1], k))
        if best is None or score < best[0]:
            best = (score, k, chosen)
    return None if best is None else (best[1], best[2])


#: every minute of the day as a time, so that laying out items makes none
_CLOCK = tuple(time(hour, minute) for hour in range(24) for minute in range(60))


def _place(day: _Day, minutes: list[int], lunch_after: int | None) -> list[Item]:
    """Lay the items end to end; lunch follows unit `lunch_after` (1-based) if given."""
    s = day.settings
    items: list[Item] = []
    append = items.append
    clock = _mins(s.start)
    start = s.start
    for fixed in s.opening:
        clock += fixed.minutes
        end = _CLOCK[clock]
        append(Item("opening", fixed.title, start, end, fixed.minutes))
        start = end
    cuts = day.cuts
    last = len(cuts)
    for index, (unit, length) in enumerate(zip(day.units, minutes)):
        low, high = unit.source
        clock += length
        end = _CLOCK[clock]
        # the job-support draft's minutes are all the app's own, never the source's
        append(Item("session", unit.title, start, end, length, *unit.item_fields,
                    unit.spec.source != "手引き" or (unit.parts > 1 and (low is None or not low <= length <= high))))
        start = end
        if index + 1 == lunch_after:
            clock += s.lunch_minutes
            end = _CLOCK[clock]
            append(Item("lunch", "昼食・休憩", start, end, s.lunch_minutes))
            start = end
        elif index < last and cuts[index]:
            clock += s.break_minutes
            end = _CLOCK[clock]
            append(Item("break", "休憩", start, end, s.break_minutes))
            start = end
    for fixed in s.closing:
        clock += fixed.minutes
        end = _CLOCK[clock]
        append(Item("closing", fixed.title, start, end, fixed.minutes))
        start = end
    return items


def _spare_note(subjects: list[SubjectSpec], plan: _Plan, minutes: list[int], slack: int) -> str:
    """Say in one line how the spare minutes went (`minutes` per unit of `plan`): per subject,
    and for a subject of several sessions, to which of them."""
    taken = [0] * len(subjects)
    to_parts: list[list[str]] = [[] for _ in subjects]
    for index, unit, length in zip(plan.subject_of, plan.units, minutes):
        taken[index] += length
        if unit.parts > 1 and length > unit.low:
            to_parts[index].append(f"「{unit.title}」+{length - unit.low}分")
    extra = [f"{spec.letter or spec.title} +{m - low}分" + (f"：{'、'.join(parts)}" if len(parts) else "")
             for spec, m, low, parts in zip(subjects, taken, plan.subject_lows, to_parts) if m > low]
    out = []
    if extra:
        out.append("余裕時間を範囲内で配分しました（" + "／".join(extra) + "）")
    else:
        out.append("すべての科目を最短時間で組みました")
    if slack > 0:
        out.append(f"終了予定は上限より{slack}分早くなります")
    return "。".join(out) + "。"


def _long_blocks(items: list[Item], longest: int) -> list[str]:
    """Runs of sessions with no break longer than the longest-block setting, said per subject."""
    notes = []
    first, length = None, 0  # the run's first session and its minutes
    for item in [*items, None]:
        if item is not None and item.kind == "session":
            first = first or item
            length += item.minutes
            continue
        if length > longest:
            notes.append(f"{first.subject_label}は休憩なしで{length}分続きます（休憩なしの上限は{longest}分ですが、"
                         f"セッションの間に休憩を入れるとこの日に収まりません）。")
        first, length = None, 0
    return notes


def _solve(subjects: tuple[SubjectSpec, ...], settings: DaySettings):
    """The day under the first way of placing breaks that fits, with lunch and minutes chosen.

    Returns (day, lunch_after, minutes), or (relaxed day, None, reason) when nothing fits;
    the reason is a text only when the day is too short whatever the breaks, else None.
    """
    plans, relaxed_plan = _break_plans(subjects, settings.longest_block)
    need = _short_day_need(relaxed_plan, settings)
    span = _mins(settings.end) - _mins(settings.start)
    if need > span:
        return _Day(relaxed_plan, settings), None, (
            f"最低でも{need}分必要ですが、使える時間は{span}分です"
            f"（{settings.start:%H:%M}〜{settings.end:%H:%M}、{need - span}分不足）。")
    found = _first_fit(plans, settings)
    if found is not None:
        return found
    # If the day fits at all, it fits only with fewer breaks than the setting asks: keep as many
    # as still fit, by finding the smallest longer block (in 15-minute steps) that lets the day
    # be laid out. Without a break to place inside a subject, a longer block changes nothing.
    if plans and _fits_any((relaxed_plan,), settings):
        limits = range(settings.longest_block + 15, max(s.high for s in subjects) + 15, 15)
        plans_at = lambda limit: _break_plans(subjects, limit)[0]
        first = bisect.bisect_left(range(len(limits)), True,
                                   key=lambda i: _fits_any(plans_at(limits[i]), settings))
        if first < len(limits):
            return _first_fit(plans_at(limits[first]), settings)
    relaxed = _Day(relaxed_plan, settings)
    loose = _layout(relaxed)
    return (relaxed, None, None) if loose is None else (relaxed, *loose)


def _short_day_need(relaxed: _Plan, s: DaySettings) -> int:
    """The minutes the day needs at the least, whatever the breaks and lunch: the relaxed day
    (the fewest gaps) at its shortest, with lunch taking the place of its longest gap."""
    frame = sum(i.minutes for i in s.opening + s.closing) + s.break_minutes * relaxed.breaks
    if not _has_lunch(s, frame, relaxed.low_total):
        return frame + relaxed.low_total
    return frame + s.lunch_minutes - (s.break_minutes if relaxed.breaks else 0) + relaxed.low_total


def _first_fit(plans, settings: DaySettings):
    for plan in plans:
        day = _Day(plan, settings)
        found = _layout(day)
        if found is not None:
            return day, *found
    return None


def _fits_any(plans, settings: DaySettings) -> bool:
    """Whether one of these ways of placing breaks can be laid out (see _need)."""
    span = _mins(settings.end) - _mins(settings.start)
    return any(need is not None and need <= span for need in (_need(plan, settings) for plan in plans))


def _day_need(break_plans, settings: DaySettings) -> int | None:
    """The fewest minutes from start to end in which build_day builds the day (None: never),
    given the subjects' `_break_plans`.

    A day is built when it is not too short whatever the breaks and some way of placing
    them (the relaxed one included) can be laid out; the end time plays no other part.
    """
    plans, relaxed_plan = break_plans
    needs = [need for plan in (*plans, relaxed_plan) if (need := _need(plan, settings)) is not None]
    return max(_short_day_need(relaxed_plan, settings), min(needs)) if needs else None


def _fits(break_plans, settings: DaySettings) -> bool:
    """Whether the day can be built, without laying out its items."""
    need = _day_need(break_plans, settings)
    return need is not None and need <= _mins(settings.end) - _mins(settings.start)


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
    return DayPlan(settings.day, items, _spare_note(subjects, day.plan, chosen, slack),
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
    plans = _break_plans(tuple(subjects), settings.longest_block)
    for spec in subjects:
        if spec.separate_day_ok:
            rest = tuple(s for s in subjects if s is not spec)
            verdict = ("これで収まります" if rest and _fits(_break_plans(rest, settings.longest_block), settings)
                       else "これだけでは収まりません")
            out.append(f"{spec.label}（{spec.low}分）は研修当日に行わず、別日のシンポジウム・講演会・"
                       f"事例検討会で補う（手引きが補う方法として挙げています。「補う催しを追加する」から"
                       f"登録できます）：{verdict}。")
    for shorter in range(settings.break_minutes - STEP, STEP - 1, -STEP):
        if _fits(plans, replace(settings, break_minutes=shorter)):
            out.append(f"休憩を{settings.break_minutes}分から{shorter}分に短くする：これで収まります。")
            break
    else:
        out.append(f"休憩を短くする：{STEP}分にしても収まりません。")
    # The earliest later end, in STEP-minute steps before midnight, that lets the day fit.
    need = _day_need(plans, settings)
    ends = range(_mins(settings.end) + STEP, MAX_DAY_MINUTES, STEP)
    if need is not None and ends and _mins(settings.start) + need <= ends[-1]:
        later = ends[max(0, -(-(_mins(settings.start) + need - ends[0]) // STEP))]  # first end >= start + need
        out.append(f"終了時刻を{settings.end:%H:%M}から{hm(later)}に延ばす：これで収まります。")
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
        local_only = bool(subjects) and all(s.local for s in subjects)  # a local training: no hours guide
        # the job-support draft's hours are its own (「７～８時間程度を想定」), not the source's
        guide = "たたき台の目安" if any(s.source != "手引き" for s in subjects) else "手引きの目安"
        where = "講義・演習の合計" if len(days) == 1 else f"{len(days)}日間の講義・演習の合計"
        if local_only:
            pass
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


def settings_from_args(day: date | None = None, start: str = "09:00", end: str = "17:45",
                       lunch: int = 45, break_minutes: int = 10) -> DaySettings:
    """Day settings from the strings a form or the command line gives."""
    return DaySettings(day=day, start=parse_hhmm(start, "開始時刻"), end=parse_hhmm(end, "終了時刻"),
                       lunch_minutes=lunch, break_minutes=break_minutes)


def subjects_of(curriculum, options: Mapping[str, Iterable[str]] | None = None) -> list[SubjectSpec]:
    """A curriculum's subjects as scheduler input, in the source's order; `options` maps a
    subject's letter to the keys of the source's options the team switched on (none: all off)."""
    specs = []
    for s in curriculum.subjects:
        keys = (options or {}).get(s.letter, ())
        if isinstance(keys, str):
            raise TypeError(f"options of subject {s.letter} must be a collection of keys, not the string {keys!r}")
        low, high = s.option_minutes(keys)
        specs.append(SubjectSpec(title=s.name, minutes_min=low, minutes_max=high,
                                 letter=s.letter, separate_day_ok=s.may_move_to_separate_day,
                                 key=f"{curriculum.key}:{s.letter}",
                                 parts=parts_of(s, s.option_sessions(keys)),
                                 source=source_of(curriculum)))
    return specs


def source_of(curriculum) -> str:
    """Who gives a curriculum's minutes: the source, or (job support) the app's own draft."""
    return "手引き" if curriculum.official else "たたき台の案"


def parts_of(subject, chosen: frozenset[str] = frozenset()) -> tuple[PartSpec, ...]:
    """A curriculum subject's sessions as scheduler input; optional ones only when chosen."""
    return tuple(PartSpec(s.title, s.kind, s.minutes_min, s.minutes_max, s.about) for s in subject.sessions
                 if not s.optional or s.title in chosen)
