"""TEST ORACLE, NOT APP CODE: the role suggestion as it was before issue 17 (commit 005f01d).

tests/test_assign_reference.py checks that planner/domain/assign.py reaches the same optimum
(the same score: members with a role, filled slots, graduate lecturers, spread cost) as this
slower solver on random instances, and bench/bench_suggestions.py times it as "before".
Only the solver is kept here; the data classes and the explanations (unchanged) come from the
app. Do not change it; see planner/domain/assign.py for the method and the priorities.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from planner.domain.assign import (
    FAIR_TEACHING,
    TEACHING_KINDS,
    Member,
    Slot,
    Suggestion,
    _explain,
    _hold_warnings,
    _refuse_duplicates,
    is_graduate_lecturer,
    overlaps,
)

TIME_LIMIT_SECONDS = 20  # per stage, as before


@dataclass
class _Model:
    """The MILP in scipy's form: variables are x (pairs), then y (has a role), then l (load units)."""

    pairs: list[tuple[int, int]]  # (member index, open-slot index) that break no hard rule
    n_vars: int
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    has_role: dict[int, int] = field(default_factory=dict)  # member index -> y column
    binaries: list[int] = field(default_factory=list)  # other integral columns (fairness switches)
    unit_cost: dict[int, float] = field(default_factory=dict)  # l column -> marginal cost

    def add_row(self, coefs: dict[int, float], lb: float, ub: float) -> None:
        """Add lb <= sum(coef * var) <= ub."""
        self.rows.append((coefs, lb, ub))

    def solve(self, cost: np.ndarray, gap: float = 0) -> tuple[np.ndarray, float, bool]:
        """Minimise cost over the rows; returns the solution, its value and whether it is proven optimal."""
        entries = [(r, c, v) for r, (coefs, _, _) in enumerate(self.rows) for c, v in coefs.items()]
        rows, cols, data = zip(*entries)
        matrix = coo_array((data, (rows, cols)), shape=(len(self.rows), self.n_vars))
        constraint = LinearConstraint(matrix, [lb for _, lb, _ in self.rows], [ub for _, _, ub in self.rows])
        integrality = np.zeros(self.n_vars)
        integrality[:len(self.pairs)] = 1  # y and l are integral at the optimum without being forced
        integrality[self.binaries] = 1
        result = milp(cost, integrality=integrality, bounds=Bounds(0, 1), constraints=constraint,
                      options={"mip_rel_gap": gap, "time_limit": TIME_LIMIT_SECONDS})
        if result.x is None:
            raise RuntimeError(f"HiGHS returned no solution: {result.message}")
        return result.x, float(result.fun), result.status == 0


def _candidates(members: list[Member], open_slots: list[Slot], held: dict[Hashable, list[Slot]],
                cap: list[int]) -> list[tuple[int, int]]:
    """Every (member, open slot) pair that breaks no hard rule on its own."""
    return [(mi, si) for si, slot in enumerate(open_slots) for mi, member in enumerate(members)
            if cap[mi] > 0 and slot.day not in member.unavailable
            and not any(overlaps(slot, other) for other in held[member.id])]


def _build(members: list[Member], open_slots: list[Slot], pairs: list[tuple[int, int]],
           holds: list[int], cap: list[int], training_holds: Mapping[tuple[int, str], int],
           teaching_holds: Mapping[tuple[int, str], int]) -> _Model:
    """The variables and hard rules of the MILP, and the load units of the spread cost."""
    model = _Model(pairs, len(pairs))
    by_member: dict[int, list[int]] = defaultdict(list)
    by_slot: dict[int, list[int]] = defaultdict(list)
    for col, (mi, si) in enumerate(pairs):
        by_member[mi].append(col)
        by_slot[si].append(col)
    for cols in by_slot.values():
        if len(cols) > 1:
            model.add_row({c: 1 for c in cols}, 0, 1)
    for mi, cols in by_member.items():
        _add_no_overlap(model, [(c, open_slots[pairs[c][1]]) for c in cols])
        if holds[mi] == 0:
            model.has_role[mi] = model.n_vars
            model.add_row({model.n_vars: 1, **{c: -1 for c in cols}}, -np.inf, 0)  # y <= number of slots
            model.n_vars += 1
        # the k-th extra slot of a member costs (h+k)^2 - (h+k-1)^2: convex, so the units fill in
        # order and their sum is the member's squared load; at most cap units enforce max_load
        _add_units(model, cols, holds[mi], cap[mi])
        by_training: dict[str, list[int]] = defaultdict(list)
        for c in cols:
            by_training[open_slots[pairs[c][1]].training_key].append(c)
        for key in sorted(by_training):  # the same units per (member, training), for its square
            _add_units(model, by_training[key], training_holds.get((mi, key), 0), cap[mi])
    _add_fairness(model, open_slots, teaching_holds)
    return model


def _add_fairness(model: _Model, open_slots: list[Slot], teaching_holds: Mapping[tuple[int, str], int]) -> None:
    """Per training, a switch w that is 1 only when every eligible member teaches there; a member
    may pass FAIR_TEACHING (or their existing count, if higher) only when w is 1."""
    teach: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for col, (mi, si) in enumerate(model.pairs):
        if open_slots[si].kind in TEACHING_KINDS:
            teach[open_slots[si].training_key][mi].append(col)
    for key in sorted(teach):
        by_member = teach[key]
        size = sum(1 for s in open_slots if s.kind in TEACHING_KINDS and s.training_key == key)
        switch = model.n_vars
        model.binaries.append(switch)
        model.n_vars += 1
        for mi, cols in sorted(by_member.items()):
            held = teaching_holds.get((mi, key), 0)
            if held == 0:  # w <= this member's new teaching slots here
                model.add_row({switch: 1, **{c: -1 for c in cols}}, -np.inf, 0)
            if held + len(cols) > max(FAIR_TEACHING, held):
                model.add_row({**{c: 1 for c in cols}, switch: -size}, -np.inf, max(FAIR_TEACHING, held) - held)


