"""The one-day (or multi-day) timetable builder: pure functions, no Flask, no database.

A training day is: opening items, the subjects in the given order with a break between
consecutive subjects, lunch in one of those gaps (inside its window), and closing items.
Each subject takes minutes inside its range; the spare minutes of the day are handed out
fairly in 5-minute steps, and when nothing fits the result says why, with numbers, and which
of the source's remedies would help.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from datetime import date, time

STEP = 5  # spare minutes are handed out in steps of this size
MAX_DAY_MINUTES = 24 * 60
MAX_ITEM_MINUTES = 600


class ScheduleInputError(ValueError):
    """Input the scheduler refuses; the message is Japanese and meant for the user."""


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
    opening: tuple[FixedItem, ...] = (FixedItem("開会・オリエンテーション", 10),)
    closing: tuple[FixedItem, ...] = (FixedItem("アンケート記入・閉会", 10),)


@dataclass(frozen=True)
class Item:
    """One timed line of a timetable."""

    kind: str  # opening | subject | break | lunch | closing
    title: str
    start: time
    end: time
    minutes: int
    letter: str = ""
    local: bool = False
    lecturer: str = ""
    key: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "letter": self.letter, "title": self.title,
                "start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M"),
                "minutes": self.minutes, "local": self.local, "lecturer": self.lecturer}


@dataclass
class DayPlan:
    """A built day: its items and what the builder did with the spare minutes."""

    day: date | None
    items: list[Item]
    spare_note: str

    @property
    def subject_minutes(self) -> int:
        return sum(i.minutes for i in self.items if i.kind == "subject")


@dataclass
class Timetable:
    """The result: the days when feasible, otherwise the reasons and the remedies."""

    days: list[DayPlan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    deviations: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    remedies: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return bool(self.days) and not self.reasons

    @property
    def items(self) -> list[Item]:
        return [item for day in self.days for item in day.items]

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
            "reasons": self.reasons, "remedies": self.remedies,
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


def validate(subjects: list[SubjectSpec], settings: DaySettings) -> None:
    """Refuse input no timetable could honour, with a message the official understands."""
    if not subjects:
        raise ScheduleInputError("科目が1つもありません。")
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
    if _mins(settings.end) <= _mins(settings.start):
        raise ScheduleInputError(
            f"終了時刻 {settings.end:%H:%M} が開始時刻 {settings.start:%H:%M} より前（または同じ）です。")
    if _mins(settings.lunch_latest) < _mins(settings.lunch_earliest):
        raise ScheduleInputError(
            f"昼食の開始可能時間帯 {settings.lunch_earliest:%H:%M}〜{settings.lunch_latest:%H:%M} が逆になっています。")
    # Lunch may be 0 (a half day); a break between subjects is a rule, so it is at least STEP.
    for value, what, bottom, top in ((settings.lunch_minutes, "昼食", 0, 180),
                                     (settings.break_minutes, "休憩", STEP, 60)):
        if not bottom <= value <= top:
            raise ScheduleInputError(
                f"{what}の時間 {value}分 は {bottom}〜{top}分 の範囲で入力してください。")
    for item in settings.opening + settings.closing:
        if not item.title.strip():
            raise ScheduleInputError("開会・閉会の項目に名前のないものがあります。")
        if not 0 < item.minutes <= 120:
            raise ScheduleInputError(f"「{item.title}」の時間 {item.minutes}分 は 1〜120分 で入力してください。")


def _fill(lows: list[int], highs: list[int], budget: int, members: list[int],
          current: list[int] | None = None, capped: tuple[int, ...] = (),
          cap: int | None = None) -> list[int]:
    """Hand `budget` minutes to `members` in STEP-sized turns, least-filled first.

    The `capped` subjects together never pass `cap` minutes (the morning before lunch).
    Ties go to the earlier subject, so the result is deterministic.
    """
    minutes = list(current if current is not None else lows)
    while budget > 0:
        headroom = None if cap is None else cap - sum(minutes[i] for i in capped)
        room = [i for i in members
                if minutes[i] < highs[i] and not (headroom is not None and headroom <= 0 and i in capped)]
        if not room:
            break
        i = min(room, key=lambda j: ((minutes[j] - lows[j]) / (highs[j] - lows[j]), j))
        step = min(STEP, budget, highs[i] - minutes[i])
        if headroom is not None and i in capped:
            step = min(step, headroom)
        minutes[i] += step
        budget -= step
    return minutes


@dataclass
class _Frame:
    """The arithmetic of one day: where subjects may start and how many minutes they have."""

    subjects: list[SubjectSpec]
    settings: DaySettings

    @property
    def opening(self) -> int:
        return sum(i.minutes for i in self.settings.opening)

    @property
    def closing(self) -> int:
        return sum(i.minutes for i in self.settings.closing)

    @property
    def first_start(self) -> int:
        return _mins(self.settings.start) + self.opening

    @property
    def span(self) -> int:
        return _mins(self.settings.end) - _mins(self.settings.start)

    def gaps(self, with_lunch: bool) -> int:
        """Minutes spent between subjects: breaks, and lunch in place of one break."""
        n = len(self.subjects)
        if n < 2:
            return self.settings.lunch_minutes if with_lunch else 0
        return (n - 2) * self.settings.break_minutes + self.settings.lunch_minutes if with_lunch \
            else (n - 1) * self.settings.break_minutes

    def available(self, with_lunch: bool = True) -> int:
        return self.span - self.opening - self.closing - self.gaps(with_lunch)


def _lunch_bounds(frame: _Frame, k: int) -> tuple[int, int]:
    """Bounds on the minutes of subjects before a lunch placed after subject k (1-based)."""
    s = frame.settings
    base = frame.first_start + (k - 1) * s.break_minutes
    lows = sum(x.low for x in frame.subjects[:k])
    highs = sum(x.high for x in frame.subjects[:k])
    return max(lows, _mins(s.lunch_earliest) - base), min(highs, _mins(s.lunch_latest) - base)


def _place(frame: _Frame, minutes: list[int], lunch_after: int | None) -> list[Item]:
    """Lay the items end to end; lunch follows subject `lunch_after` (1-based) if given."""
    s = frame.settings
    items: list[Item] = []
    clock = _mins(s.start)

    def add(kind: str, title: str, length: int, spec: SubjectSpec | None = None) -> None:
        nonlocal clock
        start = time(*divmod(clock, 60))
        clock += length
        items.append(Item(kind, title, start, time(*divmod(clock, 60)), length,
                          letter=spec.letter if spec else "", local=spec.local if spec else False,
                          lecturer=spec.lecturer if spec else "", key=spec.key if spec else ""))

    for fixed in s.opening:
        add("opening", fixed.title, fixed.minutes)
    for index, (spec, length) in enumerate(zip(frame.subjects, minutes), start=1):
        add("subject", spec.title, length, spec)
        if index == lunch_after:
            add("lunch", "昼食・休憩", s.lunch_minutes)
        elif index < len(frame.subjects):
            add("break", "休憩", s.break_minutes)
    for fixed in s.closing:
        add("closing", fixed.title, fixed.minutes)
    return items


def _spare_note(frame: _Frame, minutes: list[int], slack: int) -> str:
    """Say in one line how the spare minutes went."""
    extra = [f"{spec.letter or spec.title} +{m - spec.low}分"
             for spec, m in zip(frame.subjects, minutes) if m > spec.low]
    parts = []
    if extra:
        parts.append("余裕時間を範囲内で配分しました（" + "、".join(extra) + "）")
    else:
        parts.append("すべての科目を最短時間で組みました")
    if slack > 0:
        parts.append(f"終了予定は上限より{slack}分早くなります")
    return "。".join(parts) + "。"


def build_day(subjects: list[SubjectSpec], settings: DaySettings) -> tuple[DayPlan | None, list[str]]:
    """Build one day, or return the reasons (Japanese, with numbers) why it cannot be built."""
    frame = _Frame(list(subjects), settings)
    lows = [s.low for s in frame.subjects]
    highs = [s.high for s in frame.subjects]
    n = len(lows)
    if settings.lunch_minutes == 0:
        candidates = [None]
    else:
        candidates = list(range(1, n))
        # A short day that ends before lunch can start needs no lunch at all.
        no_lunch_end = (_mins(settings.start) + frame.opening + sum(lows)
                        + frame.gaps(False) + frame.closing)
        if no_lunch_end <= _mins(settings.lunch_earliest):
            candidates = [None]

    with_lunch = candidates != [None]
    available = frame.available(with_lunch)
    if sum(lows) > available:
        need = frame.span - available + sum(lows)
        return None, [f"最低でも{need}分必要ですが、使える時間は{frame.span}分です"
                      f"（{settings.start:%H:%M}〜{settings.end:%H:%M}、{need - frame.span}分不足）。"]

    # Lunch as near noon as its window allows.
    preferred_lunch = min(max(12 * 60, _mins(settings.lunch_earliest)), _mins(settings.lunch_latest))
    best = None
    for k in candidates:
        if k is None:
            chosen = _fill(lows, highs, available - sum(lows), list(range(n)))
            rank = (0, 0)
        else:
            lo, hi = _lunch_bounds(frame, k)
            after_low = sum(lows[k:])
            if lo > hi or lo + after_low > available:
                continue
            before = tuple(range(k))
            # First give the morning what lunch needs to start inside its window, then hand
            # the rest out fairly without pushing lunch past its window.
            chosen = _fill(lows, highs, lo - sum(lows[:k]), list(before))
            chosen = _fill(lows, highs, available - sum(chosen), list(range(n)),
                           current=chosen, capped=before, cap=hi)
            lunch_start = frame.first_start + sum(chosen[:k]) + (k - 1) * settings.break_minutes
            rank = (abs(lunch_start - preferred_lunch), k)
        score = (-sum(chosen), rank)
        if best is None or score < best[0]:
            best = (score, k, chosen)

    if best is None:
        return None, _lunch_reasons(frame)
    _, k, chosen = best
    slack = available - sum(chosen)
    return DayPlan(settings.day, _place(frame, chosen, k), _spare_note(frame, chosen, slack)), []


def _lunch_reasons(frame: _Frame) -> list[str]:
    """Explain, per gap, when lunch could start, against the window."""
    s = frame.settings
    window = f"{s.lunch_earliest:%H:%M}〜{s.lunch_latest:%H:%M}"
    lines = [f"昼食を{window}に始められる科目の区切りがありません。"]
    for k in range(1, len(frame.subjects)):
        base = frame.first_start + (k - 1) * s.break_minutes
        early = base + sum(x.low for x in frame.subjects[:k])
        late = base + sum(x.high for x in frame.subjects[:k])
        after = sum(x.low for x in frame.subjects[k:])
        end_if_late = early + s.lunch_minutes + after + (len(frame.subjects) - k - 1) * s.break_minutes + frame.closing
        span = hm(early) if early == late else f"{hm(early)}〜{hm(late)}"
        extra = ""
        if end_if_late > _mins(s.end):
            extra = f"（ただしその場合の終了は{hm(end_if_late)}で、{s.end:%H:%M}を超えます）"
        lines.append(f"{frame.subjects[k - 1].label}の後なら昼食開始は{span}{extra}。")
    return lines


def _remedies(subjects: list[SubjectSpec], settings: DaySettings, reasons: list[str]) -> list[str]:
    """The source's own remedies, each checked: does it alone make the day fit?"""
    out = []
    fits = lambda subs, st: build_day(subs, st)[0] is not None  # noqa: E731
    for spec in subjects:
        if spec.separate_day_ok:
            rest = [s for s in subjects if s is not spec]
            verdict = "これで収まります" if rest and fits(rest, settings) else "これだけでは収まりません"
            out.append(f"{spec.label}（{spec.low}分）を別日のシンポジウム・講演会・事例検討会に移す"
                       f"（手引きが補う方法として挙げています）：{verdict}。")
    for shorter in range(settings.break_minutes - STEP, STEP - 1, -STEP):
        if fits(subjects, replace(settings, break_minutes=shorter)):
            out.append(f"休憩を{settings.break_minutes}分から{shorter}分に短くする：これで収まります。")
            break
    else:
        out.append(f"休憩を短くする：{STEP}分にしても収まりません。")
    # A later end never hurts, so the earliest end that fits can be bisected.
    ends = range(_mins(settings.end) + STEP, MAX_DAY_MINUTES, STEP)
    fits_at = lambda m: fits(subjects, replace(settings, end=time(*divmod(m, 60))))  # noqa: E731
    if ends and fits_at(ends[-1]):
        later = ends[bisect.bisect_left(range(len(ends)), True, key=lambda i: fits_at(ends[i]))]
        out.append(f"終了時刻を{settings.end:%H:%M}から{hm(later)}に延ばす：これで収まります。")
    out.append("2日間に分けて開催する（手引き：プログラムの日数を増やす）。")
    return out


