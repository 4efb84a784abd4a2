"""A 2 MB plan backup imported while members claim: the import's time, how long it holds
the database's write lock, and the longest a concurrent claim waits.

The file: a four-training plan with every slot held, a team of 500 members (the limit) with
unavailable days, and versions of the team's programme, grown to just under 2 MB. Per round,
a thread claims and releases a slot of another plan in a loop (planner.services.team.roles, its own
session) while the import runs (load_plan then commit, as the view does); medians of ROUNDS.

Usage: .venv/bin/python bench/bench_backup.py [--pg URL]     (ROUNDS=3 in the environment)
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from planner.models import Prefecture, RoleSlot, TeamMember
from planner.models.db import db
from planner.services.backup.plan import dump_plan, load_plan
from planner.services.plans.changes import create_plan
from planner.services.team.roles import claim_slot, release_slot
from tests.databases import run_on_both_engines
from tests.factories import DATES_2025

ROUNDS = int(os.environ.get("ROUNDS", "3"))
#: the issue's file size; not backup.MAX_BYTES, which grew to 64 MB when files began to carry materials
FILE_BYTES = 2 * 1024 * 1024


def backup_text(prefecture: Prefecture) -> str:
    """A plan file of just under 2 MB (see the module's docstring)."""
    plan = create_plan(prefecture, "元の計画", 2025, dates=DATES_2025, venue="県庁 大会議室")
    members = [TeamMember(plan=plan, name=f"山田 花子{i}", municipality="大分市", municipality_kind="other",
                          email=f"m{i}@bench.example.jp", notes="備考" * 20) for i in range(500)]
    db.session.add_all(members)
    db.session.flush()
    for index, slot in enumerate(s for t in plan.trainings for s in t.slots):
        slot.holder_id = members[index].id  # one slot each: no clashes
    db.session.commit()
    data = json.loads(dump_plan(plan))
    training_days = set(DATES_2025.values())
    free_days = [d.isoformat() for d in (date(2025, 11, 1) + timedelta(days=i) for i in range(366))
                 if d not in training_days and d + timedelta(days=-1) not in training_days]
    for member in data["plan"]["members"]:
        member["unavailable"] = free_days[:150]
        member["courses"] = [{"course": "common", "year": 2020}]
    entry = {"emphasis": "強調したい点" * 10, "key_points": "ポイント" * 10, "how_to_run": "進め方" * 10,
             "worksheets": "", "option_keys": [], "author_name": "担当", "created_at": "2025-11-01T09:00:00"}
    subjects = [s for t in data["plan"]["trainings"] for s in t["subjects"] if s["letter"]]
    text = json.dumps(data, ensure_ascii=False)
    while len(text.encode()) < FILE_BYTES - 20_000:
        for subject in subjects:
            subject["programme"].append(dict(entry))
        text = json.dumps(data, ensure_ascii=False)
    return text


def run(label: str, url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        prefecture = Prefecture(name="ベンチ県")
        db.session.add(prefecture)
        db.session.commit()
        text = backup_text(prefecture)
        claimer = create_plan(prefecture, "申し込む計画", 2025, dates=DATES_2025)
        member = TeamMember(plan=claimer, name="申込 太郎", municipality="大分市", municipality_kind="other",
                            email="claimer@bench.example.jp")
        db.session.add(member)
        db.session.commit()
        slot_id = next(s.id for s in claimer.trainings[0].slots if s.kind == "lecturer")
        member_id, prefecture_id = member.id, prefecture.id
    imports, locks, waits, claims, failures = [], [], [], [], []
    importer = threading.get_ident()
    first_write: list[float] = []

    def note_first_write(conn, cursor, statement, *args):
        # the import's first write takes the lock (SQLite's only one) until its commit
        if threading.get_ident() == importer and not first_write and not statement.lstrip().upper().startswith("SELECT"):
            first_write.append(time.perf_counter())

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note_first_write)
    for _ in range(ROUNDS):
        stop = threading.Event()
        latencies: list[float] = []

        def claim_loop(stop=stop, latencies=latencies):
            with app.app_context():
                while not stop.is_set():
                    start = time.perf_counter()
                    try:
                        slot, who = db.session.get(RoleSlot, slot_id), db.session.get(TeamMember, member_id)
                        claim_slot(slot, who)
                        release_slot(db.session.get(RoleSlot, slot_id), db.session.get(TeamMember, member_id))
                    except sa.exc.OperationalError:  # SQLite's busy timeout ran out: "database is locked"
                        failures.append(1)
                    latencies.append(time.perf_counter() - start)
                    db.session.remove()
                    time.sleep(0.01)

        thread = threading.Thread(target=claim_loop)
        thread.start()
        time.sleep(0.2)
        with app.app_context():
            first_write.clear()
            start = time.perf_counter()
            load_plan(db.session.get(Prefecture, prefecture_id), text)
            db.session.commit()
            end = time.perf_counter()
            imports.append(end - start)
            locks.append(end - first_write[0])
            db.session.remove()
        time.sleep(0.2)
        stop.set()
        thread.join()
        waits.append(max(latencies))
        claims.append(statistics.median(latencies))
    with app.app_context():
        plans = db.session.scalar(sa.text("SELECT count(*) FROM plan"))
        db.engine.dispose()
    print(f"\n{label}: a {len(text.encode()) / 2**20:.2f} MiB plan file ({plans - 2} imports), "
          f"medians of {ROUNDS} rounds, load {os.getloadavg()[0]:.1f}")
    print(f"  import (load_plan + commit)             : {statistics.median(imports):6.2f} s")
    print(f"  write lock held (first write to commit) : {statistics.median(locks):6.2f} s")
    print(f"  longest claim+release during the import : {statistics.median(waits) * 1000:6.0f} ms "
          f"({statistics.median(waits) / statistics.median(claims):.0f}x a claim+release alone, "
          f"{statistics.median(claims) * 1000:.0f} ms; "
          f"{len(failures)} refused with 'database is locked')")


if __name__ == "__main__":
    run_on_both_engines(run)
