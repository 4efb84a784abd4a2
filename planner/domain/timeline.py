"""The Oita-style planning timeline of one cycle: pure functions, no Flask, no database.

Cycle Y runs from November of Y (the planning team is launched) to October of Y+1: two
planning meetings in January for the common programme, the common training in February or
March, three meetings in April for the late-term programmes, the counselor training between
May and September, the job-support training in October, and a retrospective after each
training (seed, 大分県における伝達研修の取組). Generated dates fall on working days.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from planner.domain.dates import (
    add_working_days,
    date_warnings,
    fiscal_year,
    format_date_plain,
    next_working_day,
    previous_working_day,
)

TRAINING_KEYS = ("common", "counselor", "chief", "job_support")
TRAINING_NAMES = {
    "common": "前期共通プログラム",
    "counselor": "相談支援員・後期",
    "chief": "主任相談支援員・後期",
    "job_support": "就労支援員・後期",
}
# short names as the seed writes them in the timeline (相談後期と就労後期の検討会議)
SHORT_NAMES = {"counselor": "相談後期", "job_support": "就労後期", "chief": "主任後期"}
KIND_NAMES = {
    "launch": "企画会議チームの立ち上げ",
    "meeting": "検討会議",
    "training": "伝達研修開催",
    "retrospective": "振り返り・反省会",
    "supplement": "補う催し",
}
CHIEF_PLACEMENTS = ("common", "late")

LEAD_DAYS = 14  # the last meeting this long before its training leaves time for handouts
COMMON_MEETING_GAP = 14
LATE_MEETING_GAP = 7
RETROSPECTIVE_AFTER = 7  # a week later memories are fresh and the questionnaires are in


class TimelineError(ValueError):
    """A change that would make the timeline impossible; the messages are Japanese."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class Milestone:
    """One step of the cycle: the launch, a planning meeting, a training or a retrospective."""

    kind: str
    title: str
    start: date
    end: date
    #: the training this belongs to; for a meeting, the first training it prepares
    training_key: str | None = None
    #: the meeting's number (第n回); 0 for the other kinds
    order: int = 0
    #: for a meeting, every training it prepares
    prepares: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChecklistItem:
    """A preparation step from the seed, attached to the kind of milestone it is done at."""

    key: str
    step: str
    text: str
    kind: str


# the seed's 開催に向けたプロセス; 【２】 is the discussion ①–③ that the meetings hold
CHECKLIST = (
    ChecklistItem("select_team", "【１】",
                  "企画会議チームのメンバーを選定する（県の担当者、国研修の全修了者）", "launch"),
    ChecklistItem("present_draft", "①", "県からプログラム案（たたき台）を提示する", "meeting"),
    ChecklistItem("discuss_content", "②",
                  "国研修修了者が、プログラム案と国研修のプログラムを参考に、"
                  "追加したい科目や特に伝えたい内容を協議する", "meeting"),
    ChecklistItem("add_local_subjects", "③",
                  "地域独自の課題を洗い出し、独自科目として追加する", "meeting"),
    ChecklistItem("assign_lecturers", "【３】",
                  "講義担当を決める（追加科目は専門家・実践団体に依頼し、"
                  "その他の科目は企画会議チームで役割分担する）", "meeting"),
)


def cycle_year_containing(d: date) -> int:
    """The cycle (1 November Y to 31 October Y+1) that day `d` falls in."""
    return d.year if d.month >= 11 else d.year - 1


def cycle_bounds(cycle_year: int) -> tuple[date, date]:
    """The first and last day of cycle Y: 1 November Y to 31 October Y+1."""
    return date(cycle_year, 11, 1), date(cycle_year + 1, 10, 31)


def training_window(key: str, cycle_year: int, chief_after: str = "common") -> tuple[date, date]:
    """The months the seed gives for a training, as first and last possible day."""
    y = cycle_year + 1
    if key == "chief":
        key = "common" if chief_after == "common" else "counselor"
    if key == "common":
        return date(y, 2, 1), date(y, 3, 31)
    if key == "counselor":
        return date(y, 5, 1), date(y, 9, 30)
    if key == "job_support":
        # ends on the 21st so that the retrospective still falls inside the cycle
        return date(y, 10, 1), date(y, 10, 21)
    raise ValueError(f"未知の研修です: {key}")


