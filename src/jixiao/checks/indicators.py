"""What an indicator row means: reverse or positive, met or missed, achieved wording.

Pure helpers for the scoring and target checks; every judgement a check rests on is here,
in one place, so it can be argued with.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..models import Indicator, Value
from .text import name_key

# Wording of a result that claims the target was reached ('达成指标', '已完成', '达到').
_ACHIEVED = re.compile(r"达成|完成|达到|已达|实现|满足|符合|及时|到位")
# Wording that says only partly or not at all ('部分达成…', '未完成', '基本达成').
_NOT_FULLY = re.compile(r"未|没有|不|部分|基本|尚|差距|偏低|较差|滞后")

# Indicators where less is better: complaints, accidents, errors, costs, durations.
_REVERSE = re.compile(
    r"投诉|事故|差错|违规|违法|违纪|失误|逾期|超支|不合格|返工|漏报|漏检|误诊|伤亡|死亡|群体性事件|发生率|发生数|发生次数|缺陷|流失|退回|成本|费用|支出|单价|时长|用时|耗时|天数|等待时间"
)
# ... unless the name measures how well such things were handled ('投诉处理率').
_HANDLED = re.compile(r"处理|办结|响应|回复|解决|受理|处置|调处|化解|整改|查处|结案|满意|知晓|覆盖")
# Zero-target measures: a rate that should be 0 (投诉率 = 0%), never 100%.
_ZERO_KIND = re.compile(
    r"投诉率|事故率|差错率|违规率|违法率|失误率|发生率|不合格率|返工率|漏报率|漏检率|误诊率|死亡率|流失率|退回率"
)
# Rates that can legitimately exceed 100%: growth, change against a base.
_GROWTH = re.compile(r"增长|增幅|增速|提高|提升|同比|环比|比上年|比例增|涨幅|超额|倍")

MONEY_UNITS = frozenset({"元", "万元", "亿元", "千元"})
PERCENT_UNITS = frozenset({"%", "‰", "百分比", "百分点"})
# What a head count may be measured in ('人数' in 本 or % is a slip).
PERSON_UNITS = frozenset({"人", "人次", "名", "位", "万人", "万人次", "户", "例", "户次", "名次"})


def is_money_unit(unit: str | None) -> bool:
    if not unit:
        return False
    base = unit.split("/", 1)[0]
    return base in MONEY_UNITS


def is_cost(ind: Indicator) -> bool:
    """A cost row: under 成本指标 (either level), or measured in money."""
    l1, l2 = ind.level1 or "", ind.level2 or ""
    return l1 == "成本指标" or l2.endswith("成本指标") or is_money_unit(ind.target.unit if ind.target else None)


def is_reverse(ind: Indicator) -> bool:
    """Less is better: an upper-bound target, a cost, or a complaint/accident/duration measure."""
    t = ind.target
    if t is not None and t.op in ("<=", "<"):
        return True
    if is_cost(ind):
        return True
    return _reverse_name(ind.name)


# The name tests below are pure functions of a name; names repeat across thousands of forms.
_names_cache = lru_cache(maxsize=1 << 16)


@_names_cache
def _reverse_name(name: str) -> bool:
    return bool(_REVERSE.search(name)) and not _HANDLED.search(name)


@_names_cache
def is_zero_kind(name: str) -> bool:
    """A rate whose sensible target is 0: 投诉率, 事故率 (but not 投诉处理率)."""
    return bool(_ZERO_KIND.search(name)) and not _HANDLED.search(name)


@_names_cache
def is_rate(name: str) -> bool:
    """A 率 (a ratio, measured in %): the name ends in 率, possibly before a bracket."""
    k = name_key(name)
    return k.endswith("率") or bool(re.search(r"率[（(]", name))


@_names_cache
def is_growth(name: str) -> bool:
    return bool(_GROWTH.search(name))


@_names_cache
def is_head_count(name: str) -> bool:
    """A number of people: '…人数', '…人次' (not '…人数占比')."""
    k = name_key(name)
    return bool(re.search(r"人数$|人次$|人数量$", k))


@_names_cache
def is_count(name: str) -> bool:
    """A count of things: '…数量', '…次数', '…家数', '…人数', '…个数', '…件数'."""
    k = name_key(name)
    return bool(re.search(r"(?:数量|次数|家数|人数|个数|件数|户数|场次|场数|人次)$", k))


def says_achieved(v: Value | None) -> bool:
    """A result worded as fully reached ('达成指标', '已完成'), not '部分达成' or '未完成'."""
    if v is None or v.value is not None:
        return False
    t = v.text or v.raw
    return bool(_ACHIEVED.search(t)) and not _NOT_FULLY.search(t)


def says_not_achieved(v: Value | None) -> bool:
    """A result worded as missed or partial ('部分达成年度指标', '未达成')."""
    if v is None or v.value is not None:
        return False
    t = v.text or v.raw
    return bool(_NOT_FULLY.search(t)) and bool(_ACHIEVED.search(t) or "未" in t)


def comparable(target: Value | None, actual: Value | None) -> bool:
    """Both numbers, in the same unit (or one side without a unit)."""
    if target is None or actual is None or target.value is None or actual.value is None:
        return False
    tu, au = target.unit, actual.unit
    return tu == au or tu is None or au is None


def meets(ind: Indicator, rel_tol: float) -> bool | None:
    """Whether the actual value reaches the target; None when it cannot be told.

    ≥ / >: actual ≥ target; ≤ / <: actual ≤ target (strictness is not held against the
    form); = : at least the target, or at most it for a reverse indicator.
    """
    t, a = ind.target, ind.actual
    if not comparable(t, a):
        return None
    assert t is not None and a is not None and t.value is not None and a.value is not None
    tol = max(abs(t.value) * rel_tol, 1e-9)
    if t.op in (">=", ">"):
        return a.value >= t.value - tol
    if t.op in ("<=", "<"):
        return a.value <= t.value + tol
    if is_reverse(ind):
        return a.value <= t.value + tol
    return a.value >= t.value - tol


# One row's score against its weight: both printed to 2 decimals, so any real difference is
# ≥ 0.01 and only float noise is tolerated (score_tolerance is for sums of many rows).
ROW_EPS = 1e-6


def deducted(ind: Indicator) -> bool:
    return ind.weight is not None and ind.score is not None and ind.score < ind.weight - ROW_EPS


def full_marks(ind: Indicator) -> bool:
    return ind.weight is not None and ind.score is not None and ind.weight > 0 and ind.score >= ind.weight - ROW_EPS
