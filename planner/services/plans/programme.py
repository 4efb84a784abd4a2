"""The team's programme per subject: what they most want to convey, their points, how they
run it, the worksheets, and their choice among the source's options; every save is a version."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from planner.models import PROGRAMME_FIELDS, ProgrammeEntry, Training, TrainingSubject, User, join_option_keys
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.plans.changes import change_training
from planner.services.plans.editions import curriculum_for

MAX_TEXT = 4000  # characters per field: a page of text, more than a briefing section holds


def current(row: TrainingSubject) -> ProgrammeEntry | None:
    """The newest version of the team's programme for the subject, if any."""
    return row.programme[0] if row.programme else None


def save(training: Training, row: TrainingSubject, author: User, option_keys=(), **texts: str) -> bool:
    """Save a new version; False when nothing changed. `option_keys` are the source's options
    switched on (any of them together, but one length at most); the minutes and sessions they
    bring are applied to the timetable, and refused if the day no longer fits."""
    if row.is_local:
        raise ChangeRefused(["独自科目には手引きのプログラムがありません。講師と内容は科目の欄で管理します。"])
    if isinstance(option_keys, str):
        raise TypeError("option_keys is a collection of keys, not a string")
    unknown = set(texts) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ChangeRefused([f"知らない項目「{sorted(unknown)[0]}」があります。"])
    values = {name: (texts.get(name) or "").replace("\r\n", "\n").strip() for name in PROGRAMME_FIELDS}
    for name, text in values.items():
        if len(text) > MAX_TEXT:
            raise ChangeRefused([f"{PROGRAMME_FIELDS[name]}は{MAX_TEXT}文字以内で入力してください（{len(text)}文字）。"])
    subject = curriculum_for(training).subject(row.letter)
    keys = [key.strip() for key in option_keys if key and key.strip()]
    problems = subject.option_problems(keys)
    if problems:
        raise ChangeRefused(problems)
    chosen = join_option_keys(o.key for o in subject.chosen(keys))
    values["option_keys"] = chosen
    if chosen != row.option_keys and not author.is_official:
        raise ChangeRefused(["手引きの選択肢は時間割を変えるため、担当職員が選びます。内容の記録はどなたでもできます。"])
    latest = current(row)
    if (latest.values() if latest else {k: "" for k in values}) == values and chosen == row.option_keys:
        return False
    entry = ProgrammeEntry(subject=row, author_id=author.id, author_name=author.name,
                           version=(latest.version if latest else 0) + 1, **values)
    try:
        if chosen != row.option_keys:
            def change(t: Training) -> None:
                row.option_keys = chosen
                db.session.add(entry)
            change_training(training, change)  # commits, or rolls back with the reasons
        else:
            db.session.add(entry)
            db.session.commit()
    except IntegrityError:
        # another save took this version number first (the form sent twice at once)
        db.session.rollback()
        db.session.expire(row, ["programme"])
        latest = current(row)
        if latest is not None and latest.values() == values:
            return False  # the same text: one version is enough
        raise ChangeRefused(["同じ時に別の変更が保存されました。最新の内容を確かめてから、もう一度保存してください。"]) from None
    return True


def option_labels(training: Training, row: TrainingSubject, keys) -> list[str]:
    """The chosen options in the source's wording (a key no longer in the curricula as it is)."""
    if row.is_local:
        return []
    subject = curriculum_for(training).subject(row.letter)
    return [o.label if (o := subject.option(key)) else key for key in keys]


def option_label(training: Training, row: TrainingSubject, keys) -> str:
    """The chosen options as one line, or the standard programme when none is on."""
    return "、".join(option_labels(training, row, keys)) or "手引きの標準の進め方"