def default_training_date(key: str, cycle_year: int, chief_after: str = "common",
                          common_date: date | None = None) -> date:
    """The proposed date of a training when the official has not chosen one."""
    y = cycle_year + 1
    if key == "common":
        return next_working_day(date(y, 2, 18))
    if key == "counselor":
        return next_working_day(date(y, 7, 15))
    if key == "job_support":
        return next_working_day(date(y, 10, 15))
    if key == "chief" and chief_after == "late":
        return next_working_day(date(y, 6, 15))
    if key == "chief":
        # after the common training, so the team can build on what it just delivered
        earliest = date(y, 3, 11)
        if common_date is not None:
            earliest = max(earliest, common_date + timedelta(days=LEAD_DAYS))
        return next_working_day(earliest)
    raise ValueError(f"未知の研修です: {key}")


#: a training proposed for a plan made today is at least this far off, so its meetings still fit
PREPARATION_DAYS = 42


def proposed_training_dates(cycle_year: int, today: date | None = None) -> dict[str, date]:
    """The four trainings' proposed dates; with `today` inside the cycle, none is in the past
    or closer than PREPARATION_DAYS (moved later, never past the last day its window allows)."""
    dates: dict[str, date] = {}
    for key in ("common", "counselor", "job_support", "chief"):  # chief follows common
        day = default_training_date(key, cycle_year, common_date=dates.get("common"))
        start, end = cycle_bounds(cycle_year)
        if today is not None and start <= today <= end:
            last = training_window("job_support", cycle_year)[1]
            day = min(max(day, next_working_day(today + timedelta(days=PREPARATION_DAYS))),
                      previous_working_day(last))
        dates[key] = day
    return {key: dates[key] for key in TRAINING_KEYS}


def _meeting_dates(first_default: date, count: int, gap: int, training: date,
                   launch: date) -> list[date]:
    """Meeting days spaced by gap, moved earlier when the training is too close."""
    days = [first_default]
    for _ in range(count - 1):
        days.append(next_working_day(days[-1] + timedelta(days=gap)))
    if days[-1] <= training - timedelta(days=LEAD_DAYS):
        return days
    days = [previous_working_day(training - timedelta(days=LEAD_DAYS))]
    for _ in range(count - 1):
        days.insert(0, previous_working_day(days[0] - timedelta(days=gap)))
    # never before the launch; if the training is that close, validate_order says so
    floor = launch
    for i, day in enumerate(days):
        if day <= floor:
            days[i] = add_working_days(floor, 1)
        floor = days[i]
    return days


def _meetings(title: str, prepares: tuple[str, ...], days: list[date]) -> list[Milestone]:
    """Numbered meeting milestones (第1回, 第2回, …) for the given days."""
    return [Milestone("meeting", f"{title}（第{n}回）", d, d, prepares[0], n, prepares)
            for n, d in enumerate(days, start=1)]


def generate_timeline(cycle_year: int, trainings: dict[str, date | None],
                      chief_after: str = "common", today: date | None = None) -> list[Milestone]:
    """The cycle's milestones in date order; missing training dates get defaults.

    With `today` inside the cycle (a plan made mid-cycle), the launch is today or later, and
    the meetings follow it, so a new plan has nothing overdue on the day it is made."""
    if chief_after not in CHIEF_PLACEMENTS:
        raise ValueError(f"主任相談支援員・後期の位置が不正です: {chief_after}")
    unknown = set(trainings) - set(TRAINING_KEYS)
    if unknown:
        raise ValueError(f"未知の研修です: {', '.join(sorted(unknown))}")
    y = cycle_year + 1
    dates: dict[str, date] = {}
    # chief last: its default depends on the common training's date
    for key in sorted(trainings, key=lambda k: k == "chief"):
        given = trainings[key]
        dates[key] = given or default_training_date(key, cycle_year, chief_after,
                                                    dates.get("common"))
    launch = next_working_day(date(cycle_year, 11, 15))
    if today is not None and cycle_bounds(cycle_year)[0] <= today <= cycle_bounds(cycle_year)[1]:
        launch = max(launch, next_working_day(today))
    milestones = [Milestone("launch", KIND_NAMES["launch"], launch, launch)]

    early = tuple(k for k in ("common", "chief") if k in dates
                  and (k == "common" or chief_after == "common"))
    late = tuple(k for k in ("counselor", "job_support", "chief") if k in dates
                 and (k != "chief" or chief_after == "late"))
    if early:
        # offices reopen on 4 January; the first week goes to the backlog and 成人の日
        days = _meeting_dates(max(next_working_day(date(y, 1, 8)), add_working_days(launch, 1)), 2, COMMON_MEETING_GAP,
                              min(dates[k] for k in early), launch)
        title = "前期共通プログラム検討会議" if "common" in early else "主任後期 検討会議"
        milestones += _meetings(title, early, days)
    if late:
        # staff move on 1 April, so the first week is skipped; the gaps keep it before GW
        days = _meeting_dates(max(next_working_day(date(y, 4, 8)), add_working_days(launch, 1)), 3, LATE_MEETING_GAP,
                              min(dates[k] for k in late), launch)
        title = "・".join(SHORT_NAMES[k] for k in late) + " 検討会議"
        milestones += _meetings(title, late, days)

    for key in TRAINING_KEYS:
        if key not in dates:
            continue
        day = dates[key]
        retro = next_working_day(day + timedelta(days=RETROSPECTIVE_AFTER))
        milestones.append(Milestone("training", f"{TRAINING_NAMES[key]}の伝達研修", day, day, key))
        milestones.append(Milestone("retrospective", f"{TRAINING_NAMES[key]}の振り返り・反省会",
                                    retro, retro, key))
    return sorted(milestones, key=lambda m: (m.start, m.end))


