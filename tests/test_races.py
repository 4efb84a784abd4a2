"""Writes that arrive together, against the app under waitress (SQLite or PostgreSQL):
the holding rules hold, an official never overwrites a claim unseen, and a form sent twice
at once creates one thing with a friendly second answer."""
from __future__ import annotations

import io
import json
import re

import pytest
import requests

from planner.domain.dates import format_date_wareki
from planner.models import ChecklistTick, Plan, RoleSlot, TeamMember, TrainingSubject, User
from planner.models.db import db
from planner.services.backup.plan import dump_plan
from planner.services.team.files import MemberRow
from planner.services.team.roster import save_member
from tests.factories import PASSWORD, make_member, make_plan, make_prefecture, make_user
from tests.http_clients import at_once, csrf_token, logged_in_session, once_token, same_browser

OFFICIAL = "official@midori.example.jp"
OFFICIAL_2 = "official2@midori.example.jp"
MEMBER = "member@midori.example.jp"
ROUNDS = 30


@pytest.fixture
def world(app):
    """みどり県: two officials, one member on the roster; two slots of the common training at
    the same time (the day's timekeeper and subject A's lecturer)."""
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        make_user(prefecture, OFFICIAL)
        make_user(prefecture, OFFICIAL_2, name="担当職員2")
        make_member(prefecture, MEMBER)
        plan = make_plan(prefecture)
        member = save_member(plan, MemberRow(name="青葉 花子", municipality="あおば市",
                                             municipality_kind="designated_city", email=MEMBER))
        db.session.commit()
        common = plan.trainings[0]
        timekeeper = next(s for s in common.slots if s.kind == "timekeeper" and s.day_index == 0)
        lecturer = next(s for s in common.slots if s.kind == "lecturer" and s.subject.letter == "A")
        chief = next(t for t in plan.trainings if t.curriculum_key == "chief")
        return {"plan": plan.id, "member": member.id, "training": common.id, "chief": chief.id,
                "slots": (timekeeper.id, lecturer.id)}


def _holders(app, slot_ids) -> list[tuple[int | None, bool]]:
    with app.app_context():
        return [(s.holder_id, s.locked) for s in (db.session.get(RoleSlot, i) for i in slot_ids)]


def _reset(app, slot_ids) -> None:
    with app.app_context():
        db.session.execute(db.update(RoleSlot).where(RoleSlot.id.in_(slot_ids))
                           .values(holder_id=None, locked=False))
        db.session.commit()


# --------------------------------------------------------------------------- holding rules

def test_member_claiming_two_overlapping_slots_at_once_gets_one(app, live_server, world):
    first, _ = logged_in_session(live_server, MEMBER, PASSWORD)
    second, token = same_browser(first), csrf_token(first.get(f"{live_server}/my/roles").text)
    plan, slots = world["plan"], world["slots"]
    outcomes = []

    for _ in range(ROUNDS):
        _reset(app, slots)
        responses = at_once(*[
            lambda s=s, slot=slot: s.post(f"{live_server}/plans/{plan}/roles/{slot}/claim",
                                          data={"csrf_token": token}, allow_redirects=False)
            for s, slot in ((first, slots[0]), (second, slots[1]))])
        outcomes.append((sorted(r.status_code for r in responses),
                         sum(holder == world["member"] for holder, _ in _holders(app, slots))))

    assert outcomes == [([302, 409], 1)] * ROUNDS


def test_two_officials_assigning_one_member_to_overlapping_slots_at_once(app, live_server, world):
    officials = [logged_in_session(live_server, email, PASSWORD) for email in (OFFICIAL, OFFICIAL_2)]
    plan, slots, member = world["plan"], world["slots"], world["member"]
    outcomes = []

    for _ in range(10):
        _reset(app, slots)
        responses = at_once(*[
            lambda s=s, token=token, slot=slot: s.post(
                f"{live_server}/plans/{plan}/roles/{slot}/assign",
                data={"csrf_token": token, "member_id": member, "shown_holder": "0"}, allow_redirects=False)
            for (s, token), slot in zip(officials, slots)])
        refused = next((r.text for r in responses if r.status_code == 422), "")
        outcomes.append((sorted(r.status_code for r in responses),
                         sum(holder == member for holder, _ in _holders(app, slots)),
                         "同じ時間帯に" in refused))

    assert outcomes == [([302, 422], 1, True)] * 10


