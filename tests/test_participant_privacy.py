"""Participants' personal data: deleted after the retention days (service and command), the
setting on the prefecture's settings page, and carried by the JSON backup."""
from __future__ import annotations

import json
from datetime import date

import pytest

from planner.models import (
    GroupFacilitator,
    KeepApart,
    Municipality,
    Participant,
    Plan,
    Prefecture,
    TeamMember,
    Training,
)
from planner.models.db import db
from planner.services.backup.plan import BackupError, dump_plan, export_plan, load_plan
from planner.services.participants.retention import PURGED_NAME, purge_due
from planner.services.prefecture_settings import update_settings
from tests.factories import OITA_OFFICIAL, login, make_oita, make_plan, make_prefecture
from tests.participant_data import add_participants, make_municipalities

#: the 2025 cycle ends on 2026-10-31; 大分県 keeps the data 90 days (the default)
LAST_KEPT = date(2027, 1, 29)


@pytest.fixture
def world(app):
    with app.app_context():
        world = make_oita()
        places = make_municipalities(world.prefecture)
        training = db.session.get(Training, world.trainings["common"])
        people = add_participants(training, places, 6, attended=4, groups=2)
        db.session.add(KeepApart(training_id=training.id, first_id=people[0].id, second_id=people[1].id))
        other = make_prefecture("福岡県")
        other.participant_retention_days = 365
        other_plan = make_plan(other)
        add_participants(other_plan.trainings[0], make_municipalities(other.id, [("401307", "福岡市", "designated_city")]), 2)
        db.session.commit()
        return {"world": world, "other_plan": other_plan.id}


def _people(plan_id: int) -> list[Participant]:
    return list(db.session.scalars(db.select(Participant).join(Training).where(Training.plan_id == plan_id)
                                   .order_by(Participant.id)))


def test_purge_deletes_personal_data_only_after_the_retention_days(app, world):
    plan_id = world["world"].plan
    with app.app_context():
        assert purge_due(LAST_KEPT) == []

        done = purge_due(date(2027, 1, 30))

        assert [(d.plan.id, d.participants) for d in done] == [(plan_id, 6)]
        people = _people(plan_id)
        assert {(p.name, p.kana, p.affiliation, p.job, p.email, p.needs) for p in people} == {
            (PURGED_NAME, "", "", "", "", "")}
        # what is not a person stays, for the year's coverage
        assert sum(1 for p in people if p.attended_at) == 4 and all(p.municipality_id for p in people)
        assert db.session.scalar(db.select(db.func.count()).select_from(KeepApart)) == 0
        # another prefecture keeps its own for 365 days
        assert all(p.name != PURGED_NAME for p in _people(world["other_plan"]))
        assert purge_due(date(2027, 1, 30)) == []


def test_purge_command_says_what_it_deletes_and_dry_run_keeps_it(app, runner, world):
    dry = runner.invoke(args=["purge-participants", "--today", "2027-02-01", "--dry-run"])
    with app.app_context():
        kept = [p.name for p in _people(world["world"].plan)]
    real = runner.invoke(args=["purge-participants", "--today", "2027-02-01"])
    bad = runner.invoke(args=["purge-participants", "--today", "2027-13-01"])

    assert dry.exit_code == 0 and "受講者 6名の氏名・ふりがな・所属・職名・メール・配慮事項を削除の対象です" in dry.output
    assert PURGED_NAME not in kept
    assert real.exit_code == 0 and "削除しました" in real.output and "保存期限 2027-01-29" in real.output
    assert bad.exit_code == 2 and "日付として読めません" in bad.output
    with app.app_context():
        assert {p.name for p in _people(world["world"].plan)} == {PURGED_NAME}