def cycle_year_of(milestones: list[Milestone]) -> int:
    """The cycle the milestones belong to, taken from the launch (or the earliest date)."""
    launches = [m.start for m in milestones if m.kind == "launch"]
    if launches:
        # the launch may move a few months either way; its fiscal year names the cycle
        return fiscal_year(launches[0])
    return cycle_year_containing(min(m.start for m in milestones))


def _at(m: Milestone, d: date) -> str:
    """The milestone's title and a date, as the messages quote them."""
    return f"{m.title} {format_date_plain(d)}"


def validate_order(milestones: list[Milestone], cycle_year: int | None = None) -> list[str]:
    """Japanese messages for every impossible order; empty when the timeline is sound."""
    if not milestones:
        return []
    if cycle_year is None:
        cycle_year = cycle_year_of(milestones)
    cycle_end = cycle_bounds(cycle_year)[1]
    trainings = {m.training_key: m for m in milestones if m.kind == "training"}
    launch = next((m for m in milestones if m.kind == "launch"), None)
    messages = []
    for m in milestones:
        if m.end < m.start:
            messages.append(f"{m.title} の終了日 {format_date_plain(m.end)} が、"
                            f"開始日 {format_date_plain(m.start)} より前になっています。")
        if launch is not None and m is not launch and m.start < launch.start:
            messages.append(f"{_at(m, m.start)} が、{_at(launch, launch.start)} "
                            "より前になっています。")
        if m.end > cycle_end:
            messages.append(f"{_at(m, m.end)} が、計画の期間の終わり"
                            f"（{format_date_plain(cycle_end)}）より後になっています。")
        if m.kind == "meeting":
            messages += _meeting_problems(m, trainings)
        if m.kind == "retrospective" and m.training_key in trainings:
            training = trainings[m.training_key]
            if m.start <= training.end:
                relation = "と同じ日" if m.start == training.end else "より前"
                messages.append(f"{_at(m, m.start)} が、{_at(training, training.end)} "
                                f"{relation}になっています。")
    return messages


def _meeting_problems(meeting: Milestone, trainings: dict[str, Milestone]) -> list[str]:
    """Messages for a meeting held on or after a training it prepares."""
    messages = []
    for key in meeting.prepares:
        training = trainings.get(key)
        if training is None or meeting.end < training.start:
            continue
        relation = "と同じ日" if meeting.end == training.start else "より後"
        messages.append(f"{_at(meeting, meeting.end)} が、準備する"
                        f"{_at(training, training.start)} {relation}になっています。")
    return messages


def move_milestone(milestones: list[Milestone], index: int, new_start: date,
                   new_end: date | None = None, cycle_year: int | None = None
                   ) -> tuple[list[Milestone], list[str]]:
    """A new list with one milestone moved, and warnings; TimelineError if it breaks order."""
    if cycle_year is None:
        cycle_year = cycle_year_of(milestones)
    old = milestones[index]
    if new_end is None:
        new_end = new_start + (old.end - old.start)  # keep a multi-day training's length
    moved = list(milestones)
    moved[index] = replace(old, start=new_start, end=new_end)
    # refuse only problems the move creates, so an already broken plan can be mended
    before = set(validate_order(milestones, cycle_year))
    created = [m for m in validate_order(moved, cycle_year) if m not in before]
    if created:
        raise TimelineError(created)
    cycle_start, cycle_end = cycle_bounds(cycle_year)
    warnings = date_warnings(new_start, cycle_start, cycle_end)
    if new_end != new_start:
        warnings += date_warnings(new_end, cycle_start, cycle_end)
    return moved, warnings