def build_timetable(subjects: list[SubjectSpec], days: list[DaySettings]) -> Timetable:
    """Build a timetable over one or more days; subjects keep their order across days."""
    subjects = list(subjects)
    for settings in days:
        validate(subjects, settings)
    result = Timetable()
    for spec in subjects:
        if spec.override is not None and not spec.minutes_min <= spec.override <= spec.minutes_max:
            result.deviations.append(
                f"{spec.label}を{spec.override}分としています（手引きの目安は{spec.minutes_min}〜"
                f"{spec.minutes_max}分）。" if spec.minutes_min != spec.minutes_max else
                f"{spec.label}を{spec.override}分としています（手引きの目安は{spec.minutes_min}分）。")
    if len(days) == 1:
        plan, reasons = build_day(subjects, days[0])
        if plan:
            result.days = [plan]
        else:
            result.reasons = reasons
            result.remedies = _remedies(subjects, days[0], reasons)
    else:
        result.days, result.reasons = _split_days(subjects, days)
        if result.reasons:
            result.remedies = ["日数を増やすか、各日の開始・終了時刻を広げてください。"]
    if result.feasible:
        total = result.total_subject_minutes
        if total < 7 * 60 * len(days) and len(days) == 1:
            result.warnings.append(
                f"講義・演習の合計は{total}分（{duration_ja(total)}）で、手引きの目安「7～8時間程度」より短くなっています。")
        elif total > 8 * 60 * len(days) and len(days) == 1:
            result.warnings.append(
                f"講義・演習の合計は{total}分（{duration_ja(total)}）で、手引きの目安「7～8時間程度」を超えています。")
    return result


