"""Cells of an indicator row that a lost tab glued together, split again.

Converters and OCR lose tabs: a cell then holds two (``…完成率 ≥95.00(%)``, ``4.00 4.00``,
``质量指标 低保对象…``, ``5.03  持续提高…``) or runs straight into the next
(``…及时率=100%``, ``7.507.50``, ``时效指标开展及时性``, ``3.83个别环节…``).
Every cut is strict, so that a name or a text with a space in it stays whole:

- at spaces, only where the pieces after the cut read as values (a number, a target with or
  without operator, an official result word, a common qualitative target such as 提高) and
  the pieces before it do not; or where numbers (分值, 得分) come first and words (偏差原因)
  follow;
- a leading standard category name is cut off when the cell as a whole is not one, and,
  without a space, only in the first two cells (where categories stand);
- without a space, only at an operator followed by a number, between two amounts of two
  decimals each, or between such an amount and Chinese text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import framework as fw
from ..textnorm import delatex, key, strip_tags
from ..values import RESULT_WORDS, is_valueish

# cells holding a space, or an operator after other text, may be two cells; others only
# as the patterns below. Most cells are a value (starting with an operator or a digit) or a
# name without either: the first tests rule them out cheaply.
_SPACE = re.compile(r"\s")
_OPERATOR = re.compile(r"[=≥≤<>＝≧≦]")
_VALUE_START = frozenset("=≥≤<>＝≧≦0123456789０１２３４５６７８９+-$\\")


def _hint(cell_start: str, sep: str) -> re.Pattern[str]:
    """Whatever _cell_parts can cut: a space; an operator in a cell that starts otherwise; an
    amount followed by a digit or Chinese; 指标 followed by more text. A superset of what it
    cuts: it only decides whether to look closer. ``cell_start`` matches where a cell starts,
    ``sep`` is the character between cells (none for one cell, NUL for a joined row)."""
    other = rf"[^{sep}]" if sep else r"[\s\S]"  # any character of the same cell
    return re.compile(
        r"\s"
        rf"|{cell_start}[^{sep}=≥≤<>＝≧≦0-9０-９+\-$\\]{other}*?[=≥≤<>＝≧≦]"
        r"|\d\.\d{2}(?:\d|\s*[\u4e00-\u9fff])"
        rf"|指标{other}"
    )


# one cell; and a row's cells joined by NUL: one C-speed scan rules out most rows at once
_CELL_HINT = _hint("^", "")
_LINE_HINT = _hint(r"(?:^|\x00)", r"\x00")
_OPERATOR_SPACE = re.compile(r"([=≥≤<>＝≧≦])\s+")  # '= 100%' is one value
# a name (no operator in it, some CJK) running straight into an operator and a number
_GLUED = re.compile(
    r"^(?P<name>[^=≥≤<>＝≧≦]*[\u4e00-\u9fff）)][^=≥≤<>＝≧≦]*?)\s*(?P<value>[=≥≤<>＝≧≦]{1,2}\s*[0-9０-９].*)$"
)
# two amounts of two decimals each, as every form prints them, run together
_TWO_NUMBERS = re.compile(r"^\s*(\d{1,6}\.\d{2})(\d{1,6}\.\d{2})\s*$")
# an amount of two decimals, then Chinese text: a score and its 偏差原因
_NUMBER_TEXT = re.compile(r"^\s*(\d{1,6}\.\d{2})\s*([\u4e00-\u9fff].*)$")
# qualitative targets as forms write them (seeds and common usage); whole tokens only
QUALITATIVE = frozenset(
    {
        "及时", "及时性", "提高", "提升", "逐步提高", "逐步提升", "继续提高", "显著提升", "明显提升",
        "稳步提升", "有效", "有效缓解", "缓解", "健全", "建立健全", "完善", "保障", "规范", "规范执行",
        "达标", "合格", "良好", "优良", "扩大", "持续", "改善", "明显改善", "加强", "基本体现",
        "基本覆盖", "全覆盖", "稳定", "降低", "减少", "增加", "增强",
    }
)  # fmt: skip
_AMOUNT = re.compile(r"^\d{1,6}\.\d{2}$")
_NAME_MAX = 40  # longer than any indicator name of the seeds (30)
_WORDS = RESULT_WORDS | QUALITATIVE  # what stands where a value stands
_QUALITATIVE_BY_LEN = QUALITATIVE_BY_LEN = sorted(QUALITATIVE, key=len, reverse=True)
_CATEGORY_NAMES = sorted((n for n in fw.STANDARD if n.endswith("指标")), key=len, reverse=True)


def resplit(cells: list[str]) -> list[str]:
    """``cells`` with each glued cell split into its parts (the list itself when none is)."""
    if _LINE_HINT.search("\x00".join(cells)) is None:
        return cells  # many rows: one C-speed scan, no cell looked at
    # then one cached lookup per cell, at C speed: values, weights and category cells recur
    found = list(map(_cell_parts, cells))
    if not any(found):
        return cells
    out: list[str] | None = None
    for n, parts in enumerate(found):
        c = cells[n]
        if parts is _IF_CATEGORIES:
            parts = _after_categories(c) if n <= 2 and all(_is_category(x) for x in cells[:n]) else None
        if parts is None:
            if out is not None:
                out.append(c)
            continue
        if out is None:
            out = cells[:n]
        out.extend(parts)
    return cells if out is None else out


_IF_CATEGORIES = ("",)  # _cell_parts: the cut depends on the cells before it


@lru_cache(maxsize=1 << 15)
def _cell_parts(c: str) -> tuple[str, ...] | None:
    """The parts of one cell; ``_IF_CATEGORIES`` when it may be a category glued to what
    follows, which only the cells before it can tell."""
    if _CELL_HINT.search(c) is None:
        return None  # most cells: one C-speed scan
    if c[0] in _VALUE_START:  # a value, an amount or LaTeX
        if _SPACE.search(c):
            return _split(c)  # '10.00  86.93', '5.03 持续提高…'
        if "." not in c:
            return None
        if c.count(".") == 2 and (m := _TWO_NUMBERS.match(c)):
            return m.groups()  # '7.507.50': 分值 and 得分 without their tab
        if (m := _NUMBER_TEXT.match(c)) and len(m.group(2)) > 4:
            return m.groups()  # '3.83个别环节…': 得分 and 偏差原因 (not '3.39万元', a value)
        return None
    if _SPACE.search(c) or _OPERATOR.search(c):
        return _split(c)  # '…完成率 ≥95.00(%)', '…及时率=100%'
    return _IF_CATEGORIES if "指标" in c else None


def _after_categories(c: str) -> tuple[str, ...] | None:
    # in the category columns only: '产出指标数量指标', '时效指标开展及时性'
    return _glued_categories(c) if c.count("指标") >= 2 else _category_then_name(c)


def _is_category(cell: str) -> bool:
    k = key(cell)
    return fw.standard_name(k) is not None or k in fw.BLOCK_LABELS


def trailing_qualitative(name: str) -> tuple[str, str] | None:
    """(name, target) for a name that runs into a qualitative target ('…服务水平提升'),
    for a row that has no target otherwise; None when nothing of the kind ends it."""
    for word in _QUALITATIVE_BY_LEN:
        if name.endswith(word) and len(name) - len(word) >= 4:
            return name[: -len(word)], word
    m = _QUALITATIVE_PHRASE.search(name)
    if m and m.start() >= 4:
        return name[: m.start()], m.group(0)
    return None


# a wording target made of a degree and a verb ('有效带动', '明显改善', '进一步提高')
_QUALITATIVE_PHRASE = re.compile(
    r"(?:有效|明显|持续|逐步|显著|进一步|不断|有所|稳步|全面|基本|按时|按期)[\u4e00-\u9fff]{1,3}$"
)


@lru_cache(maxsize=1 << 12)
def _glued_categories(cell: str) -> tuple[str, ...] | None:
    """'产出指标数量指标': a level-1 and a level-2 name printed as one cell."""
    k = key(cell)
    if fw.standard_name(k):
        return None
    for l1 in fw.LEVEL1:
        if k.startswith(l1) and fw.standard_name(k[len(l1) :]):
            return (l1, k[len(l1) :])
    return _category_then_name(cell)


@lru_cache(maxsize=1 << 14)
def _category_then_name(cell: str) -> tuple[str, ...] | None:
    """'时效指标开展及时性': a category cell and the name after it, printed as one cell."""
    k = key(cell)
    if fw.standard_name(k) or k in fw.BLOCK_LABELS:
        return None
    for name in _CATEGORY_NAMES:
        if k.startswith(name) and len(k) - len(name) >= 4:
            rest = k[len(name) :]
            second = next((n for n in _CATEGORY_NAMES if rest.startswith(n) and len(rest) - len(n) >= 4), None)
            if second:
                return (name, second, rest[len(second) :])
            return (name, rest)
    return None


def _split(cell: str) -> tuple[str, ...] | None:
    m = _PLAIN_SPACED.match(cell)
    if m is not None:  # Chinese words and spaces only (a spaced name, the commonest case)
        first, last = m.groups()
        if last not in _WORDS and not _maybe_category(first):
            return None  # no value after, no category before: nothing to cut
    return _split_cached(cell)


# Chinese words (and their punctuation) separated by spaces: first and last word
_PLAIN_SPACED = re.compile(
    r"^([\u3000-\u303f\u4e00-\u9fff\uff01-\uff0f“”‘’、]+)(?:\s+[\u3000-\u303f\u4e00-\u9fff\uff01-\uff0f“”‘’、]+)*\s+([\u3000-\u303f\u4e00-\u9fff\uff01-\uff0f“”‘’、]+)$"
)


@lru_cache(maxsize=1 << 14)
def _split_cached(cell: str) -> tuple[str, ...] | None:
    # LaTeX and HTML put spaces inside one value ('$\\geq 90.00\\%$'): cut the plain text
    cell = _OPERATOR_SPACE.sub(r"\1", delatex(strip_tags(cell)))
    tokens = cell.split()
    if len(tokens) >= 2:
        parts = _split_tokens(tokens)
        if parts is not None:
            return parts
    m = _GLUED.match(cell.strip()) if _OPERATOR.search(cell) else None
    if m and len(m.group("name")) <= _NAME_MAX and _is_value(m.group("value")) and not _is_value(m.group("name")):
        return (m.group("name").strip(), m.group("value").strip())
    return None


def _split_tokens(tokens: list[str]) -> tuple[str, ...] | None:
    parts = _cut_tokens(tokens)
    if parts is not None:
        whole = key("".join(tokens))
        if fw.standard_name(whole) or whole in fw.BLOCK_LABELS:
            return None  # '服务对象 满意度指标', '绩效 指标': one label printed with a space
    return parts


def _cut_tokens(tokens: list[str]) -> tuple[str, ...] | None:
    head: list[str] = []
    rest = tokens
    while len(rest) > 1 and len(head) < 2 and _maybe_category(rest[0]) and fw.standard_name(rest[0]):
        head.append(rest[0])  # '质量指标 name', '效益指标 生态效益指标 name'
        rest = rest[1:]
    lead = 0  # 分值 and 得分 print with two decimals; '12 家机构…' is a name
    while lead < len(rest) and _AMOUNT.match(rest[lead]):
        lead += 1
    if 0 < lead < len(rest) and not any(_is_value(t) for t in rest[lead:]):
        return (*head, *rest[:lead], " ".join(rest[lead:]))  # '5.03 持续提高…': 得分, 偏差原因
    k = len(rest)
    while k > 0 and _is_value(rest[k - 1]):
        k -= 1
    values = rest[k:]
    if k > 0 and any(_is_value(t) for t in rest[:k]):
        return None  # values and words interleaved: not a row we can cut safely
    if values and sum(map(len, rest[:k])) > _NAME_MAX:
        return None  # a sentence ending in a number (a goal, a reason), not a name and its value
    if not values:
        return (*head, " ".join(rest)) if head else None
    if k == 0:
        return (*head, *values)
    return (*head, " ".join(rest[:k]), *values)


def _maybe_category(token: str) -> bool:
    return "指标" in token or "满意度" in token  # every standard name and alias holds one


def _is_value(token: str) -> bool:
    return is_valueish(token, _WORDS)


def is_wording(cell: str) -> bool:
    """A whole cell that is a wording target or result ('健全', '达成年度指标', '有效带动')."""
    k = key(cell)
    return k in _WORDS or bool(_QUALITATIVE_PHRASE.fullmatch(k))
