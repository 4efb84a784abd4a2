"""Role suggestions for a year's plan at 200 and 2,000 team members, before and after.

A plan of six one-day trainings (the four curricula), 5–6 subjects each, with lecturer,
material-preparer, some case-reporter and one timekeeper slot per day (about 78 slots); a tenth
of them already claimed; members graduated from random courses and away on random days.
"before" is the pre-issue-17 solver kept in tests/reference_assign.py, "after" the app's; the
floor is the time spent inside the solver calls alone (scipy's milp, or linear_sum_assignment),
measured in the same calls. Rounds alternate before and after; medians are printed. scipy is
imported before timing, as a server would have it after its first suggestion.
Usage: .venv/bin/python bench/bench_suggestions.py [ROUNDS] [BEFORE_ROUNDS_AT_2000]
"""
import random
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter

import scipy.optimize

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.domain.assign import Member, Slot, score, suggest_assignment
from tests import reference_assign

COURSES = ("common", "counselor", "chief", "job_support")


def plan(n_members: int, seed: int = 1, trainings: int = 6) -> tuple[list[Member], list[Slot]]:
    """The members and slots of one plan (see the module's docstring)."""
    rng = random.Random(seed)
    slots, days = [], []
    for t in range(trainings):
        key = COURSES[t % 4]
        day = date(2026, 5, 10) + timedelta(days=21 * t)
        days.append(day)
        slots.append(Slot(len(slots) + 1, "timekeeper", key, day, 9 * 60, 17 * 60))
        clock = 9 * 60 + 10
        for _ in range(rng.randint(5, 6)):
            length = rng.choice([60, 70, 90])
            for kind in ("lecturer", "material_preparer") + (("case_reporter",) if rng.random() < 0.4 else ()):
                slots.append(Slot(len(slots) + 1, kind, key, day, clock, clock + length,
                                  course=key if kind == "lecturer" else None))
            clock += length + 10
    members = [Member(i, f"メンバー{i}", frozenset(c for c in COURSES if rng.random() < 0.3),
                      frozenset(d for d in days if rng.random() < 0.15)) for i in range(1, n_members + 1)]
    out = []
    for slot in slots:
        member = rng.choice(members)
        if rng.random() < 0.1 and slot.day not in member.unavailable and not any(
                o.holder == member.id and o.day == slot.day for o in out):
            slot = Slot(slot.id, slot.kind, slot.training_key, slot.day, slot.start, slot.end,
                        holder=member.id, course=slot.course)
        out.append(slot)
    return members, out


class SolverClock:
    """Adds up the seconds spent inside scipy's solvers, wherever they are called from."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.originals = {}

    def wrap(self, owner, name: str) -> None:
        original = getattr(owner, name)
        self.originals[owner, name] = original

        def timed(*args, **kwargs):
            started = perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += perf_counter() - started
        setattr(owner, name, timed)


def run(solver, members, slots, clock: SolverClock) -> tuple[float, float, tuple | str]:
    """(seconds in all, seconds in the solver, the score or why there is none)."""
    clock.seconds = 0.0
    started = perf_counter()
    try:
        result = score(members, slots, solver(members, slots).holders)
    except RuntimeError as error:  # the old solver gives up at its time limit
        result = f"no result: {error}"[:90]
    return perf_counter() - started, clock.seconds, result


def main(rounds: int = 3, before_rounds_large: int = 1) -> None:
    clock = SolverClock()
    clock.wrap(scipy.optimize, "milp")
    clock.wrap(scipy.optimize, "linear_sum_assignment")
    clock.wrap(reference_assign, "milp")  # imported by name at the reference's import
    for n_members in (200, 2000):
        members, slots = plan(n_members)
        times = {"before": [], "after": []}
        results = {}
        for round_ in range(rounds):
            for who, solver in (("before", reference_assign.suggest_assignment), ("after", suggest_assignment)):
                if who == "before" and n_members >= 2000 and round_ >= before_rounds_large:
                    continue
                total, solving, result = run(solver, members, slots, clock)
                times[who].append((total, solving))
                results[who] = result
        print(f"{n_members} members, {len(slots)} slots ({sum(s.holder is None for s in slots)} open); "
              f"medians of {len(times['after'])} rounds (before: {len(times['before'])})")
        for who in ("before", "after"):
            total = statistics.median(t for t, _ in times[who])
            solving = statistics.median(s for _, s in times[who])
            print(f"  {who:6s}: {total:7.2f} s   solver calls alone (floor): {solving:6.2f} s   "
                  f"{total / solving if solving else float('inf'):5.1f}x floor   score {results[who]}")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
