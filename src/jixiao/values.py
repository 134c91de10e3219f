"""Parse one target / actual cell into a Value (op, number, unit, wording).

``=800.00(元/件)`` -> op '=', 800.0, '元/件'; ``$\\geq 90.00\\%$`` -> '>=', 90.0, '%';
``达成指标`` -> text.  ``raw`` always keeps the cell as printed.  Never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .models import Value
from .textnorm import clean, delatex, despace, fold_all, key, key_longer_than, strip_tags

_OPS: list[tuple[str, str]] = [
    (">=", ">="),
    ("=>", ">="),
    ("≥", ">="),
    ("<=", "<="),
    ("=<", "<="),
    ("≤", "<="),
    ("==", "="),
    ("=", "="),
    (">", ">"),
    ("<", "<"),
    ("大于等于", ">="),
    ("大于或等于", ">="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("至少", ">="),
    ("小于等于", "<="),
    ("小于或等于", "<="),
    ("不高于", "<="),
    ("不超过", "<="),
    ("不多于", "<="),
    ("不大于", "<="),
    ("至多", "<="),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("等于", "="),
]
_OPS.sort(key=lambda p: -len(p[0]))  # longest first: '>=' before '>'
_OP_RE = "|".join(re.escape(o) for o, _ in _OPS)
_OP_MAP = dict(_OPS)
_VALUE = re.compile(rf"^(?P<op>{_OP_RE})?(?P<num>[-+]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)(?P<rest>.*)$")
_APPROX = ("左右", "约", "大约", "上下", "前后", "范围")
_SUFFIX_OP = {"以上": ">=", "及以上": ">=", "以下": "<=", "及以下": "<=", "以内": "<="}
_APPROX_RE = re.compile("|".join(_APPROX))
_SUFFIXES = tuple(_SUFFIX_OP)
_DIGIT = re.compile(r"\d")
_UNIT_ALIASES = {"百分比": "%", "百分之": "%", "%%": "%", "percent": "%"}
_MAX_UNIT = 12


def normalise_unit(unit: str | None) -> str | None:
    if not unit:
        return None
    u = unit.strip()
    if u[:1] in "([" and u[-1:] in ")]" and u.count("(") + u.count("[") == 1:
        u = u[1:-1].strip()  # '(个)' -> '个'; '台(套)' stays
    elif u[:1] in "([" and not any(c in u for c in ")]"):
        u = u[1:].strip()
    u = _UNIT_ALIASES.get(u, u)
    return u or None


@lru_cache(maxsize=1 << 17)
def parse_value(raw: str | None) -> Value | None:
    """A Value for a cell, or None when the cell is empty or a placeholder ('-', '/').

    Cached: Value is frozen, so one parsed instance is shared by every cell that reads the
    same ('≥95%', '=100%' recur in every form)."""
    if raw is None:
        return None
    return _value(raw.strip())


def _value(raw: str) -> Value | None:
    parsed = _parse(raw)
    if parsed is None:
        return None
    op, number, unit, text = parsed
    # only the parts found: pydantic validates every keyword given, None included
    fields: dict[str, str | float] = {"raw": raw}
    if op is not None:
        fields["op"] = op
    if number is not None:
        fields["value"] = number
    if unit is not None:
        fields["unit"] = unit
    if text is not None:
        fields["text"] = text
    return Value(**fields)


def _parse(raw: str) -> tuple[str | None, float | None, str | None, str | None] | None:
    if not raw or raw in {"-", "—", "/", "--", "——", "无"}:
        return None
    s = despace(fold_all(delatex(strip_tags(raw))))
    if not s:
        return None
    m = _VALUE.match(s)
    if m and not _APPROX_RE.search(s):
        op = _OP_MAP[m.group("op")] if m.group("op") else None
        rest = m.group("rest")
        if op is None and rest.endswith(_SUFFIXES):
            for suffix, sop in _SUFFIX_OP.items():
                if rest.endswith(suffix):
                    op, rest = sop, rest[: -len(suffix)]
                    break
        unit = normalise_unit(_unit_text(rest))
        if unit is None or (len(unit) <= _MAX_UNIT and not _DIGIT.search(unit)):
            try:
                number = float(m.group("num").replace(",", ""))
            except ValueError:  # pragma: no cover - the regex admits only numbers
                number = None
            if number is not None:
                return op, number, unit, None
    return None, None, None, clean(raw)


def _unit_text(rest: str) -> str:
    rest = rest.strip()
    if rest.startswith("("):
        close = rest.find(")")
        return rest[1:close] if close >= 0 else rest[1:]
    return rest


@lru_cache(maxsize=1 << 15)
def is_bare_number(cell: str) -> bool:
    """A weight or score cell: a number and nothing else."""
    return bool(_BARE.match(fold_all(cell).strip()))


@lru_cache(maxsize=1 << 15)
def to_number(cell: str | None) -> float | None:
    """A plain number ('2,586,000.00', '99.80'), or None."""
    if cell is None:
        return None
    s = despace(fold_all(cell))
    if not _BARE.match(s):
        return None
    try:
        return float(s.replace(",", ""))
    except ValueError:
        return None


_BARE = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def is_value_cell(cell: str) -> bool:
    """A cell that reads as a quantitative value (with or without an operator)."""
    v = parse_value(cell)
    return v is not None and v.value is not None


# The official result wordings of 实际完成值 (they stand where a value stands).
RESULT_WORDS = frozenset(
    {
        "达成指标", "达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差",
        "已完成", "未完成", "达成", "部分达成", "未达成",
    }
)  # fmt: skip
_ANY_DIGIT = re.compile(r"[0-9\uff10-\uff19]")  # ASCII or full-width
_WORD_LIMIT = 40  # longer than any word set passed below, with room for spaces and markup


@lru_cache(maxsize=1 << 15)
def is_valueish(cell: str, words: frozenset[str] = RESULT_WORDS) -> bool:
    """A value, a weight or score, or one of ``words`` (by default the result wordings)."""
    if _ANY_DIGIT.search(cell) is None:  # no digit, no number to parse (most names)
        return not key_longer_than(cell, _WORD_LIMIT) and key(cell) in words
    return is_bare_number(cell) or is_value_cell(cell) or key(cell) in words


def unbalanced(raw: str | None) -> bool:
    """A value cut by a page break: '=956.00(元/' whose ')' comes on a later line."""
    if not raw or ("(" not in raw and "（" not in raw):
        return False
    # both widths counted as they stand: what fold_all would make of them, without folding
    return raw.count("(") + raw.count("（") > raw.count(")") + raw.count("）")
