"""The official indicator framework (财预〔2020〕10号 / 〔2021〕101号) and name matching.

A category cell can arrive whole (``社会效益指标``), spaced (``可持 续影 响指 标``), cut by a
page break (``效益`` ... ``指标``), in the wrong column, or garbled by OCR (``双盲指标``).
These helpers say what a cell is; the rules engine decides what to do with it.
"""

from __future__ import annotations

from .textnorm import key

LEVEL1: dict[str, list[str]] = {
    "成本指标": ["经济成本指标", "社会成本指标", "生态环境成本指标"],
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],  # old forms: 成本 under 产出
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}
LEVEL2_PARENT: dict[str, str] = {}
for _l1, _children in LEVEL1.items():
    for _l2 in _children:
        LEVEL2_PARENT.setdefault(_l2, _l1)

# Common spellings that mean a standard name.
ALIASES: dict[str, str] = {
    "满意度": "满意度指标",
    "服务对象满意度": "服务对象满意度指标",
    "生态环境效益指标": "生态效益指标",
    "可持续性影响指标": "可持续影响指标",
    "可持续发展指标": "可持续影响指标",
    "生态成本指标": "生态环境成本指标",
    "效果指标": "效益指标",
}
STANDARD: set[str] = set(LEVEL1) | set(LEVEL2_PARENT)
# Cells that head the whole indicator block, not a category.
BLOCK_LABELS = {"绩效指标", "年度绩效指标", "指标", "项目绩效指标"}


def standard_name(cell: str | None) -> str | None:
    """The standard category a cell names, or None."""
    k = key(cell)
    if k in STANDARD:
        return k
    return ALIASES.get(k)


def is_level1(name: str | None) -> bool:
    return name in LEVEL1


def is_level2(name: str | None) -> bool:
    return name in LEVEL2_PARENT


def parent(level2: str | None) -> str | None:
    return LEVEL2_PARENT.get(level2 or "")


def children(level1: str | None) -> list[str]:
    return LEVEL1.get(level1 or "", [])


# every proper prefix (2+ characters) of a standard name -> the names it starts, sorted:
# a dict lookup instead of a scan, since every unique cell of a table asks
_PREFIXES: dict[str, tuple[str, ...]] = {}
for _name in sorted(STANDARD):
    for _i in range(2, len(_name)):
        _PREFIXES[_name[:_i]] = (*_PREFIXES.get(_name[:_i], ()), _name)


def prefix_of(fragment: str) -> tuple[str, ...]:
    """Standard names that start with ``fragment`` and are longer than it."""
    return _PREFIXES.get(key(fragment), ())


def suffix_of(fragment: str) -> list[str]:
    k = key(fragment)
    return [n for n in STANDARD if n.endswith(k) and n != k]


def looks_like_category(cell: str) -> bool:
    """An unknown category cell (OCR garble such as '双盲指标'): short and ends in 指标."""
    k = key(cell)
    return 3 <= len(k) <= 8 and k.endswith("指标") and k not in BLOCK_LABELS


def complete(fragment: str, continuation: str) -> str | None:
    """The standard name that fragment + continuation spell, if any ('可持'+'续影响指标')."""
    joined = key(fragment) + key(continuation)
    if joined in STANDARD:
        return joined
    return None


def resolve_fragment(fragment: str, level1: str | None = None) -> str | None:
    """Best standard name for a fragment left alone ('效益' -> 效益指标), given the level1."""
    cands = list(prefix_of(fragment))
    if level1:
        within = [c for c in cands if c == level1 or parent(c) == level1]
        if within:
            cands = within
    if len(cands) == 1:
        return cands[0]
    # prefer level1 names for a bare level1 fragment, then the shortest
    l1 = [c for c in cands if c in LEVEL1]
    if len(l1) == 1:
        return l1[0]
    return min(cands, key=len) if cands else None


TIME_WORDS = ("及时", "时效", "时限", "按时", "准时", "时间", "期", "天", "日", "月", "年度内", "进度", "当年", "时")


def fits_level2(name: str, level2: str | None) -> bool:
    """Whether an indicator name is plausible under a level2 (only 时效指标 is testable by words)."""
    if level2 == "时效指标":
        return any(w in name for w in TIME_WORDS)
    return True
