"""Grounding: every name and value the model returns must be found in the form's source lines.

Comparison goes through the rules engine's normalisation (``textnorm.key``: markup, LaTeX,
full-width digits and whitespace gone), so ``$\\geq 90\\%$`` in the source grounds ``≥90%``.
A text is found when it occurs inside one line, inside a few consecutive lines joined, or as
a chain of cell fragments across up to a few consecutive lines (a name cut by a page break:
``服务对象满意度指`` + ``标``): the chain must follow cell boundaries, so two unrelated cells
of a form cannot be glued into a name nobody wrote. Numbers are compared as numbers.

Indicator values are looked for on the indicator's own row (its line up to the next
indicator's), so a hallucinated ``100`` is not excused by a ``100.00`` elsewhere in the form.
What is not found is listed as ``'field path: value'`` (``indicators[3].target: ≥99%``), the
form's ``unsupported`` list, which the checks turn into ``unsupported-value`` findings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import framework
from ..models import AMOUNT_FIELDS, Funds
from ..textnorm import delatex, fold, key, split_cells, strip_tags
from ..values import parse_value, to_number
from .schema import FormOut, IndicatorOut

_NUMBER = re.compile(r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_ROW_MAX = 4  # content lines one indicator row may span
_MAX_FRAGMENTS = 4
_AFTER_TABLE = {"总分", "合计", "总计", "评分等级", "等级"}


def numbers_in(text: str) -> list[float]:
    s = delatex(strip_tags(fold(text)))
    return [float(m.group(0).replace(",", "")) for m in _NUMBER.finditer(s)]


def same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


@dataclass
class Evidence:
    """A form's source lines, prepared for look-ups. ``order`` lists content line numbers."""

    order: list[int]
    keys: dict[int, str]
    cells: dict[int, list[str]]
    numbers: dict[int, list[float]]  # every number written on the line
    bare: dict[int, list[float]]  # cells that hold a number and nothing else (分值, 得分, amounts)

    @classmethod
    def build(cls, lines: Sequence[tuple[int, str]], ignore: set[int] | None = None) -> Evidence:
        ignore = ignore or set()
        order: list[int] = []
        keys: dict[int, str] = {}
        cells: dict[int, list[str]] = {}
        numbers: dict[int, list[float]] = {}
        bare: dict[int, list[float]] = {}
        for no, text in lines:
            if no in ignore:
                continue
            split = split_cells(text)
            if split is None:
                continue
            order.append(no)
            cells[no] = [k for k in (key(c) for c in split) if k]
            keys[no] = "".join(cells[no])
            numbers[no] = numbers_in(text)
            bare[no] = [n for n in (to_number(c) for c in split) if n is not None]
        return cls(order, keys, cells, numbers, bare)

    def _scope(self, scope: Sequence[int] | None) -> list[int]:
        if scope is None:
            return self.order
        wanted = set(scope)
        return [n for n in self.order if n in wanted]

    def find_text(
        self, text: str | None, scope: Sequence[int] | None = None, *, near: int | None = None, window: int = 3
    ) -> list[int] | None:
        """The lines where ``text`` is written (nearest to ``near`` first), or None."""
        k = key(text)
        if not k:
            return []
        nos = self._scope(scope)
        ranked = sorted(range(len(nos)), key=lambda i: abs(nos[i] - near)) if near is not None else range(len(nos))
        for i in ranked:
            if k in self.keys[nos[i]]:
                return [nos[i]]
        for i in ranked:
            joined = ""
            for j in range(i, min(i + window, len(nos))):
                joined += self.keys[nos[j]]
                if j > i and k in joined:
                    return nos[i : j + 1]
        for i in ranked:
            hit = self._chain(k, nos[i : i + window])
            if hit:
                return hit
        return None

    def _chain(self, k: str, window: list[int]) -> list[int] | None:
        """``k`` as cell fragments in reading order: the end of one cell, then whole cells,
        then the start of one (cells in between may be skipped)."""
        cells = [(no, c) for no in window for c in self.cells[no]]

        def extend(pos: int, start: int, used: list[int], count: int) -> list[int] | None:
            rest = k[pos:]
            for j in range(start, len(cells)):
                no, c = cells[j]
                if c.startswith(rest):
                    return [*used, no]
                if count + 1 < _MAX_FRAGMENTS and rest.startswith(c):
                    found = extend(pos + len(c), j + 1, [*used, no], count + 1)
                    if found:
                        return found
            return None

        for i, (no, c) in enumerate(cells):
            for length in range(min(len(c), len(k) - 1), 0, -1):
                if k.startswith(c[-length:]):
                    found = extend(length, i + 1, [no], 1)
                    if found:
                        return sorted(set(found))
        return None

    def find_number(
        self, x: float | None, scope: Sequence[int] | None = None, *, cell: bool = False
    ) -> list[int] | None:
        """Lines with the number ``x``; with ``cell``, only as a cell of its own (a score is
        never the 100 of a '=100%' target)."""
        if x is None:
            return []
        source = self.bare if cell else self.numbers
        for no in self._scope(scope):
            if any(same_number(x, y) for y in source[no]):
                return [no]
        return None

    def find_date(self, iso: str | None, scope: Sequence[int] | None = None) -> list[int] | None:
        if not iso:
            return []
        y, m, d = (int(p) for p in iso.split("-"))
        pat = re.compile(rf"{y}\D{{1,2}}0?{m}\D{{1,2}}0?{d}(?!\d)")
        for no in self._scope(scope):
            if pat.search(self.keys[no]):
                return [no]
        return None

    def row(self, start: int, stop: int | None) -> list[int]:
        """Content lines from ``start`` up to (not including) ``stop``, at most _ROW_MAX."""
        out: list[int] = []
        for n in self.order:
            if n < start or (stop is not None and n >= stop) or len(out) == _ROW_MAX:
                continue
            if n > start and self.cells[n] and self.cells[n][0] in _AFTER_TABLE:
                break  # the 总分 line ends the last row
            out.append(n)
        return out or [start]


