"""The add form of a supplementary event sent several times at the same moment against the
app under waitress: the event is added once, the other senders get a Japanese refusal."""
import threading

from planner.models import SupplementaryEvent
from planner.models.db import db
from tests.factories import OITA_OFFICIAL, PASSWORD, make_oita
from tests.http_clients import logged_in_session

SENDERS = 5


def test_the_same_event_sent_at_once_is_added_once(app, live_server):
    with app.app_context():
        world = make_oita()
    url = f"{live_server}/supplements/new/{world.trainings['common']}"
    sessions = [logged_in_session(live_server, OITA_OFFICIAL, PASSWORD) for _ in range(SENDERS)]
    start = threading.Barrier(SENDERS)
    results = [None] * SENDERS

    def send(index: int) -> None:
        session, token = sessions[index]
        start.wait()
        response = session.post(url, allow_redirects=False, data={
            "csrf_token": token, "subject_id": str(world.subjects["C"]), "kind": "symposium",
            "title": "地域で支える", "day": "2026-03-04", "start_time": "13:30", "end_time": "16:30",
            "place": "", "lecturer_name": "", "lecturer_org": "", "effect": "stays", "shortened_minutes": ""})
        results[index] = (response.status_code, response.text)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _ in results) == [302] + [422] * (SENDERS - 1)
    assert all("同じ日・同じ開始時刻の催しがすでにあります" in text for status, text in results if status == 422)
    with app.app_context():
        assert len(db.session.scalars(db.select(SupplementaryEvent)).all()) == 1
