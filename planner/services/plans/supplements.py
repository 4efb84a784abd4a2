"""Supplementary events: a symposium, lecture, case-study meeting, report meeting or a separate
training that supplements one subject of a training. The source's general step allows one for
any subject the day cannot cover (「別日に専門家等に講師を依頼してシンポジウムや講演、事例検討会で
補うことも考えられる」), besides the subjects it names (「不足する視点は補う」). Each change is checked like any other
timetable change, because the event may shorten the subject or take it off the day."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from planner.domain import fields
from planner.domain.dates import outside_cycle_message
from planner.domain.schedule import ScheduleInputError
from planner.models import (
    SUPPLEMENT_EFFECTS,
    SUPPLEMENT_KINDS,
    Plan,
    SupplementaryEvent,
    Symposist,
    Training,
    TrainingSubject,
)
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.plans.changes import change_training
from planner.services.plans.editions import curriculum_for

SAME_START = "この科目には、同じ日・同じ開始時刻の催しがすでにあります。"
SYMPOSIUM_ONLY = "コーディネーターとシンポジストは、種類が「シンポジウム」のときに入力します。"
#: what separates 氏名／所属／テーマ on a line: a slash of either width, or a tab (cells pasted from Excel)
_PARTS = re.compile(r"[／/\t]")
#: what separated several names typed into one field
_NAMES = re.compile(r"[、,，/／]")


@dataclass(frozen=True)
class Speaker:
    """One シンポジスト as entered: 氏名, 所属・役職 and the theme of their report."""

    name: str
    affiliation: str = ""
    topic: str = ""

    @property
    def line(self) -> str:
        """The form's line for this speaker: 「氏名／所属／テーマ」, empty parts at the end left out."""
        return "／".join([self.name, self.affiliation, self.topic]).rstrip("／")


def _speaker_problems(number: int, speaker: Speaker) -> list[str]:
    where = f"シンポジストの{number}行目："
    problems = []
    if not speaker.name:
        problems.append(f"{where}氏名を入力してください（「氏名／所属／テーマ」の順です）。")
    elif "、" in speaker.name:
        problems.append(f"{where}1行に1人ずつ入力してください。")
    for value, key in ((speaker.name, "symposist_name"), (speaker.affiliation, "symposist_affiliation"),
                       (speaker.topic, "symposist_topic")):
        rule = fields.rule(key)
        if len(value) > rule.max:
            problems.append(f"{where}{rule.label.removeprefix('シンポジストの')}は{rule.max}文字以内にしてください"
                            f"（{len(value)}文字あります）。")
    return problems


def parse_symposists(text: str | None) -> tuple[Speaker, ...]:
    """The symposists typed one per line as 「氏名／所属／テーマ」 (所属 and テーマ may be left
    out); ChangeRefused with a Japanese message per line that cannot be read."""
    speakers, problems = [], []
    lines = [line for line in fields.clean_text(text or "", lines=True).split("\n") if line.strip()]
    for number, line in enumerate(lines, start=1):
        parts = [fields.clean_text(p) for p in _PARTS.split(line)]
        if len(parts) > 3:
            problems.append(f"シンポジストの{number}行目：区切りの「／」が多すぎます。「氏名／所属／テーマ」の形で入力してください。")
            continue
        speaker = Speaker(*parts)
        problems += _speaker_problems(number, speaker)
        speakers.append(speaker)
    if len(lines) > fields.limit("symposists"):
        problems.append(f"シンポジストは{fields.limit('symposists')}人までにしてください（{len(lines)}人あります）。")
    if problems:
        raise ChangeRefused(problems)
    return tuple(speakers)


def symposists_text(event: SupplementaryEvent) -> str:
    """The event's symposists as the form shows them, one per line."""
    return "\n".join(Speaker(s.name, s.affiliation, s.topic).line for s in event.symposists)


def legacy_symposists(lecturer_name: str, lecturer_org: str) -> tuple[Speaker, ...]:
    """The symposists of a symposium stored before it had any: its lecturer field held their
    names (「小川 恵子、田中 誠」) and one affiliation (as migration a16i00000001 reads them)."""
    names = [n.strip() for n in _NAMES.split(lecturer_name or "") if n.strip()]
    return tuple(Speaker(n, (lecturer_org or "").strip()) for n in names)


@dataclass(frozen=True)
class EventValues:
    """What the official enters for a supplementary event."""

    kind: str
    title: str
    day: date
    start_time: time
    end_time: time
    place: str = ""
    lecturer_name: str = ""
    lecturer_org: str = ""
    effect: str = "stays"
    shortened_minutes: int | None = None
    coordinator_name: str = ""
    coordinator_org: str = ""
    symposists: tuple[Speaker, ...] = ()


