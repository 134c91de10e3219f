"""The leading qualifiers of project names, learnt from the names being reconciled.

Many names are qualifiers + subject: 老城区 + 退役军人 + 电梯安全监管, 西部片区 + 高校毕业生 +
就业援助. The qualifiers (an area, a group of people, a programme) say little about which
project a name means: two names that share them and differ in what follows are sibling
projects, not one project renamed. A qualifier is recognised by what follows it, not from a
word list: a piece that begins names going on in at least ``min_successors`` different ways
(老城区 → 退役军人…, 高校毕业生…, 社区食堂…) is one; a subject is followed by little (水质监测 →
end, 工作, 补助). This is Harris's successor variety, the classic cue for word boundaries in
unsegmented text.

The successors are counted on the sorted distinct names: two neighbours whose common prefix
is P part where P branches, so P has 1 + (such neighbour pairs) successors. Pieces are then
peeled greedily off a name's start (the longest qualifier, then again on what follows: 老城区,
then 退役军人, which begins the names that have no area), leaving at least ``KEEP``
characters. All the names being reconciled are counted, both sides and every unit: an area
is a qualifier however few of one unit's names it begins. Cost O(n log n) for the sort and
O(n · len) for the rest, nothing quadratic.

A subject can branch like a qualifier (法律援助 → 宣传推广, 业务培训 …): the reconciler
therefore lets qualifiers lower a name's similarity only (what follows them must agree as
well) and takes out of the indicator names only the qualifiers both names have.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

MAX_PIECE = 8  # characters: an area, a group, a programme (外来务工人员, 老城区退役军人)
# characters a name keeps whatever its qualifiers: a whole name is followed by many
# variants too (法律援助宣传推广 → 续建, 一期, 二期), which must not leave 续建 to compare
KEEP = 4


def branching_pieces(keys: Iterable[str], min_successors: int) -> frozenset[str]:
    """The pieces (2..MAX_PIECE characters) that begin names going on in at least
    ``min_successors`` different ways (the end of a name counts as one)."""
    names = sorted(set(keys))
    splits: Counter[str] = Counter()
    for a, b in pairwise(names):
        n = _shared_start(a, b, MAX_PIECE + 1)
        if 2 <= n <= MAX_PIECE:
            splits[b[:n]] += 1
    return frozenset(p for p, c in splits.items() if c + 1 >= min_successors)


def _shared_start(a: str, b: str, limit: int) -> int:
    """How many leading characters a and b share, counted up to ``limit``."""
    n = 0
    for x, y in zip(a[:limit], b[:limit]):
        if x != y:
            break
        n += 1
    return n


def leading_pieces(name_key: str, pieces: frozenset[str], keep: int = KEEP) -> tuple[str, ...]:
    """The qualifiers ``name_key`` begins with, in order: the longest piece it begins with,
    then again on what follows; at least ``keep`` characters are always left."""
    out: list[str] = []
    i = 0
    end = len(name_key) - keep
    while i < end:
        for j in range(min(end, i + MAX_PIECE), i + 1, -1):
            if name_key[i:j] in pieces:
                out.append(name_key[i:j])
                i = j
                break
        else:
            break
    return tuple(out)