def _split_days(subjects: list[SubjectSpec], days: list[DaySettings]) -> tuple[list[DayPlan], list[str]]:
    """Split subjects in order over the days; prefer the most even split that fits."""
    if len(subjects) < len(days):
        return [], [f"{len(days)}日間に対して科目が{len(subjects)}つしかありません。"]
    if len(days) == 1:
        plan, reasons = build_day(subjects, days[0])
        return ([plan], []) if plan else ([], reasons)
    best = None
    for cut in range(1, len(subjects) - len(days) + 2):
        first, first_reasons = build_day(subjects[:cut], days[0])
        if not first:
            continue
        rest, rest_reasons = _split_days(subjects[cut:], days[1:])
        if not rest:
            continue
        plans = [first] + rest
        loads = [p.subject_minutes for p in plans]
        score = (-sum(loads), max(loads) - min(loads), cut)
        if best is None or score < best[0]:
            best = (score, plans)
    if best is None:
        need = sum(s.low for s in subjects)
        return [], [f"{len(days)}日間のどの分け方でも収まりません（科目の最短合計{need}分）。"]
    return best[1], []


def settings_from_args(day: date | None = None, start: str = "09:00", end: str = "17:45",
                       lunch: int = 45, break_minutes: int = 10) -> DaySettings:
    """Day settings from the strings a form or the command line gives."""
    return DaySettings(day=day, start=parse_hhmm(start, "開始時刻"), end=parse_hhmm(end, "終了時刻"),
                       lunch_minutes=lunch, break_minutes=break_minutes)


def subjects_of(curriculum) -> list[SubjectSpec]:
    """A curriculum's subjects as scheduler input, in the source's order."""
    return [SubjectSpec(title=s.name, minutes_min=s.minutes_min, minutes_max=s.minutes_max,
                        letter=s.letter, separate_day_ok=s.may_move_to_separate_day,
                        key=f"{curriculum.key}:{s.letter}")
            for s in curriculum.subjects]
