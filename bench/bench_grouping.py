"""Group 300 participants from 40 municipalities (a few big cities send many) into groups of 6.

Prints the time of make_groups, the same-municipality pairs left, their lower bound (pigeonhole:
each municipality spread as evenly as the groups allow) and the groups lacking the mix of
支援員 with 行政・関係機関, against a random balanced arrangement of the same people.
Usage: .venv/bin/python bench/bench_grouping.py [SEEDS]
"""
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.domain.grouping import Facilitator, Person, group_sizes, make_groups, spread_pairs

PARTICIPANTS = 300
MUNICIPALITIES = 40
GROUP_SIZE = 6
# two big cities, two middle ones, then towns and villages sending one or two
WEIGHTS = [60, 45, 25, 20] + [6] * 12 + [2] * 24


def people_of(seed: int) -> list[Person]:
    rng = random.Random(seed)
    names = [f"第{i + 1}市町村" for i in range(MUNICIPALITIES)]
    return [Person(i, f"参加者{i}", rng.choices(names, WEIGHTS)[0],
                   rng.choices(["worker", "official", "agency"], [75, 15, 10])[0])
            for i in range(PARTICIPANTS)]


def figures(groups: list[list[Person]]) -> tuple[int, int]:
    """Same-municipality pairs and groups lacking the mix."""
    pairs = sum(k * (k - 1) // 2 for group in groups
                for k in Counter(p.municipality for p in group).values())
    unmixed = sum(1 for group in groups if len({p.kind == "worker" for p in group}) < 2)
    return pairs, unmixed


def random_arrangement(people: list[Person], seed: int) -> list[list[Person]]:
    shuffled = list(people)
    random.Random(seed).shuffle(shuffled)
    groups, start = [], 0
    for size in group_sizes(len(people), GROUP_SIZE):
        groups.append(shuffled[start:start + size])
        start += size
    return groups


def main(seeds: int = 3) -> None:
    print(f"{PARTICIPANTS} participants, {MUNICIPALITIES} municipalities, groups of {GROUP_SIZE}")
    for seed in range(seeds):
        people = people_of(seed)
        facilitators = [Facilitator(i, f"チーム員{i}", f"第{i + 1}市町村") for i in range(30)]
        started = time.perf_counter()
        result = make_groups(people, GROUP_SIZE, facilitators=facilitators)
        elapsed = time.perf_counter() - started
        by_id = {p.id: p for p in people}
        pairs, unmixed = figures([[by_id[i] for i in group] for group in result.groups])
        groups = len(result.groups)
        bound = sum(spread_pairs(count, groups) for count in Counter(p.municipality for p in people).values())
        random_pairs, random_unmixed = figures(random_arrangement(people, seed))
        biggest = Counter(p.municipality for p in people).most_common(2)
        print(f"seed {seed}: {groups} groups; biggest {biggest[0][1]} and {biggest[1][1]} participants")
        print(f"  make_groups: {elapsed:.2f} s, same-municipality pairs {pairs} (lower bound {bound}), "
              f"groups lacking the mix {unmixed} (lower bound {result.bound.unmixed}), "
              f"proven optimal: {result.proven_optimal}")
        print(f"  random:      same-municipality pairs {random_pairs}, groups lacking the mix {random_unmixed}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
