"""Claims under a real server: requests per second, latency and server CPU per request, against
the floor (login + CSRF + one UPDATE), in the same run.

50 clients (asking for JSON answers) log in, each as its own team member. Each round runs two
phases, in alternating order: every client claims and releases its own slot ROUNDS times (ours),
and every client sets and clears its slot's holder through bench/floor_app.py's route, which only
loads the session's user, checks the CSRF token and runs one UPDATE (the floor). The server's CPU
time over a phase (/proc utime + stime of its process tree) divided by the phase's requests is
the CPU per request. Prints the median of the rounds, then 50 simultaneous claims of one slot.

--servers measures the claim phase under each server setting of bench/servers.py (waitress with
16 threads, waitress pinned to one CPU, gunicorn with 4 sync workers), all started on one
database and measured in turn within each round, so they share the same window.

Usage: .venv/bin/python bench/bench_claims.py [--rounds 5] [--servers] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app
from bench.servers import SERVERS, cpu_seconds, start
from planner.models import Prefecture, User
from planner.models.account import MEMBER
from planner.models.db import db
from planner.services.plans.changes import create_plan
from planner.services.team.files import MemberRow
from planner.services.team.roster import save_member
from tests.databases import fresh_database
from tests.http_clients import logged_in_session

CLIENTS = 50
ROUNDS = 10
PASSWORD = "bench-pass-123"
FLOOR_APP = "bench.floor_app:create_app"
# the JSON answer keeps flash messages out of the session cookie, as a script would
JSON = {"Accept": "application/json"}


def seed(url: str) -> tuple[list[tuple[int, int, int]], tuple[int, int]]:
    """Three plans with every client on each roster; returns each client's (plan, slot, member)
    and the contested (plan, slot)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        prefecture = Prefecture(name="ベンチ県")
        db.session.add(prefecture)
        plans = [create_plan(prefecture, f"計画{year}", year) for year in (2023, 2024, 2025)]
        for i in range(CLIENTS):
            user = User(prefecture=prefecture, email=f"c{i}@bench.example.jp", name=f"C{i}", role=MEMBER)
            user.set_password(PASSWORD)
            db.session.add(user)
            for plan in plans:
                save_member(plan, MemberRow(f"C{i}", "市", "other", f"c{i}@bench.example.jp"))
        db.session.commit()
        member = {(m.plan_id, m.email): m.id for p in plans for m in p.members}
        # material preparation has no time of day, so no client's own slots clash
        slots = [(p.id, s.id) for p in plans for t in p.trainings for s in t.slots if s.kind == "material_preparer"]
        own = [(plan, slot, member[plan, f"c{i}@bench.example.jp"]) for i, (plan, slot) in enumerate(slots[:CLIENTS])]
        contested = (plans[0].id, next(s.id for s in plans[0].trainings[0].slots if s.kind == "timekeeper"))
        db.engine.dispose()
    return own, contested


def phase(base: str, sessions, own, floor: bool) -> tuple[int, float, list[float], int]:
    """Every client claims and releases its slot ROUNDS times (or does the floor's set and clear);
    returns (requests, seconds, latencies, answers other than 200, e.g. 503 when SQLite stayed busy)."""
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)

    def client(i: int) -> None:
        session, token = sessions[i]
        plan_id, slot_id, member_id = own[i]
        urls = ([f"{base}/bench/floor/{slot_id}/{member_id}", f"{base}/bench/floor/{slot_id}/0"] if floor else
                [f"{base}/plans/{plan_id}/roles/{slot_id}/claim", f"{base}/plans/{plan_id}/roles/{slot_id}/release"])
        mine, failures = [], 0
        barrier.wait()
        for _ in range(ROUNDS):
            for url in urls:
                started = time.perf_counter()
                response = session.post(url, data={"csrf_token": token}, headers=JSON)
                mine.append(time.perf_counter() - started)
                failures += response.status_code != 200
        with lock:
            latencies.extend(mine)
            failed[0] += failures

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return len(latencies), time.perf_counter() - started, latencies, failed[0]


def measured(base: str, pid: int, sessions, own, floor: bool) -> dict[str, float]:
    cpu = cpu_seconds(pid)
    requests, seconds, latencies, failed = phase(base, sessions, own, floor)
    return {"req/s": requests / seconds, "p95 ms": statistics.quantiles(latencies, n=20)[-1] * 1000,
            "cpu ms": (cpu_seconds(pid) - cpu) / requests * 1000, "not 200": failed}


