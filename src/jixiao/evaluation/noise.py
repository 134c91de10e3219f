"""Noise of the kind scanned and converted forms carry, at a chosen level.

``apply_noise(text, level, seed)`` returns the text damaged by every kind in ``KINDS`` with
a strength that grows with ``level`` (0 = untouched, 1 = heavy: about one cell in four is
hit somewhere); ``noisy_bytes`` also picks the encoding a user's file would arrive in
(UTF-8, UTF-8 with BOM, GBK), so the intake's detection is exercised too.
Deterministic for a given seed. Line numbers change (page breaks, wrapped cells insert
lines), so noisy text is scored on names and values, not on lines.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection

KINDS: tuple[str, ...] = (
    "ocr",  # visually confusable characters (己/已, 末/未, 0/O, 指标/措标 …)
    "fullwidth",  # ASCII digits, letters and signs printed full-width
    "lost_tab",  # a tab lost (two cells glued) or turned into spaces
    "page_break",  # blank line + page furniture between two lines
    "split_row",  # a row cut in two at a cell boundary, the rest on the next line
    "wrapped_cell",  # a long cell wrapped onto a line of its own, in the same column
    "latex",  # values written in LaTeX ($\\geq 90\\%$)
    "html",  # <p>, <br>, &nbsp; and </td> remnants
    "gbk",  # a GBK round trip (characters GBK lacks become '?')
)

# Per-kind rates at level 1.0 (per character, cell, tab or line, as the kind works).
RATES: dict[str, float] = {
    "ocr": 0.02,  # per confusable character
    "fullwidth": 0.25,  # per line
    "lost_tab": 0.04,  # per tab
    "page_break": 0.03,  # per line
    "split_row": 0.01,  # per line
    "wrapped_cell": 0.04,  # per long cell
    "latex": 0.25,  # per value cell
    "html": 0.04,  # per line
    "gbk": 1.0,  # per document
}

# Confusions seen in OCR of Chinese forms (both directions are used).
_CONFUSABLE_PAIRS = [
    ("己", "已"), ("已", "巳"), ("末", "未"), ("土", "士"), ("人", "入"), ("日", "曰"),
    ("千", "干"), ("于", "干"), ("天", "夭"), ("大", "太"), ("率", "宰"), ("标", "栎"),
    ("指", "措"), ("益", "盆"), ("效", "郊"), ("满", "瞒"), ("度", "庋"), ("产", "严"),
    ("本", "木"), ("成", "戍"), ("量", "景"), ("质", "盾"), ("时", "吋"), ("社", "杜"),
    ("会", "合"), ("务", "各"), ("象", "家"), ("意", "恿"), ("数", "敦"), ("项", "顶"),
    ("目", "日"), ("资", "贷"), ("金", "全"), ("年", "午"), ("元", "无"), ("次", "欢"),
    ("0", "O"), ("1", "l"), ("5", "S"), ("8", "B"), ("%", "％"),
]  # fmt: skip
CONFUSIONS: dict[str, list[str]] = {}
for _a, _b in _CONFUSABLE_PAIRS:
    CONFUSIONS.setdefault(_a, []).append(_b)
    CONFUSIONS.setdefault(_b, []).append(_a)

_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
_FULLWIDTH[ord(" ")] = 0x3000
_FULLWIDTH[ord("\t")] = ord("\t")
# a value cell that a LaTeX-writing converter would typeset: an operator or a percent sign
_VALUE = re.compile(r"^(=|≥|≤|>|<)?\s*(\d+(?:\.\d+)?)\s*(?:\((%)\)|(%))?$")


def _texable(cell: str) -> bool:
    m = _VALUE.match(cell.strip())
    return bool(m and (m.group(1) or m.group(3) or m.group(4)))


_TEX_OP = {"≥": "\\geq ", "≤": "\\leq ", ">": "> ", "<": "< ", "=": "= "}
_FURNITURE = ["第 {p} 页 共 {n} 页", "- {p} -", "第{p}页", "{p} / {n}"]


def apply_noise(text: str, level: float, seed: int = 0, kinds: Collection[str] | None = None) -> str:
    """``text`` with noise of the given kinds (default all) at ``level`` (0–1, may exceed 1)."""
    if level <= 0:
        return text
    unknown = set(kinds or ()) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown noise kinds: {sorted(unknown)}")
    active = set(KINDS if kinds is None else kinds)
    rng = random.Random(seed)

    def rate(kind: str) -> float:
        return RATES[kind] * level if kind in active else 0.0

    lines = text.split("\n")
    out: list[str] = []
    page = 1
    for line in lines:
        cells = line.split("\t")
        if rate("latex"):
            cells = [_latex(c) if _texable(c) and rng.random() < rate("latex") else c for c in cells]
        if rate("ocr"):
            cells = [_ocr(c, rng, rate("ocr")) for c in cells]
        extra: list[str] = []
        if rate("wrapped_cell"):
            cells, extra = _wrap(cells, rng, rate("wrapped_cell"))
        if rate("html") and rng.random() < rate("html") and any(cells):
            cells = _html(cells, rng)
        joined = _join(cells, rng, rate("lost_tab"))
        if rate("fullwidth") and rng.random() < rate("fullwidth"):
            joined = joined.translate(_FULLWIDTH)
        if rate("split_row") and joined.count("\t") >= 3 and rng.random() < rate("split_row"):
            parts = joined.split("\t")
            cut = rng.randint(2, len(parts) - 1)
            out.append("\t".join(parts[:cut]))
            out.append("")
            out.append("\t".join(parts[cut:]))
        else:
            out.append(joined)
        out.extend(extra)
        if rate("page_break") and line.strip() and rng.random() < rate("page_break"):
            out.append("")
            out.append(rng.choice(_FURNITURE).format(p=page, n=page + rng.randint(0, 20)))
            out.append("")
            page += 1
    noisy = "\n".join(out)
    if rate("gbk") and rng.random() < rate("gbk"):
        noisy = noisy.encode("gbk", errors="replace").decode("gbk")
    return noisy


def noisy_bytes(text: str, level: float, seed: int = 0, kinds: Collection[str] | None = None) -> bytes:
    """The noisy text as a user's file: UTF-8, UTF-8 with BOM, or GBK (more often at higher levels)."""
    noisy = apply_noise(text, level, seed, kinds)
    rng = random.Random(seed + 7919)
    if level > 0 and (kinds is None or "gbk" in kinds) and rng.random() < min(1.0, level):
        return noisy.encode("gbk", errors="replace")
    if level > 0 and rng.random() < 0.3:
        return b"\xef\xbb\xbf" + noisy.encode("utf-8")
    return noisy.encode("utf-8")


