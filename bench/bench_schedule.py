"""Timetables over the four curricula with random local subjects, against a floor.

Feasible and infeasible (explained, with remedies) cases are timed apart, each as a ratio
against the floor: laying the same items end to end at fixed minutes (for a feasible case the
items and minutes the scheduler chose; for an infeasible one, opening, every subject at its
shortest with a break between, lunch and closing). "before" is the pre-issue-17 builder kept
in tests/reference_schedule.py, "after" the app's; all three run in the same rounds, in turns
of 25 cases, and the medians of the rounds are printed. Peak memory is measured in a separate, untimed pass
(tracemalloc slows Python code several-fold).
Usage: .venv/bin/python bench/bench_schedule.py [COUNT] [ROUNDS]
"""
import random
import statistics
import sys
import tracemalloc
from datetime import time
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curricula import load_curricula
from planner.domain.schedule import DaySettings, Item, SubjectSpec, build_timetable, subjects_of
from tests import reference_schedule


def cases(count: int) -> list[tuple[list[SubjectSpec], DaySettings]]:
    """Random days: a curriculum, up to two local subjects, a default or long day, any break."""
    rng = random.Random(20261128)
    curricula = list(load_curricula().values())
    out = []
    for _ in range(count):
        curriculum = rng.choice(curricula)
        local = [SubjectSpec(f"独自科目{i}", m, m + rng.choice([0, 15, 30]), local=True)
                 for i, m in enumerate(rng.choices([30, 45, 60, 90], k=rng.randint(0, 2)))]
        day = DaySettings(end=rng.choice([DaySettings().end, DaySettings().end.replace(hour=19)]),
                          break_minutes=rng.choice([5, 10, 15]))
        out.append((subjects_of(curriculum) + local, day))
    return out


def lay_end_to_end(start: time, rows: list[tuple[str, str, int]]) -> list[Item]:
    """The floor: items one after another from `start`, each for its fixed minutes."""
    clock = start.hour * 60 + start.minute
    items = []
    for kind, title, minutes in rows:
        begin = time(*divmod(clock, 60))
        clock += minutes
        items.append(Item(kind, title, begin, time(*divmod(clock, 60)), minutes))
    return items


def floor_rows(subjects: list[SubjectSpec], day: DaySettings, timetable) -> list[tuple[str, str, int]]:
    """What the floor lays out for one case (see the module's docstring)."""
    if timetable.feasible:
        return [(i.kind, i.title, i.minutes) for i in timetable.items]
    rows = [("opening", f.title, f.minutes) for f in day.opening]
    for index, spec in enumerate(subjects):
        if index:
            rows.append(("lunch", "昼食・休憩", day.lunch_minutes) if index == len(subjects) // 2
                        else ("break", "休憩", day.break_minutes))
        rows.append(("session", spec.title, spec.low))
    return rows + [("closing", f.title, f.minutes) for f in day.closing]


def one_round(runs: dict, chunk: int = 25) -> dict[str, float]:
    """Seconds per case of each variant over its batch, taken in turns chunk by chunk, so that a
    change of load on the machine (other processes) falls on all of them alike."""
    spent = dict.fromkeys(runs, 0.0)
    size = len(next(iter(runs.values()))[1])
    for start in range(0, size, chunk):
        for who, (run, batch) in runs.items():
            started = perf_counter()
            for args in batch[start:start + chunk]:
                run(*args)
            spent[who] += perf_counter() - started
    return {who: seconds / size for who, seconds in spent.items()}


def main(count: int = 2_000, rounds: int = 7) -> None:
    all_cases = cases(count)
    built = [build_timetable(subjects, [day]) for subjects, day in all_cases]
    kinds = {}
    for feasible, name in ((True, "feasible"), (False, "infeasible (reasons and remedies)")):
        chosen = [(s, [d]) for (s, d), t in zip(all_cases, built) if t.feasible == feasible]
        floor = [(d.start, floor_rows(s, d, t)) for (s, d), t in zip(all_cases, built) if t.feasible == feasible]
        kinds[name] = {"floor": (lay_end_to_end, floor), "before": (reference_schedule.build_timetable, chosen),
                       "after": (build_timetable, chosen)}
    times = {name: {who: [] for who in runs} for name, runs in kinds.items()}
    for _ in range(rounds):
        for name, runs in kinds.items():
            if runs["floor"][1]:
                for who, seconds in one_round(runs).items():
                    times[name][who].append(seconds)
    feasible_count = sum(t.feasible for t in built)
    print(f"{count} timetables ({feasible_count} feasible, {count - feasible_count} explained); "
          f"medians of {rounds} interleaved rounds")
    for name, spent in times.items():
        if not spent["floor"]:
            continue
        floor, before, after = (statistics.median(spent[who]) for who in ("floor", "before", "after"))
        print(f"  {name}:")
        print(f"    floor (same items end to end): {floor * 1e6:7.1f} µs   {1 / floor:>9,.0f}/s")
        print(f"    before (reference):            {before * 1e6:7.1f} µs   {1 / before:>9,.0f}/s   "
              f"{before / floor:4.1f}x floor")
        print(f"    after:                         {after * 1e6:7.1f} µs   {1 / after:>9,.0f}/s   "
              f"{after / floor:4.1f}x floor   ({before / after:.1f}x faster)")
    tracemalloc.start()
    for subjects, day in all_cases:
        build_timetable(subjects, [day])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory while building them one by one (separate pass): {peak / 1024:.0f} KiB")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
