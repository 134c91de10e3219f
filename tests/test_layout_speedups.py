"""The fast paths of the layout stage give what the plain definitions give."""

from __future__ import annotations

import itertools
import random
import unicodedata

from jixiao.layout.glued import _PIECE, _best_split, _cost, _splits, split_numbers
from jixiao.layout.spaces import width


def _all_cuts(blob: str, k: int) -> list[list[str]]:
    """Every cut of blob into k pieces that read as numbers, by brute force."""
    out = []
    for cuts in itertools.combinations(range(1, len(blob)), k - 1):
        bounds = (0, *cuts, len(blob))
        parts = [blob[a:b] for a, b in itertools.pairwise(bounds)]
        if all(_PIECE.match(p) for p in parts):
            out.append(parts)
    return out


def test_number_splits_are_every_cut_that_reads_as_numbers() -> None:
    rng = random.Random(7)
    for _ in range(600):
        blob = "".join(rng.choice("0123456789.") for _ in range(rng.randrange(2, 15)))
        for k in (1, 2, 3, 4):
            got = _splits(blob, k, 0, 20000)
            want = _all_cuts(blob, k) if k > 1 else ([[blob]] if _PIECE.match(blob) else [])
            assert sorted(got) == sorted(want), (blob, k)


def test_best_split_is_the_cheapest() -> None:
    rng = random.Random(3)
    roles = ("weight", "score")
    for _ in range(300):
        blob = "".join(rng.choice("0123456789.") for _ in range(rng.randrange(3, 12)))
        cuts = _all_cuts(blob, 2)
        best = _best_split(blob, 2, roles)
        if not cuts:
            assert best is None
            continue
        assert best is not None
        assert _cost(list(best), roles) == min(_cost(c, roles) for c in cuts)


def test_a_funds_row_run_together_splits_fast_and_right() -> None:
    # six amounts glued: the walk used to try every dead end of the digit runs
    assert split_numbers("115.21115.21115.2110.00100.0010.00", 6, ("amount",) * 3 + ("weight", "rate", "score")) == [
        "115.21", "115.21", "115.21", "10.00", "100.00", "10.00",
    ]  # fmt: skip


def test_width_matches_unicodedata_over_the_whole_bmp() -> None:
    for c in range(0x10000):
        s = chr(c) + "中"  # never ASCII, so the class path is taken
        want = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
        assert width(s) == want, hex(c)
    assert width("abc") == 3
    assert width("𠀀a") == 3  # outside the BMP: per character