def _check(training: Training, row: TrainingSubject, values: EventValues) -> None:
    """Japanese messages for values that make no sense; nothing is changed yet."""
    messages = []
    if row.is_local:
        messages.append("独自科目は補う催しの対象ではありません。講師と内容は科目の欄で管理します。")
    if values.kind not in SUPPLEMENT_KINDS:
        messages.append("催しの種類を選んでください。")
    if values.effect not in SUPPLEMENT_EFFECTS:
        messages.append("研修当日の科目の扱いを選んでください。")
    if not values.title.strip():
        messages.append("催しの名称を入力してください。")
    if values.end_time <= values.start_time:
        messages.append("終了時刻は開始時刻より後にしてください。")
    plan = training.plan
    outside = outside_cycle_message(values.day, plan.cycle_start, plan.cycle_end)
    if outside:
        messages.append(outside)
    if values.kind != "symposium" and (values.coordinator_name.strip() or values.coordinator_org.strip()
                                         or values.symposists):
        messages.append(SYMPOSIUM_ONLY)
    if values.coordinator_org.strip() and not values.coordinator_name.strip():
        messages.append("コーディネーターの氏名を入力してください。")
    for number, speaker in enumerate(values.symposists, start=1):
        messages += _speaker_problems(number, speaker)
    if len(values.symposists) > fields.limit("symposists"):
        messages.append(f"シンポジストは{fields.limit('symposists')}人までにしてください。")
    if values.effect == "shortened":
        if values.shortened_minutes is None:
            messages.append("短くする場合は、研修当日の時間（分）を入力してください。")
        elif not 10 <= values.shortened_minutes:
            messages.append("研修当日の時間は10分以上にしてください。")
    if messages:
        raise ChangeRefused(messages)


def effect_note(training: Training, row: TrainingSubject, values: EventValues) -> str:
    """What the event does to the day's subject, with the subject's range and the difference:
    empty when the subject stays as it is."""
    if values.effect == "stays" or row.is_local:
        return ""
    subject = curriculum_for(training).subject(row.letter)
    label = f"科目{subject.letter}「{subject.name}」（{subject.minutes_text}）"
    if values.effect == "moves":
        return f"{label}は研修当日に行いません（当日の講義・演習が{subject.minutes_min}分以上減ります）。"
    minutes = values.shortened_minutes or 0
    if minutes < subject.minutes_min:
        return (f"{label}を研修当日は{minutes}分に短くします。手引きの最短{subject.minutes_min}分より"
                f"{subject.minutes_min - minutes}分短く、不足する分をこの催しで補います。")
    return f"{label}を研修当日は{minutes}分で行います（手引きの範囲内）。"


def _subject(training: Training, subject_id: int) -> TrainingSubject:
    row = next((r for r in training.subjects if r.id == subject_id), None)
    if row is None:
        raise ChangeRefused(["この研修に、指定の科目はありません。"])
    return row


def _apply(event: SupplementaryEvent, values: EventValues) -> None:
    event.kind, event.title, event.day = values.kind, values.title.strip(), values.day
    event.start_time, event.end_time = values.start_time, values.end_time
    event.place, event.effect = values.place.strip(), values.effect
    event.lecturer_name, event.lecturer_org = values.lecturer_name.strip(), values.lecturer_org.strip()
    event.shortened_minutes = values.shortened_minutes if values.effect == "shortened" else None
    event.coordinator_name = values.coordinator_name.strip()
    event.coordinator_org = values.coordinator_org.strip()
    event.symposists = [Symposist(position=i, name=v.name.strip(), affiliation=v.affiliation.strip(),
                                  topic=v.topic.strip()) for i, v in enumerate(values.symposists)]


def add_event(training: Training, subject_id: int, values: EventValues) -> SupplementaryEvent:
    """Add a supplementary event for one subject; refused when the day no longer builds."""
    row = _subject(training, subject_id)
    _check(training, row, values)
    event = SupplementaryEvent()
    _apply(event, values)

    def change(t: Training) -> None:
        if any(e.day == values.day and e.start_time == values.start_time for e in row.supplements):
            raise ScheduleInputError(SAME_START)
        row.supplements.append(event)
    try:
        change_training(training, change)
    except IntegrityError:  # the same form sent twice at once: the other request added it
        db.session.rollback()
        raise ChangeRefused([SAME_START]) from None
    return event


def update_event(event: SupplementaryEvent, values: EventValues) -> None:
    """Change a supplementary event; the subject it supplements stays the same."""
    training = event.training
    _check(training, event.subject, values)

    def change(t: Training) -> None:
        if any(e is not event and e.day == values.day and e.start_time == values.start_time
               for e in event.subject.supplements):
            raise ScheduleInputError(SAME_START)
        _apply(event, values)
        event.revision += 1
    try:
        change_training(training, change)
    except IntegrityError:
        db.session.rollback()
        raise ChangeRefused([SAME_START]) from None


def delete_event(event: SupplementaryEvent) -> None:
    """Remove a supplementary event; a subject it took off the day comes back."""
    training, row = event.training, event.subject

    def change(t: Training) -> None:
        row.supplements.remove(event)
    change_training(training, change)


def plan_events(plan: Plan) -> list[SupplementaryEvent]:
    """Every supplementary event of the plan, by date and time."""
    return db.session.scalars(
        db.select(SupplementaryEvent).join(TrainingSubject).join(Training)
        .where(Training.plan_id == plan.id)
        .options(selectinload(SupplementaryEvent.symposists))
        .order_by(SupplementaryEvent.day, SupplementaryEvent.start_time, SupplementaryEvent.id)).all()


def training_events(training: Training) -> list[SupplementaryEvent]:
    """The supplementary events of one training's subjects, by date and time."""
    return sorted((e for row in training.subjects for e in row.supplements),
                  key=lambda e: (e.day, e.start_time, e.id))
