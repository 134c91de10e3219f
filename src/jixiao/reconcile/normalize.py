"""Comparison keys for project names, unit names, indicator names, units and targets.

The reconciler compares what two people wrote a year apart: 医保宣传与推广 vs 宣传与推广,
彩色宣传页发放数量 vs 宣传页发放人数, ≤4.00(万元) vs ≤40000(元). Everything here turns such
wording into keys that compare equal when the meaning is the same. The rules are generic
(filler words, measure suffixes, unit dimensions), never a list of fixture names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from ..models import Value
from ..textnorm import key

# Words that many project names carry without naming the project: 医保宣传与推广 is
# 宣传与推广, 编外人员工作经费 is 编外人员工作. Longest first, so 专项经费 goes before 经费.
PROJECT_FILLER: tuple[str, ...] = tuple(
    sorted(
        ("医疗保障", "医保", "项目", "专项经费", "专项资金", "经费", "专项", "资金", "补助资金"),
        key=len,
        reverse=True,
    )
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)年?度?|年度")  # a year, not digits of a longer number
_BRACKETS = re.compile(r"[()\[\]{}<>“”\"'《》、\-—_·.,，。/:：;；]")
_BRACKETED_TAIL = re.compile(r"\([^()]*\)$")

# A measure word at the end of an indicator name says how the same thing is counted
# (人数 / 数量 / 次数 / 人次, 率 / 比例, 及时性 / 及时率), not what is counted; the unit of
# the target keeps the difference (人 vs %), so dropping the word loses nothing. Counts are
# an optional measure word (量词: 人, 件, 家, 台, 场 ...) followed by 数 / 次 / 量.
_CLASSIFIERS = "人件个户家台场块具份本张项种所批辆间套册篇条名位剂频期节课"
_MEASURE = re.compile(
    rf"(?:[{_CLASSIFIERS}]?(?:次数|数量|数|次|量)|比例|比率|比重|占比|率|总量|情况|水平|程度|时限|时间|时长|度|性)$"
)
# Direction words of qualitative targets that mean the same (提高 / 提升 / 增强).
_DIRECTION = [
    (re.compile("提升|增强|增加|上升|改善"), "提高"),
    (re.compile("减少|下降|减低"), "降低"),
    (re.compile("及时性"), "及时"),
]


def project_key(name: str | None) -> str:
    """A project name without years, brackets and filler words: 医保宣传与推广 -> 宣传与推广."""
    k = key(name)
    k = _YEAR.sub("", k)
    k = _BRACKETS.sub("", k)
    for word in PROJECT_FILLER:
        stripped = k.replace(word, "")
        if len(stripped) >= 2:  # never empty a name made of filler (医保稳定金 stays 稳定金)
            k = stripped
    return k


# an ordinal of a programme's batches or phases ('第3批', '二期', '第二标段'): projects whose
# names differ in it are different projects, however alike the rest of the name
_ORDINAL = re.compile(r"第?([0-9零一二三四五六七八九十百千]+)(批|期|标段|轮|阶段)")


def ordinals(name_key: str) -> frozenset[str]:
    """The batch or phase ordinals a project name key holds (an empty set for most names)."""
    return frozenset(m.group(0).removeprefix("第") for m in _ORDINAL.finditer(name_key))


def org_key(name: str | None) -> str:
    """A unit or department name as a key: （本级） and spacing do not make another unit."""
    k = key(name)
    while _BRACKETED_TAIL.search(k):
        k = _BRACKETED_TAIL.sub("", k)
    return _BRACKETS.sub("", k)


def same_org(a: str | None, b: str | None) -> bool | None:
    return same_org_key(org_key(a), org_key(b))


def same_org_key(ka: str, kb: str) -> bool | None:
    """Whether two unit names name one unit (None when either is unknown).

    One may omit the region prefix (松江区医疗保障局 / 上海市松江区医疗保障局), so a name
    that ends the other counts as the same unit.
    """
    if not ka or not kb:
        return None
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return len(short) >= 4 and long_.endswith(short)


def indicator_key(name: str | None) -> str:
    """An indicator name without its measure word: 宣传册发放人数 -> 宣传册发放."""
    k = _BRACKETS.sub("", key(name))
    for _ in range(2):  # 及时性 -> 及时; 满意度 -> 满意; at most two words
        m = _MEASURE.search(k)
        if not m or m.start() < 2:
            break
        k = k[: m.start()]
    return k


def text_similarity(a: str, b: str) -> float:
    """Similarity of two keys in [0, 1]: the best of edit ratio, character bag and containment.

    Chinese names are rearranged (执法监测单次成本 / 单次执法监测成本) and extended
    (临时救助 / 困难群众临时救助) more often than misspelled, so order-free and
    containment scores stand beside the edit ratio.
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = Indel.normalized_similarity(a, b)
    bag = _bag_similarity(a, b)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    contained = 0.8 + 0.2 * len(short) / len(long_) if len(short) >= 2 and short in long_ else 0.0
    return max(ratio, 0.9 * bag, contained)


def name_similarity(a: str, b: str, prefix_min: int = 4) -> float:
    """``text_similarity`` of two project names, discounted when they share only a long
    prefix: 西部片区高校毕业生公务员医疗补助 and 西部片区高校毕业生法律咨询与服务工作经费 are
    sibling projects of one programme, whose common part says nothing about the pairing.
    The parts after the prefix then cap the score at 0.5 + 0.5 × their own similarity; a
    name that merely extends the other (医保宣传与推广 / 医保宣传与推广工作经费) keeps its score."""
    full = text_similarity(a, b)
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    if n < prefix_min or n == len(a) or n == len(b):
        return full
    return min(full, 0.5 + 0.5 * text_similarity(a[n:], b[n:]))


