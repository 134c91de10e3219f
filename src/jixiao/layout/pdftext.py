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
            beside = _only(cells, "funds") and pcells[-1:] == ["中期资金总额"]  # 中期 | 年度资金总额 heads
            same = (
                beside
                or (
                    _only(cells, "fundshead")
                    and (all(label_kind(c) == "fundshead" for c in pcells[1:]))
                    and (label_kind(pcells[0]) in ("fundshead",) or pcells[0].startswith("项目资金"))
                )
                or (_only(cells, "goal") and all(label_kind(c) == "goal" for c in pcells))
            )
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


def _funds_block(items: list[tuple[list[int], list[str]]]) -> tuple[int, int]:
    """Where the funds block stands: from its first label, head or amount line to the first
    item that is none of those (0, 0 when there is none)."""
    start = next(
        (n for n, (_, c) in enumerate(items) if _only(c, "funds") or (c and c[0].startswith("项目资金"))), None
    )
    if start is None:
        return 0, 0
    while start > 0 and _numbers(items[start - 1][1]):
        start -= 1  # amounts printed before the block's first label
    end = start
    while end < len(items):
        cells = items[end][1]
        # a group head of the first column ('项目资金总额', '其中：财政资金') belongs to the block too
        group = len(cells) == 1 and len(cells[0]) <= 12 and any(w in cells[0] for w in ("资金", "拨款", "总额"))
        if not (
            group
            or _only(cells, "funds")
            or _numbers(cells)
            or cells[0].startswith("项目资金")
            or all(label_kind(c) in ("fundshead", "funds") for c in cells)
        ):
            break
        end += 1
    return start, end


def _in_order(items: list[tuple[list[int], list[str]]]) -> list[tuple[list[int], list[str]]] | None:
    """Funds labels and amount lines in one block, as many of each: each label takes the
    amounts of its rank (pdftotext keeps the order of rows, not where a row's cells went)."""
    start, end = _funds_block(items)
    block = items[start:end]
    labels = [n for n, (_, c) in enumerate(block) if _only(c, "funds")]
    # '其他资金' twice in a row: a group head in the first column, then the row's own label
    labels = [n for k, n in enumerate(labels) if not (k + 1 < len(labels) and labels[k + 1] == n + 1
                                                       and block[n][1] == block[n + 1][1])]  # fmt: skip
    amounts = [n for n, (_, c) in enumerate(block) if _numbers(c)]
    if not labels:
        return None
    if len(amounts) == len(labels):
        pairs = [(block[a][0], block[b][1]) for a, b in zip(labels, amounts)]
        by_label = {
            a: (nos + block[b][0], [*block[a][1], *cells]) for (a, b), (nos, cells) in zip(zip(labels, amounts), pairs)
        }
    else:
        tokens = [(block[b][0], c) for b in amounts for c in block[b][1]]
        if len(tokens) != len(labels):
            return None  # the counts do not tell: leave it to the neighbours
        by_label = {a: ([*block[a][0], *nos], [*block[a][1], c]) for a, (nos, c) in zip(labels, tokens)}
    rebuilt = [by_label.get(n, item) for n, item in enumerate(block) if n not in amounts]
    return [*items[:start], *rebuilt, *items[end:]]


def _funds_numbers(items: list[tuple[list[int], list[str]]]) -> list[tuple[list[int], list[str]]]:
    ordered = _in_order(items)
    if ordered is not None:
        return ordered
    return _neighbours(items)


def _neighbours(items: list[tuple[list[int], list[str]]]) -> list[tuple[list[int], list[str]]]:
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
