"""The grouping: optimal against brute force on small cases, hard rules as properties,
the pigeonhole bound reached on a large case, and explanations only when something is forced."""
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.domain.grouping import Cost, Facilitator, Person, assess, group_sizes, make_groups
from tests.hypothesis_profiles import examples

KINDS = ["worker", "official", "agency"]


def set_partitions(items):
    """Every partition of `items` into unlabelled blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in set_partitions(rest):
        yield [[first], *partition]
        for i in range(len(partition)):
            yield partition[:i] + [[first, *partition[i]]] + partition[i + 1:]


def objective(blocks, people, apart):
    """The module's objective written out apart from it: (keep-apart, pairs, unmixed)."""
    by_id = {p.id: p for p in people}
    block_of = {pid: i for i, block in enumerate(blocks) for pid in block}
    together = sum(1 for a, b in apart if block_of[a] == block_of[b])
    pairs = 0
    unmixed = 0
    for block in blocks:
        counts = Counter(by_id[pid].municipality for pid in block if by_id[pid].municipality)
        pairs += sum(k * (k - 1) // 2 for k in counts.values())
        kinds = {by_id[pid].kind == "worker" for pid in block}
        unmixed += 0 if kinds == {True, False} else 1
    return Cost(together, pairs, unmixed)


def brute_force(people, size, apart):
    """The least objective over every balanced partition that keeps the pins."""
    sizes = sorted(group_sizes(len(people), size))
    pins = {p.id: p.pinned_group for p in people if p.pinned_group}
    best = None
    for blocks in set_partitions([p.id for p in people]):
        if sorted(len(b) for b in blocks) != sizes:
            continue
        labels = [{pins[pid] for pid in block if pid in pins} for block in blocks]
        used = [next(iter(label)) for label in labels if label]
        if any(len(label) > 1 for label in labels) or len(used) != len(set(used)):
            continue
        cost = objective(blocks, people, apart)
        best = cost if best is None or cost < best else best
    return best


@st.composite
def small_cases(draw):
    n = draw(st.integers(1, 9))
    size = draw(st.integers(2, 4))
    groups = len(group_sizes(n, size))
    people = []
    for i in range(n):
        people.append(Person(i + 1, f"参加者{i + 1}", draw(st.sampled_from(["A市", "B町", "C村", None])),
                             draw(st.sampled_from(KINDS))))
    pinned = draw(st.lists(st.integers(0, n - 1), max_size=2, unique=True))
    smallest = min(group_sizes(n, size))
    per_group = Counter()
    for index in pinned:
        group = draw(st.integers(1, groups))
        if per_group[group] < smallest:
            per_group[group] += 1
            person = people[index]
            people[index] = Person(person.id, person.name, person.municipality, person.kind, group)
    apart = draw(st.lists(st.tuples(st.integers(1, n), st.integers(1, n)).filter(lambda t: t[0] < t[1]),
                          max_size=3, unique=True))
    return people, size, apart


@settings(max_examples=examples(120), deadline=None)
@given(small_cases())
def test_grouping_small_cases_equal_brute_force_and_are_proven_optimal(case):
    people, size, apart = case

    result = make_groups(people, size, apart)

    blocks = [list(group) for group in result.groups]
    assert sorted(pid for block in blocks for pid in block) == [p.id for p in people]
    assert result.cost == objective(blocks, people, apart)
    assert result.cost == brute_force(people, size, apart)
    assert result.proven_optimal


def random_people(rng, count, municipalities, pin_share=0.0, groups=1):
    weights = [12, 8, 5] + [1] * (len(municipalities) - 3)
    people = []
    for i in range(count):
        pin = rng.randint(1, groups) if rng.random() < pin_share else None
        people.append(Person(i + 1, f"参加者{i + 1}", rng.choices(municipalities, weights)[0],
                             rng.choices(KINDS, [7, 2, 1])[0], pin))
    return people


@settings(max_examples=examples(40), deadline=None)
@given(st.integers(0, 10_000), st.integers(12, 60), st.integers(3, 7))
def test_grouping_keeps_pins_balances_sizes_and_keeps_pairs_apart(seed, count, size):
    rng = random.Random(seed)
    groups = len(group_sizes(count, size))
    people = random_people(rng, count, [f"{i}市" for i in range(8)], pin_share=0.1, groups=groups)
    # few pins per group, so none is dropped; pairs never both pinned
    people = [p if sum(q.pinned_group == p.pinned_group for q in people[:i]) < 2 else
              Person(p.id, p.name, p.municipality, p.kind) for i, p in enumerate(people)]
    free = [p.id for p in people if p.pinned_group is None]
    apart = [tuple(rng.sample(free, 2)) for _ in range(3)] if len(free) > 1 and groups >= 4 else []

    result = make_groups(people, size, apart)

    group_of = result.group_of()
    lengths = [len(g) for g in result.groups]
    assert max(lengths) - min(lengths) <= 1 and len(lengths) == groups
    assert all(group_of[p.id] == p.pinned_group for p in people if p.pinned_group)
    assert all(group_of[a] != group_of[b] for a, b in apart)
    assert result.cost.same_municipality >= result.bound.same_municipality


def test_grouping_is_deterministic():
    people = random_people(random.Random(5), 80, [f"{i}町" for i in range(12)])

    first = make_groups(people, 5, [(1, 2)], [Facilitator(i, f"F{i}", f"{i}町") for i in range(10)])
    second = make_groups(people, 5, [(1, 2)], [Facilitator(i, f"F{i}", f"{i}町") for i in range(10)])

    assert first == second


def pigeonhole_bound(people, groups):
    counts = Counter(p.municipality for p in people)
    total = 0
    for count in counts.values():
        small, big = divmod(count, groups)
        total += big * (small + 1) * small // 2 + (groups - big) * small * (small - 1) // 2
    return total


def test_grouping_300_participants_reaches_the_pigeonhole_bound():
    rng = random.Random(300)
    municipalities = [f"第{i}市" for i in range(40)]
    weights = [70, 55, 35, 25] + [5] * 10 + [2] * 26
    people = [Person(i, f"参加者{i}", rng.choices(municipalities, weights)[0],
                     rng.choices(KINDS, [80, 13, 7])[0]) for i in range(300)]

    result = make_groups(people, 6)

    bound = pigeonhole_bound(people, 50)
    assert bound > 0
    assert result.cost.same_municipality == bound
    assert result.bound.same_municipality == bound
    assert result.proven_optimal


def test_grouping_explains_forced_pairs_with_the_numbers():
    people = [Person(i, f"A{i}", "A市", "worker") for i in range(8)]
    people += [Person(100 + i, f"B{i}", f"{i}町", "official") for i in range(28)]

    result = make_groups(people, 6)

    assert result.cost == Cost(0, 2, 0)
    assert "A市から8名が参加し班は6つのため、2つの班で同じ市町村の方が2名になります。" in result.explanations
    assert any("これより少なくはできません（最善です）" in note for note in result.explanations)


def test_grouping_explains_nothing_when_everything_can_be_avoided():
    people = [Person(i, f"W{i}", f"{i}市", "worker") for i in range(8)]
    people += [Person(10 + i, f"O{i}", f"{i}町", "official") for i in range(4)]
    facilitators = [Facilitator(i, f"F{i}", "県") for i in range(3)]

    result = make_groups(people, 4, [(0, 1)], facilitators)

    assert result.cost == Cost()
    assert result.explanations == ()
    assert None not in result.facilitators


def test_grouping_explains_too_few_officials_and_facilitators():
    people = [Person(i, f"W{i}", f"{i}市", "worker") for i in range(10)]
    people += [Person(20, "O", "県", "official")]

    result = make_groups(people, 4, facilitators=[Facilitator(1, "F", "")])

    assert result.cost.unmixed == 2
    assert result.explanations == (
        "行政・関係機関の参加者が1名で班は3つのため、2つの班は支援員だけになります（これより少なくはできません）。",
        "ファシリテーターを担当できるチーム員が1名で班は3つのため、2つの班にファシリテーターがいません。")


def test_grouping_explains_a_keep_apart_pair_pinned_together():
    people = [Person(1, "山田", "A市", "worker", 2), Person(2, "佐藤", "B市", "official", 2),
              Person(3, "鈴木", "C市", "worker"), Person(4, "高橋", "D市", "official")]

    result = make_groups(people, 2, [(1, 2)])

    assert result.groups[1] == (1, 2)
    assert result.cost.keep_apart == 1
    assert "山田さんと佐藤さんは別の班にする指定ですが、ふたりとも同じ班に固定されているため第2班で一緒です。" in result.explanations


def test_grouping_drops_a_pin_to_a_missing_group_and_says_so():
    people = [Person(1, "山田", "A市", "worker", 5), Person(2, "佐藤", "B市", "official")]

    result = make_groups(people, 6, facilitators=[Facilitator(1, "F", "県")])

    assert result.groups == ((1, 2),)
    assert result.explanations == ("山田さんは第5班に固定されていますが、班は1つなので固定を外して班分けしました。",)


def test_facilitators_avoid_their_own_municipality_then_prefer_role_holders():
    people = [Person(1, "A", "甲市", "worker"), Person(2, "B", "乙町", "official"),
              Person(3, "C", "丙市", "worker"), Person(4, "D", "丁村", "agency")]
    facilitators = [Facilitator(10, "甲", "甲市"), Facilitator(11, "県1", "県"),
                    Facilitator(12, "県2", "県", preferred=True)]

    result = make_groups(people, 2, facilitators=facilitators)

    by_group = dict(zip(result.groups, result.facilitators))
    group_with_a = next(g for g in result.groups if 1 in g)
    assert by_group[group_with_a] != 10
    assert 12 in result.facilitators
    assert result.explanations == ()


def test_grouping_proves_by_search_where_the_bound_is_not_reached():
    """Seeded cases with many keep-apart pairs and pins, where the per-item lower bounds
    cannot all be met: the branch and bound must still find the brute-force optimum."""
    rng = random.Random(14)
    searched = 0
    for _ in range(60):
        n = rng.randint(5, 9)
        size = rng.randint(2, 4)
        groups = len(group_sizes(n, size))
        people = [Person(i, f"P{i}", rng.choice(["A市", "B町", None]), rng.choice(KINDS),
                         rng.randint(1, groups) if i < 2 and rng.random() < 0.5 else None) for i in range(n)]
        if people[0].pinned_group and people[0].pinned_group == people[1].pinned_group and min(
                group_sizes(n, size)) < 2:
            continue
        apart = sorted({tuple(sorted(rng.sample(range(n), 2))) for _ in range(rng.randint(2, 6))})

        result = make_groups(people, size, apart)

        assert result.cost == brute_force(people, size, apart)
        assert result.proven_optimal
        searched += result.cost > result.bound
    assert searched >= 5


def test_assess_of_the_stored_groups_gives_the_same_answer():
    people = [Person(1, "甲", "A市", "worker"), Person(2, "乙", "1町", "official"),
              Person(3, "丙", "2町", "worker"), Person(4, "丁", "3町", "agency")]
    facilitators = [Facilitator(1, "F", "A市"), Facilitator(2, "G", "県")]
    made = make_groups(people, 2, facilitators=facilitators)

    again = assess(people, made.groups, facilitators=facilitators, chosen=made.facilitators)
    swapped = assess(people, made.groups, facilitators=facilitators, chosen=made.facilitators[::-1])

    assert again == made
    assert made.explanations == ()
    with_a = next(number for number, group in enumerate(made.groups, 1) if 1 in group)
    assert swapped.explanations == ((f"第{with_a}班のファシリテーターは班の参加者と同じ市町村の方です"
                                    "（ほかの方に替えることもできます）。"),)
