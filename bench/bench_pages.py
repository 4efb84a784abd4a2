"""Time the three main pages and count their SQL queries, for 10 years of plans and for 1.

Builds a prefecture with plans for cycle years 2016..2025 and 30 members (in a temporary
SQLite file; also in PostgreSQL with --pg URL, in a schema of its own that is dropped
afterwards), logs an official in with the test client, then requests the plan list (/), a
plan page and a timetable page N times each. Prints the median and p95 server time per page
and the SQL queries per request; then the query counts again for 1 year and 3 members, so a
count that grows with the data (an N+1) shows.

Usage: .venv/bin/python bench/bench_pages.py [-n 200] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from planner.models.db import db  # noqa: E402
from planner.models.account import MEMBER  # noqa: E402
from tests.databases import fresh_database  # noqa: E402
from tests.factories import counting_queries, login, make_plan, make_prefecture, make_user  # noqa: E402


@contextmanager
def database(pg_url: str | None):
    """A fresh SQLite file, or a fresh schema in the PostgreSQL database."""
    with tempfile.TemporaryDirectory() as tmp:
        if pg_url:
            with fresh_database(Path(tmp) / "unused.sqlite", pg_url) as url:
                yield url
        else:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite'}"


def build(app, years: range, members: int) -> dict[str, str]:
    """The prefecture's plans and users; returns the three page URLs."""
    with app.app_context():
        db.create_all()
        prefecture = make_prefecture("大分県")
        make_user(prefecture, "official@oita.example.jp")
        for i in range(members):
            make_user(prefecture, f"member{i}@oita.example.jp", MEMBER)
        plans = [make_plan(prefecture, cycle_year=year, venue="県社会福祉センター") for year in years]
        newest = plans[-1]
        return {"list": "/", "plan": f"/plans/{newest.id}", "timetable": f"/trainings/{newest.trainings[0].id}"}


def measure(app, urls: dict[str, str], n: int) -> dict[str, tuple[float, float, int]]:
    """(median ms, p95 ms, queries per request) for each page."""
    client = app.test_client()
    assert login(client, "official@oita.example.jp").status_code == 302
    with app.app_context():
        engine = db.engine
    results = {}
    with counting_queries(engine) as count:
        for name, url in urls.items():
            assert client.get(url).status_code == 200  # warm up caches and templates
            times, before = [], count[0]
            for _ in range(n):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            times.sort()
            results[name] = (statistics.median(times), times[int(0.95 * (n - 1))], (count[0] - before) // n)
    return results


def run(label: str, pg_url: str | None, years: range, members: int, n: int):
    with database(pg_url) as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                          "SECRET_KEY": "bench"})
        try:
            urls = build(app, years, members)
            results = measure(app, urls, n)
        finally:
            with app.app_context():
                db.session.remove()
                db.drop_all()
                db.engine.dispose()
    print(f"\n{label}: {len(years)} plans, {members} members, n={n}")
    print(f"  {'page':<10} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, (median, p95, queries) in results.items():
        print(f"  {name:<10} {median:>10.2f} {p95:>8.2f} {queries:>8}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="requests per page (default 200)")
    parser.add_argument("--pg", metavar="URL", help="also run on this PostgreSQL database")
    args = parser.parse_args()
    backends = [("SQLite", None)] + ([("PostgreSQL", args.pg)] if args.pg else [])
    for name, url in backends:
        big = run(f"{name}, 10 years", url, range(2016, 2026), 30, args.n)
        small = run(f"{name}, 1 year", url, range(2025, 2026), 3, max(args.n // 10, 10))
        grows = {page: (small[page][2], big[page][2]) for page in big if small[page][2] != big[page][2]}
        print(f"  {name}: queries that grow with plans/members (1 year -> 10 years): {grows or 'none'}")


if __name__ == "__main__":
    main()
