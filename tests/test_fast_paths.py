"""The extractor's speed shortcuts give the same answers as the plain code they skip.

Each shortcut (a cheap test before an expensive normalisation) is checked against the
slow reference on arbitrary text, with characters weighted towards what the shortcuts
look at: whitespace of every kind, tabs, markup, full-width signs and the label characters.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEEDS
from jixiao import framework as fw
from jixiao.rules.blocks import funds_row_label, header_label, totals
from jixiao.rules.segment import Line
from jixiao.rules.table import classify
from jixiao.textnorm import key, key_longer_than, split_cells

TRICKY = list(" \t\u3000\u00a0\u200b\ufeff\r<>&$\\|-=_第页（）：１２%≥") + list(
    "项目名称总分合计评分等级指标满意度效益可持续影响"
)
SEED_CELLS = sorted(
    {c for p in SEEDS for line in p.read_text(encoding="utf-8").split("\n") for c in line.split("\t") if c}
)
cells = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=24) | st.sampled_from(SEED_CELLS)

_RULE = re.compile(r"^[\s|:+\-=—_]*$")
_FURNITURE = re.compile(
    r"^\s*(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|-\s*\d+\s*-|page\s*\d+(?:\s*of\s*\d+)?|\d+\s*/\s*\d+)\s*$",
    re.IGNORECASE,
)


def split_cells_reference(line: str) -> list[str] | None:
    """split_cells as first written, before its fast paths."""
    if not line.strip():
        return None
    stripped = line.strip()
    if _RULE.match(stripped) and ("-" in stripped or "=" in stripped or "_" in stripped):
        return None
    if _FURNITURE.match(stripped):
        return None
    if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
        cells = [c.strip() for c in stripped[1:-1].split("|")]
    else:
        cells = [c.strip() for c in line.rstrip("\r\n").split("\t")]
    if not any(cells):
        return None
    return cells


@settings(max_examples=400, deadline=None)
@given(
    st.lists(cells, max_size=8).map("\t".join)
    | st.text(alphabet=st.sampled_from(TRICKY + list("0123456789Pp/ ")), max_size=30)
)
def test_split_cells_equals_reference(line: str) -> None:
    assert split_cells(line) == split_cells_reference(line)


@settings(max_examples=400, deadline=None)
@given(cells, st.integers(min_value=0, max_value=20))
def test_key_longer_than_never_lies(cell: str, n: int) -> None:
    if key_longer_than(cell, n):
        assert len(key(cell)) > n


def classify_reference(cell: str) -> tuple[str, str] | None:
    k = key(cell)
    if not k:
        return None
    if k in fw.BLOCK_LABELS:
        return ("block", k)
    if fw.standard_name(k):
        return ("full", k)
    if [n for n in fw.STANDARD if n.startswith(k) and n != k and len(k) >= 2]:
        return ("prefix", k)
    if fw.looks_like_category(k):
        return ("unknown", k)
    return None


@settings(max_examples=400, deadline=None)
@given(cells)
def test_classify_equals_reference(cell: str) -> None:
    got = classify(cell)
    assert (None if got is None else (got.kind, got.text)) == classify_reference(cell)


def test_prefix_table_equals_scan() -> None:
    for name in fw.STANDARD:
        for i in range(len(name) + 1):
            frag = name[:i]
            scan = tuple(sorted(n for n in fw.STANDARD if n.startswith(frag) and n != frag)) if i >= 2 else ()
            assert fw.prefix_of(frag) == scan


@settings(max_examples=300, deadline=None)
@given(st.lists(cells, min_size=1, max_size=6))
def test_label_hints_do_not_hide_labels(row: list[str]) -> None:
    """A row whose cells hold a header label, a totals label or a funds label is still seen as
    one: the per-line hints only ever skip rows without any."""
    from jixiao.rules.blocks import FundsReader, read_header

    line = Line(1, row)
    out: dict[str, str] = {}
    if any(header_label(c) for c in line.values):
        assert read_header(line, out, {})
    if any(funds_row_label(c) for c in line.values):
        assert FundsReader().feed(line)
    k0 = key(line.values[0]) if line.values else ""
    if k0.startswith(("总分", "评分等级", "评价等级")) or k0 in {"合计", "总计", "等级"}:
        assert totals(line) is not None
