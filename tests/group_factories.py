"""Participants and team members for the grouping tests (the participants' own entry pages
come with the participants feature; these add rows directly)."""
from planner.models import Municipality, Participant, Plan, Training
from planner.models.db import db
from planner.services.team.files import MemberRow
from planner.services.team.roster import save_member

TOWNS = ["大分市", "別府市", "中津市", "日田市", "佐伯市", "臼杵市"]
SURNAMES = ["安藤", "井上", "上田", "遠藤", "岡本", "加藤", "木村", "工藤", "小池", "斎藤", "清水", "杉山",
            "関口", "高田", "千葉", "土屋", "戸田", "内藤", "西村", "野口"]
GIVEN = ["明美", "健太", "由美", "誠", "直樹", "陽子", "浩二", "恵"]


def add_participants(training_id: int, spec: list[tuple[str, str]], status: str = "accepted") -> list[int]:
    """Participants (municipality, kind) for a training, with the municipalities they need."""
    training = db.session.get(Training, training_id)
    prefecture_id = training.plan.prefecture_id
    ids = []
    for i, (town, kind) in enumerate(spec):
        municipality = db.session.scalar(db.select(Municipality).filter_by(prefecture_id=prefecture_id, name=town))
        if municipality is None:
            known = db.session.scalar(db.select(db.func.count()).select_from(Municipality))
            municipality = Municipality(prefecture_id=prefecture_id, code=f"44{known:04d}", name=town, kind="city")
            db.session.add(municipality)
            db.session.flush()
        participant = Participant(training_id=training_id, municipality_id=municipality.id,
                                  name=f"{SURNAMES[i % 20]} {GIVEN[i % 8]}{'' if i < 20 else i}", kind=kind, status=status)
        db.session.add(participant)
        db.session.flush()
        ids.append(participant.id)
    db.session.commit()
    return ids


def add_members(plan_id: int, count: int) -> None:
    plan = db.session.get(Plan, plan_id)
    for i in range(count):
        save_member(plan, MemberRow(f"チーム員{i}", TOWNS[i % len(TOWNS)], "other", f"m{i}@oita.example.jp"))
    db.session.commit()