@dataclass
class Grounded:
    unsupported: list[str] = field(default_factory=list)
    field_lines: dict[str, list[int]] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)  # corrected start line per indicator
    rows: list[list[int]] = field(default_factory=list)  # source lines per indicator
    problems: list[str] = field(default_factory=list)
    # funds amounts found only in the other unit: the unit the model actually gave them in
    amount_units: dict[str, str] = field(default_factory=dict)


_FORM_TEXTS = ("project_name", "department", "implementing_unit", "project_nature", "project_category", "grade")


# Where a number is expected, for field_lines: the labelled line when it has the number,
# else any line of the form (layouts vary too much to insist on the label).
_LABELS: dict[str, tuple[str, ...]] = {
    "fiscal": ("财政拨款",),
    "carryover": ("结转",),
    "other": ("其他资金",),
    "requested_total": ("申请总额", "资金总额"),
    "initial_budget": ("资金总额",),
    "annual_budget": ("资金总额",),
    "executed": ("资金总额",),
    "execution_rate": ("资金总额",),
    "weight": ("资金总额",),
    "score": ("资金总额",),
}


def _labelled_number(ev: Evidence, value: float | None, labels: Sequence[str]) -> list[int] | None:
    labelled = [n for n in ev.order if any(lab in ev.keys[n] for lab in labels)]
    return (ev.find_number(value, labelled, cell=True) if labelled else None) or ev.find_number(value, cell=True)


def ground(out: FormOut, ev: Evidence) -> Grounded:
    """Check every extracted name and value of one form against its source lines."""
    g = Grounded()

    def note(path: str, value: object, hit: list[int] | None) -> None:
        if hit is None:
            g.unsupported.append(f"{path}: {value}")
        elif hit:
            g.field_lines[path] = hit

    for name in _FORM_TEXTS:
        note(name, getattr(out, name), ev.find_text(getattr(out, name)))
    if out.year is not None:
        note("year", out.year, ev.find_number(float(out.year)))
    for name in ("start_date", "end_date"):
        note(name, getattr(out, name), ev.find_date(getattr(out, name)))
    for name in ("expected", "actual", "overall"):
        note(f"goal.{name}", getattr(out.goal, name), ev.find_text(getattr(out.goal, name), window=8))
    for name in Funds.model_fields:
        value = getattr(out.funds, name)
        hit = _labelled_number(ev, value, _LABELS.get(name, ()))
        if hit is None and value and name in AMOUNT_FIELDS:
            # the model may give an amount in the other unit than the block prints (yuan for a
            # 万元 block, or the reverse): grounded all the same, and its unit remembered
            for factor, unit in ((1 / 10000, "元"), (10000.0, "万元")):
                hit = _labelled_number(ev, round(value * factor, 6), _LABELS.get(name, ()))
                if hit is not None:
                    g.amount_units[name] = unit
                    break
        note(f"funds.{name}", value, hit)
    for name in ("total_weight", "total_score"):
        note(name, getattr(out, name), _labelled_number(ev, getattr(out, name), ("总分", "合计")))

    located: list[int] = []
    name_hits: list[list[int]] = []
    for ind in out.indicators:
        hit = ev.find_text(ind.name, near=ind.line)
        if hit is None:
            hit = []
        elif hit and ind.line not in hit:
            g.problems.append(f"指标 {key(ind.name)!r} 的行号由 {ind.line} 更正为 {hit[0]}（按原文位置）")
        located.append(hit[0] if hit else ind.line)
        name_hits.append(hit)
    starts = sorted(set(located))
    g.lines = located
    for i, ind in enumerate(out.indicators):
        later = [s for s in starts if s > located[i]]
        row = sorted(set(ev.row(located[i], later[0] if later else None)) | set(name_hits[i]))
        g.rows.append(row)
        if not name_hits[i] and key(ind.name):
            g.unsupported.append(f"indicators[{i}].name: {ind.name}")
        _ground_row(g, i, ind, row, ev)
    return g


def _ground_row(g: Grounded, i: int, ind: IndicatorOut, row: list[int], ev: Evidence) -> None:
    path = f"indicators[{i}]"
    for name in ("level1", "level2"):
        value = getattr(ind, name)
        # standard category names are a closed vocabulary the model is told to normalise to
        if value and framework.standard_name(value) is None and ev.find_text(value) is None:
            g.unsupported.append(f"{path}.{name}: {value}")
    for name in ("target", "actual"):
        raw = getattr(ind, name)
        if not raw:
            continue
        parsed = parse_value(raw)
        found = ev.find_text(raw, row, window=_ROW_MAX)
        if found is not None and parsed is not None and parsed.value is not None:
            found = ev.find_number(parsed.value, row)
        if found is None:
            g.unsupported.append(f"{path}.{name}: {raw}")
    for name in ("weight", "score"):
        value = getattr(ind, name)
        if value is not None and ev.find_number(value, row, cell=True) is None:
            g.unsupported.append(f"{path}.{name}: {value:g}")
    if ind.deviation and ev.find_text(ind.deviation, row, window=_ROW_MAX) is None:
        g.unsupported.append(f"{path}.deviation: {ind.deviation}")
