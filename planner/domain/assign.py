"""Who takes which role: an exact suggestion of role holders for a year's trainings.

Pure functions, no Flask, no database. The planning team's members take the roles
講師役 (lecturer), 事例報告役 (case reporter), 資料作成役 (material preparer) and
タイムキーパー役 (timekeeper); each training has slots for them. The suggestion keeps every
existing holder, never breaks a hard rule, and is optimal for this order of priorities:

1. as many members as possible have at least one role;
2. as many open slots as possible are filled;
3. as many lecturer slots as possible go to graduates of the slot's national course;
4. loads are balanced: the spread cost is smallest, where the spread cost is the sum over
   members of the squared yearly load plus the sum over (member, training) of the squared load
   within that training (existing holds included in both, with equal weights; see below);
5. ties go to earlier ids (a fixed, tiny cost per member and slot).

Why both squares, with equal weights. The yearly square alone is blind to how a member's roles
fall within a training: one graduate lecturing all six subjects of one day costs the same as six
lectures over six trainings. The per-training square alone (or put first, lexicographically)
would hand a member already holding ten roles an eleventh to spare someone a second role on one
day. With equal weights, moving one slot of training t from member X to member Y changes the cost
by 2·((L_Y,t − L_X,t + 1) + (L_Y − L_X + 1)), so it pays exactly when X's lead over Y within
the training plus X's lead over Y in the year exceeds 2. Hence a crowded day is evened out first
by swaps between trainings, which leave the yearly loads as they are, and a member already ahead
in the year is never given more only to spare someone a second role on one day. Both sums are
integers, so the spread cost is an integer too.

Hard rules: a member gets no slot on a date they are unavailable, no two slots of one member
overlap in time on the same day, and with `max_load` nobody gets new slots beyond that total.
Fairness within a training (also hard): nobody is given a third teaching slot (lecturer or case
reporter) in one training while another eligible member has none there. Eligible there means
already teaching in it, or able to take one of its open teaching slots on their own (free that
day, no clash with their existing holds, under `max_load`). Without it the graduate rule
(priority 3) hands the only graduate of a course every lecture of its day. Existing holds are
kept as they are: the rule only limits what the suggestion adds.
Time on a day: a timekeeper is busy the whole day; a lecturer or case reporter from `start`
to `end` (the whole day when those are unknown, so an unscheduled subject never hides a
clash); a material preparer never, because preparing the material is work done before the
day, not at the subject's hour.

The method is a mixed-integer programme (binary x[member, slot]) solved by HiGHS through
scipy.optimize.milp, in two stages (preemptive lexicographic optimisation):

- stage 1 maximises  W_role·(members with a role) + W_fill·(filled slots) + (graduate lecturers),
  with W_fill = G + 1 and W_role = (S + 1)·W_fill, where G is the number of open lecturer slots
  some graduate could take and S the number of open slots anyone could take: all graduate
  matches together weigh less than one filled slot, all filled slots less than one more member
  with a role, so the weighted optimum is the lexicographic one (priorities 1–3);
- stage 2 fixes those three counts at their optimum and minimises the spread cost, written as
  convex marginal costs (the k-th slot of a member costs 2k − 1, and the k-th slot of a member
  in one training another 2k − 1), plus a tie-break cost below 1/4 in total; a stopping gap
  under 1/4 proves the spread cost optimal.

Stages rather than one weighted sum because folding the squared loads into stage 1 needs
weights near 1e9 for 80 slots, where HiGHS's tolerances (1e-6 integrality, 1e-4 default
relative gap) no longer guarantee the order. The tie-break is a preference, not proven
minimal (proving it can take minutes on teams of look-alike members); the result is still
deterministic, because members and slots enter the model sorted by id and HiGHS is.

In a large team the MILP is not needed: when every slot anyone can take can go to a different
member who has no role yet, that is the optimum of priorities 1, 2 and 4, and priority 3 is an
assignment problem (see _one_new_member_each). The MILP runs only when that is impossible.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import NamedTuple

from planner.domain.dates import format_year_wareki

ROLE_KINDS = ("lecturer", "case_reporter", "material_preparer", "timekeeper")
ROLE_LABELS = {"lecturer": "講師役", "case_reporter": "事例報告役",
               "material_preparer": "資料作成役", "timekeeper": "タイムキーパー役"}
COURSE_LABELS = {"common": "前期共通プログラム", "counselor": "相談支援員・後期",
                 "chief": "主任相談支援員・後期", "job_support": "就労支援員・後期"}
TEACHING_KINDS = ("lecturer", "case_reporter")
#: teaching slots one member may hold in a training while an eligible member has none there
FAIR_TEACHING = 2
DAY_MINUTES = 24 * 60
KEPT_REASON = "既存の申し込みを維持"
TIME_LIMIT_SECONDS = 20  # per stage; a year's plan of 80 slots takes about 0.2–0.3 s in all


class AssignInputError(ValueError):
    """Input the assigner refuses; the message is Japanese and meant for the user."""


def _minutes(value: time | int) -> int:
    """Minutes since midnight of a time, or the number itself."""
    return value.hour * 60 + value.minute if isinstance(value, time) else int(value)


def _date_ja(day: date) -> str:
    """A date as 5月10日."""
    return f"{day.month}月{day.day}日"


@dataclass(frozen=True)
class Member:
    """A planning-team member who can take roles."""

    id: Hashable
    name: str
    graduate_of: frozenset[str] = frozenset()
    unavailable: frozenset[date] = frozenset()
    #: course -> year the member completed it; only used in the reason text
    graduated_in: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        # callers pass plain sets; frozen sets keep the member hashable
        object.__setattr__(self, "graduate_of", frozenset(self.graduate_of))
        object.__setattr__(self, "unavailable", frozenset(self.unavailable))


@dataclass(frozen=True)
class Slot:
    """One role to fill at one training: a lecturer for a subject, a timekeeper for a day, …"""

    id: Hashable
    kind: str  # one of ROLE_KINDS
    training_key: str
    day: date
    start: time | int | None = None
    end: time | int | None = None
    holder: Hashable | None = None
    locked: bool = False
    #: the national course a lecturer should have completed ("common" for the common programme)
    course: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ROLE_KINDS:
            raise AssignInputError(f"役割の種類「{self.kind}」は使えません（{', '.join(ROLE_KINDS)}）。")
        if self.start is not None and self.end is not None and _minutes(self.end) <= _minutes(self.start):
            raise AssignInputError(f"枠{self.id}: 終了時刻は開始時刻より後にしてください。")

    @property
    def span(self) -> tuple[int, int] | None:
        """Minutes of its day the slot keeps its holder busy; None when it is not time-bound."""
        if self.kind == "material_preparer":
            return None  # preparation is done before the day, so it clashes with nothing
        if self.kind == "timekeeper" or self.start is None or self.end is None:
            return (0, DAY_MINUTES)
        return (_minutes(self.start), _minutes(self.end))


def overlaps(a: Slot, b: Slot) -> bool:
    """True when one person cannot hold both slots: same day and times that intersect."""
    if a.day != b.day or a.span is None or b.span is None:
        return False
    return max(a.span[0], b.span[0]) < min(a.span[1], b.span[1])


class Assignment(NamedTuple):
    """One slot given to one member, with the reason in one Japanese line."""

    slot_id: Hashable
    member_id: Hashable
    reason: str


class Gap(NamedTuple):
    """A member left without a role, or a slot left empty, with the reason in Japanese."""

    id: Hashable
    reason: str


@dataclass(frozen=True)
class Suggestion:
    """The suggested holders: kept and new assignments, and what could not be covered."""

    assignments: list[Assignment]
    members_without_role: list[Gap]
    unfilled_slots: list[Gap]
    #: one line on the members without a role (how many and what would help); "" when none
    note: str = ""
    #: problems in the existing holds, which the suggestion keeps as they are
    warnings: list[str] = field(default_factory=list)

    @property
    def holders(self) -> dict[Hashable, Hashable]:
        """Slot id -> member id for every slot that has a holder."""
        return {a.slot_id: a.member_id for a in self.assignments}


def is_graduate_lecturer(slot: Slot, member: Member | None) -> bool:
    """True when the slot is a lecturer slot and the member completed its course."""
    return (slot.kind == "lecturer" and slot.course is not None and member is not None
            and slot.course in member.graduate_of)


def score(members: Iterable[Member], slots: Iterable[Slot],
          assignment: Mapping[Hashable, Hashable]) -> tuple[int, int, int, int]:
    """The objective, compared as a tuple (higher is better): priorities 1–4 of the module.

    The last entry is minus the spread cost: squared yearly loads plus squared loads per
    (member, training), both over the team's members only.
    """
    known = {m.id: m for m in members}
    load = {member_id: 0 for member_id in known}
    per_training: dict[tuple[Hashable, str], int] = defaultdict(int)
    filled = graduates = 0
    for slot in slots:
        holder = assignment.get(slot.id)
        if holder is None:
            continue
        filled += 1
        if holder in load:
            load[holder] += 1
            per_training[holder, slot.training_key] += 1
        graduates += is_graduate_lecturer(slot, known.get(holder))
    spread = sum(n * n for n in load.values()) + sum(n * n for n in per_training.values())
    return (sum(1 for n in load.values() if n), filled, graduates, -spread)


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

    def solve(self, cost, gap: float = 0):
        """Minimise cost over the rows; returns the solution, its value and whether it is proven optimal."""
        import numpy as np  # here, not at app start: scipy alone is tens of MiB per server process
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array

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


def _refuse_duplicates(items: Sequence, what: str) -> None:
    """Refuse duplicate ids, which would make the suggestion ambiguous."""
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise AssignInputError(f"{what}のIDが重複しています。")


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
            model.add_row({model.n_vars: 1, **{c: -1 for c in cols}}, -math.inf, 0)  # y <= number of slots
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
                model.add_row({switch: 1, **{c: -1 for c in cols}}, -math.inf, 0)
            if held + len(cols) > max(FAIR_TEACHING, held):
                model.add_row({**{c: 1 for c in cols}, switch: -size}, -math.inf, max(FAIR_TEACHING, held) - held)


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
    import numpy as np  # see _Model.solve

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
    model.add_row({c: 1 for c in roles}, round(sum(x[roles])) - 0.5, math.inf)
    model.add_row({c: 1 for c in range(n)}, round(sum(x[:n])) - 0.5, math.inf)
    model.add_row({c: 1 for c in range(n) if graduate[c]}, round(graduate @ x[:n]) - 0.5, math.inf)
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


def _one_new_member_each(members: list[Member], open_slots: list[Slot], pairs: list[tuple[int, int]],
                         holds: list[int]) -> list[int] | None:
    """The optimum when every slot that anyone can take can go to its own member without a role
    (the usual case in a large team), as chosen pairs; None when that is impossible.

    Why it is the optimum: then (1) every such slot gives one more member a role, which no
    solution beats, and (2) every such slot is filled; any solution that reaches both gives each
    of these slots to a different member without a role, so each adds exactly 2 to the spread
    cost (1 to the yearly square, 1 to the training's) and breaks no hard rule (one slot per new
    member: no clash, no third teaching slot). What is left to choose is (3), the most graduate
    lecturers: an assignment problem, solved exactly by linear_sum_assignment. Its costs are
    integers: a slot left to no one costs more than all graduates together, a graduate lecturer
    saves more than all tie-breaks together, and the tie-break is the MILP's (earlier member,
    earlier slot). Trainings are not solved apart: the yearly load, who has a role at all and
    clashes on one day tie them together, and here none of that needs a model.
    """
    import numpy as np  # see _Model.solve
    from scipy.optimize import linear_sum_assignment

    slot_rows = sorted({si for _, si in pairs})
    new_members = sorted({mi for mi, _ in pairs if holds[mi] == 0})
    if not pairs or len(new_members) < len(slot_rows):
        return None
    row = {si: r for r, si in enumerate(slot_rows)}
    column = {mi: c for c, mi in enumerate(new_members)}
    tie_unit = (len(members) + 1) * (len(open_slots) + 1) * len(slot_rows) + 1  # > all tie-breaks
    graduate_unit = tie_unit * (len(slot_rows) + 1)  # > all graduates and tie-breaks together
    cost = np.full((len(slot_rows), len(new_members)), float(graduate_unit * (len(slot_rows) + 1)))
    index = {}
    for col, (mi, si) in enumerate(pairs):
        if holds[mi] == 0:
            graduate = is_graduate_lecturer(open_slots[si], members[mi])
            cost[row[si], column[mi]] = (mi + 1) * (len(open_slots) - si) - graduate * tie_unit
            index[row[si], column[mi]] = col
    rows, columns = linear_sum_assignment(cost)
    chosen = [index.get((r, c)) for r, c in zip(rows, columns)]
    return None if None in chosen else sorted(chosen)


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
    chosen, warnings = _one_new_member_each(members, open_slots, pairs, holds), []
    if chosen is None:
        chosen, warnings = _optimise(members, open_slots, pairs, holds, cap, training_holds, teaching_holds)
    new = {open_slots[si].id: members[mi].id for mi, si in (pairs[c] for c in chosen)}
    final = {s.id: s.holder for s in slots if s.holder is not None} | new
    return _explain(members, slots, final, new, max_load, _hold_warnings(members, slots) + warnings)


def _explain(members: list[Member], slots: list[Slot], final: dict, new: dict,
             max_load: int | None, warnings: list[str]) -> Suggestion:
    """The suggestion with a reason for every assignment, empty slot and member without a role."""
    busy: dict[Hashable, list[Slot]] = defaultdict(list)
    for slot in slots:
        if slot.id in final:
            busy[final[slot.id]].append(slot)
    load = {m.id: len(busy[m.id]) for m in members}
    kept_any = {m.id for m in members if any(s.id not in new for s in busy[m.id])}
    by_id = {m.id: m for m in members}
    assignments, started = [], set()
    for slot in slots:
        if slot.id not in final:
            continue
        holder = final[slot.id]
        if slot.id not in new:
            assignments.append(Assignment(slot.id, holder, KEPT_REASON))
            continue
        member = by_id[holder]
        first = holder not in kept_any and holder not in started
        started.add(holder)
        others = [o for o in members if o.id != holder and slot.day not in o.unavailable
                  and not any(overlaps(slot, b) for b in busy[o.id])
                  and (max_load is None or load[o.id] < max_load)]
        assignments.append(Assignment(slot.id, holder, _reason(slot, member, first, load, others)))
    open_slots = [s for s in slots if s.holder is None and not s.locked]
    unfilled = [Gap(s.id, _unfilled_reason(s, members, busy, max_load))
                for s in open_slots if s.id not in final]
    without = [Gap(m.id, _roleless_reason(m, open_slots, max_load)) for m in members if not load[m.id]]
    capacity = sum(1 for s in slots if s.holder is not None or not s.locked)
    return Suggestion(assignments, without, unfilled, _note(len(without), capacity, len(members)), warnings)


def _reason(slot: Slot, member: Member, first: bool, load: dict, others: list[Member]) -> str:
    """Why this member got this slot, in one Japanese line; every clause is a fact of the suggestion
    (loads are those after it, `others` are the members free at that time in it)."""
    graduate = is_graduate_lecturer(slot, member)
    if first:
        tail = "まだ役割がないため"
    elif not others:
        tail = "この時間に空いているのはこの人だけのため"
    elif load[member.id] <= min(load[o.id] for o in others):
        tail = f"この時間に空いている人の中で担当が最も少ないため（{load[member.id]}件）"
    else:
        tail = ""  # neither: the graduate rule or the balance of all loads decided
    if slot.kind != "lecturer" or slot.course is None:
        return tail or "担当数の釣り合いを取った結果"
    if not graduate:
        return f"修了者ではないが、{tail or '担当数の釣り合いを取った結果'}"
    year = member.graduated_in.get(slot.course)
    who = f"{COURSE_LABELS.get(slot.course, slot.course)}の修了者" + (f"（{format_year_wareki(year)}）" if year else "")
    return f"{who}で、{tail}" if tail else f"{who}のため"


def _unfilled_reason(slot: Slot, members: list[Member], busy: dict, max_load: int | None) -> str:
    """Why an open slot stays empty."""
    when = _date_ja(slot.day)
    if not members:
        return "メンバーが登録されていません"
    free_day = [m for m in members if slot.day not in m.unavailable]
    if not free_day:
        return f"{when}に参加できるメンバーがいません"
    if all(any(overlaps(slot, b) for b in busy[m.id]) for m in free_day):
        return f"{when}に参加できるメンバーは全員、同じ時間帯にほかの役割を担当しています"
    if max_load is not None:
        return f"{when}に空いているメンバーは全員、担当数の上限（{max_load}件）に達しています"
    return "ほかの条件を優先した結果、空いたままです"


def _roleless_reason(member: Member, open_slots: list[Slot], max_load: int | None) -> str:
    """Why a member has no role."""
    if max_load is not None and max_load <= 0:
        return f"担当数の上限が{max_load}件のため"
    usable = [s for s in open_slots if s.day not in member.unavailable]
    if not usable:
        return "参加できる日に空き枠がありません"
    # at the optimum, a slot this member could take is held by someone for whom it is the only role
    return f"担当できる空き枠（{len(usable)}件）は、ほかに役割のない人に割り当て済みです"


def _note(without: int, capacity: int, n_members: int) -> str:
    """One line on the members left without a role, with what would help."""
    if not without:
        return ""
    if capacity < n_members:
        return (f"空き枠が足りず（枠{capacity}・メンバー{n_members}）、{without}人に役割を割り当てられません。"
                "タイムキーパー補佐などの枠を追加してください。")
    return (f"{without}人に役割を割り当てられません。参加できる日の枠がほかの人で埋まっているか、"
            "参加できる日に枠がありません。枠の追加か日程の見直しを検討してください。")


def _hold_warnings(members: list[Member], slots: list[Slot]) -> list[str]:
    """Problems in the existing holds, which are kept as they are."""
    names = {m.id: m for m in members}
    warnings = []
    for i, slot in enumerate(slots):
        if slot.holder is None:
            continue
        member = names.get(slot.holder)
        if member is None:
            warnings.append(f"枠{slot.id}の担当者（{slot.holder}）はメンバーにいません。")
            continue
        if slot.day in member.unavailable:
            warnings.append(f"{member.name}さんは{_date_ja(slot.day)}に参加できませんが、枠{slot.id}を担当しています。")
        for other in slots[i + 1:]:
            if other.holder == slot.holder and overlaps(slot, other):
                warnings.append(f"{member.name}さんの枠{slot.id}と枠{other.id}は時間が重なっています。")
    return warnings
