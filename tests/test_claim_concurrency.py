"""Twenty members claim one slot at the same moment against the app under waitress."""
import threading

from planner.models import RoleSlot
from planner.models.db import db
from planner.services.team.files import MemberRow
from planner.services.team.roster import save_member
from tests.factories import PASSWORD, make_plan, make_prefecture, make_user
from tests.http_clients import logged_in_session

CLAIMERS = 20


def test_twenty_simultaneous_claims_exactly_one_wins(app, live_server):
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        plan = make_plan(prefecture)
        for i in range(CLAIMERS):
            email = f"member{i:02d}@example.jp"
            make_user(prefecture, email, role="member", name=f"メンバー{i:02d}")
            save_member(plan, MemberRow(name=f"メンバー{i:02d}", municipality=f"市{i:02d}",
                                        municipality_kind="other", email=email))
        db.session.commit()
        slot_id = next(s.id for s in plan.trainings[0].slots if s.kind == "timekeeper")
        plan_id = plan.id
    sessions = [logged_in_session(live_server, f"member{i:02d}@example.jp", PASSWORD) for i in range(CLAIMERS)]
    start = threading.Barrier(CLAIMERS)
    results = [None] * CLAIMERS

    def claim(index: int) -> None:
        session, token = sessions[index]
        start.wait()
        response = session.post(f"{live_server}/plans/{plan_id}/roles/{slot_id}/claim",
                                data={"csrf_token": token}, allow_redirects=False)
        results[index] = (response.status_code, response.text)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(CLAIMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(status for status, _ in results)
    assert statuses == [302] + [409] * (CLAIMERS - 1)
    with app.app_context():
        holder = db.session.get(RoleSlot, slot_id).holder
    winner = next(i for i, (status, _) in enumerate(results) if status == 302)
    assert holder.email == f"member{winner:02d}@example.jp"
    for status, body in results:
        if status == 409:
            assert f"この役割はすでに{holder.name}さん（{holder.municipality}）が担当しています。" in body
