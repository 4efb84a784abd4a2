"""Reception on the training day: ticking who arrived (and unticking), with no JavaScript, safe
when two receptionists tick at once; filtering by kana and municipality; the counts."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from exports.participants import participant_files
from planner.models import Municipality, Participant, Plan, Training
from planner.models.db import db
from planner.services.demo import load_demo
from planner.services.errors import ChangeRefused
from planner.services.participants.attendance import day_participants, set_arrived
from planner.services.participants.demo_reception import ABSENT, load_demo_reception
from tests.factories import OITA_OFFICIAL, PASSWORD, login, make_oita
from tests.http_clients import at_once, logged_in_session
from tests.participant_data import add_participants, make_municipalities


@pytest.fixture
def world(app):
    with app.app_context():
        world = make_oita()
        training = db.session.get(Training, world.trainings["common"])
        people = add_participants(training, make_municipalities(world.prefecture), 12)
        people[-1].status = "waiting"
        db.session.commit()
        return {"training": training.id, "people": [p.id for p in people[:-1]], "waiting": people[-1].id}


def _attended(app, ids) -> dict[int, datetime | None]:
    with app.app_context():
        return dict(db.session.execute(db.select(Participant.id, Participant.attended_at)
                                       .where(Participant.id.in_(ids))).all())


def test_a_second_tick_keeps_the_first_time_and_untick_clears_it(app, world):
    first, second = datetime(2026, 2, 18, 0, 31), datetime(2026, 2, 18, 0, 35)
    with app.app_context():
        training = db.session.get(Training, world["training"])
        person = world["people"][0]

        changed = [set_arrived(training, person, True, first), set_arrived(training, person, True, second)]
        kept = db.session.get(Participant, person).attended_at
        cleared = [set_arrived(training, person, False), set_arrived(training, person, False)]

        assert changed == [True, False]
        assert kept == first
        assert cleared == [True, False]
        assert db.session.get(Participant, person).attended_at is None


def test_only_accepted_participants_of_the_training_can_be_ticked(app, world):
    with app.app_context():
        training = db.session.get(Training, world["training"])
        other = db.session.scalar(db.select(Training).where(Training.id != training.id))
        for participant_id in (world["waiting"], 999_999):
            with pytest.raises(ChangeRefused):
                set_arrived(training, participant_id, True)
        with pytest.raises(ChangeRefused):
            set_arrived(other, world["people"][0], True)


def test_reception_page_ticks_without_javascript_and_counts(app, client, world):
    login(client, OITA_OFFICIAL)
    url = f"/trainings/{world['training']}/reception"
    person = world["people"][3]

    before = client.get(url).get_data(as_text=True)
    ticked = client.post(f"{url}/{person}", data={"arrived": "1", "q": "さとう"})
    after = client.get(url).get_data(as_text=True)
    client.post(f"{url}/{person}", data={"arrived": "0"})

    assert "0</strong> / 11名" in before
    assert ticked.status_code == 302
    assert ticked.location.endswith(f"q=%E3%81%95%E3%81%A8%E3%81%86#p{person}")
    assert "1</strong> / 11名" in after
    assert re.search(rf'<li id="p{person}" class="arrived">', after)
    assert _attended(app, [person])[person] is None


def test_reception_filters_by_kana_and_by_municipality(app, client, world):
    login(client, OITA_OFFICIAL)
    with app.app_context():
        training = db.session.get(Training, world["training"])
        everyone = day_participants(training)
        beppu = db.session.scalar(db.select(Municipality).filter_by(name="別府市"))
        by_kana = [p.id for p in everyone if p.kana.startswith("さとう")]
        by_place = [p.id for p in everyone if p.municipality_id == beppu.id]
        beppu_id = beppu.id

    def shown(query: str) -> list[int]:
        html = client.get(f"/trainings/{world['training']}/reception?{query}").get_data(as_text=True)
        return [int(n) for n in re.findall(r'<li id="p(\d+)"', html)]

    assert shown("q=さと う") == by_kana and by_kana
    assert shown(f"m={beppu_id}") == by_place and by_place
    assert shown("") == [p.id for p in everyone]


def test_two_receptionists_ticking_at_once_lose_no_tick(app, live_server, world):
    sessions = [logged_in_session(live_server, OITA_OFFICIAL, PASSWORD) for _ in range(2)]
    url = f"{live_server}/trainings/{world['training']}/reception"
    people = world["people"]

    def tick(index: int, person: int):
        session, token = sessions[index]
        return lambda: session.post(f"{url}/{person}", data={"arrived": "1", "csrf_token": token},
                                    allow_redirects=False, headers={"Accept": "application/json"})

    # the same person from both tablets, then two different people at the same moment
    same = at_once(tick(0, people[0]), tick(1, people[0]))
    different = [r for pair in zip(people[1:6], people[6:11]) for r in at_once(tick(0, pair[0]), tick(1, pair[1]))]

    assert [r.status_code for r in same + different] == [200] * 12
    assert all(_attended(app, people).values())
    assert max(r.json()["arrived"] for r in different) == 11


def test_demo_ticks_a_held_training_so_its_certificates_exist(app):
    with app.app_context():
        load_demo()
        plan = db.session.scalar(db.select(Plan))
        first = plan.trainings_by_date[0]
        before = [p.attended_at for t in plan.trainings for p in day_participants(t)]

        load_demo_reception(plan, first.first_date)  # on the day itself: not yet held
        unchanged = [p.attended_at for t in plan.trainings for p in day_participants(t)]
        load_demo_reception(plan, first.last_day + timedelta(days=1))
        people = day_participants(first)

        assert before == unchanged
        assert len(people) >= 6
        assert sum(1 for p in people if p.attended_at) == len(people) - ABSENT
        assert "修了証書_前期共通.docx" in [name for name, _ in participant_files(first)]
