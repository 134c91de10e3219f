"""The one-to-one assignment against a slow obvious reference (every partial matching)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.reconcile.assignment import components, hungarian_min_cost, max_weight_matching


def brute_force_best(edges: dict[tuple[int, int], float]) -> float:
    """Weight of the best matching by trying every subset of disjoint edges."""
    items = sorted(edges.items())

    def best(k: int, used_l: frozenset[int], used_r: frozenset[int]) -> float:
        if k == len(items):
            return 0.0
        (i, j), w = items[k]
        skip = best(k + 1, used_l, used_r)
        if i in used_l or j in used_r:
            return skip
        return max(skip, w + best(k + 1, used_l | {i}, used_r | {j}))

    return best(0, frozenset(), frozenset())


edge_sets = st.dictionaries(
    st.tuples(st.integers(0, 4), st.integers(0, 4)),
    st.floats(0.01, 1.0, allow_nan=False),
    max_size=12,
)


@given(edge_sets)
@settings(max_examples=300, deadline=None)
def test_matching_is_optimal_and_one_to_one(edges: dict[tuple[int, int], float]) -> None:
    chosen = max_weight_matching(edges)
    assert all(e in edges for e in chosen)
    assert len({i for i, _ in chosen}) == len(chosen)
    assert len({j for _, j in chosen}) == len(chosen)
    assert abs(sum(edges[e] for e in chosen) - brute_force_best(edges)) < 1e-9


def test_not_greedy() -> None:
    # greedy takes A-x (0.9) and leaves B alone; the optimum pairs both
    edges = {(0, 0): 0.9, (0, 1): 0.85, (1, 0): 0.8}
    assert max_weight_matching(edges) == [(0, 1), (1, 0)]


def test_hungarian_rectangular() -> None:
    cost = [[4.0, 1.0, 3.0], [2.0, 0.0, 5.0]]
    cols = hungarian_min_cost(cost)
    assert sorted(cols) == sorted(set(cols))
    assert sum(cost[r][c] for r, c in enumerate(cols)) == 3.0  # 1 + 2


def test_components_split_independent_groups() -> None:
    comps = components({(0, 0): 1.0, (1, 0): 1.0, (2, 5): 1.0})
    assert sorted(comps) == [([0, 1], [0]), ([2], [5])]


def test_empty() -> None:
    assert max_weight_matching({}) == []
    assert hungarian_min_cost([]) == []
