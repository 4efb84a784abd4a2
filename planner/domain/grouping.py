"""Groups for the group work (班分け): pure functions, no Flask, no database.

The source wants the day to build a network: 「参加者同士が意見交換をし、ネットワークを強化する」,
with 行政 and 関係機関 in the groups so that 「支援現場と行政が相互に交流」. So the day's
participants are split into groups of a chosen size, and each group gets a team member as
facilitator.

Hard rules (always kept):
- the number of groups is ceil(participants / size) and group sizes differ by at most one;
- a pinned participant is in the group they are pinned to. A pin to a group that does not
  exist, or to a group already full of pinned people, is dropped and the explanation says so.

The objective, lexicographic (an earlier item is never traded for a later one):
1. keep-apart pairs placed in the same group (zero unless pins or too few groups force it);
2. same-municipality pairs: over groups and municipalities, C(k, 2) for k participants of one
   municipality in one group (participants without a municipality count for none);
3. groups lacking the mix: a group is mixed when it has at least one support worker (支援員)
   and at least one of 行政 (自治体担当者) or 関係機関.
It is scored as one integer, keep_apart·W1 + pairs·W2 + unmixed, with W2 = groups + 1 (all
unmixed groups weigh less than one pair) and W1 = W2·(pairs possible + 1), so the weighted
order is the lexicographic one.

Method. A greedy start (big municipalities first, each person to the group where they add the
least) is improved by local search: the best improving swap (or move between a bigger and a
smaller group) for each participant who takes part in a cost, then random sideways kicks, with a
fixed seed so the same input gives the same groups. The search stops early when it reaches
the lower bound below. On small inputs (up to EXACT_MAX participants) a branch and bound over
all partitions (empty groups are interchangeable, so only one is tried) then proves the
optimum or finds it. Pure Python rather than a MILP with HiGHS (as in assign.py): the pair
cost is quadratic and the groups are interchangeable, which makes a MILP slow to prove for
more than a few groups, while the pigeonhole bound answers most large cases directly.

Lower bound (per objective item, each valid on its own, so reaching all three proves the
lexicographic optimum): keep-apart pairs pinned together (or all, with one group); per
municipality, its members spread as evenly as the pins and group sizes allow (pigeonhole:
8 from one city in 6 groups leave at least 2 pairs); groups minus min(support workers,
行政 and 関係機関, groups of two or more).

Facilitators are chosen after the groups, as an assignment problem (scipy's
linear_sum_assignment): first no facilitator from a municipality already in their group, then
those the caller prefers (e.g. holding a role at the training), then list order.
"""
from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KINDS = ("worker", "official", "agency")
#: up to this many participants the branch and bound runs to the end and proves the optimum
EXACT_MAX = 14
#: nodes the branch and bound may visit before it gives up proving (it rarely needs many)
NODE_BUDGET = 400_000
#: sideways kicks of the local search without a new best before it stops
KICKS = 60
SEED = 20261206


class GroupingInputError(ValueError):
    """The input cannot be grouped (a bad size, an unknown kind, a duplicate id)."""


@dataclass(frozen=True)
class Person:
    """A participant: `municipality` is a name (None for none), `kind` one of KINDS."""

    id: int
    name: str
    municipality: str | None
    kind: str
    pinned_group: int | None = None


@dataclass(frozen=True)
class Facilitator:
    """A team member who can run a group that day; `preferred` ones are chosen first."""

    id: int
    name: str
    municipality: str = ""
    preferred: bool = False


@dataclass(frozen=True, order=True)
class Cost:
    """The objective, compared lexicographically in this field order."""

    keep_apart: int = 0
    same_municipality: int = 0
    unmixed: int = 0

    def __bool__(self) -> bool:
        return any((self.keep_apart, self.same_municipality, self.unmixed))


@dataclass(frozen=True)
class Grouping:
    """Groups 1..n as tuples of participant ids, the facilitator id per group (None when
    there are too few), the cost, the lower bound, whether the cost is proven optimal, and
    what could not be avoided, in Japanese (empty when nothing)."""

    groups: tuple[tuple[int, ...], ...]
    facilitators: tuple[int | None, ...]
    cost: Cost
    bound: Cost
    proven_optimal: bool
    explanations: tuple[str, ...]

    def group_of(self) -> dict[int, int]:
        """Participant id -> group number (1-based)."""
        return {pid: number for number, ids in enumerate(self.groups, 1) for pid in ids}


