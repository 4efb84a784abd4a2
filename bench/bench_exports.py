"""Time and memory of the exports.

1. Every handout of a full four-training plan (exports.handouts.plan_handouts), against
   writing the same text (paragraphs and table cells) into bare python-docx Documents in the
   same run: time (medians of interleaved rounds, never under tracemalloc, which slows our
   code more than the floor's), then, in a separate pass, the tracemalloc peak; the ratios.
2. 1,000 members' personal feeds: 50 plans of 20 members (a prefecture-sized team each), every
   slot held, so each member holds about four slots across the four trainings; each feed is
   built with exports.files.member_feed (which also records what it published), first fetch
   and a second fetch, and a sample through the HTTP route with the test client.

Usage: .venv/bin/python bench/bench_exports.py [ROUNDS] [--no-feeds]   (a throwaway SQLite file)
"""
from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document  # noqa: E402

from app import create_app  # noqa: E402
from exports import files, handouts  # noqa: E402
from planner.models import Plan, Prefecture, TeamMember, User  # noqa: E402
from planner.models.account import MEMBER, OFFICIAL  # noqa: E402
from planner.models.db import db  # noqa: E402
from planner.services.plans.changes import create_plan  # noqa: E402
from tests.factories import DATES_2025  # noqa: E402

HOST = "bench.example.jp"


def seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def peak(function) -> int:
    """Peak bytes of one call under tracemalloc (a pass of its own: it distorts timings)."""
    tracemalloc.start()
    function()
    result = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result


def extracted(data: bytes) -> list[tuple[str, object]]:
    """A handout's content: ('p', text) per paragraph, ('t', rows) per table."""
    doc = Document(io.BytesIO(data))
    content = [("p", p.text) for p in doc.paragraphs]
    content += [("t", [[c.text for c in row.cells] for row in t.rows]) for t in doc.tables]
    return content


def bare(contents: list[list[tuple[str, object]]]) -> list[bytes]:
    """The same text written into bare python-docx Documents (no fonts, no layout)."""
    out = []
    for content in contents:
        doc = Document()
        for kind, value in content:
            if kind == "p":
                doc.add_paragraph(value)
            else:
                table = doc.add_table(rows=len(value), cols=len(value[0]))
                for row, cells in zip(table.rows, value):
                    for cell, text in zip(row.cells, cells):
                        cell.text = text
        buffer = io.BytesIO()
        doc.save(buffer)
        out.append(buffer.getvalue())
    return out


def setup_team(prefecture: Prefecture, plans: int = 50, per_plan: int = 20) -> list[int]:
    """`plans` plans with `per_plan` members each, every slot held round-robin; user ids."""
    user_ids = []
    for p in range(plans):
        plan = create_plan(prefecture, f"ベンチ計画{p}", 2025, dates=DATES_2025, venue="県庁 大会議室")
        members = []
        for i in range(per_plan):
            email = f"m{p}-{i}@bench.example.jp"
            user = User(prefecture=prefecture, email=email, role=MEMBER, name=f"員{p}-{i}",
                        password_hash="x")
            member = TeamMember(plan=plan, name=f"ベンチ 太郎{p}-{i}", municipality="大分市",
                                municipality_kind="other", email=email)
            db.session.add_all([user, member])
            members.append(member)
        db.session.flush()
        slots = [s for t in plan.trainings for s in t.slots]
        for index, slot in enumerate(slots):
            slot.holder_id = members[index % per_plan].id
        db.session.commit()
        user_ids += [db.session.scalar(db.select(User.id).filter_by(email=m.email)) for m in members]
    return user_ids


def main(rounds: int = 5, feeds: bool = True) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                          "TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            prefecture = Prefecture(name="ベンチ県")
            db.session.add(prefecture)
            db.session.add(User(prefecture=prefecture, email="official@bench.example.jp",
                                role=OFFICIAL, name="担当", password_hash="x"))
            db.session.commit()
            handout_bench(prefecture, rounds)
            if feeds:  # bench_feeds.py compares feeds with bare icalendar and times 304 polls
                feed_bench(app, prefecture)


def handout_bench(prefecture: Prefecture, rounds: int) -> None:
    plan = create_plan(prefecture, "令和7年度 伝達研修計画", 2025, dates=DATES_2025, venue="県庁 大会議室")
    db.session.add_all(TeamMember(plan=plan, name=f"山田 花子{i}", municipality="大分市",
                                  municipality_kind="other", email=f"h{i}@bench.example.jp")
                       for i in range(20))
    db.session.flush()
    for index, slot in enumerate(s for t in plan.trainings for s in t.slots):
        slot.holder_id = plan.members[index % 20].id
    db.session.commit()
    plan_id = plan.id
    results = handouts.plan_handouts(plan)
    contents = [extracted(data) for _, data in results]
    ours, theirs = [], []

    def our_handouts():
        db.session.expire_all()
        handouts.plan_handouts(db.session.get(Plan, plan_id))

    for _ in range(rounds):  # interleaved, so both see the same load
        ours.append(seconds(our_handouts))
        theirs.append(seconds(lambda: bare(contents)))
    ours_s, bare_s = statistics.median(ours), statistics.median(theirs)
    ours_peak, bare_peak = peak(our_handouts), peak(lambda: bare(contents))
    size = sum(len(data) for _, data in results)
    print(f"handouts of a four-training plan: {len(results)} files, {size / 1024:.0f} KiB, "
          f"medians of {rounds} interleaved rounds, load {os.getloadavg()[0]:.1f}")
    print(f"  exports.handouts : {ours_s * 1000:8.1f} ms ({ours_s / len(results) * 1000:.1f} ms a file), "
          f"peak {ours_peak / 2**20:6.1f} MiB")
    print(f"  bare python-docx : {bare_s * 1000:8.1f} ms, peak {bare_peak / 2**20:6.1f} MiB")
    print(f"  ratio            : time x{ours_s / bare_s:.2f} (target 1.5), peak memory x{ours_peak / bare_peak:.2f}")


def feed_bench(app, prefecture: Prefecture) -> None:
    start = time.perf_counter()
    user_ids = setup_team(prefecture)
    print(f"\n1,000 members' feeds ({len(user_ids)} members in 50 plans, set up in "
          f"{time.perf_counter() - start:.1f} s)")
    for label in ("first fetch (records what it published)", "second fetch"):
        db.session.expire_all()
        start = time.perf_counter()
        events = 0
        for user_id in user_ids:
            data = files.member_feed(db.session.get(User, user_id), HOST)
            events += data.count(b"BEGIN:VEVENT")
        seconds = time.perf_counter() - start
        print(f"  {label}: {seconds:6.2f} s, {seconds / len(user_ids) * 1000:5.1f} ms per feed, "
              f"{events} events")
    from planner.web.exports import feed_token
    client = app.test_client()
    sample = user_ids[:200]
    with app.test_request_context():
        tokens = [feed_token(db.session.get(User, uid)) for uid in sample]
    start = time.perf_counter()
    for token in tokens:
        assert client.get(f"/feeds/{token}.ics").status_code == 200
    seconds = time.perf_counter() - start
    print(f"  through HTTP (test client, {len(sample)} feeds): {seconds / len(sample) * 1000:5.1f} ms "
          f"per feed -> {seconds / len(sample) * 1000:.1f} s for 1,000")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, feeds="--no-feeds" not in sys.argv)
