"""One-to-one assignment: the pairs that together weigh most, not greedy first-come.

``max_weight_matching`` takes a sparse set of scored edges between left items (declared)
and right items (evaluated), splits it into connected components, and solves each
component exactly with the Hungarian algorithm (shortest augmenting paths, O(n²m)). An
item may stay unpaired: every row gets a zero-weight "nobody" column, so an edge is only
taken when it adds weight. Pure Python: scipy and networkx are not dependencies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

Edge = tuple[int, int]


def hungarian_min_cost(cost: list[list[float]]) -> list[int]:
    """Rows assigned to columns at minimum total cost, for n rows <= m columns.

    Returns ``col_of_row`` (0-based). Classic potentials formulation (Kuhn-Munkres with
    Jonker-Volgenant style Dijkstra steps).
    """
    n = len(cost)
    if n == 0:
        return []
    m = len(cost[0])
    if n > m:
        raise ValueError("hungarian_min_cost needs rows <= columns; transpose first")
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)  # p[j]: row (1-based) holding column j; 0 = free
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            row = cost[i0 - 1]
            ui0 = u[i0]
            delta = inf
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = row[j - 1] - ui0 - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    col_of_row = [-1] * n
    for j in range(1, m + 1):
        if p[j]:
            col_of_row[p[j] - 1] = j - 1
    return col_of_row


def _dense_max_weight(rows: list[int], cols: list[int], edges: Mapping[Edge, float]) -> list[Edge]:
    """Exact maximum-weight matching of one component (rows may stay unmatched)."""
    transpose = len(rows) > len(cols)
    if transpose:
        rows, cols = cols, rows
    n, m = len(rows), len(cols)
    cost = []
    for r in rows:
        line = []
        for c in cols:
            w = edges.get((c, r) if transpose else (r, c))
            line.append(-w if w is not None else 0.0)
        line.extend([0.0] * n)  # "nobody" columns: leaving a row unmatched costs nothing
        cost.append(line)
    chosen = []
    for ri, ci in enumerate(hungarian_min_cost(cost)):
        if ci < m:
            r, c = rows[ri], cols[ci]
            e = (c, r) if transpose else (r, c)
            if e in edges:
                chosen.append(e)
    return chosen


def components(edges: Mapping[Edge, float]) -> list[tuple[list[int], list[int]]]:
    """Connected components of the bipartite edge set, as (left items, right items)."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        a, b = find(("L", i)), find(("R", j))
        if a != b:
            parent[a] = b
    groups: dict[tuple[str, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for node in list(parent):
        side, idx = node
        groups[find(node)][0 if side == "L" else 1].append(idx)
    return [(sorted(left), sorted(right)) for left, right in groups.values()]


def max_weight_matching(edges: Mapping[Edge, float]) -> list[Edge]:
    """The set of disjoint edges with the largest total weight (weights > 0).

    Components are solved separately, so the cost follows the largest component, not the
    whole input.
    """
    chosen: list[Edge] = []
    for left, right in components(edges):
        if len(left) == 1 or len(right) == 1:  # a star: the heaviest edge is optimal
            best = max(((i, j) for i in left for j in right if (i, j) in edges), key=lambda e: edges[e])
            chosen.append(best)
            continue
        chosen.extend(_dense_max_weight(left, right, edges))
    return sorted(chosen)