def group_sizes(count: int, size: int) -> list[int]:
    """Sizes of ceil(count / size) groups that differ by at most one, bigger first."""
    if count == 0:
        return []
    groups = math.ceil(count / size)
    small, big = divmod(count, groups)
    return [small + 1] * big + [small] * (groups - big)


def pair_count(count: int) -> int:
    return count * (count - 1) // 2


def spread_pairs(count: int, groups: int) -> int:
    """Fewest same-group pairs when `count` people go into `groups` groups (pigeonhole)."""
    small, big = divmod(count, groups)
    return big * pair_count(small + 1) + (groups - big) * pair_count(small)


class _Search:
    """The state of one grouping: who is where, with the counts the cost needs."""

    def __init__(self, people: Sequence[Person], sizes: list[int], apart: list[tuple[int, int]]):
        self.n = len(people)
        self.sizes = sizes
        self.g = len(sizes)
        self.small = min(sizes)
        self.big_allowed = sum(1 for s in sizes if s > self.small)
        names = sorted({p.municipality for p in people if p.municipality is not None})
        index = {name: i for i, name in enumerate(names)}
        self.muni = [index[p.municipality] if p.municipality is not None else -1 for p in people]
        self.worker = [1 if p.kind == "worker" else 0 for p in people]
        self.partners: list[list[int]] = [[] for _ in people]
        for a, b in apart:
            self.partners[a].append(b)
            self.partners[b].append(a)
        self.w_pair = self.g + 1
        self.w_apart = self.w_pair * (pair_count(self.n) + 1)
        self.group_of = [-1] * self.n
        self.members: list[list[int]] = [[] for _ in range(self.g)]
        self.big_used = 0
        #: fewest pairs per municipality (index), given the pins; set with the lower bound
        self.muni_bound: dict[int, int] = {}

    # --- capacity: every group ends with `small` or `small + 1`, at most big_allowed bigger
    def can_take(self, g: int) -> bool:
        size = len(self.members[g])
        return size < self.small or (size == self.small and self.big_used < self.big_allowed)

    def add(self, p: int, g: int) -> None:
        if len(self.members[g]) == self.small:
            self.big_used += 1
        self.members[g].append(p)
        self.group_of[p] = g

    def remove(self, p: int) -> None:
        g = self.group_of[p]
        self.members[g].remove(p)
        if len(self.members[g]) == self.small:
            self.big_used -= 1
        self.group_of[p] = -1

    # --- cost
    def group_cost(self, g: int) -> int:
        members = self.members[g]
        apart = sum(1 for p in members for q in self.partners[p] if q > p and self.group_of[q] == g)
        counts = Counter(self.muni[p] for p in members if self.muni[p] >= 0)
        pairs = sum(pair_count(k) for k in counts.values())
        workers = sum(self.worker[p] for p in members)
        unmixed = 1 if workers == 0 or workers == len(members) else 0
        return apart * self.w_apart + pairs * self.w_pair + unmixed

    def cost(self) -> Cost:
        apart = sum(1 for p in range(self.n) for q in self.partners[p]
                    if q > p and self.group_of[p] == self.group_of[q])
        pairs = 0
        unmixed = 0
        for members in self.members:
            counts = Counter(self.muni[p] for p in members if self.muni[p] >= 0)
            pairs += sum(pair_count(k) for k in counts.values())
            workers = sum(self.worker[p] for p in members)
            unmixed += 1 if workers == 0 or workers == len(members) else 0
        return Cost(apart, pairs, unmixed)

    def scalar(self, cost: Cost) -> int:
        return cost.keep_apart * self.w_apart + cost.same_municipality * self.w_pair + cost.unmixed

    def snapshot(self) -> list[int]:
        return list(self.group_of)

    def restore(self, group_of: list[int]) -> None:
        self.members = [[] for _ in range(self.g)]
        self.big_used = 0
        for p in range(self.n):
            if group_of[p] >= 0:
                self.add(p, group_of[p])


def _placement_order(search: _Search, free: list[int]) -> list[int]:
    """Big municipalities first (they are the hard part), then people with keep-apart pairs."""
    sizes = Counter(search.muni[p] for p in free if search.muni[p] >= 0)
    return sorted(free, key=lambda p: (-sizes.get(search.muni[p], 0), search.muni[p],
                                       -len(search.partners[p]), p))


