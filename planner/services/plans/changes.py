"""State changes on plans and trainings, as verb-named functions; views only call these.

A timetable change is applied to the session, checked by the scheduler, and committed only
when the timetable can still be built; otherwise it is rolled back whole and the reasons are
raised, so the saved plan stays as it was.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from curricula import CURRICULUM_KEYS
from planner.domain import fields
from planner.domain.schedule import ScheduleInputError, Timetable
from planner.domain.timeline import proposed_training_dates
from planner.models import Plan, Prefecture, Training, TrainingSubject, User
from planner.models.account import utcnow
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.plans import holder_conflicts
from planner.services.plans.editions import curriculum_for, edition_curriculum, newest_edition
from planner.services.plans.timetables import buildable_timetable
from planner.services.team.roles import sync_slots
from planner.services.usual_day import usual_day


def create_plan(prefecture: Prefecture, title: str, cycle_year: int,
                dates: dict[str, date] | None = None, venue: str = "") -> Plan:
    """A plan with the source's four trainings, each with its curriculum's subjects in order."""
    frame = usual_day(prefecture)  # the prefecture's usual day frames a new training (read first:
    # reading it later would flush the half-made trainings)
    edition = newest_edition()  # a new plan is made on the newest curricula; it keeps them
    plan = Plan(prefecture=prefecture, title=title, cycle_year=cycle_year, curricula_edition=edition)
    db.session.add(plan)
    for position, key in enumerate(CURRICULUM_KEYS):
        training = Training(plan=plan, curriculum_key=key, position=position,
                            first_date=(dates or {}).get(key), venue=venue, **frame)
        for index, subject in enumerate(edition_curriculum(edition, key).subjects):
            training.subjects.append(TrainingSubject(letter=subject.letter, position=index))
        db.session.add(training)
    db.session.flush()
    for training in plan.trainings:
        sync_slots(training)
    return plan


def rename_plan(plan: Plan, title: str) -> None:
    """Give the plan a new name (checked by the plan title's field rule); commit."""
    try:
        plan.title = fields.check_text(title, fields.rule("plan_title"))
    except fields.FieldError as error:
        raise ChangeRefused([f"計画名: {error}"]) from None
    db.session.commit()


def delete_plan(plan: Plan) -> None:
    """Delete a plan with everything in it (trainings, roster, roles, timeline); commit."""
    db.session.delete(plan)  # the ORM cascades and the foreign keys' ON DELETE CASCADE remove the rest
    db.session.flush()
    db.session.commit()


def proposed_dates(cycle_year: int, today: date | None = None) -> dict[str, date]:
    """Working-day dates in the Oita example's months, for officials who start from defaults;
    with `today`, none in the past (see timeline.proposed_training_dates)."""
    return {key: day for key, day in proposed_training_dates(cycle_year, today).items()
            if key in CURRICULUM_KEYS}


def change_training(training: Training, change: Callable[[Training], None]) -> Timetable:
    """Apply `change`, keep it only if the timetable still builds, and commit.

    Raises holder_conflicts.HoldersAffected (nothing saved) when slot holders would be
    double-booked or away, unless the request carries the official's decision."""
    before = holder_conflicts.conflict_keys(training)  # only what this change breaks is asked
    try:
        change(training)
    except ScheduleInputError as exc:
        db.session.rollback()
        raise ChangeRefused([str(exc)]) from None
    timetable = buildable_timetable(training, "この変更では時間割が組めないため、保存しませんでした。")
    training.revision += 1
    sync_slots(training)
    try:  # the holders' days: ask the official, or keep / release as they decided
        holder_conflicts.settle(training, before)
    except holder_conflicts.HoldersAffected:
        db.session.rollback()
        raise
    db.session.commit()
    return timetable


def _renumber(training: Training) -> None:
    for index, row in enumerate(sorted(training.subjects, key=lambda r: r.position)):
        row.position = index


def set_minutes(training: Training, subject_id: int, minutes: int | None) -> Timetable:
    """Fix a subject's minutes (None lets the scheduler choose inside the range)."""
    def change(t: Training) -> None:
        _subject(t, subject_id).minutes_override = minutes
    return change_training(training, change)


def move_subject(training: Training, subject_id: int, offset: int) -> Timetable:
    """Move a subject up (-1) or down (+1) in the day's order."""
    def change(t: Training) -> None:
        rows = sorted(t.subjects, key=lambda r: r.position)
        row = _subject(t, subject_id)
        index = rows.index(row)
        other = index + offset
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
            for position, r in enumerate(rows):
                r.position = position
    return change_training(training, change)


def add_local_subject(training: Training, name: str, minutes: int,
                      lecturer_name: str = "", lecturer_org: str = "", *,
                      team_lecturer: bool = False, uses_cases: bool = False) -> Timetable:
    """Add a local subject with its outside lecturer at the end of the day; in a local training
    it may be taught by the team (a lecturer role) and use cases (a case reporter role)."""
    if (team_lecturer or uses_cases) and not training.is_local:
        raise ChangeRefused(["チームの講師役・事例報告役を付けられるのは、地域の実情に応じた研修の科目だけです。"])
    if team_lecturer and (lecturer_name.strip() or lecturer_org.strip()):
        raise ChangeRefused(["講師: チームの講師役にする場合は、外部講師の氏名・所属を空にしてください。"])
    if len(training.subjects) >= fields.limit("subjects"):
        raise ChangeRefused([f"1つの研修の科目は{fields.limit('subjects')}までです（計画のバックアップが読める数）。"])

    def change(t: Training) -> None:
        position = max((r.position for r in t.subjects), default=-1) + 1
        t.subjects.append(TrainingSubject(local_name=name.strip(), local_minutes=minutes,
                                          lecturer_name=lecturer_name.strip(),
                                          lecturer_org=lecturer_org.strip(), position=position,
                                          team_lecturer=team_lecturer, uses_cases=uses_cases))
    return change_training(training, change)


def remove_local_subject(training: Training, subject_id: int) -> Timetable:
    """Remove a local subject; curriculum subjects cannot be removed, only moved to another day."""
    def change(t: Training) -> None:
        row = _subject(t, subject_id)
        if not row.is_local:
            raise ScheduleInputError("手引きの科目は削除できません。別日に移すことはできます。")
        if t.is_local and len(t.subjects) == 1:
            raise ScheduleInputError("地域の実情に応じた研修には科目が1つ以上必要です。")
        t.subjects.remove(row)
        _renumber(t)
    return change_training(training, change)


def set_separate_day(training: Training, subject_id: int, separate: bool, *,
                     allow_separate: bool = True) -> Timetable:
    """Bring back to the day a subject an old backup moved to a separate day; moving one off the
    day is now a supplementary event (planner.services.plans.supplements), with its date and place.
    The page passes allow_separate=False; True stays for old data and the tests of it."""
    def change(t: Training) -> None:
        row = _subject(t, subject_id)
        if separate and not allow_separate:
            raise ScheduleInputError("別日に移す代わりに、「補う催しを追加する」から催しを登録してください。")
        if separate and (row.is_local or not curriculum_for(t)
                         .subject(row.letter).may_move_to_separate_day):
            raise ScheduleInputError("この科目は、手引きで別日に補う方法が示されていません。")
        row.separate_day = separate
    return change_training(training, change)


def edit_draft_subject(training: Training, subject_id: int, name: str, minutes_min: int | None,
                       minutes_max: int | None, lectures: str, session_minutes: list[int]) -> Timetable:
    """Settle one subject of the job-support draft for this training, before the prefecture
    adopts it: its name, minutes range, national lectures and each session's minutes. Empty
    values keep the draft's own. The scheduler and the handouts read them (timetables.curriculum_subject)."""
    curriculum = curriculum_for(training)

    def change(t: Training) -> None:
        row = _subject(t, subject_id)
        if curriculum.official or row.is_local:
            raise ScheduleInputError("手引きの科目表にあるカリキュラムの科目は変更できません（たたき台の科目のみ）。")
        if t.adopted_at is not None:
            raise ScheduleInputError("県で確定済みのプログラムです。変更するには確定を取り消してください。")
        subject = curriculum.subject(row.letter)
        if (minutes_min is None) != (minutes_max is None):
            raise ScheduleInputError("時間は最短と最長の両方を入力してください（同じ値なら固定）。")
        if minutes_min is not None and not 1 <= minutes_min <= minutes_max <= 600:
            raise ScheduleInputError("時間は 1〜600 分で、最短は最長以下にしてください。")
        if session_minutes and len(session_minutes) != len(subject.sessions):
            raise ScheduleInputError(f"セッションの時間は{len(subject.sessions)}つ（セッションの数）入力してください。")
        if any(not 1 <= m <= 600 for m in session_minutes):
            raise ScheduleInputError("セッションの時間は 1〜600 分にしてください。")
        if len(name.strip()) > 200:
            raise ScheduleInputError("科目名は200文字以内で入力してください。")
        row.draft_name = name.strip() if name.strip() != subject.name else ""
        row.draft_minutes_min, row.draft_minutes_max = minutes_min, minutes_max
        lines = [line.strip() for line in lectures.splitlines() if line.strip()]
        row.draft_lectures = "" if tuple(lines) == subject.national_lectures else "\n".join(lines)
        default = [s.minutes_min for s in subject.sessions]
        row.draft_session_minutes = "" if session_minutes in ([], default) else ",".join(map(str, session_minutes))
    return change_training(training, change)


def update_training(training: Training, **fields) -> Timetable:
    """Change a training's dates, venue and day settings, checked like any other change."""
    def change(t: Training) -> None:
        for name, value in fields.items():
            setattr(t, name, value)
    return change_training(training, change)


def _subject(training: Training, subject_id: int) -> TrainingSubject:
    for row in training.subjects:
        if row.id == subject_id:
            return row
    raise ScheduleInputError("指定された科目はこの研修にありません。")


def adopt_draft(training: Training, official: User, adopted: bool = True) -> None:
    """The prefecture adopts the job-support draft as its programme (or takes that back)."""
    if curriculum_for(training).official:
        raise ChangeRefused(["このカリキュラムは手引きの表に基づくため、確定の操作はありません。"])
    if adopted and training.adopted_at is None:
        training.adopted_at, training.adopted_by = utcnow(), official.name
    elif not adopted:
        training.adopted_at, training.adopted_by = None, ""
    training.revision += 1
    db.session.commit()
