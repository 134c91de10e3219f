"""Text normalisation shared by every engine (and by the LLM grounding check).

Two levels: ``split_cells`` turns a source line into cells (tabs, markdown pipes) and drops
page furniture; ``fold`` / ``clean`` normalise a cell for parsing and for comparison.
Names keep their CJK punctuation (（本级）stays full-width, as the gold labels do); only
digits, Latin letters, operators and the percent sign are folded.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

# Full-width ASCII digits/letters/signs -> half-width; CJK punctuation is left alone on
# purpose, because names are compared as written.
_FOLD_RANGE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
for _keep in "（）：，。；！？【】":
    _FOLD_RANGE.pop(ord(_keep), None)
_FOLD = str.maketrans(
    {
        **_FOLD_RANGE,
        0x3000: " ",  # ideographic space
        ord("≧"): "≥",
        ord("≦"): "≤",
        ord("⩾"): "≥",
        ord("⩽"): "≤",
        ord("\u00a0"): " ",
        ord("\u200b"): None,
        ord("\ufeff"): None,
    }
)
# Brackets and colons also folded, for parsing values and labels only.
_FOLD_ALL_PAIRS = (("（", "("), ("）", ")"), ("：", ":"), ("，", ","), ("【", "["), ("】", "]"))

_LATEX = [
    (re.compile(r"\\(?:geq|geqslant|ge)\b\s*"), "≥"),
    (re.compile(r"\\(?:leq|leqslant|le)\b\s*"), "≤"),
    (re.compile(r"\\(?:gt)\b\s*"), ">"),
    (re.compile(r"\\(?:lt)\b\s*"), "<"),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\\(?:text|mathrm)\{([^{}]*)\}"), r"\1"),
    (re.compile(r"\\[,;: ]"), ""),
]
_DOLLAR = re.compile(r"\$")
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,80}>")
_WS = re.compile(r"\s+")
# A markdown table rule ('--\t-----' or '|---|:--|') carries nothing.
_RULE = re.compile(r"^[\s|:+\-=—_]*$")
_RULE_START = frozenset("|:+-=—_")
_WS_NOT_TAB = re.compile(r"[^\S\t]")  # whitespace that str.strip() would remove from a cell
# Page furniture: '第 3 页 共 12 页', '- 3 -', 'Page 3 of 12'.
_FURNITURE = re.compile(
    r"^\s*(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|-\s*\d+\s*-|page\s*\d+(?:\s*of\s*\d+)?|\d+\s*/\s*\d+)\s*$",
    re.IGNORECASE,
)
_FURNITURE_START = frozenset("第-Pp")  # or a digit


# str.translate with a dict table runs per character in Python; a C-speed regex search
# skips it for the (vast majority of) cells that hold nothing to fold.
_NEEDS_FOLD = re.compile("[" + "".join(re.escape(chr(c)) for c in _FOLD) + "]")
_NEEDS_FOLD_ALL = re.compile("[（）：，【】]")


def fold(s: str) -> str:
    """Fold full-width digits, letters and signs to ASCII; keep CJK punctuation."""
    return s.translate(_FOLD) if _NEEDS_FOLD.search(s) else s


def fold_all(s: str) -> str:
    """``fold`` plus brackets and colons: for parsing values and matching labels."""
    s = fold(s)
    if _NEEDS_FOLD_ALL.search(s) is None:
        return s
    # six characters: a C-speed replace each beats translate's per-character table lookups
    for full, half in _FOLD_ALL_PAIRS:
        if full in s:
            s = s.replace(full, half)
    return s


def delatex(s: str) -> str:
    if "\\" not in s and "$" not in s:
        return s
    for pat, rep in _LATEX:
        s = pat.sub(rep, s)
    return _DOLLAR.sub("", s)


def strip_tags(s: str) -> str:
    if "<" not in s and "&" not in s:
        return s
    return html.unescape(_TAG.sub(" ", s))


def despace(s: str) -> str:
    return _WS.sub("", s)


@lru_cache(maxsize=1 << 18)
def clean(s: str | None) -> str | None:
    """A cell as a value for names and goal texts: markup gone, digits folded, no spaces.

    The gold labels remove all whitespace (vertical cells print as '可持 续影 响指 标';
    '1. 通过培训' becomes '1.通过培训'), so we do the same. Cached directly (no wrapper
    frame, None included): it runs on every name, goal and reason of a batch.
    """
    if s is None:
        return None
    out = despace(delatex(strip_tags(fold(s))))
    return out or None


@lru_cache(maxsize=1 << 17)
def key(s: str | None) -> str:
    """A comparison key: ``clean`` plus brackets/colons folded.

    Cached directly (no wrapper frame): it runs millions of times on a large batch."""
    return fold_all(clean(s) or "") if s else ""


# key() shortens a cell only by removing whitespace, markup, LaTeX and zero-width marks
_SHRINKS = re.compile(r"[\s<&\\$\u200b\ufeff]")


def key_longer_than(cell: str, n: int) -> bool:
    """True when key(cell) surely has more than n characters: a cheap test that skips
    computing keys of long unique cells (names, goal texts) against short labels."""
    return len(cell) > n and _SHRINKS.search(cell) is None


def is_furniture(line: str) -> bool:
    """Page furniture ('第 3 页 共 12 页', '- 3 -'): no cell of any form."""
    return bool(_FURNITURE.match(line))


def split_cells(line: str) -> list[str] | None:
    """Cells of one source line, or None when the line carries nothing (blank, rule, furniture).

    Empty cells are kept (as ''), so callers can see column positions.
    """
    stripped = line.strip()
    if not stripped:
        return None
    # the first character decides whether the (rarer) rule and furniture patterns can match
    first = stripped[0]
    if first in _RULE_START and _RULE.match(stripped) and ("-" in stripped or "=" in stripped or "_" in stripped):
        return None
    if (first in _FURNITURE_START or first.isdigit()) and _FURNITURE.match(stripped):
        return None
    if first == "|" and stripped.endswith("|") and stripped.count("|") >= 3:
        cells = [c.strip() for c in stripped[1:-1].split("|")]
        return cells if any(cells) else None
    # some character is not whitespace, so some cell is not empty
    if _WS_NOT_TAB.search(line) is None:
        return line.split("\t")  # nothing to strip (most lines of a tab-separated grid)
    return [c.strip() for c in line.rstrip("\r\n").split("\t")]
