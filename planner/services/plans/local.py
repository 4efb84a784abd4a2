"""A local training (地域の実情に応じた研修): the source's 「地域の実情に応じた専門的な研修」 as a
fifth training of a plan, with its own title, aim and one or two days, built only from local
subjects. The same scheduler lays out its day and the same role slots follow its subjects.

Nothing is written unless the whole training (its first subject included) builds a timetable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from curricula import LOCAL_KEY, local_kind
from planner.domain import fields
from planner.models import Plan, Training, TrainingSubject
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.plans.timetables import buildable_timetable
from planner.services.team.roles import sync_slots
from planner.services.usual_day import usual_day


@dataclass(frozen=True)
class LocalSubjectInput:
    """One local subject as the official enters it."""

    name: str
    minutes: int | None
    lecturer_name: str = ""
    lecturer_org: str = ""
    #: taught by a team member (a lecturer role) rather than an outside lecturer
    team_lecturer: bool = False
    #: works on real cases (a case reporter role)
    uses_cases: bool = False


def check_subject(subject: LocalSubjectInput) -> tuple[list[str], dict]:
    """Japanese messages for a bad local subject, and its cleaned values."""
    messages, values = [], {}
    for key, value in (("local_name", subject.name), ("lecturer_name", subject.lecturer_name),
                       ("lecturer_org", subject.lecturer_org)):
        rule = fields.rule(key)
        try:
            values[key] = fields.check_text(value or "", rule, required=key == "local_name")
        except fields.FieldError as error:
            messages.append(f"{rule.label}: {error}")
    if subject.minutes is None or not 10 <= subject.minutes <= 600:
        messages.append("時間（分）: 10〜600分で入力してください。")
    if subject.team_lecturer and (values.get("lecturer_name") or values.get("lecturer_org")):
        messages.append("講師: チームの講師役にする場合は、外部講師の氏名・所属を空にしてください。")
    return messages, values


def _subject_row(values: dict, subject: LocalSubjectInput, position: int) -> TrainingSubject:
    return TrainingSubject(local_name=values["local_name"], local_minutes=subject.minutes,
                           lecturer_name=values.get("lecturer_name", ""),
                           lecturer_org=values.get("lecturer_org", ""), team_lecturer=subject.team_lecturer,
                           uses_cases=subject.uses_cases, position=position)


def add_local_training(plan: Plan, title: str, aim: str, first_date: date | None,
                       second_date: date | None, subjects: list[LocalSubjectInput]) -> Training:
    """Add a local training with its first local subjects (one or more) and commit;
    ChangeRefused (Japanese, nothing written) for a bad title, aim, dates or subject, or a day
    that cannot be built."""
    messages = []
    values = {}
    for key, value, required in (("local_title", title, True), ("training_aim", aim, False)):
        rule = fields.rule(key)
        try:
            values[key] = fields.check_text(value or "", rule, required=required)
        except fields.FieldError as error:
            messages.append(f"{rule.label}: {error}")
    if second_date is not None and first_date is None:
        messages.append("2日目: 1日目の開催日を入れてください。")
    if first_date is not None and second_date is not None and second_date <= first_date:
        messages.append("2日目: 1日目より後の日にしてください。")
    if len(plan.trainings) >= fields.limit("trainings"):
        messages.append(f"1つの計画の研修は{fields.limit('trainings')}までです。")
    if not subjects:
        messages.append("科目: 1つ以上登録してください。")
    checked = []
    for number, subject in enumerate(subjects, start=1):
        subject_messages, subject_values = check_subject(subject)
        prefix = f"科目{number}の" if len(subjects) > 1 else ""
        messages += [prefix + m for m in subject_messages]
        checked.append((subject, subject_values))
    if messages:
        raise ChangeRefused(messages)
    days = 2 if second_date is not None else 1
    if days > local_kind().max_days:
        raise ChangeRefused([f"開催日: {local_kind().max_days}日までです。"])
    training = Training(plan=plan, curriculum_key=LOCAL_KEY, local_title=values["local_title"],
                        aim=values["training_aim"],
                        position=max((t.position for t in plan.trainings), default=-1) + 1,
                        first_date=first_date, day_count=days,
                        later_dates=second_date.isoformat() if second_date else "",
                        **usual_day(plan.prefecture))
    for position, (subject, subject_values) in enumerate(checked):
        training.subjects.append(_subject_row(subject_values, subject, position))
    db.session.add(training)
    buildable_timetable(training, "この内容では時間割が組めないため、追加しませんでした。", remedies=True)
    sync_slots(training)
    db.session.commit()
    return training


def local_values(title: str, aim: str, day_count: int) -> dict[str, str]:
    """A local training's title and aim as the settings form changes them, checked by their
    field rules; ChangeRefused (Japanese) for an empty or long title or too many days."""
    messages, values = [], {}
    for key, column, value, required in (("local_title", "local_title", title, True),
                                         ("training_aim", "aim", aim, False)):
        rule = fields.rule(key)
        try:
            values[column] = fields.check_text(value, rule, required=required)
        except fields.FieldError as error:
            messages.append(f"{rule.label}: {error}")
    if day_count > local_kind().max_days:
        messages.append(f"日数: 地域の実情に応じた研修は{local_kind().max_days}日までです。")
    if messages:
        raise ChangeRefused(messages)
    return values
