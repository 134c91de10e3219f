"""pdftotext without -layout: label blocks, then value blocks; a funds row's numbers before
its label; merged category labels printed at the middle of their rows.

Read line by line (cells parted by single spaces, as OCR text), then put back what the
order broke: runs of funds or goal heads become one head row, a run of header labels takes
the run of values after it, and a funds label with no numbers after it takes the numbers
before it. Category labels alone on a line stay rows of their own: the table reader gives
them to the rows nearest to them (``TableReader.middle_labels``).
"""

from __future__ import annotations

import re

from ..textnorm import is_furniture
from .spaces import split_line
from .vocab import label_kind

Row = tuple[int, list[str], tuple[int, ...] | None]
_NUMBERISH = re.compile(r"^(?:-?[\d,]+(?:\.\d+)?%?|[-—/–])$")


def _numbers(cells: list[str]) -> bool:
    return bool(cells) and all(_NUMBERISH.match(c) for c in cells)


def _only(cells: list[str], *kinds: str) -> bool:
    return len(cells) == 1 and label_kind(cells[0]) in kinds


def pdf_lines(raw: list[str], a: int, b: int) -> list[Row]:
    items: list[tuple[list[int], list[str]]] = []
    for i in range(a, b):
        s = raw[i].strip()
        if s and not is_furniture(s):
            items.append(([i + 1], [sp.text for sp in split_line(s, everywhere=True)]))
    items = _merge_heads(items)
    items = _pair_label_blocks(items)
    items = _funds_numbers(items)
    return [(nos[0], cells, tuple(sorted(nos)) if len(nos) > 1 else None) for nos, cells in items]


def _merge_heads(items: list[tuple[list[int], list[str]]]) -> list[tuple[list[int], list[str]]]:
    """Runs of funds heads (年初预算数 / 全年预算数 / …) or goal heads, one per line: one row."""
    out: list[tuple[list[int], list[str]]] = []
    for nos, cells in items:
        if out:
            pnos, pcells = out[-1]
            same = (
                _only(cells, "fundshead")
                and (all(label_kind(c) == "fundshead" for c in pcells[1:]))
                and (label_kind(pcells[0]) in ("fundshead",) or pcells[0].startswith("项目资金"))
            ) or (_only(cells, "goal") and all(label_kind(c) == "goal" for c in pcells))
            if same:
                out[-1] = ([*pnos, *nos], [*pcells, *cells])
                continue
        out.append((nos, cells))
    return out


def _pair_label_blocks(items: list[tuple[list[int], list[str]]]) -> list[tuple[list[int], list[str]]]:
    """项目名称 / 主管部门 / 实施单位, then their three values: each label with its value."""
    out: list[tuple[list[int], list[str]]] = []
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and _only(items[j][1], "header", "totals") and not items[j][1][0].startswith("项目资金"):
            j += 1
        k = j - i
        if k >= 2 and j + k <= len(items) and not any(label_kind(c) for n in range(j, j + k) for c in items[n][1]):
            for n in range(k):
                lnos, lcells = items[i + n]
                vnos, vcells = items[j + n]
                out.append(([*lnos, *vnos], [*lcells, *vcells]))
            i = j + k
            continue
        out.append(items[i])
        i += 1
    return out


def _funds_numbers(items: list[tuple[list[int], list[str]]]) -> list[tuple[list[int], list[str]]]:
    """Funds labels alone on their lines take a line of numbers next to them: the one before
    when no other label took it, else the one after (pdftotext prints a row's numbers on
    either side of its label, even within one block)."""
    take: dict[int, int] = {}  # label index -> numbers index
    claimed: set[int] = set()
    for n, (_, cells) in enumerate(items):
        if not _only(cells, "funds"):
            continue
        for m in (n - 1, n + 1):
            if 0 <= m < len(items) and m not in claimed and _numbers(items[m][1]):
                take[n] = m
                claimed.add(m)
                break
    out: list[tuple[list[int], list[str]]] = []
    for n, (nos, cells) in enumerate(items):
        if n in claimed:
            continue
        if n in take:
            m = take[n]
            out.append(([*nos, *items[m][0]], [*cells, *items[m][1]]))
        else:
            out.append((nos, cells))
    return out