def test_claim_against_open_and_locked_save_never_leaves_a_hidden_holder(app, live_server, world):
    member, member_token = logged_in_session(live_server, MEMBER, PASSWORD)
    official, official_token = logged_in_session(live_server, OFFICIAL, PASSWORD)
    plan, slot = world["plan"], world["slots"][0]
    seen = set()

    for _ in range(10):
        _reset(app, [slot])
        form = official.get(f"{live_server}/plans/{plan}/roles/{slot}/assign").text
        assert 'name="shown_holder" type="hidden" value="0"' in form
        claim, save = at_once(
            lambda: member.post(f"{live_server}/plans/{plan}/roles/{slot}/claim",
                                data={"csrf_token": member_token}, allow_redirects=False),
            lambda: official.post(f"{live_server}/plans/{plan}/roles/{slot}/assign",
                                  data={"csrf_token": official_token, "member_id": "0", "locked": "y",
                                        "shown_holder": "0"}, allow_redirects=False))
        [(holder, locked)] = _holders(app, [slot])
        if save.status_code == 302:  # the official was first: the slot is open and locked
            assert (claim.status_code, holder, locked) == (409, None, True)
            assert "確定済み" in claim.text
        else:  # the member was first: the official is told who claimed it, nothing overwritten
            assert (save.status_code, claim.status_code, holder, locked) == (409, 302, world["member"], False)
            assert "今は青葉 花子さん（あおば市）が担当しています" in save.text
        seen.add(save.status_code)

    assert seen <= {302, 409}


# --------------------------------------------------------------------------- double submits

def _twice(session, url: str, data: dict, files: dict | None = None):
    """Send one form twice at once from one browser (a double click); returns both responses."""
    twin = same_browser(session)
    return at_once(*[lambda s=s: s.post(url, data=data, files=files, allow_redirects=False)
                     for s in (session, twin)])


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def _double_submit(app, session, page: str, url: str, data: dict, count, files=None):
    """Render the form's page, send it twice at once; exactly one thing is made, no 5xx."""
    html = session.get(page).text
    data = {**data, "csrf_token": csrf_token(html), "once": once_token(html)}
    before = count()

    responses = _twice(session, url, data, files)

    assert [r.status_code for r in responses] == [302, 302], [(r.url, r.status_code) for r in responses]
    assert count() == before + 1


def test_double_submit_of_each_create_form_makes_one(app, live_server, world):
    official, _ = logged_in_session(live_server, OFFICIAL, PASSWORD)
    base, plan_id = live_server, world["plan"]
    with app.app_context():
        backup = dump_plan(db.session.get(Plan, plan_id)).encode("utf-8")

    _double_submit(app, official, f"{base}/plans/{plan_id}/team/new", f"{base}/plans/{plan_id}/team/new",
                   {"name": "二重 太郎", "municipality": "やまなか町", "municipality_kind": "other",
                    "email": "double@yamanaka.example.jp"},
                   lambda: _count(app, TeamMember, TeamMember.email == "double@yamanaka.example.jp"))
    csv = ("氏名,所属自治体,自治体の種別,メールアドレス,修了した国研修,参加できない日,備考\r\n"
           "取込 次郎,あおば市,政令指定都市,csv@aoba.example.jp,,,\r\n").encode("utf-8")
    _double_submit(app, official, f"{base}/plans/{plan_id}/team", f"{base}/plans/{plan_id}/team/import", {},
                   lambda: _count(app, TeamMember, TeamMember.email == "csv@aoba.example.jp"),
                   files={"file": ("roster.csv", csv, "text/csv")})
    _double_submit(app, official, f"{base}/plans/new", f"{base}/plans/new",
                   {"title": "二重送信の計画", "cycle_year": str(json.loads(backup)["plan"]["cycle_year"] + 1),
                    "venue": "", "propose_dates": "y"},
                   lambda: _count(app, Plan, Plan.title == "二重送信の計画"))
    _double_submit(app, official, f"{base}/plans/{plan_id}", f"{base}/plans/{plan_id}/copy", {},
                   lambda: _count(app, Plan))
    _double_submit(app, official, f"{base}/", f"{base}/plans/import", {},
                   lambda: _count(app, Plan),
                   files={"file": ("backup.json", backup, "application/json")})
    training = world["chief"]  # its day has room for two more short subjects: a second one could be made
    _double_submit(app, official, f"{base}/trainings/{training}", f"{base}/trainings/{training}/subjects",
                   {"name": "県の施策説明", "minutes": "10"},
                   lambda: _count(app, TrainingSubject, TrainingSubject.local_name == "県の施策説明"))


