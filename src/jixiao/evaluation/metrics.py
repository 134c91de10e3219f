"""Extraction metrics: predicted forms against gold forms, with a list of the errors.

Forms are paired by kind + project name (then by a fuzzy name, then by overlapping lines,
so a garbled name still pairs); indicator rows are paired inside a form pair on level-1 +
name, whitespace-insensitive, as ../shared/tools/seedcheck.py does. Counts are kept raw so
several fixtures add up (micro-averages).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from ..models import Form, Funds, Indicator, Value
from ..prf import PRF

_WS = re.compile(r"\s+")

HEADER_FIELDS = (
    "kind",
    "year",
    "project_name",
    "department",
    "implementing_unit",
    "project_nature",
    "project_category",
    "start_date",
    "end_date",
)
FUNDS_FIELDS = tuple(Funds.model_fields)
GOAL_FIELDS = ("expected", "actual", "overall")
VALUE_PARTS = ("op", "value", "unit", "text")


def norm(s: str | None) -> str:
    """Whitespace-insensitive text key (names are compared as written otherwise)."""
    return _WS.sub("", s or "")


def same_number(a: float | None, b: float | None, tol: float = 0.005) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, abs_tol=tol, rel_tol=1e-9)


def same_value(a: Value | None, b: Value | None) -> bool:
    """op, value, unit and text all equal (raw is not compared: it keeps the print)."""
    return all(value_part_equal(a, b, p) for p in VALUE_PARTS)


def value_part_equal(a: Value | None, b: Value | None, part: str) -> bool:
    x = getattr(a, part) if a is not None else None
    y = getattr(b, part) if b is not None else None
    if part == "value":
        return same_number(x, y)
    return norm(x) == norm(y) if (x is not None and y is not None) else x is y


# ---- counters ----------------------------------------------------------------------------


@dataclass
class Acc:
    correct: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def hit(self, ok: bool) -> None:
        self.total += 1
        self.correct += int(ok)

    def add(self, other: Acc) -> None:
        self.correct += other.correct
        self.total += other.total

    def as_dict(self) -> dict[str, float | int]:
        return {"accuracy": round(self.rate, 4), "correct": self.correct, "total": self.total}


@dataclass
class Error:
    """One difference between gold and prediction, for the diff listing."""

    severity: int  # 3 form missing/extra, 2 row missing/extra, 1 a wrong value
    what: str  # 'form missing', 'row extra', 'target', 'funds.fiscal', …
    form: str  # gold (or predicted) form label
    line: int  # the gold line (or the predicted one for extras)
    gold: str
    got: str
    source: str = ""  # file name, filled in by the harness
    text: str = ""  # the source line, filled in by the harness
    got_line: int | None = None


ACC_KEYS = (
    "header",
    "funds",
    "goal",
    "totals",
    "form_lines",
    "level2",
    "target",
    "actual",
    "weight",
    "score",
    "deviation",
    "row_line",
    *(f"target.{p}" for p in VALUE_PARTS),
    *(f"actual.{p}" for p in VALUE_PARTS),
)


@dataclass
class ExtractionScore:
    forms: PRF = field(default_factory=PRF)
    rows: PRF = field(default_factory=PRF)
    rows_fuzzy: PRF = field(default_factory=PRF)
    acc: dict[str, Acc] = field(default_factory=lambda: {k: Acc() for k in ACC_KEYS})
    fields: dict[str, Acc] = field(default_factory=dict)  # per field, e.g. 'funds.fiscal'
    errors: list[Error] = field(default_factory=list)

    def add(self, other: ExtractionScore) -> None:
        self.forms.add(other.forms)
        self.rows.add(other.rows)
        self.rows_fuzzy.add(other.rows_fuzzy)
        for k, a in other.acc.items():
            self.acc.setdefault(k, Acc()).add(a)
        for k, a in other.fields.items():
            self.fields.setdefault(k, Acc()).add(a)
        self.errors.extend(other.errors)

    def field_hit(self, group: str, name: str, ok: bool) -> None:
        self.acc[group].hit(ok)
        self.fields.setdefault(f"{group}.{name}", Acc()).hit(ok)

    def summary(self) -> dict[str, float]:
        """The flat metric names used by the report and the committed baseline."""
        out = {
            "forms.precision": self.forms.precision,
            "forms.recall": self.forms.recall,
            "indicators.precision": self.rows.precision,
            "indicators.recall": self.rows.recall,
            "indicators.f1": self.rows.f1,
            "indicators.f1_fuzzy": self.rows_fuzzy.f1,
        }
        for k in ACC_KEYS:
            if "." not in k:
                out[f"{k}.accuracy"] = self.acc[k].rate
        return {k: round(v, 4) for k, v in out.items()}


# ---- pairing -----------------------------------------------------------------------------


def _overlap(a: list[int], b: list[int]) -> int:
    if len(a) < 2 or len(b) < 2:
        return 0
    return max(0, min(a[-1], b[-1]) - max(a[0], b[0]) + 1)


def pair_forms(gold: list[Form], pred: list[Form]) -> list[tuple[int, int]]:
    """(gold index, predicted index) pairs."""
    pairs: list[tuple[int, int]] = []
    free = set(range(len(pred)))
    todo = list(range(len(gold)))
    # 1. same kind and name, nearest first line
    rest: list[int] = []
    index: dict[tuple[str, str], list[int]] = {}
    for pi, p in enumerate(pred):
        index.setdefault((p.kind, norm(p.project_name)), []).append(pi)
    for gi in todo:
        g = gold[gi]
        cands = [pi for pi in index.get((g.kind, norm(g.project_name)), []) if pi in free]
        if cands:
            pi = min(cands, key=lambda p: abs(pred[p].first_line - g.first_line))
            pairs.append((gi, pi))
            free.discard(pi)
        else:
            rest.append(gi)
    # 2. fuzzy name (an OCR-garbled name still pairs)
    rest2: list[int] = []
    for gi in rest:
        g = gold[gi]
        best, best_score = None, 0.0
        for pi in free:
            if pred[pi].kind != g.kind:
                continue
            s = fuzz.ratio(norm(g.project_name), norm(pred[pi].project_name))
            if s > best_score:
                best, best_score = pi, s
        if best is not None and best_score >= 70:
            pairs.append((gi, best))
            free.discard(best)
        else:
            rest2.append(gi)
    # 3. overlapping lines (a form whose name was not read at all)
    for gi in rest2:
        g = gold[gi]
        cands = [(pi, _overlap(g.lines, pred[pi].lines)) for pi in free if pred[pi].kind == g.kind]
        cands = [c for c in cands if c[1] > 0]
        if cands:
            pi = max(cands, key=lambda c: c[1])[0]
            span = max(1, g.lines[-1] - g.lines[0] + 1)
            if _overlap(g.lines, pred[pi].lines) * 2 >= span:
                pairs.append((gi, pi))
                free.discard(pi)
    return sorted(pairs)


def pair_rows(gold: list[Indicator], pred: list[Indicator]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Exact pairs (level-1 + name) and, among the rest, fuzzy pairs (same level-1, name ≥ 80)."""
    exact: list[tuple[int, int]] = []
    free = set(range(len(pred)))
    rest: list[int] = []
    index: dict[tuple[str, str], list[int]] = {}
    for pi, p in enumerate(pred):
        index.setdefault((norm(p.level1), norm(p.name)), []).append(pi)
    for gi, g in enumerate(gold):
        cands = [pi for pi in index.get((norm(g.level1), norm(g.name)), []) if pi in free]
        if cands:
            pi = min(cands, key=lambda p: abs(pred[p].line - g.line))
            exact.append((gi, pi))
            free.discard(pi)
        else:
            rest.append(gi)
    fuzzy: list[tuple[int, int]] = []
    for gi in rest:
        g = gold[gi]
        best, best_score = None, 0.0
        for pi in free:
            s = fuzz.ratio(norm(g.name), norm(pred[pi].name))
            if s > best_score:
                best, best_score = pi, s
        if best is not None and best_score >= 80:
            fuzzy.append((gi, best))
            free.discard(best)
    return exact, fuzzy


