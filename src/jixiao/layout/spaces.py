"""Cells parted by spaces: runs of spaces (pdftotext -layout, fixed-width exports) and
single spaces (OCR).

A run of two or more spaces (or a full-width space) is a border. A single space is a border
only when the words say so: a label, a category or a value on one side of it (the
``spaces`` class), or anywhere except inside a spaced-out label, an operator and its number,
a value and its unit, or two Latin words (the ``ocr`` class). Positions are kept in display
columns (a CJK character is two wide, as pdftotext lays them out), so that the rows of an
indicator table can be put under the header's columns, where blank cells leave no trace.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .resplit import is_wording
from .vocab import (
    POINTS_ONLY,
    SCAFFOLD,
    is_label_prefix,
    is_op,
    is_value_shape,
    joins_to_label,
    label_kind,
)


@dataclass(slots=True)
class Span:
    start: int  # display column
    end: int
    text: str


_RUN = re.compile(r"(?:[ \t]{2,}|\u3000+)")
_WORD = re.compile(r"[^ \t\u3000]+(?: [^ \t\u3000]+)*")


@lru_cache(maxsize=1 << 12)
def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


@lru_cache(maxsize=1)
def _wide_runs() -> re.Pattern[str]:
    """Runs of the wide (W, F) characters of the Basic Multilingual Plane, as one character
    class made on first use (a pass over 65,536 characters, about 10 ms)."""
    ranges: list[str] = []
    start = None
    for c in range(0x10000 + 1):  # one past the end closes the last range
        wide = c < 0x10000 and unicodedata.east_asian_width(chr(c)) in "WF"
        if wide and start is None:
            start = c
        elif not wide and start is not None:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(c - 1)) if c - 1 > start else ""))
            start = None
    return re.compile("[" + "".join(ranges) + "]+")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1 << 14)
def width(s: str) -> int:
    """Display columns: 2 for a wide character, 1 for any other. Cached: most pieces of a
    spaced line recur (amounts, labels, '-')."""
    if s.isascii():
        return len(s)
    if _ASTRAL.search(s) is None:  # the BMP (every form's text): C-speed passes
        return 2 * len(s) - len(_wide_runs().sub("", s))
    return sum(map(_char_width, s))


_GAPS = re.compile(r"(\u3000+|[ \t]{2,})")


def spans(line: str) -> list[Span]:
    """The cells of a line parted by runs of spaces, with their display columns."""
    out: list[Span] = []
    col = 0
    pos = 0
    for piece in _GAPS.split(line.rstrip()):
        if not piece:
            continue
        if _RUN.fullmatch(piece) or piece.isspace():
            col += width(piece) if "\u3000" not in piece else 2 * len(piece)
            pos += len(piece)
            continue
        lead = len(piece) - len(piece.lstrip(" "))
        col += lead
        text = piece.strip(" ")
        w = width(text)
        out.append(Span(col, col + w, text))
        col += w + (len(piece) - lead - len(text))
        pos += len(piece)
    return out


# OCR confusions a careful reader undoes: 'IO' for 10 in a number cell, '万兀' for 万元
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
_OCR_NUMBER = re.compile(r"^[0-9OoIl|]+(?:\.[0-9OoIl|]+)?$")
_OCR_WORDS = {"万兀": "万元", "万无": "万元"}


def ocr_fix(cell: str) -> str:
    if (_OCR_NUMBER.match(cell) and not cell.isdigit() and len(cell) <= 6 and not cell.isalpha()) or cell in {
        "IO",
        "lO",
    }:
        return cell.translate(_OCR_DIGITS)
    for bad, good in _OCR_WORDS.items():
        if bad in cell:
            cell = cell.replace(bad, good)
    return cell


def _strong(part: str) -> bool:
    """A part that stands as a cell of its own: a label, a category, a value, an operator."""
    return bool(
        label_kind(part)
        or is_value_shape(part)
        or SCAFFOLD.match(part)
        or POINTS_ONLY.match(part)
        or is_op(part)
        or is_wording(part)
        or part in ("定量", "定性", "正向", "反向")  # 指标性质 / 指标方向 cells
    )


def _cjk_short(part: str) -> bool:
    return len(part) <= 2 and not any(ch.isdigit() or ch.isascii() for ch in part)


def split_single(span: Span, *, everywhere: bool) -> list[Span]:
    """A span holding single spaces, as its cells."""
    if " " not in span.text:
        return [span]
    parts: list[tuple[int, str]] = []  # (offset in display columns, text)
    col = 0
    for p in span.text.split(" "):
        if p:
            parts.append((col, p))
        col += width(p) + 1
    merged: list[tuple[int, str]] = []
    i = 0
    while i < len(parts):
        off, text = parts[i]
        # a spaced-out label: '绩 效 指 标', '可持 续影 响指 标'
        if _cjk_short(text):
            j = i + 1
            joined = text
            while j < len(parts) and _cjk_short(parts[j][1]) and (is_label_prefix(joined) or label_kind(joined)):
                joined += parts[j][1]
                j += 1
            while j > i + 1 and not label_kind(joined) and not is_label_prefix(joined):
                j -= 1
                joined = joined[: -len(parts[j][1])]
            if j > i + 1:
                merged.append((off, joined))
                i = j
                continue
        merged.append((off, text))
        i += 1
    cells: list[tuple[int, str]] = []
    for off, text in merged:
        if cells:
            prev_off, prev = cells[-1]
            if _glue(prev, text, everywhere):
                sep = " " if (prev[-1].isascii() and prev[-1].isalnum() and text[0].isascii()) or is_op(prev) else ""
                cells[-1] = (prev_off, prev + sep + text)
                continue
        cells.append((off, text))
    return [Span(span.start + off, span.start + off + width(t), t) for off, t in cells]


_UNIT_ONLY = re.compile(r"^(?:%|[(（][^()（）\d]{1,8}[)）])$")


def _glue(prev: str, text: str, everywhere: bool) -> bool:
    """Whether a single space between prev and text is inside one cell."""
    if is_op(prev) and text[:1].isdigit():
        return True  # '= 0'
    if _UNIT_ONLY.match(text) and (prev[-1].isdigit() or label_kind(prev) or joins_to_label(prev, text)):
        return True  # '12 %', '项目资金 (万元)'
    if prev[-1].isascii() and prev[-1].isalpha() and text[0].isascii() and text[0].isalpha():
        return True  # two Latin words
    if everywhere:
        return False
    return not (_strong(prev) or _strong(text))


def split_line(line: str, *, everywhere: bool) -> list[Span]:
    """Every cell of a line: runs of spaces first, then single spaces where the words say so."""
    out: list[Span] = []
    for sp in spans(line):
        for s in split_single(sp, everywhere=everywhere):
            if everywhere:
                s.text = ocr_fix(s.text)
            out.append(s)
    return out


def align(cells: list[Span], columns: list[Span]) -> list[str]:
    """Cells put under the header's columns (by overlap, else the nearest start), blank
    columns kept as empty cells; two cells meeting in one column keep their order."""
    out = [""] * len(columns)
    last = -1
    for c in cells:
        best, best_score = None, None
        for n, col in enumerate(columns):
            overlap = min(c.end, col.end) - max(c.start, col.start)
            dist = abs(c.start - col.start)
            score = (-overlap if overlap > 0 else 0, dist)
            if best_score is None or score < best_score:
                best, best_score = n, score
        assert best is not None
        if best <= last:
            best = last + 1
        if best >= len(out):
            out.append(c.text)
            last = len(out) - 1
            continue
        out[best] = c.text
        last = best
    return out


def merge_split_heads(a: list[Span], b: list[Span]) -> list[Span] | None:
    """Two lines that are one row of heads split over two lines ('年初' / '预算数'): the
    merged heads, when every cell of ``a`` completes a label with the cell of ``b`` under it."""
    if not a or not b or len(a) > len(b):
        return None
    used: dict[int, str] = {}
    for sa in a:
        hit = None
        for n, sb in enumerate(b):
            if min(sa.end, sb.end) - max(sa.start, sb.start) > 0 or abs(sa.start - sb.start) <= 2:
                hit = n
                break
        if hit is None or hit in used:
            return None
        joined = joins_to_label(sa.text, b[hit].text)
        if joined is None:
            return None
        used[hit] = joined
    return [Span(s.start, s.end, used.get(n, s.text)) for n, s in enumerate(b)]