def test_double_submit_of_checklist_saves_once(app, live_server, world):
    official, _ = logged_in_session(live_server, OFFICIAL, PASSWORD)
    page = official.get(f"{live_server}/plans/{world['plan']}/timeline/").text
    keys = re.findall(r'name="items" value="([^"]+)"', page)
    data = {"csrf_token": csrf_token(page), "once": once_token(page), "items": keys[0]}

    responses = _twice(official, f"{live_server}/plans/{world['plan']}/timeline/checklist", data)

    assert [r.status_code for r in responses] == [302, 302]
    with app.app_context():
        ticks = db.session.scalars(db.select(ChecklistTick).filter_by(plan_id=world["plan"])).all()
    assert sorted(t.key for t in ticks) == sorted(keys)
    assert [t.key for t in ticks if t.done] == [keys[0]]


def test_double_submit_of_invitation_acceptance_makes_one_user(app, live_server, world):
    official, token = logged_in_session(live_server, OFFICIAL, PASSWORD)
    page = official.post(f"{live_server}/invitations", data={
        "csrf_token": token, "name": "新人 三郎", "email": "new@midori.example.jp"}).text
    link = re.search(r'(http://[^"<\s]+/join/[^"<\s]+)', page).group(1)
    visitor = requests.Session()
    form = visitor.get(link).text
    data = {"csrf_token": csrf_token(form), "once": once_token(form), "name": "新人 三郎",
            "password": "long-enough-pw", "confirm": "long-enough-pw"}

    responses = _twice(visitor, link, data)

    assert [r.status_code for r in responses] == [302, 302]
    assert _count(app, User, User.email == "new@midori.example.jp") == 1


def test_invitation_form_sent_again_after_the_account_is_made_answers_kindly(client, app, world):
    """The second submit of a double click may arrive after the first made the account; it is
    told the form was received, not that the invitation is used up."""
    from planner.services.accounts import make_invitation
    with app.app_context():
        prefecture_id = db.session.get(Plan, world["plan"]).prefecture_id
    link = "/join/" + make_invitation("test", prefecture_id, "again@midori.example.jp", "再送 四郎")
    data = {"name": "再送 四郎", "password": "long-enough-pw", "confirm": "long-enough-pw",
            "once": "join-token-1234567890"}

    first = client.post(link, data=data)
    client.get("/logout")
    second = client.post(link, data=data, follow_redirects=True)
    other = client.post(link, data={**data, "once": "another-token-123456"})

    assert first.status_code == 302
    assert second.status_code == 200 and "すでに受け付けています" in second.text
    assert other.status_code == 400 and "この招待はすでに使われています" in other.text
    assert _count(app, User, User.email == "again@midori.example.jp") == 1


