"""The layout stage's output: rows of cells, each row knowing every source line it came from.

Every layout class (tabs, spaces, pipes, cell-per-line, …) ends in these rows, so the rules
engine reads one shape whatever separated the cells in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..textnorm import key


class Line:
    """A row of cells; ``no`` is its first 1-based source line, ``src`` every source line.

    A plain class with slots: this is built for every row of every document, and
    functools.cached_property takes a lock on each access in Python 3.11.
    """

    __slots__ = ("_filled", "_keys", "aligned", "cells", "joined", "no", "src", "uncertain", "values")

    def __init__(self, no: int, cells: list[str], src: tuple[int, ...] | None = None, uncertain: bool = False) -> None:
        self.no = no
        self.cells = cells  # with empty cells, to keep column positions
        self.values = [c for c in cells if c]  # the non-empty cells
        self.joined = "".join(cells)  # all cells run together: a cheap first test
        self.src = src if src is not None else (no,)
        self.uncertain = uncertain  # the layout stage guessed where some cells part
        self.aligned = False  # cells put under the table header's columns (blank columns kept)
        self._filled: list[tuple[int, str]] | None = None
        self._keys: list[str] | None = None

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

    def layout_at(self, no: int) -> str:
        for r in self.regions:
            if r.first <= no <= r.last:
                return r.layout
        return self.regions[0].layout if self.regions else "tabs"
