"""The demo's participants: みどり県's fictitious municipalities, their links for the common
training, applications from most of them (one on the waiting list) and one that sent nobody."""
from __future__ import annotations

from datetime import date, timedelta

from planner.domain.municipalities import municipalities_of
from planner.domain.participants import ParticipantEntry
from planner.models import Plan
from planner.models.db import db
from planner.services.participants import entries as participants
from planner.services.participants import links as application_links
from planner.services.participants import municipalities

#: contact persons of some municipalities (fictitious addresses)
DEMO_CONTACTS = {
    "あおば市": ("福祉総務課 山田", "fukushi@city.aoba.example.jp"),
    "かわべ市": ("生活福祉課 森", "seikatsu@city.kawabe.example.jp"),
    "みなと市": ("社会福祉課 川口", "shakai@city.minato.example.jp"),
    "やまなか町": ("住民福祉課 大野", "fukushi@town.yamanaka.example.jp"),
}
#: (municipality, entries); もりの村 and いずみ市 have sent nobody yet
DEMO_ENTRIES = [
    ("あおば市", [ParticipantEntry("青葉 花子", "あおば はなこ", "自立相談支援センター", "worker", "主任相談支援員",
                                   "hanako@aoba.example.jp"),
                  ParticipantEntry("青葉 次郎", "あおば じろう", "自立相談支援センター", "worker", "相談支援員"),
                  # the third is over the quota of 2: on the waiting list for the official
                  ParticipantEntry("緑川 三郎", "みどりかわ さぶろう", "福祉総務課", "official", "主査")]),
    ("かわべ市", [ParticipantEntry("川辺 美咲", "かわべ みさき", "生活相談窓口", "worker", "就労支援員"),
                  ParticipantEntry("川辺 健", "かわべ けん", "生活福祉課", "official", "係長")]),
    ("みなと市", [ParticipantEntry("港 さくら", "みなと さくら", "社会福祉協議会", "worker", "相談支援員",
                                   needs="手話通訳")]),
    ("ひかり市", [ParticipantEntry("光 一", "ひかり はじめ", "福祉課", "worker", "相談支援員")]),
    ("やまなか町", [ParticipantEntry("山中 翼", "やまなか つばさ", "社会福祉協議会", "worker", "相談支援員",
                                     needs="車いす（会場の段差が心配です）")]),
    ("さくら町", [ParticipantEntry("桜井 陽子", "さくらい ようこ", "住民課", "official", "主事")]),
    ("うみべ町", [ParticipantEntry("海辺 誠", "うみべ まこと", "社会福祉協議会", "worker", "家計改善支援員")]),
]
#: a 関係機関 the official entered herself (no municipality)
DEMO_AGENCY = ParticipantEntry("野原 直樹", "のはら なおき", "みどり県社会福祉協議会", "agency", "生活福祉資金担当")


def load_demo_participants(plan: Plan, today: date) -> None:
    """Municipalities, the common training's application settings and links, and entries."""
    prefecture = plan.prefecture
    municipalities.load_list(prefecture, municipalities_of(prefecture.name))
    by_name = {m.name: m for m in municipalities.municipalities(prefecture)}
    for name, (person, email) in DEMO_CONTACTS.items():
        by_name[name].contact_name, by_name[name].contact_email = person, email
    common = next(t for t in plan.trainings if t.curriculum_key == "common")
    # three weeks from today, but a week before the day (never before today)
    deadline = today + timedelta(days=21)
    if common.first_date:
        deadline = max(today, min(deadline, common.first_date - timedelta(days=7)))
    common.per_municipality = 2
    common.application_deadline = deadline
    common.notice_number = "み福第1234号"
    common.notice_date = today - timedelta(days=7)
    db.session.commit()
    for municipality in by_name.values():
        application_links.issue(common, municipality)
    for name, entries in DEMO_ENTRIES:
        participants.add_entries(common, by_name[name], entries, "link", today=today)
    participants.add_entries(common, None, [DEMO_AGENCY], "official", today=today)
