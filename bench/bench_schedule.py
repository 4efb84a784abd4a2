"""Build 10,000 timetables over the four curricula with random local subjects.

Prints timetables per second, feasible and infeasible (explained) apart, and the peak memory
(tracemalloc) of the run. Each timetable is laid out at session level.
Usage: .venv/bin/python bench/bench_schedule.py [COUNT]
"""
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curricula import load_curricula  # noqa: E402
from planner.domain.schedule import DaySettings, SubjectSpec, build_timetable, subjects_of  # noqa: E402


def main(count: int = 10_000) -> None:
    rng = random.Random(20261128)
    curricula = list(load_curricula().values())
    cases = []
    for _ in range(count):
        curriculum = rng.choice(curricula)
        local = [SubjectSpec(f"独自科目{i}", m, m + rng.choice([0, 15, 30]), local=True)
                 for i, m in enumerate(rng.choices([30, 45, 60, 90], k=rng.randint(0, 2)))]
        day = DaySettings(end=rng.choice([DaySettings().end, DaySettings().end.replace(hour=19)]),
                          break_minutes=rng.choice([5, 10, 15]))
        cases.append((subjects_of(curriculum) + local, day))

    # Time first, then memory in a second pass: tracemalloc slows Python code several-fold.
    spent = {True: 0.0, False: 0.0}
    counts = {True: 0, False: 0}
    for subjects, day in cases:
        started = time.perf_counter()
        feasible = build_timetable(subjects, [day]).feasible
        spent[feasible] += time.perf_counter() - started
        counts[feasible] += 1
    elapsed = sum(spent.values())
    tracemalloc.start()
    for subjects, day in cases:
        build_timetable(subjects, [day])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"timetables built: {count} ({counts[True]} feasible, {counts[False]} explained)")
    print(f"elapsed: {elapsed:.2f} s  ->  {count / elapsed:,.0f} timetables/s")
    for ok, name in ((True, "feasible"), (False, "infeasible (reasons and remedies)")):
        if counts[ok]:
            print(f"  {name}: {counts[ok] / spent[ok]:,.0f} timetables/s")
    print(f"peak traced memory while building them one by one: {peak / 1024:.0f} KiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
