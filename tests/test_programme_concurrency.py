"""The team's programme form sent several times at the same moment (a double click, two tabs)
against the app under waitress: one version is saved, never identical copies."""
import threading

from planner.models import ProgrammeEntry, Training
from planner.models.db import db
from tests.factories import OITA_MEMBER, PASSWORD, make_oita
from tests.http_clients import logged_in_session

SENDERS = 6


def test_the_same_programme_sent_at_once_makes_one_version(app, live_server):
    with app.app_context():
        world = make_oita()
        training = db.session.get(Training, world.trainings["common"])
        row_id = next(r.id for r in training.subjects if r.letter == "C")
    url = f"{live_server}/trainings/{world.trainings['common']}/subjects/{row_id}/programme"
    sessions = [logged_in_session(live_server, OITA_MEMBER, PASSWORD) for _ in range(SENDERS)]
    start = threading.Barrier(SENDERS)
    statuses = [None] * SENDERS

    def send(index: int) -> None:
        session, token = sessions[index]
        start.wait()
        response = session.post(url, data={"csrf_token": token, "emphasis": "断らない相談の入口",
                                           "key_points": "", "how_to_run": "", "worksheets": ""},
                                allow_redirects=False)
        statuses[index] = response.status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * SENDERS  # each sender is told it is saved (or unchanged)
    with app.app_context():
        entries = db.session.scalars(db.select(ProgrammeEntry).filter_by(subject_id=row_id)).all()
        assert [(e.version, e.emphasis) for e in entries] == [(1, "断らない相談の入口")]
