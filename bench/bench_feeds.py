"""Personal feeds: a full build against bare icalendar writing the same events, and polls
of unchanged feeds (conditional GETs answered 304), in the same run.

A team of PLANS plans x 20 members, every slot held, each member a login. Per round
(interleaved, medians over ROUNDS):
- ours: `exports.files.member_feed` for every member (loads, timetables, versions, writing);
- bare icalendar, the same events (read back from our feeds), two ways: with icalendar's
  documented `add_missing_timezones()` per calendar (the floor issue 17 measured), and with
  the VTIMEZONE built once (the tighter floor);
- polls: GET /feeds/<token>.ics with the ETag the client holds, through Flask's test client
  (one thread, no network), every answer checked to be 304;
- then the same polls over HTTP to the production server (waitress, 16 threads, pinned to one
  CPU as README 本番運用 says) from CLIENTS threads: polls a second, and the server's own CPU
  per poll (/proc), which says how many polls one core answers.

Usage: .venv/bin/python bench/bench_feeds.py [--pg URL]     (ROUNDS=5 PLANS=10 in the environment)
"""
from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import icalendar
import requests

from app import create_app
from bench.bench_exports import setup_team
from bench.servers import cpu_seconds, start
from exports import files
from planner.models import Prefecture, User
from planner.models.account import OFFICIAL
from planner.models.db import db
from tests.databases import run_on_both_engines

ROUNDS = int(os.environ.get("ROUNDS", "5"))
PLANS = int(os.environ.get("PLANS", "10"))
CLIENTS = int(os.environ.get("CLIENTS", "8"))
BASE = "http://localhost"
_TOKYO: list = []


def events_of(data: bytes) -> list[dict]:
    """What a feed says of each event, for the bare build."""
    return [{"uid": str(e["UID"]), "summary": str(e["SUMMARY"]), "start": e["DTSTART"].dt,
             "end": e["DTEND"].dt, "sequence": int(e["SEQUENCE"]),
             "description": str(e.get("DESCRIPTION", "")), "location": str(e.get("LOCATION", "")),
             "url": str(e.get("URL", ""))} for e in icalendar.Calendar.from_ical(data).walk("VEVENT")]


def bare(events: list[dict], cached_zone: bool) -> bytes:
    """The same events with bare icalendar, as its documentation writes a calendar."""
    calendar = icalendar.Calendar.new(prodid="-//bench//JA", method="PUBLISH")
    calendar.calendar_name = "伝達研修の担当"
    stamp = datetime.now(UTC)
    for e in events:
        event = icalendar.Event.new(uid=e["uid"], summary=e["summary"], start=e["start"], end=e["end"],
                                    stamp=stamp, sequence=e["sequence"], description=e["description"] or None,
                                    location=e["location"] or None)
        if e["url"]:
            event.add("URL", e["url"])
        calendar.add_component(event)
    if cached_zone:
        if not _TOKYO:
            _TOKYO.append(icalendar.Timezone.from_tzid("Asia/Tokyo"))
        if calendar.get_missing_tzids():
            calendar.subcomponents.insert(0, _TOKYO[0])
    else:
        calendar.add_missing_timezones()
    return calendar.to_ical()


def run(label: str, url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        prefecture = Prefecture(name="ベンチ県")
        db.session.add(prefecture)
        db.session.add(User(prefecture=prefecture, email="official@bench.example.jp", role=OFFICIAL,
                            name="担当", password_hash="x"))
        db.session.commit()
        user_ids = setup_team(prefecture, plans=PLANS)
        host = app.config["CALENDAR_UID_HOST"]
        from planner.web.exports import feed_token
        with app.test_request_context():
            tokens = [feed_token(db.session.get(User, uid)) for uid in user_ids]
        feeds = [files.member_feed(db.session.get(User, uid), host, BASE) for uid in user_ids]
        db.session.commit()
        contents = [events_of(data) for data in feeds]
        count = sum(len(c) for c in contents)
    client = app.test_client()
    paths = [f"/feeds/{token}.ics" for token in tokens]
    etags = []
    for path in paths:  # the first two polls settle each feed (first sight of its events)
        client.get(path)
        etags.append(client.get(path).headers.get("ETag"))  # none before conditional GETs

    def ours():
        with app.app_context():
            for uid in user_ids:
                db.session.remove()  # a fresh session per feed, as per request
                files.member_feed(db.session.get(User, uid), host, BASE)

    def polls():
        for path, etag in zip(paths, etags):
            headers = {"If-None-Match": etag} if etag else {}
            assert client.get(path, headers=headers).status_code == (304 if etag else 200)

    timings: dict[str, list[float]] = {"ours": [], "bare": [], "bare_cached": [], "polls": []}
    for _ in range(ROUNDS):
        for name, work in (("ours", ours), ("bare", lambda: [bare(c, False) for c in contents]),
                           ("bare_cached", lambda: [bare(c, True) for c in contents]), ("polls", polls)):
            start = time.perf_counter()
            work()
            timings[name].append((time.perf_counter() - start) / len(user_ids))
    median = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    print(f"\n{label}: {len(user_ids)} members' feeds ({count} events, {PLANS} plans), "
          f"medians of {ROUNDS} interleaved rounds, load {os.getloadavg()[0]:.1f}")
    print(f"  full build (exports.files.member_feed)        : {median['ours']:6.2f} ms a feed")
    print(f"  bare icalendar, add_missing_timezones() each  : {median['bare']:6.2f} ms a feed "
          f"-> ours x{median['ours'] / median['bare']:.2f}")
    print(f"  bare icalendar, VTIMEZONE built once          : {median['bare_cached']:6.2f} ms a feed "
          f"-> ours x{median['ours'] / median['bare_cached']:.2f}")
    answer = "304" if etags[0] else "200, no conditional GETs"
    print(f"  poll of an unchanged feed ({answer}, test client): {median['polls']:6.2f} ms "
          f"-> {1000 / median['polls']:.0f} polls/s on one core (target 500)")
    with app.app_context():
        db.engine.dispose()
    served = served_polls(url, paths)
    print(f"  polls over HTTP, waitress on one CPU, {CLIENTS} clients: {served['polls/s']:.0f} polls/s, "
          f"server CPU {served['cpu ms']:.2f} ms a poll -> {1000 / served['cpu ms']:.0f} polls/s per core "
          f"(target 500), {served['not 304']} not 304")


def served_polls(url: str, paths: list[str]) -> dict:
    """Unchanged feeds polled by CLIENTS threads from the production server (medians of ROUNDS
    passes over every feed); the ETags are the server's own (its address is part of the feed)."""
    with start(url, "waitress-1cpu") as (base, pid):
        sessions = [requests.Session() for _ in range(CLIENTS)]
        etags = {}
        for path in paths:
            sessions[0].get(base + path)
            etags[path] = sessions[0].get(base + path).headers["ETag"]
        rows = []
        for _ in range(ROUNDS):
            not_304 = [0] * CLIENTS

            def client(i: int, not_304=not_304) -> None:
                for path in paths[i::CLIENTS]:
                    answer = sessions[i].get(base + path, headers={"If-None-Match": etags[path]})
                    not_304[i] += answer.status_code != 304

            threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
            cpu, started = cpu_seconds(pid), time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
            rows.append({"polls/s": len(paths) / seconds, "cpu ms": (cpu_seconds(pid) - cpu) / len(paths) * 1000,
                         "not 304": sum(not_304)})
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


if __name__ == "__main__":
    run_on_both_engines(run)