def _ocr(cell: str, rng: random.Random, p: float) -> str:
    if not cell:
        return cell
    chars = list(cell)
    for i, ch in enumerate(chars):
        alts = CONFUSIONS.get(ch)
        if alts and rng.random() < p:
            chars[i] = rng.choice(alts)
    return "".join(chars)


def _latex(cell: str) -> str:
    m = _VALUE.match(cell.strip())
    if not m:
        return cell
    op, num, pct1, pct2 = m.groups()
    tex_op = _TEX_OP.get(op or "", "")
    pct = "\\%" if (pct1 or pct2) else ""
    return f"${tex_op}{num}{pct}$"


def _html(cells: list[str], rng: random.Random) -> list[str]:
    filled = [i for i, c in enumerate(cells) if c]
    i = rng.choice(filled)
    c = cells[i]
    choice = rng.randrange(4)
    if choice == 0:
        cells[i] = f"<p>{c}</p>"
    elif choice == 1 and len(c) > 4:
        at = rng.randint(1, len(c) - 1)
        cells[i] = c[:at] + "<br>" + c[at:]
    elif choice == 2:
        cells[i] = c + "&nbsp;"
    else:
        cells[i] = c + "</td>"
    return cells


def _wrap(cells: list[str], rng: random.Random, p: float) -> tuple[list[str], list[str]]:
    """Cut one long cell; its tail goes to a following line, same column, other cells empty."""
    extra: list[str] = []
    for i, c in enumerate(cells):
        if len(c) >= 8 and rng.random() < p:
            at = rng.randint(3, len(c) - 3)
            cells[i] = c[:at]
            row = [""] * len(cells)
            row[i] = c[at:]
            extra.append("\t".join(row))
            break
    return cells, extra


def _join(cells: list[str], rng: random.Random, p: float) -> str:
    if not p or len(cells) < 2:
        return "\t".join(cells)
    out = cells[0]
    for c in cells[1:]:
        if rng.random() < p:
            out += rng.choice(["", " ", "  "]) + c
        else:
            out += "\t" + c
    return out
