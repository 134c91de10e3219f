"""run_checks never fails on odd but valid forms (what an LLM engine or a bad scan may give)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.checks import run_checks
from jixiao.models import Document, Form, Funds, Goal, Indicator, Value

TEXT = st.text(alphabet="医保满意度投诉率指标成本人数XX（）…2023年度0123456789.%元/次家 ", max_size=30)
NUMBER = st.none() | st.floats(min_value=0, max_value=1e9, allow_nan=False) | st.sampled_from([0.0, 100.0, 2.7, 3.0])
VALUE = st.none() | st.builds(
    Value,
    raw=TEXT,
    op=st.none() | st.sampled_from(["=", ">=", "<=", ">", "<"]),
    value=NUMBER,
    unit=st.none() | st.sampled_from(["%", "元", "万元", "元/人", "元/次", "人", "次", "家", "本", "万元/家"]),
    text=st.none() | TEXT,
)
LEVEL = st.none() | st.sampled_from(["产出指标", "数量指标", "成本指标", "经济成本指标", "双盲指标", "满意度指标", ""])


@st.composite
def indicators(draw: st.DrawFn, scored: bool) -> Indicator:
    weight = draw(st.none() | st.floats(min_value=0, max_value=100))
    return Indicator(
        level1=draw(LEVEL),
        level2=draw(LEVEL),
        name=draw(TEXT),
        target=draw(VALUE),
        actual=draw(VALUE) if scored else None,
        weight=weight,
        score=draw(st.none() | st.floats(min_value=0, max_value=100)) if scored else None,
        deviation=draw(st.none() | TEXT),
        line=draw(st.integers(0, 500)),
        level1_raw=draw(LEVEL),
        level2_raw=draw(LEVEL),
    )


@st.composite
def forms(draw: st.DrawFn) -> Form:
    kind = draw(st.sampled_from(["self_evaluation", "target_declaration"]))
    scored = kind == "self_evaluation"
    return Form(
        kind=kind,
        year=draw(st.none() | st.integers(2015, 2030)),
        project_name=draw(
            st.none() | st.sampled_from(["甲项目", "综合救助（医保补贴）", "综合救助（少儿）", ""]) | TEXT
        ),
        funds=Funds(
            **{
                k: draw(NUMBER)
                for k in (
                    "annual_budget",
                    "executed",
                    "requested_total",
                    "fiscal",
                    "carryover",
                    "other",
                    "execution_rate",
                    "weight",
                    "score",
                )
            }
        ),
        goal=Goal(expected=draw(st.none() | TEXT), actual=draw(st.none() | TEXT)),
        indicators=draw(st.lists(indicators(scored), max_size=8)),
        total_score=draw(NUMBER) if scored else None,
        grade=draw(st.none() | st.sampled_from(["优", "良", "中", "差", "合格", ""])) if scored else None,
        lines=[draw(st.integers(0, 10)), draw(st.integers(10, 900))],
        unsupported=draw(
            st.lists(
                st.sampled_from(["funds.executed: 1", "indicators[0].target: ≥9", "indicators[99].name: x", "garbage"]),
                max_size=2,
            )
        ),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(forms(), min_size=1, max_size=6))
def test_any_valid_forms_can_be_checked(fs: list[Form]) -> None:
    for f in run_checks([Document(source="x.txt", forms=fs)]):
        assert f.check and f.message and f.severity in ("info", "warning", "error")
