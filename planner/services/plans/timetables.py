"""A stored training as scheduler input, its timetable, and the warnings about its dates."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from functools import lru_cache

from curricula import Subject
from planner.domain.dates import date_warnings
from planner.domain.schedule import (
    DaySettings,
    FixedItem,
    ScheduleInputError,
    SubjectSpec,
    Timetable,
    build_timetable,
    parts_of,
    source_of,
)
from planner.models import Training, TrainingSubject
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.plans.editions import curriculum_for


def curriculum_subject(training: Training, row: TrainingSubject) -> Subject:
    """The curriculum's subject for the row; for the job-support draft, as the prefecture
    settled it (name, minutes, lectures, sessions' minutes kept per training, not in the TOML)."""
    subject = curriculum_for(training).subject(row.letter)
    if not row.draft_edited:
        return subject
    changes = {}
    if row.draft_name:
        changes["name"] = row.draft_name
    if row.draft_minutes_min:
        low, high = row.draft_minutes_min, row.draft_minutes_max or row.draft_minutes_min
        changes.update(minutes_min=low, minutes_max=high,
                       minutes_text=(f"{low}分" if low == high else f"{low}～{high}分") + "（県で調整）")
    if row.draft_lectures:
        changes["national_lectures"] = tuple(line.strip() for line in row.draft_lectures.splitlines()
                                             if line.strip())
    if row.draft_session_minutes:
        minutes = [int(m) for m in row.draft_session_minutes.split(",")]
        changes["sessions"] = tuple(replace(s, minutes_min=m, minutes_max=m)
                                    for s, m in zip(subject.sessions, minutes))
    return replace(subject, **changes)


def subject_title(training: Training, row: TrainingSubject) -> str:
    """A subject's name as the curriculum or the official wrote it."""
    if row.is_local:
        return row.local_name
    return curriculum_subject(training, row).name


def subject_key(training_id: int, subject_id: int) -> str:
    """The key that ties a stored subject to its timetable items (and its calendar UID)."""
    return f"training-{training_id}-subject-{subject_id}"


def subject_spec(training: Training, row: TrainingSubject) -> SubjectSpec:
    """One stored subject as the scheduler sees it."""
    key = subject_key(training.id, row.id)
    title = subject_title(training, row)
    if row.is_local:
        minutes = row.local_minutes or 0
        lecturer = ("チームの講師役" if row.team_lecturer
                    else "、".join(x for x in (row.lecturer_name, row.lecturer_org) if x))
        return SubjectSpec(title=title, minutes_min=minutes, minutes_max=minutes,
                           local=True, lecturer=lecturer, override=row.minutes_override, key=key)
    subject = curriculum_subject(training, row)
    # a supplementary event covers part of the subject: the day keeps the shorter length
    override = row.shortened_to or row.minutes_override
    # the options the team switched on: one of the source's lengths, the sessions they add
    low, high = subject.option_minutes(row.chosen_keys)
    return SubjectSpec(title=title, minutes_min=low, minutes_max=high, letter=subject.letter,
                       override=override,
                       separate_day_ok=subject.may_move_to_separate_day, key=key,
                       parts=parts_of(subject, subject.option_sessions(row.chosen_keys)),
                       source=source_of(curriculum_for(training)))


def day_settings(training: Training) -> list[DaySettings]:
    """One DaySettings per training day, all framed alike."""
    days = training.days or [None] * training.day_count
    return [DaySettings(
        day=day, start=training.start_time, end=training.end_time,
        lunch_minutes=training.lunch_minutes, lunch_earliest=training.lunch_earliest,
        lunch_latest=training.lunch_latest, break_minutes=training.break_minutes,
        longest_block=training.longest_block,
        opening=(FixedItem(training.opening_title, training.opening_minutes),) if training.opening_minutes else (),
        closing=(FixedItem(training.closing_title, training.closing_minutes),) if training.closing_minutes else (),
    ) for day in days]


def timetable_input(training: Training) -> tuple[tuple[SubjectSpec, ...], tuple[DaySettings, ...]]:
    """All the scheduler reads of the training (frozen values); subjects a supplementary event
    takes over are left out."""
    return (tuple(subject_spec(training, row) for row in training.subjects if not row.moved_out),
            tuple(day_settings(training)))


def timetable_of(training: Training) -> Timetable:
    """The training's timetable; subjects a supplementary event takes over are left out of it."""
    specs, days = timetable_input(training)
    return build_timetable(list(specs), list(days))


#: (date, start, end) of each subject's span by its key, and (start, end) of each day
#: ((None, None) for a day with no items)
Clock = tuple[dict[str, tuple[date | None, time, time]], tuple[tuple[time | None, time | None], ...]]


@lru_cache(maxsize=1024)  # an entry (key and value) is about 5 kB: a few MB at most
def _clock(specs: tuple[SubjectSpec, ...], days: tuple[DaySettings, ...]) -> Clock:
    timetable = build_timetable(list(specs), list(days))
    by_key = {}
    for day in timetable.days:
        for item in day.subjects:
            if item.key:
                by_key[item.key] = (day.day, item.start, item.end)
    return by_key, tuple((day.items[0].start, day.items[-1].end) if day.items else (None, None)
                         for day in timetable.days)


def buildable_timetable(training: Training, refusal: str, remedies: bool = False) -> Timetable:
    """The training's timetable with the session's pending change flushed; when it cannot be
    built, ChangeRefused (the session rolled back) with `refusal`, the reasons and, with
    `remedies`, what would make it fit."""
    try:
        db.session.flush()
        db.session.expire(training, ["subjects"])
        timetable = timetable_of(training)
    except ScheduleInputError as exc:
        db.session.rollback()
        raise ChangeRefused([str(exc)]) from None
    if not timetable.feasible:
        db.session.rollback()
        raise ChangeRefused([refusal] + timetable.reasons + (timetable.remedies if remedies else []), timetable)
    return timetable


def timetable_clock(training: Training) -> Clock:
    """When each subject and each day of the training's timetable starts and ends (read only).

    Memoised on the scheduler's whole input, which build_timetable turns into the same timetable
    every time: pages that only need the times (the roles page) skip building it again.
    """
    return _clock(*timetable_input(training))


def training_warnings(training: Training) -> list[str]:
    """Weekend, holiday and out-of-cycle warnings for every day of the training."""
    if not training.first_date:
        return ["開催日が未定です。"]
    plan = training.plan
    return [w for day in training.days for w in date_warnings(day, plan.cycle_start, plan.cycle_end)]