def medians(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def contested_claims(base: str, sessions, contested) -> None:
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def contender(i: int) -> None:
        session, token = sessions[i]
        barrier.wait()
        t0 = time.perf_counter()
        response = session.post(f"{base}/plans/{contested[0]}/roles/{contested[1]}/claim",
                                data={"csrf_token": token}, headers=JSON)
        with lock:
            results.append((response.status_code, time.perf_counter() - t0))

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = [t for _, t in results]
    print(f"  contested: {CLIENTS} simultaneous claims of one slot -> {sum(s == 200 for s, _ in results)} "
          f"winner(s), {sum(s == 409 for s, _ in results)} told who holds it; median "
          f"{statistics.median(times) * 1000:.0f} ms, p95 {statistics.quantiles(times, n=20)[-1] * 1000:.0f} ms")


def login_all(base: str):
    return [logged_in_session(base, f"c{i}@bench.example.jp", PASSWORD) for i in range(CLIENTS)]


def against_floor(label: str, url: str, rounds: int) -> None:
    own, contested = seed(url)
    with start(url, "waitress", FLOOR_APP) as (base, pid):
        sessions = login_all(base)
        ours, floor = [], []
        for r in range(rounds):  # interleaved: ours first in even rounds, the floor first in odd ones
            for is_floor in ((False, True) if r % 2 == 0 else (True, False)):
                (floor if is_floor else ours).append(measured(base, pid, sessions, own, is_floor))
        ours, floor = medians(ours), medians(floor)
        print(f"\n[{label}] waitress (16 threads), {CLIENTS} clients x {ROUNDS} claim+release, "
              f"median of {rounds} interleaved rounds; load average {os.getloadavg()[0]:.1f}")
        print(f"  {'':<30} {'req/s':>7} {'p95 ms':>7} {'server CPU ms/request':>22} {'not 200':>8}")
        for name, row in (("claim / release (ours)", ours), ("floor: login+CSRF+1 UPDATE", floor)):
            print(f"  {name:<30} {row['req/s']:>7.0f} {row['p95 ms']:>7.0f} {row['cpu ms']:>22.2f} {row['not 200']:>8.0f}")
        print(f"  ratio (ours / floor) in server CPU: {ours['cpu ms'] / floor['cpu ms']:.2f}x (target 1.5x)")
        contested_claims(base, sessions, contested)


def servers(label: str, url: str, rounds: int) -> None:
    own, _ = seed(url)
    with ExitStack() as stack:
        running = {kind: stack.enter_context(start(url, kind)) for kind in SERVERS}
        # every server has the same SECRET_KEY: one login's cookie works on all of them
        sessions = login_all(running["waitress"][0])
        results: dict[str, list[dict[str, float]]] = {kind: [] for kind in SERVERS}
        for r in range(rounds):
            order = SERVERS[r % len(SERVERS):] + SERVERS[:r % len(SERVERS)]
            for kind in order:
                base, pid = running[kind]
                results[kind].append(measured(base, pid, sessions, own, floor=False))
        print(f"\n[{label}] claim / release by {CLIENTS} clients, median of {rounds} interleaved rounds; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"  {'server':<40} {'claims/s':>8} {'p95 ms':>7} {'CPU ms/request':>15} {'not 200':>8}")
        names = {"waitress": "waitress, 16 threads", "waitress-1cpu": "waitress, 16 threads, taskset -c 0",
                 "gunicorn": "gunicorn, 4 sync workers"}
        for kind in SERVERS:
            row = medians(results[kind])
            print(f"  {names[kind]:<40} {row['req/s']:>8.0f} {row['p95 ms']:>7.0f} {row['cpu ms']:>15.2f} "
                  f"{row['not 200']:>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="also on this PostgreSQL database (a private schema, dropped after)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--servers", action="store_true", help="compare the server settings instead")
    args = parser.parse_args()
    run = servers if args.servers else against_floor
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.sqlite", args.rounds)
    if args.pg:
        with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp) / "unused.sqlite", args.pg) as url:
            run("PostgreSQL", url, args.rounds)


if __name__ == "__main__":
    main()
