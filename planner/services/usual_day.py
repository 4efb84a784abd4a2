"""The prefecture's usual training day (start, end, lunch window and length): the default
frame of every new training's timetable, set on the settings page."""
from __future__ import annotations

from datetime import time

from planner.models import Prefecture, Training
from planner.models.db import db
from planner.services.errors import ChangeRefused

#: the prefecture's columns and the training's columns they fill
USUAL_DAY_FIELDS = {"day_start": "start_time", "day_end": "end_time", "lunch_earliest": "lunch_earliest",
                    "lunch_latest": "lunch_latest", "lunch_minutes": "lunch_minutes"}
#: where the official changes each value, as explanations name it
SETTING_NAME = "県の設定「通常の研修日」"


def usual_day(prefecture: Prefecture) -> dict[str, object]:
    """The training columns a new training starts with."""
    return {column: getattr(prefecture, name) for name, column in USUAL_DAY_FIELDS.items()}


def update_usual_day(prefecture: Prefecture, day_start: time, day_end: time, lunch_earliest: time,
                     lunch_latest: time, lunch_minutes: int) -> None:
    """Save the usual day (existing trainings keep theirs) and commit; refuse a frame no day fits."""
    messages = []
    if day_end <= day_start:
        messages.append("終了時刻は開始時刻より後にしてください。")
    if lunch_latest < lunch_earliest:
        messages.append("昼食開始の最遅は最早と同じか後にしてください。")
    if not (day_start <= lunch_earliest and lunch_latest <= day_end):
        messages.append("昼食の時間帯は開始時刻から終了時刻までの間にしてください。")
    if not 0 <= lunch_minutes <= 180:
        messages.append("昼食の時間は0〜180分にしてください。")
    if messages:
        raise ChangeRefused(messages)
    prefecture.day_start, prefecture.day_end = day_start, day_end
    prefecture.lunch_earliest, prefecture.lunch_latest = lunch_earliest, lunch_latest
    prefecture.lunch_minutes = lunch_minutes
    db.session.commit()


def frame_note(training: Training) -> str:
    """Which setting to change when the day is too short: the training's own frame, and where
    a new training's frame comes from."""
    prefecture = training.plan.prefecture
    same = all(getattr(training, column) == getattr(prefecture, name)
               for name, column in USUAL_DAY_FIELDS.items())
    origin = f"（{SETTING_NAME}と同じ）" if same else f"（{SETTING_NAME}から変更済み）"
    return (f"この研修の1日の枠組み{origin}は {training.start_time:%H:%M}〜{training.end_time:%H:%M}、"
            f"昼食{training.lunch_minutes}分（開始 {training.lunch_earliest:%H:%M}〜{training.lunch_latest:%H:%M}）です。"
            f"この研修だけ変えるには「研修の設定」の「1日の枠組み」を、これから作る研修の既定を変えるには"
            f"{SETTING_NAME}を変更してください。")
