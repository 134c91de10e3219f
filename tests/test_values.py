"""The value parser: the contract's examples, then properties over arbitrary input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.values import parse_value

CASES = [
    ("=800.00(元/件)", "=", 800.0, "元/件", None),
    ("800.00(元/件)", None, 800.0, "元/件", None),
    ("≥95%", ">=", 95.0, "%", None),
    ("=100.00(百分比)", "=", 100.0, "%", None),
    ("$\\geq 90.00\\%$", ">=", 90.0, "%", None),
    ("≤4.00(万元)", "<=", 4.0, "万元", None),
    (">90.00(%)", ">", 90.0, "%", None),
    ("=100(%)", "=", 100.0, "%", None),
    ("＝１００％", "=", 100.0, "%", None),  # full-width
    ("≥40000.00(张)", ">=", 40000.0, "张", None),
    ("2,586,000.00", None, 2586000.0, None, None),
    ("不低于90%", ">=", 90.0, "%", None),
    ("2250件以上", ">=", 2250.0, "件", None),
    ("达成指标", None, None, None, "达成指标"),
    ("及时性", None, None, None, "及时性"),
    ("15万元左右", None, None, None, "15万元左右"),  # DOMAIN.md: not a value
    ("<p>提高</p>", None, None, None, "提高"),
]


@pytest.mark.parametrize(("raw", "op", "value", "unit", "text"), CASES)
def test_contract_examples(raw: str, op: str | None, value: float | None, unit: str | None, text: str | None) -> None:
    v = parse_value(raw)
    assert v is not None
    assert (v.op, v.value, v.unit, v.text) == (op, value, unit, text)
    assert v.raw == raw  # raw keeps the source text


@pytest.mark.parametrize("raw", ["", "  ", "-", "—", "/", None])
def test_placeholders_are_no_value(raw: str | None) -> None:
    assert parse_value(raw) is None


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_never_raises(raw: str) -> None:
    v = parse_value(raw)
    if v is not None:
        assert v.raw == raw.strip()
        assert v.value is not None or v.text is not None


OPS = {"=": "=", "≥": ">=", "≤": "<=", ">": ">", "<": "<", ">=": ">=", "<=": "<="}
UNITS = ["%", "元", "元/件", "人次", "家", "万元", "个", "天"]


@settings(max_examples=300, deadline=None)
@given(
    op=st.sampled_from(sorted(OPS)),
    number=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(UNITS),
    bracket=st.booleans(),
)
def test_round_trip_against_reference(op: str, number: object, unit: str, bracket: bool) -> None:
    """A value written the way forms write it parses back to what was written."""
    raw = f"{op}{number}({unit})" if bracket else f"{op}{number}{unit}"
    v = parse_value(raw)
    assert v is not None
    assert v.op == OPS[op]
    assert v.value == pytest.approx(float(str(number)))
    assert v.unit == unit
