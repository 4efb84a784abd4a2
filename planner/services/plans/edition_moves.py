"""Moving a plan to a newer curricula edition: what would change, then the move itself."""
from __future__ import annotations

from dataclasses import dataclass, field

from planner.models import Plan, TrainingSubject, join_option_keys
from planner.models.db import db
from planner.services.plans.editions import EditionRefused, edition_curriculum, newest_edition
from planner.services.team.roles import sync_slots


@dataclass
class Difference:
    """What changes in one curriculum when a plan moves to another edition."""

    key: str
    title: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def differences(plan: Plan, target: str) -> list[Difference]:
    """Subject by subject, what the plan's curricula would gain, lose and change in `target`."""
    found = []
    for training in plan.trainings:
        old = edition_curriculum(plan.curricula_edition, training.curriculum_key)
        new = edition_curriculum(target, training.curriculum_key)
        diff = Difference(training.curriculum_key, new.title)
        olds = {s.letter: s for s in old.subjects}
        news = {s.letter: s for s in new.subjects}
        diff.added = [f"{s.letter} {s.name}（{s.minutes_text}）" for s in new.subjects if s.letter not in olds]
        diff.removed = [f"{s.letter} {s.name}（{s.minutes_text}）" for s in old.subjects if s.letter not in news]
        for s in new.subjects:
            was = olds.get(s.letter)
            if was is None:
                continue
            if (was.minutes_min, was.minutes_max) != (s.minutes_min, s.minutes_max):
                diff.changed.append(f"{s.letter} {s.name}：時間 {was.minutes_text} → {s.minutes_text}")
            if was.name != s.name:
                diff.changed.append(f"{s.letter}：科目名「{was.name}」→「{s.name}」")
        if diff.added or diff.removed or diff.changed:
            found.append(diff)
    return found


def move_plan(plan: Plan, target: str) -> None:
    """Put the plan on edition `target`: subjects added and removed as the edition has them,
    choices the new subject no longer allows cleared; commit."""
    if target != newest_edition() or target == plan.curricula_edition:
        raise EditionRefused("移行先は、この計画の版より新しい最新の版だけです。")
    for training in plan.trainings:
        new = edition_curriculum(target, training.curriculum_key)
        rows = sorted(training.subjects, key=lambda r: r.position)
        letters = [s.letter for s in new.subjects]
        for row in [r for r in rows if not r.is_local and r.letter not in letters]:
            training.subjects.remove(row)
            rows.remove(row)
        have = {r.letter for r in rows if not r.is_local}
        for index, subject in enumerate(new.subjects):
            if subject.letter in have:
                row = next(r for r in rows if r.letter == subject.letter)
                if row.minutes_override is not None and not (
                        subject.minutes_min <= row.minutes_override <= subject.minutes_max):
                    row.minutes_override = None
                kept = subject.chosen(row.chosen_keys)  # options the new edition no longer has go
                if subject.option_problems(o.key for o in kept):
                    kept = tuple(o for o in kept if not o.minutes)
                row.option_keys = join_option_keys(o.key for o in kept)
                continue
            after = [i for i, r in enumerate(rows) if r.letter in letters[:index]]
            row = TrainingSubject(letter=subject.letter)
            rows.insert(after[-1] + 1 if after else 0, row)
            training.subjects.append(row)
        for position, row in enumerate(rows):
            row.position = position
    plan.curricula_edition = target
    db.session.flush()
    for training in plan.trainings:
        sync_slots(training)
    db.session.commit()
