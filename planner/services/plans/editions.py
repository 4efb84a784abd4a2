"""Curricula editions: loading a new one, the curriculum a training uses, and moving a plan.

The bundled files are the first edition (curricula.BUNDLED_EDITION); newer ones live in the
database as the loaded TOML text. A plan keeps the edition it was made on (Plan.curricula_edition,
empty for the bundled one), so a new edition never changes a timetable already planned.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from curricula import (
    BUNDLED_EDITION,
    CURRICULUM_KEYS,
    LOCAL_KEY,
    Curriculum,
    CurriculumError,
    get_curriculum,
    local_curriculum,
    parse_cached,
    parse_edition,
)
from planner.models import CurriculaEdition, Plan, Training
from planner.models.db import db


class EditionRefused(ValueError):
    """A file that cannot be loaded as an edition, or a move that cannot be made (Japanese)."""


def label(name: str) -> str:
    """The edition's name as people read it; the bundled one has its own name too."""
    return name or BUNDLED_EDITION


def edition_curriculum(name: str, key: str) -> Curriculum:
    """The curriculum `key` as edition `name` has it.

    An edition that did not reload a curriculum keeps the one in force when it was loaded
    (the newest loaded before or with it, else the bundled file)."""
    if not name:
        return get_curriculum(key)
    # one lookup per session: a page reads the curriculum of a training many times, and only
    # load_edition (which clears this) changes what an edition resolves to
    known = db.session.info.setdefault(_CACHE, {})
    if (name, key) not in known:
        known[name, key] = _stored(name, key)
    stored = known[name, key]
    return get_curriculum(key) if stored is None else parse_cached(*stored)


_CACHE = "curricula_editions"


def _stored(name: str, key: str) -> tuple[str, str] | None:
    """The text and file name of the curriculum `key` as edition `name` has it; None: bundled."""
    with db.session.no_autoflush:
        last = db.session.scalar(sa.select(sa.func.max(CurriculaEdition.id))
                                 .where(CurriculaEdition.name == name))
        row = None if last is None else db.session.scalar(
            sa.select(CurriculaEdition).where(CurriculaEdition.curriculum_key == key,
                                              CurriculaEdition.id <= last)
            .order_by(CurriculaEdition.id.desc()).limit(1))
    return None if row is None else (row.toml_text, row.filename or f"{key}.toml")


def curriculum_for(training: Training) -> Curriculum:
    """The curriculum of a training, in its plan's edition: what every timetable, page and
    file of the training reads."""
    if training.curriculum_key == LOCAL_KEY:  # no edition: the training's own title, no subjects
        return local_curriculum(getattr(training, "local_title", "") or "")
    # no plan (None, or a stand-in) while a backup is being read in: those are on the bundled edition
    plan = getattr(training, "plan", None)
    return edition_curriculum(plan.curricula_edition if plan is not None else "", training.curriculum_key)


def newest_edition() -> str:
    """The name of the newest loaded edition; empty when only the bundled one exists."""
    with db.session.no_autoflush:
        return db.session.scalar(sa.select(CurriculaEdition.name)
                                 .order_by(CurriculaEdition.id.desc()).limit(1)) or ""


def load_edition(text: str, filename: str) -> CurriculaEdition:
    """Check a curriculum file of a new edition and keep it; commit. Nothing is written when
    the file is refused (EditionRefused, a Japanese message naming the line)."""
    try:
        curriculum = parse_edition(text, filename)
    except CurriculumError as exc:
        raise EditionRefused(str(exc)) from None
    name = curriculum.edition.strip()
    if name == BUNDLED_EDITION:
        raise EditionRefused(f"{filename}: 「{name}」は同梱の版の名前です。新しい版の名前を付けてください。")
    if len(name) > 40:
        raise EditionRefused(f"{filename}: 版の名前「{name}」は40文字以内にしてください。")
    if db.session.scalar(sa.select(CurriculaEdition.id).where(
            CurriculaEdition.name == name, CurriculaEdition.curriculum_key == curriculum.key)):
        raise EditionRefused(f"{filename}: 「{name}」の{curriculum.short_title}は読み込み済みです。")
    newest = newest_edition()
    if newest and newest != name and db.session.scalar(
            sa.select(CurriculaEdition.id).where(CurriculaEdition.name == name)):
        raise EditionRefused(f"{filename}: 「{name}」より新しい「{newest}」が読み込まれているため、"
                             f"「{name}」には加えられません。")
    row = CurriculaEdition(name=name, curriculum_key=curriculum.key, filename=filename[-200:],
                           toml_text=text)
    db.session.add(row)
    db.session.commit()
    db.session.info.pop(_CACHE, None)
    return row


@dataclass
class EditionInfo:
    """One edition as `--editions` and the plan page list it."""

    name: str
    keys: list[str] = field(default_factory=list)
    loaded_at: object = None
    plans: int = 0


def editions() -> list[EditionInfo]:
    """Every edition, oldest first, the bundled one first."""
    used = dict(db.session.execute(sa.select(Plan.curricula_edition, sa.func.count(Plan.id))
                                   .group_by(Plan.curricula_edition)).all())
    found = {"": EditionInfo("", list(CURRICULUM_KEYS), None, used.get("", 0))}
    for row in db.session.scalars(sa.select(CurriculaEdition).order_by(CurriculaEdition.id)):
        info = found.setdefault(row.name, EditionInfo(row.name, [], row.loaded_at, used.get(row.name, 0)))
        info.keys.append(row.curriculum_key)
    return list(found.values())


def plan_curricula(plan: Plan) -> dict[str, Curriculum]:
    """The four curricula in the plan's edition, keyed like curricula.load_curricula()."""
    return {key: edition_curriculum(plan.curricula_edition, key) for key in CURRICULUM_KEYS}


def is_loaded(name: str) -> bool:
    """Whether edition `name` is here: the bundled one ("") always is."""
    with db.session.no_autoflush:
        return not name or db.session.scalar(
            sa.select(CurriculaEdition.id).where(CurriculaEdition.name == name).limit(1)) is not None