def _add_units(model: _Model, cols: list[int], held: int, cap: int) -> None:
    """Load units of convex marginal cost whose total is the number of chosen columns: at the
    optimum they fill cheapest first, so their cost is (held + new)^2 - held^2; at most cap units."""
    units = {}
    for k in range(1, min(len(cols), cap) + 1):
        units[model.n_vars] = -1
        model.unit_cost[model.n_vars] = 2 * (held + k) - 1
        model.n_vars += 1
    model.add_row({**{c: 1 for c in cols}, **units}, 0, 0)


def _add_no_overlap(model: _Model, cols: list[tuple[int, Slot]]) -> None:
    """One member holds at most one slot at each moment of each day."""
    # intervals on a line: slots that pairwise overlap all contain the latest start among them,
    # so "at most one slot contains each start time" is the whole rule
    timed = [(c, s) for c, s in cols if s.span is not None]
    for day, t in sorted({(s.day, s.span[0]) for _, s in timed}):
        containing = [c for c, s in timed if s.day == day and s.span[0] <= t < s.span[1]]
        if len(containing) > 1:
            model.add_row({c: 1 for c in containing}, 0, 1)


def _optimise(members: list[Member], open_slots: list[Slot], pairs: list[tuple[int, int]],
              holds: list[int], cap: list[int], training_holds: Mapping[tuple[int, str], int],
              teaching_holds: Mapping[tuple[int, str], int]) -> tuple[list[int], list[str]]:
    """The chosen pairs (as indices), and a warning when HiGHS stopped before proving optimality."""
    if not pairs:
        return [], []
    model = _build(members, open_slots, pairs, holds, cap, training_holds, teaching_holds)
    n = len(pairs)
    graduate = np.array([is_graduate_lecturer(open_slots[si], members[mi]) for mi, si in pairs], float)
    # stage-1 weights: all graduate matches together (at most G) weigh less than one filled slot,
    # and all filled slots together (at most S) weigh less than one more member with a role
    w_fill = len({si for (_, si), g in zip(pairs, graduate) if g}) + 1
    w_role = (len({si for _, si in pairs}) + 1) * w_fill
    roles = list(model.has_role.values())
    stage1 = np.zeros(model.n_vars)
    stage1[:n] = -(w_fill + graduate)
    stage1[roles] = -w_role
    x, _, proven = model.solve(stage1)
    # fix priorities 1-3 at their optimum, one row each: much faster to search than one weighted row
    model.add_row({c: 1 for c in roles}, round(sum(x[roles])) - 0.5, np.inf)
    model.add_row({c: 1 for c in range(n)}, round(sum(x[:n])) - 0.5, np.inf)
    model.add_row({c: 1 for c in range(n) if graduate[c]}, round(graduate @ x[:n]) - 0.5, np.inf)
    stage2 = np.zeros(model.n_vars)
    stage2[list(model.unit_cost)] = list(model.unit_cost.values())
    # ties cost under 1/4 in all; the product makes the earlier member take the earlier slot
    tie = np.array([(mi + 1) * (len(open_slots) - si) for mi, si in pairs], float)
    stage2[:n] += tie * 0.25 / (tie.max() * len(open_slots) + 1)
    # HiGHS stops at |best - bound| <= gap * |best|; below 1/4 that separates integer loads
    most = 2 * (sum(holds) + len(open_slots)) ** 2 + 1  # no spread cost exceeds this
    x, _, optimal = model.solve(stage2, gap=0.2 / most)
    warnings = [] if proven and optimal else ["計算が時間内に終わらなかったため、最適とは限らない案です。"]
    return [c for c in range(n) if x[c] > 0.5], warnings


def suggest_assignment(members: Iterable[Member], slots: Iterable[Slot],
                       max_load: int | None = None) -> Suggestion:
    """Suggest holders for the open slots, keeping existing holders and every hard rule."""
    members = sorted(members, key=lambda m: m.id)  # ids, not input order, decide ties
    slots = list(slots)
    _refuse_duplicates(members, "メンバー")
    _refuse_duplicates(slots, "枠")
    held: dict[Hashable, list[Slot]] = defaultdict(list)
    for slot in slots:
        if slot.holder is not None:
            held[slot.holder].append(slot)
    holds = [len(held[m.id]) for m in members]
    training_holds = Counter((mi, s.training_key) for mi, m in enumerate(members) for s in held[m.id])
    teaching_holds = Counter((mi, s.training_key) for mi, m in enumerate(members) for s in held[m.id]
                             if s.kind in TEACHING_KINDS)
    cap = [len(slots) if max_load is None else max_load - h for h in holds]
    # locked slots without a holder are closed on purpose: never filled, never reported
    open_slots = sorted((s for s in slots if s.holder is None and not s.locked), key=lambda s: s.id)
    pairs = _candidates(members, open_slots, held, cap)
    chosen, warnings = _optimise(members, open_slots, pairs, holds, cap, training_holds, teaching_holds)
    new = {open_slots[si].id: members[mi].id for mi, si in (pairs[c] for c in chosen)}
    final = {s.id: s.holder for s in slots if s.holder is not None} | new
    return _explain(members, slots, final, new, max_load, _hold_warnings(members, slots) + warnings)