def test_second_submit_of_a_form_answers_kindly(client, app, world):
    """The same token sent again (one after the other): sent to the first result, told why."""
    client.post("/login", data={"email": OFFICIAL, "password": PASSWORD})
    data = {"title": "一度だけの計画", "cycle_year": "2026", "venue": "", "once": "token-1234567890"}

    first = client.post("/plans/new", data=data)
    second = client.post("/plans/new", data=data, follow_redirects=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert second.request.path == first.headers["Location"]
    assert "すでに受け付けています" in second.get_data(as_text=True)
    assert _count(app, Plan, Plan.title == "一度だけの計画") == 1


# --------------------------------------------------------------------------- every writer keeps the rules

def _backup_with_holders(app, world, holders: dict[int, str]) -> str:
    """The plan's backup, with these slots given to these e-mails (as an edited file would)."""
    with app.app_context():
        for slot_id, email in holders.items():
            member = db.session.scalar(db.select(TeamMember).filter_by(plan_id=world["plan"], email=email))
            db.session.get(RoleSlot, slot_id).holder_id = member.id
        text = dump_plan(db.session.get(Plan, world["plan"]))
        db.session.rollback()
    return text


def test_backup_giving_one_member_two_overlapping_slots_is_refused(app, world):
    from planner.services.backup.plan import BackupError, load_plan

    text = _backup_with_holders(app, world, {world["slots"][0]: MEMBER, world["slots"][1]: MEMBER})

    with app.app_context():
        plans_before = db.session.scalar(db.select(db.func.count()).select_from(Plan))
        with pytest.raises(BackupError) as refused:
            load_plan(db.session.get(Plan, world["plan"]).prefecture, text)
        db.session.rollback()
        plans_after = db.session.scalar(db.select(db.func.count()).select_from(Plan))

    assert "役割の担当: 同じ時間帯に「前期共通" in str(refused.value)
    assert plans_after == plans_before


def test_accepting_a_suggestion_skips_a_member_who_meanwhile_took_the_same_time(app, world):
    from planner.services.team.roster import accept_suggestion

    timekeeper, lecturer = world["slots"]
    with app.app_context():
        plan = db.session.get(Plan, world["plan"])
        member = db.session.get(TeamMember, world["member"])
        db.session.get(RoleSlot, lecturer).holder_id = member.id  # claimed after the page was drawn
        db.session.commit()

        accepted, skipped = accept_suggestion(plan, [(timekeeper, member.id)])

    assert (accepted, skipped) == (0, 1)
    assert _holders(app, [timekeeper]) == [(None, False)]


def test_bulk_confirm_locks_every_held_slot_of_a_training_or_plan(app, client, world):
    timekeeper, lecturer = world["slots"]
    with app.app_context():
        plan = db.session.get(Plan, world["plan"])
        chief = next(t for t in plan.trainings if t.curriculum_key == "chief")
        chief_slot = next(s for s in chief.slots if s.kind == "material_preparer")
        chief_slot.holder_id = world["member"]
        db.session.get(RoleSlot, timekeeper).holder_id = world["member"]
        db.session.commit()
        chief_slot_id = chief_slot.id
    client.post("/login", data={"email": OFFICIAL, "password": PASSWORD})

    one = client.post(f"/plans/{world['plan']}/roles/lock", data={"training": world["training"]},
                      follow_redirects=True)
    states_after_one = _holders(app, [timekeeper, lecturer, chief_slot_id])
    everything = client.post(f"/plans/{world['plan']}/roles/lock", follow_redirects=True)

    assert "担当者のいる役割1件を確定しました。" in one.get_data(as_text=True)
    assert states_after_one == [(world["member"], True), (None, False), (world["member"], False)]
    assert "担当者のいる役割1件を確定しました。" in everything.get_data(as_text=True)
    assert _holders(app, [timekeeper, lecturer, chief_slot_id]) == [
        (world["member"], True), (None, False), (world["member"], True)]


def test_member_cannot_bulk_confirm(app, client, world):
    client.post("/login", data={"email": MEMBER, "password": PASSWORD})

    assert client.post(f"/plans/{world['plan']}/roles/lock").status_code == 403


def test_marking_a_held_day_unavailable_is_refused_by_form_and_import(app, client, world):
    timekeeper = world["slots"][0]
    with app.app_context():
        db.session.get(RoleSlot, timekeeper).holder_id = world["member"]
        db.session.commit()
        first_date = db.session.get(RoleSlot, timekeeper).training.first_date
        day = first_date.isoformat()
    client.post("/login", data={"email": OFFICIAL, "password": PASSWORD})
    wareki = format_date_wareki(first_date, weekday=False)
    message = f"青葉 花子さんは{wareki}に「前期共通 タイムキーパー役」を担当しているため、その日を参加できない日にはできません。"

    form = client.post(f"/plans/{world['plan']}/team/{world['member']}/edit", data={
        "name": "青葉 花子", "municipality": "あおば市", "municipality_kind": "designated_city",
        "email": MEMBER, "unavailable": day})
    csv = ("氏名,所属自治体,自治体の種別,メールアドレス,修了した国研修,参加できない日,備考\r\n"
           f"青葉 花子,あおば市,政令指定都市,{MEMBER},,{day},\r\n").encode("utf-8")
    imported = client.post(f"/plans/{world['plan']}/team/import", data={"file": (io.BytesIO(csv), "r.csv")},
                           content_type="multipart/form-data")

    assert form.status_code == 422 and message in form.get_data(as_text=True)
    assert imported.status_code == 422 and message in imported.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TeamMember, world["member"]).unavailable == []