def _greedy(search: _Search, free: list[int]) -> None:
    """Each free person to the group where they add the least cost, the emptier on ties."""
    for p in _placement_order(search, free):
        best = None
        for g in range(search.g):
            if not search.can_take(g):
                continue
            before = search.group_cost(g)
            search.add(p, g)
            delta = search.group_cost(g) - before
            search.remove(p)
            key = (delta, len(search.members[g]), g)
            if best is None or key < best:
                best = key
        search.add(p, best[2])


def _swap_delta(search: _Search, p: int, q: int) -> int:
    """Cost change when p and q trade groups (q = -1 - g: p moves to group g)."""
    a = search.group_of[p]
    b = search.group_of[q] if q >= 0 else -1 - q
    before = search.group_cost(a) + search.group_cost(b)
    _exchange(search, p, q)
    after = search.group_cost(a) + search.group_cost(b)
    _exchange(search, p, q if q >= 0 else -1 - a)
    return after - before


def _exchange(search: _Search, p: int, q: int) -> None:
    """Swap p and q, or with q = -1 - g move p to group g."""
    a = search.group_of[p]
    if q < 0:
        search.remove(p)
        search.add(p, -1 - q)
        return
    b = search.group_of[q]
    search.members[a][search.members[a].index(p)] = q
    search.members[b][search.members[b].index(q)] = p
    search.group_of[p], search.group_of[q] = b, a


def _candidates(search: _Search, p: int, movable: list[int]) -> list[int]:
    """Everyone movable in another group, and moves from a bigger to a smaller group."""
    a = search.group_of[p]
    others = [q for q in movable if search.group_of[q] != a]
    if len(search.members[a]) > search.small:
        others += [-1 - g for g in range(search.g) if len(search.members[g]) == search.small]
    return others


def _local_search(search: _Search, movable: list[int], bound: int, rng: random.Random) -> None:
    """Best-improvement descent plus sideways kicks; ends in the best arrangement seen."""
    best_cost = search.scalar(search.cost())
    best = search.snapshot()
    kicks_left = KICKS
    while best_cost > bound and kicks_left > 0 and movable:
        improved = True
        while improved:
            improved = False
            for p in movable:
                if search.group_cost(search.group_of[p]) == 0:
                    continue
                moves = [(_swap_delta(search, p, q), q) for q in _candidates(search, p, movable)]
                if moves:
                    delta, q = min(moves)
                    if delta < 0:
                        _exchange(search, p, q)
                        improved = True
        cost = search.scalar(search.cost())
        if cost < best_cost:
            best_cost, best = cost, search.snapshot()
            kicks_left = KICKS
        else:
            kicks_left -= 1
        if best_cost <= bound:
            break
        # a sideways (or least worsening) swap of someone in a costly group, to leave a plateau
        troubled = [p for p in movable if search.group_cost(search.group_of[p]) > 0] or movable
        p = rng.choice(troubled)
        options = [q for q in movable if search.group_of[q] != search.group_of[p]]
        if options:
            _exchange(search, p, rng.choice(options))
    search.restore(best)


def _branch_and_bound(search: _Search, free: list[int], incumbent: int) -> tuple[list[int] | None, bool]:
    """The best completion of the pinned groups if it beats `incumbent`, and whether the
    search ran to the end (so the best is proven); empty groups are interchangeable."""
    order = _placement_order(search, free)
    workers_left = [0] * (len(order) + 1)
    for k in range(len(order) - 1, -1, -1):
        workers_left[k] = workers_left[k + 1] + search.worker[order[k]]
    best: list = [incumbent, None]
    nodes = [0]

    def unmixed_for_sure(k: int) -> int:
        """Groups that can no longer get a support worker, or no longer a non-worker."""
        remaining = len(order) - k
        count = 0
        for g, members in enumerate(search.members):
            room = search.small + 1 - len(members) if search.can_take(g) else 0
            workers = sum(search.worker[p] for p in members)
            no_worker = workers == 0 and (room == 0 or workers_left[k] == 0)
            no_other = workers == len(members) and (room == 0 or remaining - workers_left[k] == 0)
            count += 1 if no_worker or no_other else 0
        return count

    def visit(k: int, partial: int) -> bool:
        nodes[0] += 1
        if nodes[0] > NODE_BUDGET:
            return False
        if k == len(order):
            total = search.scalar(search.cost())
            if total < best[0]:
                best[0], best[1] = total, search.snapshot()
            return True
        p = order[k]
        tried_empty = False
        for g in range(search.g):
            if not search.can_take(g):
                continue
            if not search.members[g]:
                if tried_empty:
                    continue
                tried_empty = True
            before = search.group_cost(g) - (1 if _unmixed(search, g) else 0)
            search.add(p, g)
            added = search.group_cost(g) - (1 if _unmixed(search, g) else 0) - before
            if partial + added + unmixed_for_sure(k + 1) < best[0]:
                finished = visit(k + 1, partial + added)
            else:
                finished = True
            search.remove(p)
            if not finished:
                return False
        return True

    complete = visit(0, search.scalar(search.cost()) - search.cost().unmixed)
    return best[1], complete


