"""Start-up of the command line against the bare imports it cannot avoid.

Runs, in turns within one run (so the machine's load is the same for all): a Python that only
does `import flask, flask_sqlalchemy, wtforms` (the floor), and `flask --app app curricula`,
`schedule common` and `plans` (on a temporary SQLite file made with init-db), each a fresh
process, output thrown away. Prints the median and the fastest wall time of each and their
ratios to the floor's; the target is at most 1.5x.

Usage: .venv/bin/python bench/bench_cli.py [ROUNDS]
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "app"]
TARGET = 1.5


def wall(argv: list[str], env: dict) -> float:
    """Seconds from start to exit of one fresh process (which must succeed)."""
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/cli.sqlite"}
        subprocess.run([*FLASK, "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
        runs = {
            "import flask, flask_sqlalchemy, wtforms": [sys.executable, "-c", "import flask, flask_sqlalchemy, wtforms"],
            "flask --app app curricula": [*FLASK, "curricula"],
            "flask --app app schedule common": [*FLASK, "schedule", "common"],
            "flask --app app plans": [*FLASK, "plans"],
        }
        times: dict[str, list[float]] = {label: [] for label in runs}
        for argv in runs.values():  # warm the page cache and the bytecode once, untimed
            wall(argv, env)
        for _ in range(rounds):
            for label, argv in runs.items():
                times[label].append(wall(argv, env))
    floor_label = next(iter(runs))
    floor_median, floor_min = statistics.median(times[floor_label]), min(times[floor_label])
    print(f"CLI start-up, {rounds} rounds in turns (load average {os.getloadavg()[0]:.1f})")
    print(f"  {'':<36} {'median':>8} {'ratio':>6} {'fastest':>8} {'ratio':>6}")
    worst = 0.0
    for label, values in times.items():
        median, fastest = statistics.median(values), min(values)
        worst = max(worst, median / floor_median)
        print(f"  {label:<36} {median * 1000:>6.0f}ms {median / floor_median:>5.2f}x"
              f" {fastest * 1000:>6.0f}ms {fastest / floor_min:>5.2f}x")
    print(f"  largest median ratio {worst:.2f}x (target <= {TARGET}x): {'met' if worst <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
