"""The layout stage's output: rows of cells, each row knowing every source line it came from.

Every layout class (tabs, spaces, pipes, cell-per-line, …) ends in these rows, so the rules
engine reads one shape whatever separated the cells in the text.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..textnorm import key


class Line:
    """A row of cells; ``no`` is its first 1-based source line, ``src`` every source line.

    A plain class with slots: this is built for every row of every document, and
    functools.cached_property takes a lock on each access in Python 3.11.
    """

    __slots__ = ("_filled", "_keys", "_src", "aligned", "cells", "joined", "no", "uncertain", "values")

    def __init__(self, no: int, cells: list[str], src: tuple[int, ...] | None = None, uncertain: bool = False) -> None:
        self.no = no
        self.cells = cells  # with empty cells, to keep column positions
        self.values = [c for c in cells if c]  # the non-empty cells
        self.joined = "".join(cells)  # all cells run together: a cheap first test
        self._src = src  # None: the row is its own line (most rows; no tuple made for them)
        self.uncertain = uncertain  # the layout stage guessed where some cells part
        self.aligned = False  # cells put under the table header's columns (blank columns kept)
        self._filled: list[tuple[int, str]] | None = None
        self._keys: list[str] | None = None

    @property
    def src(self) -> tuple[int, ...]:
        """Every source line of the row, first to last."""
        return self._src if self._src is not None else (self.no,)

    @property
    def filled(self) -> list[tuple[int, str]]:
        """(column, cell) of the non-empty cells, for the readers that need positions."""
        if self._filled is None:
            self._filled = [(i, c) for i, c in enumerate(self.cells) if c]
        return self._filled

    @property
    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = [key(c) for c in self.values]
        return self._keys

    def __repr__(self) -> str:
        return f"Line({self.no}, {self.cells!r})"


@dataclass
class Region:
    """A stretch of source lines read as one layout class."""

    first: int
    last: int
    layout: str


@dataclass
class Grid:
    lines: list[Line]
    blank_after: set[int]  # row numbers followed by a blank line (a page break)
    regions: list[Region] = field(default_factory=list)
    # source lines the stage read but could not place into any row (with their text)
    unplaced: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    from_file: bool = False  # a file reader (xlsx, docx, pdf, OCR) made the rows, not a text layout
    _starts: list[int] | None = field(default=None, repr=False)
    _unplaced_nos: list[int] | None = field(default=None, repr=False)

    def layout_at(self, no: int) -> str:
        """The class of the region holding source line ``no`` (regions are in line order)."""
        if not self.regions:
            return "tabs"
        if self._starts is None or len(self._starts) != len(self.regions):
            self._starts = [r.first for r in self.regions]
        at = bisect.bisect_right(self._starts, no) - 1
        return self.regions[max(at, 0)].layout

    def unplaced_between(self, first: int, last: int) -> list[tuple[int, str]]:
        """The unplaced lines from ``first`` to ``last`` (a form's span): found by bisection,
        as every form of a long document asks."""
        if not self.unplaced:
            return []
        if self._unplaced_nos is None or len(self._unplaced_nos) != len(self.unplaced):
            self._unplaced_nos = sorted(self.unplaced)
        nos = self._unplaced_nos
        lo, hi = bisect.bisect_left(nos, first), bisect.bisect_right(nos, last)
        return [(no, self.unplaced[no]) for no in nos[lo:hi]]
