"""pdftotext without -layout: label blocks, then value blocks; a funds row's numbers before
its label; merged category labels printed at the middle of their rows.

Read line by line (cells parted by single spaces, as OCR text), then put back what the
order broke: a run of header labels takes the run of values after it, a funds label with
no numbers after it takes the numbers before it, and a line of category labels alone gives
its categories to the rows nearest to it.
"""

from __future__ import annotations

from .spaces import split_line
from .vocab import label_kind

Row = tuple[int, list[str], tuple[int, ...] | None]


def pdf_lines(raw: list[str], a: int, b: int) -> list[Row]:
    rows: list[Row] = []
    for i in range(a, b):
        s = raw[i].strip()
        if not s:
            continue
        rows.append((i + 1, [sp.text for sp in split_line(s, everywhere=True)], None))
    return rows
