"""The leading qualifiers of project names, learnt from the names of one implementing unit.

A unit that files many projects writes most names as qualifiers + subject: 老城区 +
退役军人 + 电梯安全监管, 西部片区 + 高校毕业生 + 就业援助. The qualifiers (an area, a
group of people, a programme) begin many of the unit's names and so say little about which
project a name means; two names that share them and differ in what follows are sibling
projects, not one project renamed. A qualifier is recognised by counting, not from a word
list: a leading piece of a name that at least ``min_names`` of the unit's distinct names
also begin with. Pieces are peeled greedily (the longest such piece, then again on what
follows), so 老城区退役军人… loses 老城区 (begins many names) and then 退役军人 (begins
the names that have no area), leaving the subject.

The counts come from a sorted list of the unit's names (a prefix is a range of it), so
learning a name's qualifier costs O(len · log len · log n), nothing quadratic.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

_AFTER_ALL = "\U0010ffff"  # sorts after every character: [p, p + this) is every string that starts with p


class UnitNames:
    """One unit's distinct name keys, sorted: how many of them begin with a piece."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Iterable[str]) -> None:
        self._keys = sorted(set(keys))

    def __len__(self) -> int:
        return len(self._keys)

    def starting(self, piece: str) -> int:
        lo = bisect_left(self._keys, piece)
        return bisect_left(self._keys, piece + _AFTER_ALL, lo) - lo


def qualifier(name_key: str, names: UnitNames, min_names: int, keep: int = 2) -> str:
    """The leading qualifiers of ``name_key``: the pieces that begin at least ``min_names``
    of the unit's names, peeled greedily; at least ``keep`` characters are always left."""
    i = 0
    end = len(name_key) - keep
    while i < end:
        # the number of names beginning with name_key[i:j] falls as j grows: binary search
        # for the longest piece (≥ 2 characters) that still begins min_names of them
        lo, hi = i + 2, end
        if lo > hi or names.starting(name_key[i:lo]) < min_names:
            break
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if names.starting(name_key[i:mid]) >= min_names:
                lo = mid
            else:
                hi = mid - 1
        i = lo
    return name_key[:i]


def unit_qualifiers(unit_and_name: Iterable[tuple[str, str]], min_names: int) -> dict[tuple[str, str], str]:
    """The qualifier of each (unit key, name key), learnt from the names of its unit; units
    with fewer than ``min_names`` distinct names learn none (every qualifier is '')."""
    by_unit: dict[str, set[str]] = defaultdict(set)
    for unit, name in unit_and_name:
        if unit and name:
            by_unit[unit].add(name)
    out: dict[tuple[str, str], str] = {}
    for unit, keys in by_unit.items():
        if len(keys) < min_names:
            continue
        names = UnitNames(keys)
        for k in keys:
            q = qualifier(k, names, min_names)
            if q:
                out[(unit, k)] = q
    return out
