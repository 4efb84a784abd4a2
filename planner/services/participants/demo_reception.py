"""The demo's training day: the first training of the demo plan that has already taken place
gets participants from several municipalities (unless it has some), most of them ticked at reception, so the 受付簿,
name cards and 修了証書 can be downloaded at once. Before the cycle's first training (November
to mid-February) no training has taken place and nothing is added."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from planner.domain.participants import ParticipantEntry
from planner.models import Plan
from planner.services.participants import attendance
from planner.services.participants import entries as participants
from planner.services.participants.coverage import prefecture_municipalities

#: (kana-sorted) people of the past training, spread over the first municipalities
DEMO_PEOPLE = [("石田 真理", "いしだ まり", "worker"), ("上田 隆", "うえだ たかし", "official"),
               ("岡本 彩", "おかもと あや", "worker"), ("木村 亮", "きむら りょう", "worker"),
               ("小松 恵子", "こまつ けいこ", "agency"), ("高木 悠", "たかぎ ゆう", "worker"),
               ("西川 誠", "にしかわ まこと", "official"), ("藤井 葵", "ふじい あおい", "worker")]
#: the last two did not come: no certificate for them
ABSENT = 2


def load_demo_reception(plan: Plan, today: date) -> None:
    past = [t for t in plan.trainings_by_date if t.last_day and t.last_day < today]
    places = prefecture_municipalities(plan.prefecture_id)
    if not past or not places:
        return
    training = past[0]
    if not attendance.day_participants(training):  # the applications demo may have filled it
        training.per_municipality = max(training.per_municipality, 2)
        applied = training.first_date - timedelta(days=30)  # entered before the day
        for n, place in enumerate(places[:len(DEMO_PEOPLE) // 2]):
            entries = [ParticipantEntry(name, kana, "福祉課", kind, "相談支援員")
                       for name, kana, kind in DEMO_PEOPLE[2 * n:2 * n + 2]]
            participants.add_entries(training, place, entries, "official", today=applied)
    arrived = datetime.combine(training.first_date, time(0, 20))  # 9:20 in Japan, stored as UTC
    for person in attendance.day_participants(training)[:-ABSENT]:
        attendance.set_arrived(training, person.id, True, arrived)