def test_retention_days_are_set_on_the_settings_page(app, client, world):
    with app.app_context():
        prefecture = db.session.get(Prefecture, world["world"].prefecture)
        update_settings(prefecture, department="福祉保健部", letter_sender="大分県福祉保健部長",
                        contact_section="地域福祉課", contact_phone="097-000-0000",
                        contact_email="fukushi@pref.oita.example.jp")
    login(client, OITA_OFFICIAL)
    page = client.get("/settings").get_data(as_text=True)
    form = {"department": "福祉保健部", "letter_sender": "大分県福祉保健部長", "contact_section": "地域福祉課",
            "contact_name": "", "contact_phone": "097-000-0000", "contact_email": "fukushi@pref.oita.example.jp",
            "version": page.split('name="version" type="hidden" value="')[1].split('"')[0]}

    refused = client.post("/settings", data=form | {"participant_retention_days": "-1"})
    saved = client.post("/settings", data=form | {"participant_retention_days": "30"})

    assert 'value="90"' in page
    assert refused.status_code == 422 and "0〜3650日" in refused.get_data(as_text=True)
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Prefecture, world["world"].prefecture).participant_retention_days == 30
        assert [d.participants for d in purge_due(date(2026, 12, 1))] == [6]


def test_backup_carries_municipalities_and_participants(app, world):
    with app.app_context():
        plan = db.session.get(Plan, world["world"].plan)
        people = _people(plan.id)
        people[0].needs = "手話通訳\n車いす"
        people[1].municipality_id = None
        people[1].kind = "agency"
        training = plan.trainings[0]
        training.application_deadline, training.notice_date = date(2026, 1, 20), date(2025, 12, 1)
        training.open_to_agencies, training.group_size, training.notice_number = False, 5, "福第1234号"
        facilitator = TeamMember(plan=plan, name="進行 役子", municipality="大分市", municipality_kind="core_city",
                                 email="shinko@example.jp")
        db.session.add(facilitator)
        db.session.flush()
        db.session.add(GroupFacilitator(training_id=training.id, group_no=2, member_id=facilitator.id))
        db.session.commit()
        text = dump_plan(plan)
        elsewhere = make_prefecture("宮崎県")

        copy = load_plan(elsewhere, text)
        db.session.commit()

        data, again = json.loads(text)["plan"], export_plan(copy)["plan"]
        assert [t["participants"] for t in again["trainings"]] == [t["participants"] for t in data["trainings"]]
        assert [t["participation"] for t in again["trainings"]] == [t["participation"] for t in data["trainings"]]
        assert data["trainings"][0]["participation"] | {"notice_date": None} == {
            "application_deadline": "2026-01-20", "open_to_officials": True, "open_to_agencies": False,
            "group_size": 5, "notice_number": "福第1234号", "notice_date": None, "keep_apart": [[0, 1]],
            "facilitators": [{"group_no": 2, "member": "shinko@example.jp"}]}
        assert again["municipalities"] == data["municipalities"] and len(data["municipalities"]) == 5
        codes = db.session.scalars(db.select(Municipality.code).filter_by(prefecture_id=elsewhere.id)).all()
        assert sorted(codes) == sorted(m["code"] for m in data["municipalities"])
        assert sum(len(t["participants"]) for t in data["trainings"]) == 6


@pytest.mark.parametrize("change, message", [
    (lambda d: d["plan"]["trainings"][0]["participants"][0].update(municipality="999999"),
     "ファイルの市町村（municipalities）にありません"),
    (lambda d: d["plan"]["trainings"][0]["participants"][0].update(name=""), "受講者1: 氏名（name）が空です"),
    (lambda d: d["plan"]["trainings"][0]["participants"][0].update(status="vip"), "status"),
    (lambda d: d["plan"]["trainings"][0]["participants"][0].update(attended_at="昨日"), "日時として読めません"),
    (lambda d: d["plan"]["municipalities"][0].update(code="12"), "6桁の全国地方公共団体コード"),
    (lambda d: d["plan"]["trainings"][0]["participation"].update(keep_apart=[[0, 99]]), "受講者の番号"),
    (lambda d: d["plan"]["trainings"][0]["participation"].update(
        facilitators=[{"group_no": 1, "member": "nobody@example.jp"}]), "チームのメンバーにいません"),
    (lambda d: d["plan"]["trainings"][0]["participation"].update(group_size=1), "group_size"),
])
def test_bad_participants_in_a_backup_refuse_it_whole(app, world, change, message):
    with app.app_context():
        data = json.loads(dump_plan(db.session.get(Plan, world["world"].plan)))
        change(data)
        elsewhere = make_prefecture("宮崎県")
        before = db.session.scalar(db.select(db.func.count()).select_from(Participant))

        with pytest.raises(BackupError) as refused:
            load_plan(elsewhere, json.dumps(data, ensure_ascii=False))
        db.session.rollback()

        assert message in str(refused.value)
        assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == before
