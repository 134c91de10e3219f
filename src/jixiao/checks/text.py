"""Small pure helpers the checks share: comparison keys, number formats, evidence lines."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from rapidfuzz.distance import Indel

from ..models import Form, Indicator, Value
from ..textnorm import clean

_NON_WORD = re.compile(r"[\W_]+")
OP_SIGN = {"=": "=", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}


@lru_cache(maxsize=1 << 18)  # names and boilerplate texts repeat across thousands of forms
def norm(s: str | None) -> str:
    """A text for similarity: markup, whitespace and punctuation gone, Latin lower-cased.

    '1、2024 年度聘请…' and '1.2024年度聘请…' compare equal; what is left is the wording.
    """
    return _NON_WORD.sub("", clean(s) or "").lower()


# An indicator or project name as a key (punctuation-blind): ``norm`` itself, called directly
# (it runs ~100 times per form; a wrapper frame cost more than the cached lookup).
name_key = norm


def num(x: float | None) -> str:
    """2.7 -> '2.7', 3.0 -> '3', 99.80000001 -> '99.8'."""
    if x is None:
        return "—"
    return f"{round(x, 4):g}" if abs(x) < 1e15 else f"{x:.0f}"


def money(x: float | None) -> str:
    """Yuan with thousands separators: 46800 -> '46,800', 3307.5 -> '3,307.5'."""
    if x is None:
        return "—"
    if abs(x - round(x)) < 0.005:
        return f"{round(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def pct(x: float) -> str:
    """A similarity: '100%' only when it is 100; 99.96 is '99.9%', 97.4 is '97%'."""
    if x >= 100:
        return "100%"
    if x >= 99:
        return f"{math.floor(x * 10) / 10:.1f}%"
    return f"{math.floor(x)}%"


def value_text(v: Value | None) -> str:
    """A value as printed (the raw cell), or '（空）'."""
    if v is None:
        return "（空）"
    return v.raw


def value_short(v: Value | None) -> str:
    """A parsed value, short: '≥95%', '=800元/件', '达成指标'."""
    if v is None:
        return "（空）"
    if v.value is None:
        return v.text or v.raw
    return f"{OP_SIGN.get(v.op or '', '')}{num(v.value)}{v.unit or ''}"


def row_lines(ind: Indicator) -> list[int]:
    return list(ind.lines) or [ind.line]


def row_evidence(ind: Indicator, kind: str) -> str:
    """One indicator row as the reviewer would read it in the form."""
    parts = [f"第{ind.line}行｜{ind.name}", f"指标值 {value_text(ind.target)}"]
    if kind == "self_evaluation":
        parts.append(f"实际完成值 {value_text(ind.actual)}")
        parts.append(f"分值 {num(ind.weight)}")
        parts.append(f"得分 {num(ind.score)}")
        if ind.deviation:
            parts.append(f"偏差原因 {snippet(ind.deviation, 40)}")
    return "｜".join(parts)


def snippet(s: str | None, limit: int = 60) -> str:
    s = clean(s) or ""
    return s if len(s) <= limit else s[: limit - 1] + "…"


def field_lines(form: Form, *fields: str) -> list[int]:
    out: list[int] = []
    for f in fields:
        out.extend(form.field_lines.get(f, []))
    return out


def field_evidence(form: Form, field: str, label: str, text: str | None, limit: int = 80) -> str:
    lines = form.field_lines.get(field)
    where = f"第{lines[0]}行｜" if lines else ""
    return f"{where}{label}：{snippet(text, limit)}"


def differences(a: str, b: str, limit: int = 3, width: int = 24) -> tuple[list[str], list[str]]:
    """What only ``a`` has and what only ``b`` has (a few segments each, shortened)."""
    only_a: list[str] = []
    only_b: list[str] = []
    for op in Indel.opcodes(a, b):
        if op.tag in ("delete", "replace") and len(only_a) < limit:
            only_a.append(_short(a[op.src_start : op.src_end], width))
        if op.tag in ("insert", "replace") and len(only_b) < limit:
            only_b.append(_short(b[op.dest_start : op.dest_end], width))
    return only_a, only_b


def _short(s: str, width: int) -> str:
    return s if len(s) <= width else s[: width - 1] + "…"


def listing(items: list[str], limit: int = 5, sep: str = "；") -> str:
    """'a；b；c' or 'a；b；c 等 7 项'."""
    if len(items) <= limit:
        return sep.join(items)
    return sep.join(items[:limit]) + f" 等 {len(items)} 项"
