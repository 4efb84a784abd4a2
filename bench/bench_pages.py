"""The main pages against their floor: the same template rendered with data from one query.

Builds a prefecture (in a temporary SQLite file; also in PostgreSQL with --pg URL, in a schema of
its own that is dropped afterwards) twice: small (1 plan, 10 roster members) and large (50 plans,
200 roster members with courses and unavailable days, every third holding a slot). For the plan
list, a plan page, its roles page and its roster page, one request records the template and the
values it was given; the floor is a route in the same app that runs one query (the page's main
rows) and renders that template with those values, already in memory. Each round times N requests
of the page and N of its floor, in alternating order; prints the medians of the rounds, the ratio
and the SQL queries per request of the page (which must not grow from small to large).

--cpu times by this process's CPU time instead of the wall clock: steadier on a machine shared
with other work, but it leaves out time spent waiting (on PostgreSQL, all of the server's work).

Usage: .venv/bin/python bench/bench_pages.py [-n 30] [--rounds 5] [--cpu] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask import before_render_template, render_template
from flask_login import login_required

from app import create_app
from planner.models import Plan, RoleSlot, TeamMember, Training
from planner.models.db import db
from tests.databases import fresh_database
from tests.factories import OITA_OFFICIAL, add_roster, counting_queries, login, make_oita, make_plan

SIZES = {"small": (1, 10), "large": (50, 200)}  # plans, roster members


@contextmanager
def database(pg_url: str | None):
    """A fresh SQLite file, or a fresh schema in the PostgreSQL database."""
    with tempfile.TemporaryDirectory() as tmp:
        if pg_url:
            with fresh_database(Path(tmp) / "unused.sqlite", pg_url) as url:
                yield url
        else:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite'}"


def floor_queries(plan_id: int, prefecture_id: int) -> dict[str, sa.Select]:
    """The one query of each page's floor: the rows the page lists."""
    return {"list": sa.select(Plan.__table__).where(Plan.prefecture_id == prefecture_id),
            "plan": sa.select(Training.__table__).where(Training.plan_id == plan_id),
            "roles": sa.select(RoleSlot.__table__).join(Training).where(Training.plan_id == plan_id),
            "roster": sa.select(TeamMember.__table__).where(TeamMember.plan_id == plan_id)}


def make_app(url: str):
    """The app plus GET /bench/floor/<page>, which renders what `floors[page]` holds."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "bench"})
    app.floors = {}

    @app.get("/bench/floor/<page>")
    @login_required  # the user loads from the session, as on every page
    def floor(page: str):
        template, values, query = app.floors[page]
        db.session.execute(query).all()
        return render_template(template, **values)

    return app


def build(app, plans: int, members: int) -> tuple[dict[str, str], int, int]:
    """The prefecture's plans and roster; returns the page URLs, the plan id and the prefecture id."""
    with app.app_context():
        db.create_all()
        world = make_oita()
        plan = db.session.get(Plan, world.plan)
        add_roster(plan, members)
        for i in range(plans - 1):
            make_plan(plan.prefecture, cycle_year=1990 + i, venue="県社会福祉センター")
    urls = {"list": "/", "plan": f"/plans/{world.plan}", "roles": f"/plans/{world.plan}/roles",
            "roster": f"/plans/{world.plan}/team"}
    return urls, world.plan, world.prefecture


def record(app, client, url: str) -> tuple[str, dict]:
    """The template a request renders and the values its view gave it (not those Flask adds)."""
    with app.test_request_context():
        added: dict = {}
        app.update_template_context(added)
    seen = []

    def recorder(_sender, template, context, **_extra):
        seen.append((template.name, {k: v for k, v in context.items() if k not in added}))

    with before_render_template.connected_to(recorder, app):
        assert client.get(url).status_code == 200
    return seen[0]


#: what `timed` reads: the wall clock, or with --cpu this process's CPU time
clock = time.perf_counter


def timed(client, url: str, n: int) -> float:
    """Median milliseconds of n requests."""
    times = []
    for _ in range(n):
        started = clock()
        response = client.get(url)
        times.append((clock() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def measure(url: str, size: str, n: int, rounds: int) -> dict[str, tuple[float, float, int]]:
    """(ours ms, floor ms, queries per request) for each page."""
    app = make_app(url)
    try:
        urls, plan_id, prefecture_id = build(app, *SIZES[size])
        client = app.test_client()
        assert login(client, OITA_OFFICIAL).status_code == 302
        queries = floor_queries(plan_id, prefecture_id)
        for page, page_url in urls.items():
            app.floors[page] = (*record(app, client, page_url), queries[page])
        with app.app_context():
            engine = db.engine
        results = {}
        for page, page_url in urls.items():
            with counting_queries(engine) as count:
                client.get(page_url)
            ours, floor = [], []
            for r in range(rounds):  # interleaved, alternating which goes first
                pair = ((ours, page_url), (floor, f"/bench/floor/{page}"))
                for times, target in (pair if r % 2 == 0 else pair[::-1]):
                    times.append(timed(client, target, n))
            results[page] = (statistics.median(ours), statistics.median(floor), count[0])
        return results
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def run(label: str, pg_url: str | None, n: int, rounds: int) -> None:
    results = {}
    for size in SIZES:
        with database(pg_url) as url:
            results[size] = measure(url, size, n, rounds)
    what = "CPU time" if clock is time.process_time else "wall clock"
    print(f"\n{label}: median of {rounds} interleaved rounds of {n} requests ({what}); "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  {'page':<8} {'size':<28} {'ours ms':>8} {'floor ms':>9} {'ratio':>6} {'queries':>8}")
    for size, (plans, members) in SIZES.items():
        for page, (ours, floor, queries) in results[size].items():
            print(f"  {page:<8} {f'{plans} plans, {members} members':<28} {ours:>8.2f} {floor:>9.2f} "
                  f"{ours / floor:>5.1f}x {queries:>8}")
    grows = {page: (results["small"][page][2], results["large"][page][2]) for page in results["large"]
             if results["small"][page][2] != results["large"][page][2]}
    print(f"  queries that grow with plans/members: {grows or 'none'}; target: within 3x of the floor at 200 members")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="requests per page and round (default 30)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg", metavar="URL", help="also run on this PostgreSQL database")
    parser.add_argument("--cpu", action="store_true", help="time by this process's CPU time (see above)")
    args = parser.parse_args()
    if args.cpu:
        global clock
        clock = time.process_time
    run("SQLite", None, args.n, args.rounds)
    if args.pg:
        run("PostgreSQL", args.pg, args.n, args.rounds)


if __name__ == "__main__":
    main()
