"""Login time for a known address with a wrong password, an unknown address, and the right
password: the first two should take the same time, or the answer's timing tells an attacker
which addresses have an account. Prints medians and the known/unknown ratio (1.0 is ideal).

Each try uses its own address, so the five-try lockout never shortens a try. Runs the app
in-process (the test client), on SQLite and, with --pg URL, PostgreSQL.

Usage: .venv/bin/python bench/bench_login.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from planner.models import Prefecture, User  # noqa: E402
from planner.models.db import db  # noqa: E402
from tests.databases import run_on_both_engines  # noqa: E402

TRIES = 30
PASSWORD = "bench-pass-123"


def _time(client, email: str, password: str, expected: int) -> float:
    started = time.perf_counter()
    response = client.post("/login", data={"email": email, "password": password})
    elapsed = time.perf_counter() - started
    assert response.status_code == expected, (email, response.status_code)
    client.delete_cookie("session")  # the next try starts logged out
    return elapsed


def run(label: str, url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        prefecture = Prefecture(name="ベンチ県")
        db.session.add(prefecture)
        for i in range(TRIES):
            user = User(prefecture=prefecture, email=f"known{i}@bench.example.jp", name=f"K{i}")
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
    client = app.test_client()
    _time(client, "warmup@bench.example.jp", "x", 401)
    known, unknown, right = [], [], []
    for i in range(TRIES):  # interleaved, so drift in machine load hits all three alike
        known.append(_time(client, f"known{i}@bench.example.jp", "wrong-password", 401))
        unknown.append(_time(client, f"nobody{i}@bench.example.jp", "wrong-password", 401))
        right.append(_time(client, f"known{i}@bench.example.jp", PASSWORD, 302))
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    ms = {name: statistics.median(values) * 1000 for name, values in
          (("known", known), ("unknown", unknown), ("right", right))}
    print(f"[{label}] {TRIES} tries each, median: known address + wrong password {ms['known']:.1f} ms, "
          f"unknown address {ms['unknown']:.1f} ms, right password {ms['right']:.1f} ms; "
          f"known/unknown ratio {ms['known'] / ms['unknown']:.2f}")


if __name__ == "__main__":
    run_on_both_engines(run)