def _unmixed(search: _Search, g: int) -> bool:
    members = search.members[g]
    workers = sum(search.worker[p] for p in members)
    return workers == 0 or workers == len(members)


def _check(people: Sequence[Person], keep_apart: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Refuse duplicate ids and unknown kinds; the keep-apart pairs as sorted positions."""
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        raise GroupingInputError("同じ参加者が二度含まれています。")
    if any(p.kind not in KINDS for p in people):
        raise GroupingInputError("参加者の種別が不明です。")
    position = {pid: i for i, pid in enumerate(ids)}
    return sorted({tuple(sorted((position[a], position[b]))) for a, b in keep_apart
                   if a in position and b in position and a != b})


def make_groups(people: Sequence[Person], group_size: int,
                keep_apart: Iterable[tuple[int, int]] = (),
                facilitators: Sequence[Facilitator] = (), seed: int = SEED) -> Grouping:
    """Group `people` (in this order) into groups of about `group_size`; see the module."""
    if group_size < 1:
        raise GroupingInputError("班の人数は1名以上にしてください。")
    apart = _check(people, keep_apart)
    search = _Search(people, group_sizes(len(people), group_size), apart)
    notes: list[str] = []
    pinned = _place_pins(search, people, notes)
    free = [p for p in range(search.n) if p not in pinned]
    bound = _lower_bound(search, pinned)
    proven = True
    if people:
        _greedy(search, free)
        _local_search(search, free, search.scalar(bound), random.Random(seed))
        current = search.scalar(search.cost())
        if current > search.scalar(bound):
            proven = False
            if len(people) <= EXACT_MAX:
                start = search.snapshot()
                search.restore([g if p in pinned else -1 for p, g in enumerate(start)])
                better, proven = _branch_and_bound(search, free, current)
                search.restore(better or start)
    chosen = _choose_facilitators(search, people, facilitators)
    return _result(search, people, pinned, apart, bound, proven, notes, facilitators, chosen)


def assess(people: Sequence[Person], groups: Sequence[Sequence[int]],
           keep_apart: Iterable[tuple[int, int]] = (), facilitators: Sequence[Facilitator] = (),
           chosen: Sequence[int | None] = ()) -> Grouping:
    """The cost, bound and explanations of a given arrangement (e.g. the one stored), which
    must hold every person once in groups that differ by at most one; `chosen` are the
    facilitator ids per group. Optimality is proven by the bound or, on small inputs, by
    grouping again (the branch and bound)."""
    apart = _check(people, keep_apart)
    position = {p.id: i for i, p in enumerate(people)}
    sizes = sorted((len(g) for g in groups), reverse=True)
    if sorted(pid for g in groups for pid in g) != sorted(position) or (sizes and sizes[0] - sizes[-1] > 1):
        raise GroupingInputError("班分けが参加者と合いません。班を作り直してください。")
    search = _Search(people, sizes, apart)
    notes: list[str] = []
    pinned = _place_pins(search, people, notes)
    bound = _lower_bound(search, pinned)
    search.restore([-1] * search.n)
    for number, ids in enumerate(groups):
        for pid in ids:
            search.add(position[pid], number)
    moved = [p for p in pinned if search.group_of[p] != people[p].pinned_group - 1]
    for p in moved:
        notes.append(f"{people[p].name}さんの固定（第{people[p].pinned_group}班）は、"
                     "次に「班を作る」を押したときに反映されます。")
    cost = search.cost()
    proven = not moved and cost == bound
    if not moved and not proven and search.n <= EXACT_MAX and group_sizes(search.n, sizes[0]) == sizes:
        best = make_groups(people, sizes[0], keep_apart)
        proven = best.proven_optimal and best.cost == cost
    chosen = list(chosen) + [None] * (search.g - len(chosen))
    return _result(search, people, pinned, apart, bound, proven, notes, facilitators, chosen[:search.g])


def _result(search: _Search, people: Sequence[Person], pinned: set[int], apart: list[tuple[int, int]],
            bound: Cost, proven: bool, notes: list[str], facilitators: Sequence[Facilitator],
            chosen: list[int | None]) -> Grouping:
    cost = search.cost()
    proven = proven or cost == bound
    groups = tuple(tuple(people[p].id for p in sorted(members)) for members in search.members)
    notes = notes + _explain(search, people, pinned, apart, cost, bound, proven)
    notes += _explain_facilitators(search, people, facilitators, chosen)
    return Grouping(groups, tuple(chosen), cost, bound, proven, tuple(notes))


def _place_pins(search: _Search, people: Sequence[Person], notes: list[str]) -> set[int]:
    """Put pinned people in their groups; note the pins that cannot be kept."""
    pinned = set()
    for p, person in enumerate(people):
        group = person.pinned_group
        if group is None:
            continue
        if not 1 <= group <= search.g:
            notes.append(f"{person.name}さんは第{group}班に固定されていますが、班は{_tsu(search.g)}なので"
                         "固定を外して班分けしました。")
        elif not search.can_take(group - 1):
            notes.append(f"第{group}班に固定された方が班の人数を超えるため、{person.name}さんの"
                         "固定を外して班分けしました。")
        else:
            search.add(p, group - 1)
            pinned.add(p)
    return pinned


def _municipality_bound(search: _Search, m: int, pinned: set[int]) -> int:
    """Fewest pairs of municipality m: its free members spread over the groups with room,
    on top of its pinned ones (water-filling is optimal for a convex cost)."""
    counts = [0] * search.g
    room = [search.small + (1 if search.big_allowed else 0) - len(members) for members in search.members]
    for p in pinned:
        if search.muni[p] == m:
            counts[search.group_of[p]] += 1
    free = sum(1 for p in range(search.n) if search.muni[p] == m and p not in pinned)
    for _ in range(free):
        g = min((g for g in range(search.g) if room[g] > 0), key=lambda g: counts[g])
        counts[g] += 1
        room[g] -= 1
    return sum(pair_count(k) for k in counts)


def _lower_bound(search: _Search, pinned: set[int]) -> Cost:
    if search.n == 0:
        return Cost()
    apart = sum(1 for p in range(search.n) for q in search.partners[p]
                if q > p and (search.g == 1 or (p in pinned and q in pinned
                                                and search.group_of[p] == search.group_of[q])))
    search.muni_bound = {m: _municipality_bound(search, m, pinned) for m in set(search.muni) if m >= 0}
    pairs = sum(search.muni_bound.values())
    workers = sum(search.worker)
    others = search.n - workers
    roomy = sum(1 for size in search.sizes if size >= 2)
    unmixed = search.g - min(workers, others, roomy, search.g)
    return Cost(apart, pairs, unmixed)


def _choose_facilitators(search: _Search, people: Sequence[Person],
                         facilitators: Sequence[Facilitator]) -> list[int | None]:
    chosen: list[int | None] = [None] * search.g
    if not facilitators or not search.g:
        return chosen
    # weights make the sum lexicographic: all list-order ties weigh less than one preference,
    # all preferences less than one facilitator from a municipality in their group
    preference = search.g * len(facilitators)
    same_weight = preference * (search.g + 1)
    import numpy as np  # numpy and scipy (~70 MiB) load where facilitators are chosen, not at start
    from scipy.optimize import linear_sum_assignment
    cost = np.zeros((search.g, len(facilitators)), dtype=np.int64)
    for g, members in enumerate(search.members):
        here = {people[p].municipality for p in members}
        for f, member in enumerate(facilitators):
            same = 1 if member.municipality and member.municipality in here else 0
            cost[g, f] = same * same_weight + (0 if member.preferred else preference) + f
    rows, cols = linear_sum_assignment(cost)
    for g, f in zip(rows, cols):
        chosen[g] = facilitators[f].id
    return chosen


def _explain(search: _Search, people: Sequence[Person], pinned: set[int],
             apart: list[tuple[int, int]], cost: Cost, bound: Cost, proven: bool) -> list[str]:
    notes = []
    best = "これが最善です" if proven else "より良い班分けは見つかりませんでした"
    for p, q in apart:
        if search.group_of[p] == search.group_of[q]:
            a, b = people[p].name, people[q].name
            number = search.group_of[p] + 1
            if p in pinned and q in pinned:
                why = "ふたりとも同じ班に固定されているため"
            elif search.g == 1:
                why = "班が1つのため"
            elif proven:
                why = "ほかの指定や班の人数と両立しないため"
            else:
                why = "より良い班分けが見つからず"
            notes.append(f"{a}さんと{b}さんは別の班にする指定ですが、{why}第{number}班で一緒です。")
    if cost.same_municipality:
        counts = Counter(search.muni)
        for m, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            if m < 0:
                continue
            name = next(people[p].municipality for p in range(search.n) if search.muni[p] == m)
            small, big = divmod(count, search.g)
            if count > search.g and small == 1:
                notes.append(f"{name}から{count}名が参加し班は{_tsu(search.g)}のため、{_tsu(big)}の班で"
                             f"同じ市町村の方が2名になります。")
            elif count > search.g:
                spread = f"{small + 1}名の班が{_tsu(big)}、{small}名の班が{_tsu(search.g - big)}" if big else f"どの班も{small}名"
                notes.append(f"{name}から{count}名が参加し班は{_tsu(search.g)}のため、{name}の方は"
                             f"{spread}になります。")
            extra = search.muni_bound.get(m, 0) - spread_pairs(count, search.g)
            if extra > 0:
                notes.append(f"班に固定された方がいるため{name}の方を分けられる班が少なくなり、"
                             f"{name}の方が同じ班になる組が{extra}組増えます。")
        if cost.same_municipality == bound.same_municipality:
            notes.append(f"同じ市町村の方が同じ班になる組は計{cost.same_municipality}組です。"
                         "市町村ごとの人数と班の数・固定から、これより少なくはできません（最善です）。")
        else:
            notes.append(f"同じ市町村の方が同じ班になる組は計{cost.same_municipality}組です"
                         f"（人数から見た下限は{bound.same_municipality}組、{best}）。")
    if cost.unmixed:
        workers = sum(search.worker)
        others = search.n - workers
        if others < search.g:
            notes.append(f"行政・関係機関の参加者が{others}名で班は{_tsu(search.g)}のため、"
                         f"{_tsu(search.g - others)}の班は支援員だけになります（これより少なくはできません）。")
        if workers < search.g:
            notes.append(f"支援員が{workers}名で班は{_tsu(search.g)}のため、"
                         f"{_tsu(search.g - workers)}の班には支援員がいません（これより少なくはできません）。")
        if cost.unmixed > bound.unmixed:
            notes.append(f"支援員と行政・関係機関が混ざっていない班が{_tsu(cost.unmixed)}あります"
                         f"（市町村を分けることと固定を優先したため、{best}）。")
    return notes


def _explain_facilitators(search: _Search, people: Sequence[Person],
                          facilitators: Sequence[Facilitator], chosen: list[int | None]) -> list[str]:
    notes = []
    missing = chosen.count(None)
    if missing and not facilitators:
        notes.append("ファシリテーターを担当できるチーム員がいないため、どの班にもファシリテーターがいません。")
    elif missing and len(facilitators) < search.g:
        notes.append(f"ファシリテーターを担当できるチーム員が{len(facilitators)}名で班は{_tsu(search.g)}のため、"
                     f"{_tsu(missing)}の班にファシリテーターがいません。")
    elif missing:
        notes.append(f"{_tsu(missing)}の班にファシリテーターが決まっていません。")
    local = _local_facilitators(search, people, facilitators, chosen)
    if local:
        fewest = len(_local_facilitators(search, people, facilitators,
                                         _choose_facilitators(search, people, facilitators)))
        why = "ほかに担当できる方がいません" if len(local) <= fewest else "ほかの方に替えることもできます"
        notes.append(f"第{'・'.join(str(g + 1) for g in local)}班のファシリテーターは"
                     f"班の参加者と同じ市町村の方です（{why}）。")
    return notes


def _local_facilitators(search: _Search, people: Sequence[Person], facilitators: Sequence[Facilitator],
                        chosen: Sequence[int | None]) -> list[int]:
    """Groups whose facilitator comes from a municipality of the group."""
    by_id = {f.id: f for f in facilitators}
    return [g for g, fid in enumerate(chosen) if fid in by_id and by_id[fid].municipality
            and by_id[fid].municipality in {people[p].municipality for p in search.members[g]}]


def _tsu(count: int) -> str:
    """A count of things in Japanese: 2つ, but 10 (つ is not used from ten on)."""
    return f"{count}つ" if count < 10 else str(count)