# ---- scoring -----------------------------------------------------------------------------


def _show(x: Any) -> str:
    if x is None:
        return "∅"
    if isinstance(x, Value):
        parts = [f"{p}={getattr(x, p)!r}" for p in VALUE_PARTS if getattr(x, p) is not None]
        return f"{x.raw!r} ({', '.join(parts) or 'empty'})"
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def score_forms(gold: list[Form], pred: list[Form]) -> ExtractionScore:
    sc = ExtractionScore()
    pairs = pair_forms(gold, pred)
    paired_g = {g for g, _ in pairs}
    paired_p = {p for _, p in pairs}
    sc.forms = PRF(tp=len(pairs), fp=len(pred) - len(pairs), fn=len(gold) - len(pairs))
    for gi, g in enumerate(gold):
        if gi in paired_g:
            continue
        sc.errors.append(Error(3, "form missing", g.label, g.first_line, f"{g.kind} {g.project_name}", "∅"))
        _score_unpaired_gold(sc, g)
    for pi, p in enumerate(pred):
        if pi not in paired_p:
            sc.errors.append(Error(3, "form extra", p.label, p.first_line, "∅", f"{p.kind} {p.project_name}"))
            sc.rows.fp += len(p.indicators)
            sc.rows_fuzzy.fp += len(p.indicators)
    for gi, pi in pairs:
        _score_pair(sc, gold[gi], pred[pi])
    return sc


def _score_unpaired_gold(sc: ExtractionScore, g: Form) -> None:
    """A form not found: every field and row of it counts as missed."""
    for f in HEADER_FIELDS:
        sc.field_hit("header", f, False)
    for f in FUNDS_FIELDS:
        if getattr(g.funds, f) is not None:
            sc.field_hit("funds", f, False)
    for f in GOAL_FIELDS:
        if getattr(g.goal, f) is not None:
            sc.field_hit("goal", f, False)
    sc.acc["form_lines"].hit(False)
    sc.rows.fn += len(g.indicators)
    sc.rows_fuzzy.fn += len(g.indicators)


