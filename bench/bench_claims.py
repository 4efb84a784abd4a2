"""Claim throughput and latency with 50 concurrent clients over loopback, under waitress.

Each client (asking for JSON answers) logs in as its own team member, then claims and releases its own slot ROUNDS
times (uncontested); then all clients claim one slot at the same moment (contested).
Prints requests per second, median and p95 latency, for SQLite and, with --pg URL, PostgreSQL.

Usage: .venv/bin/python bench/bench_claims.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from planner.models.db import db  # noqa: E402
from planner.models import Prefecture, User  # noqa: E402
from planner.models.account import MEMBER  # noqa: E402
from planner.services.plans import create_plan  # noqa: E402
from planner.services.roster_files import MemberRow  # noqa: E402
from planner.services.team import save_member  # noqa: E402
from tests.databases import run_on_both_engines  # noqa: E402
from tests.http_clients import logged_in_session  # noqa: E402

CLIENTS = 50
ROUNDS = 10
PASSWORD = "bench-pass-123"
# the JSON answer keeps flash messages out of the session cookie, as a script would
JSON = {"Accept": "application/json"}


def seed(url: str) -> tuple[list[int], list[list[int]]]:
    """Three plans with every client on each roster; returns plan ids and each client's slot."""
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
        # material preparation has no time of day, so no client's own slots clash
        own = [(p.id, s.id) for p in plans for t in p.trainings for s in t.slots if s.kind == "material_preparer"]
        contested = (plans[0].id, next(s.id for s in plans[0].trainings[0].slots if s.kind == "timekeeper"))
        db.engine.dispose()
    return own[:CLIENTS], contested


def serve(url: str):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    proc = subprocess.Popen([sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--threads=16",
                             "--call", "app:create_app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def run(label: str, url: str) -> None:
    own, contested = seed(url)
    proc, base = serve(url)
    try:
        sessions = [logged_in_session(base, f"c{i}@bench.example.jp", PASSWORD) for i in range(CLIENTS)]
        latencies: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(CLIENTS)

        def client(i: int) -> None:
            session, token = sessions[i]
            plan_id, slot_id = own[i]
            mine = []
            barrier.wait()
            for _ in range(ROUNDS):
                for action in ("claim", "release"):
                    started = time.perf_counter()
                    response = session.post(f"{base}/plans/{plan_id}/roles/{slot_id}/{action}",
                                            data={"csrf_token": token}, headers=JSON)
                    mine.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.status_code
            with lock:
                latencies.extend(mine)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        p95 = statistics.quantiles(latencies, n=20)[-1]
        print(f"[{label}] uncontested: {len(latencies)} requests by {CLIENTS} clients in {elapsed:.2f} s -> "
              f"{len(latencies) / elapsed:.0f} req/s; median {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms")

        results: list[tuple[int, float]] = []
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
        winners = sum(1 for status, _ in results if status == 200)
        times = [t for _, t in results]
        print(f"[{label}] contested: {CLIENTS} simultaneous claims of one slot -> {winners} winner(s), "
              f"{sum(1 for s, _ in results if s == 409)} told who holds it; median "
              f"{statistics.median(times) * 1000:.0f} ms, p95 {statistics.quantiles(times, n=20)[-1] * 1000:.0f} ms")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    run_on_both_engines(run)