def _bag_similarity(a: str, b: str) -> float:
    """Shared characters regardless of order: the LCS of the sorted strings is the multiset
    intersection, so rapidfuzz's Indel does the counting."""
    return Indel.normalized_similarity("".join(sorted(a)), "".join(sorted(b)))


# --- units and targets -------------------------------------------------------------------

_MONEY = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8}
_PERCENT = {"%": 1.0, "百分比": 1.0, "‰": 0.1}
_TIME = {
    "分钟": 1 / 60,
    "小时": 1.0,
    "天": 24.0,
    "日": 24.0,
    "工作日": 24.0,
    "个工作日": 24.0,
    "周": 168.0,
    "个月": 720.0,
    "月": 720.0,
    "年": 8760.0,
}


@dataclass(frozen=True)
class Unit:
    """A unit as a dimension and a factor to the dimension's base (万元 = money x 10000)."""

    dimension: str  # money, percent, time, count:<word>, none
    factor: float
    per: str | None  # the denominator of a rate unit (元/人 -> 人)


@lru_cache(maxsize=4096)
def parse_unit(unit: str | None) -> Unit:
    if not unit:
        return Unit("none", 1.0, None)
    u = key(unit)
    per = None
    if "/" in u:
        u, per = u.split("/", 1)
        per = per or None
    if u in _MONEY:
        return Unit("money", _MONEY[u], per)
    if u in _PERCENT:
        return Unit("percent", _PERCENT[u], per)
    if u in _TIME:
        return Unit("time", _TIME[u], per)
    m = re.fullmatch(r"万(.+)", u)  # 万小时, 万人次: a count or a time in ten thousands
    if m:
        inner = parse_unit(m.group(1) + (f"/{per}" if per else ""))
        return Unit(inner.dimension, inner.factor * 1e4, inner.per)
    return Unit(f"count:{u}", 1.0, per)


def unit_compatibility(a: Value | None, b: Value | None) -> float | None:
    """1 same unit (after scaling), 0.7 same dimension, 0 different dimension; None unknown.

    Counts in different words (人 / 人次, 个 / 家) are the same dimension: the form writer
    picks the word, the indicator stays the same.
    """
    if a is None or b is None or a.value is None or b.value is None:
        return None
    ua, ub = parse_unit(a.unit), parse_unit(b.unit)
    if ua.dimension == "none" or ub.dimension == "none":
        return None
    da, db = ua.dimension.split(":")[0], ub.dimension.split(":")[0]
    if da != db:
        return 0.0
    if ua.dimension == ub.dimension and ua.per == ub.per:
        return 1.0
    return 0.7


def _base(v: Value) -> tuple[str, float, str | None]:
    u = parse_unit(v.unit)
    return u.dimension, (v.value or 0.0) * u.factor, u.per


def qualitative_key(v: Value) -> str:
    text = key(v.text or v.raw)
    for pat, rep in _DIRECTION:
        text = pat.sub(rep, text)
    return text


def same_target(a: Value | None, b: Value | None) -> bool:
    """Whether two targets say the same: op, value and unit after scaling (≤4万元 = ≤40000元)."""
    if a is None or b is None:
        return a is None and b is None
    if a.value is None or b.value is None:
        if a.value is not None or b.value is not None:
            return False
        return qualitative_key(a) == qualitative_key(b)
    if (a.op or "=") != (b.op or "="):
        return False
    da, va, pa = _base(a)
    db, vb, pb = _base(b)
    if (da, pa) != (db, pb) and not ("none" in (da, db) and pa == pb):
        return False
    return abs(va - vb) <= 1e-6 * max(1.0, abs(va), abs(vb))


def target_closeness(a: Value | None, b: Value | None) -> float:
    """1 same target, 0.5 same dimension and value within 25%, else 0."""
    if same_target(a, b):
        return 1.0
    if a is None or b is None or a.value is None or b.value is None:
        return 0.0
    da, va, _ = _base(a)
    db, vb, _ = _base(b)
    if da.split(":")[0] != db.split(":")[0]:
        return 0.0
    hi = max(abs(va), abs(vb))
    return 0.5 if hi == 0 or abs(va - vb) / hi <= 0.25 else 0.0


OP_SIGN = {"=": "=", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def show_value(v: Value | None) -> str | None:
    """A target as a reviewer writes it: ≥40000张, =100%, 及时."""
    if v is None:
        return None
    if v.value is None:
        return v.text or v.raw
    return f"{OP_SIGN.get(v.op or '', '')}{v.value:g}{v.unit or ''}"


def target_changes(a: Value | None, b: Value | None) -> list[str]:
    """What differs between a declared and a reported target, in reviewer words."""
    if a is None or b is None:
        return ["目标值缺失" if b is None else "申报目标值缺失"]
    if (a.value is None) != (b.value is None):
        return ["定性/定量改变"]
    if a.value is None:
        return ["表述改变"]
    out = []
    if (a.op or "=") != (b.op or "="):
        out.append("运算符改变")
    da, va, pa = _base(a)
    db, vb, pb = _base(b)
    if (da, pa) != (db, pb):
        out.append("单位改变")
    if abs(va - vb) > 1e-6 * max(1.0, abs(va), abs(vb)):
        out.append("数值改变")
    return out


def effective_level1(level1: str | None, level2: str | None) -> str | None:
    """Old forms file 成本指标 under 产出指标; compare them as 成本指标."""
    if level2 and "成本" in level2:
        return "成本指标"
    return level1