def _score_pair(sc: ExtractionScore, g: Form, p: Form) -> None:
    label = g.label
    for f in HEADER_FIELDS:
        a, b = getattr(g, f), getattr(p, f)
        ok = norm(str(a)) == norm(str(b)) if (a is not None and b is not None) else a is b
        sc.field_hit("header", f, ok)
        if not ok:
            sc.errors.append(Error(1, f, label, g.field_lines.get(f, [g.first_line])[0], _show(a), _show(b)))
    for f in FUNDS_FIELDS:
        a, b = getattr(g.funds, f), getattr(p.funds, f)
        if a is None and b is None:
            continue
        ok = same_number(a, b)
        sc.field_hit("funds", f, ok)
        if not ok:
            line = p.field_lines.get(f"funds.{f}", [g.first_line])[0]
            sc.errors.append(Error(1, f"funds.{f}", label, line, _show(a), _show(b)))
    for f in GOAL_FIELDS:
        a, b = getattr(g.goal, f), getattr(p.goal, f)
        if a is None and b is None:
            continue
        ok = norm(a) == norm(b)
        sc.field_hit("goal", f, ok)
        if not ok:
            line = p.field_lines.get(f"goal.{f}", [g.first_line])[0]
            sc.errors.append(Error(1, f"goal.{f}", label, line, _clip(a), _clip(b)))
    for f in ("total_score", "grade"):
        a, b = getattr(g, f), getattr(p, f)
        if a is None and b is None:
            continue
        ok = same_number(a, b) if f == "total_score" else norm(a) == norm(b)
        sc.field_hit("totals", f, ok)
        if not ok:
            sc.errors.append(Error(1, f, label, g.lines[-1], _show(a), _show(b)))
    ok = list(g.lines) == list(p.lines)
    sc.acc["form_lines"].hit(ok)
    if not ok:
        sc.errors.append(Error(1, "form lines", label, g.first_line, str(g.lines), str(p.lines)))
    _score_rows(sc, g, p)


def _clip(s: str | None, n: int = 40) -> str:
    if s is None:
        return "∅"
    s = norm(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def _score_rows(sc: ExtractionScore, g: Form, p: Form) -> None:
    exact, fuzzy = pair_rows(g.indicators, p.indicators)
    n_exact, n_all = len(exact), len(exact) + len(fuzzy)
    sc.rows.add(PRF(n_exact, len(p.indicators) - n_exact, len(g.indicators) - n_exact))
    sc.rows_fuzzy.add(PRF(n_all, len(p.indicators) - n_all, len(g.indicators) - n_all))
    got_g = {gi for gi, _ in exact}
    got_p = {pi for _, pi in exact}
    for gi, gr in enumerate(g.indicators):
        if gi not in got_g:
            sc.errors.append(Error(2, "row missing", g.label, gr.line, f"{gr.level1} / {gr.name}", "∅"))
    for pi, pr in enumerate(p.indicators):
        if pi not in got_p:
            sc.errors.append(Error(2, "row extra", g.label, pr.line, "∅", f"{pr.level1} / {pr.name}", got_line=pr.line))
    for gi, pi in exact:
        _score_row(sc, g.label, g.indicators[gi], p.indicators[pi])


def _score_row(sc: ExtractionScore, label: str, g: Indicator, p: Indicator) -> None:
    def miss(what: str, a: Any, b: Any) -> None:
        sc.errors.append(Error(1, what, label, g.line, _show(a), _show(b), got_line=p.line))

    ok = norm(g.level2) == norm(p.level2)
    sc.acc["level2"].hit(ok)
    if not ok:
        miss(f"level2 of {g.name}", g.level2, p.level2)
    for slot in ("target", "actual"):
        a, b = getattr(g, slot), getattr(p, slot)
        if a is None and b is None:
            continue
        ok = same_value(a, b)
        sc.acc[slot].hit(ok)
        for part in VALUE_PARTS:
            sc.acc[f"{slot}.{part}"].hit(value_part_equal(a, b, part))
        if not ok:
            miss(f"{slot} of {g.name}", a, b)
    for slot in ("weight", "score"):
        a, b = getattr(g, slot), getattr(p, slot)
        if a is None and b is None:
            continue
        ok = same_number(a, b)
        sc.acc[slot].hit(ok)
        if not ok:
            miss(f"{slot} of {g.name}", a, b)
    if g.deviation is not None or p.deviation is not None:
        ok = norm(g.deviation) == norm(p.deviation)
        sc.acc["deviation"].hit(ok)
        if not ok:
            miss(f"deviation of {g.name}", _clip(g.deviation), _clip(p.deviation))
    ok = g.line == p.line
    sc.acc["row_line"].hit(ok)
    if not ok:
        miss(f"line of {g.name}", g.line, p.line)


def total(scores: Iterable[ExtractionScore]) -> ExtractionScore:
    out = ExtractionScore()
    for s in scores:
        out.add(s)
    return out


def worst(errors: list[Error], n: int = 20) -> list[Error]:
    """The errors a developer should look at first: lost forms, lost rows, then values."""
    return sorted(errors, key=lambda e: (-e.severity, e.source, e.line))[:n]
