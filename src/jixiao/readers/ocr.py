"""Scans and photos: OCR with RapidOCR (ONNX models shipped in its wheel, so offline),
then the table rebuilt from the text boxes.

Where the form has ruling lines (nearly all do), the lines say where the cells are: a box
belongs to the cell whose top border is the nearest horizontal line above it *in its own
column*, and whose left border is the nearest vertical line to its left *at its own
height*. Merged cells need no special case: the lines inside a merged cell are absent, so
a label printed at the middle of a tall cell still lands in its first row, as the text
layout wants. Without lines, ``layout.boxes_to_lines`` groups rows by position and aligns
columns on the header row. A crooked scan is first turned level (``skew_degrees``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from statistics import median
from typing import Any

from ..errors import InputError
from ..layout.positions import Box, boxes_to_lines, group_rows, row_cells
from .cells import join_wrapped

MIN_SCORE = 0.5  # RapidOCR's recognition confidence below which a box is noise
OCR_MISSING = (
    "这是扫描件或图片，需要文字识别（OCR）组件。请安装：pip install 'jixiao[ocr]'"
    "（即 rapidocr-onnxruntime，模型随包提供，无需联网）"
)


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    """One engine per process: loading the three ONNX models takes about a second."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as e:
        raise InputError(OCR_MISSING) from e
    return RapidOCR()


Quad = list[tuple[float, float]]  # RapidOCR's corners: top-left, top-right, bottom-right, bottom-left


def _rgb(img: Any) -> Any:
    import numpy as np

    return np.asarray(img.convert("RGB"))


def ocr_quads(img: Any) -> list[tuple[Quad, str, list[tuple[float, float]] | None]]:
    """Text, its four corners and each character's horizontal extent, for every confident
    box of a PIL image. The text-angle classifier is off: it flips upside-down lines,
    which forms do not have."""
    result, _ = _engine()(_rgb(img), use_cls=False, return_word_box=True)
    out: list[tuple[Quad, str, list[tuple[float, float]] | None]] = []
    for item in result or []:
        quad, text, score = item[0], str(item[1]), float(item[2])
        if score < MIN_SCORE or not text.strip():
            continue
        words = item[3] if len(item) > 3 else None
        chars = None
        if words is not None and len(words) == len(text):
            chars = [(float(min(p[0] for p in w)), float(max(p[0] for p in w))) for w in words]
        out.append(([(float(x), float(y)) for x, y in quad], text, chars))
    return out


def skew_degrees(img: Any, span: float = 3.0) -> float:
    """The page's tilt, by projection profile: turned level, the ruling lines and text
    rows make the sharpest row-sum profile. Coarse steps, then fine ones around the best;
    on a shrunken copy, so it costs little beside the OCR."""
    import cv2
    import numpy as np

    gray = np.asarray(img.convert("L"))
    k = min(1.0, 1000 / max(gray.shape))
    small = cv2.resize(gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1 else gray
    ink = (small < 128).astype(np.float32)
    h, w = ink.shape

    def sharpness(deg: float) -> float:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
        rows = cv2.warpAffine(ink, m, (w, h)).sum(axis=1)
        return float(np.sum(np.diff(rows) ** 2))

    best = max(np.arange(-span, span + 1e-9, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.025), key=sharpness)
    return float(best)


def level(img: Any, degrees: float) -> Any:
    """The page rotated level (white fills the corners)."""
    from PIL import Image

    return img.convert("L").rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def to_boxes(quads: list[tuple[Quad, str, list[tuple[float, float]] | None]]) -> list[Box]:
    out = []
    for q, text, chars in quads:
        xs = [x for x, _ in q]
        ys = [y for _, y in q]
        # leading/trailing spaces have no character box of their own worth keeping
        out.append(Box(min(xs), min(ys), max(xs), max(ys), text, chars))
    return out


def ocr_boxes(img: Any) -> list[Box]:
    """Text boxes of a PIL image, axis-aligned."""
    return to_boxes(ocr_quads(img))


MIN_SKEW = 0.15  # degrees; below this a line drifts by less than 3 pixels per 1000


def image_lines(img: Any) -> list[str]:
    """The rows of one page image as tab-separated lines.

    A crooked scan is levelled before it is read: on a tilted page, a text box's crop
    takes in a sliver of the neighbouring cell ('标' read as '示' at the start of the next
    cell) and ruling lines are not one row of pixels."""
    angle = skew_degrees(img)
    if abs(angle) >= MIN_SKEW:
        img = level(img, angle)
    boxes = ocr_boxes(img)
    if not boxes:
        return []
    grid = find_rules(img, boxes)
    if grid.usable:
        items = grid_lines(boxes, grid)
    else:
        items = [(y, "\t".join(fix_cell(c) for c in ln.split("\t"))) for y, ln in boxes_to_lines(boxes)]
    return [line for _, line in sorted(items, key=lambda t: t[0])]


# -- ruling lines ----------------------------------------------------------------------------


@dataclass
class Rule:
    """One table line: its position across (y for a horizontal line, x for a vertical one)
    and the stretches along it where it is drawn."""

    pos: float
    spans: list[tuple[float, float]]

    def covers(self, at: float, slack: float) -> bool:
        return any(a - slack <= at <= b + slack for a, b in self.spans)


@dataclass
class Rules:
    horizontal: list[Rule]
    vertical: list[Rule]

    @property
    def usable(self) -> bool:
        return len(self.horizontal) >= 2 and len(self.vertical) >= 2


def find_rules(img: Any, boxes: list[Box]) -> Rules:
    """Horizontal and vertical lines, by morphological opening with kernels longer than
    any glyph stroke (scaled to the text height) yet shorter than a row."""
    import cv2
    import numpy as np

    gray = np.asarray(img.convert("L"))
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h = median(b.height for b in boxes) if boxes else 20.0
    kx = max(15, int(2.0 * h))
    ky = max(10, int(0.9 * h))
    hmask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (kx, 1)))
    vmask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, ky)))
    # bridge the small gaps a scan leaves in a line
    hmask = cv2.dilate(hmask, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3)))
    vmask = cv2.dilate(vmask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 5)))
    # a stroke taller than the kernel ('）' in a blurred scan) is still no taller than the
    # text; a cell border runs at least a row's height
    return Rules(_rules(hmask, horizontal=True, min_len=kx), _rules(vmask, horizontal=False, min_len=1.1 * h))


def _rules(mask: Any, horizontal: bool, min_len: float) -> list[Rule]:
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segs: list[tuple[float, float, float]] = []  # (pos across, start, end)
    for i in range(1, n):
        x, y, w, hh, _ = stats[i]
        if (w if horizontal else hh) < min_len:
            continue
        if horizontal:
            segs.append((y + hh / 2, float(x), float(x + w)))
        else:
            segs.append((x + w / 2, float(y), float(y + hh)))
    segs.sort()
    rules: list[Rule] = []
    for pos, a, b in segs:
        if rules and pos - rules[-1].pos <= 4:
            rules[-1].spans.append((a, b))
        else:
            rules.append(Rule(pos, [(a, b)]))
    return rules


# -- boxes into cells ------------------------------------------------------------------------


def _char_weight(ch: str) -> float:
    return 0.55 if ch.isascii() else 1.0


def split_at_rules(box: Box, vertical: list[Rule], slack: float) -> list[Box]:
    """OCR sometimes reads across a cell border: two cells as one box ('8.00 8.00'), or a
    box that takes in the edge of its neighbour's text (half of '标' read as '示'). Cut
    it where a vertical line crosses it, by each character's position (RapidOCR's word
    boxes; else shared out by character widths). A piece cut off the box's edge is marked
    a sliver: ``grid_lines`` drops it when the neighbouring cell has its own reading."""
    if box.chars is not None:
        cuts = [r.pos for r in vertical if box.x0 + slack < r.pos < box.x1 - slack and r.covers(box.cy, slack)]
    else:
        # without character positions only a line well inside the box may cut it:
        # RapidOCR pads its boxes, which then poke a little past their cell's border
        inset = max(slack, 0.8 * box.height)
        cuts = [r.pos for r in vertical if box.x0 + inset < r.pos < box.x1 - inset and r.covers(box.cy, slack)]
    if not cuts:
        return [box]
    centres = box.chars and [(a + b) / 2 for a, b in box.chars]
    if not centres:
        total = sum(_char_weight(c) for c in box.text) or 1.0
        acc = 0.0
        centres = []
        for ch in box.text:
            centres.append(box.x0 + (box.x1 - box.x0) * (acc + _char_weight(ch) / 2) / total)
            acc += _char_weight(ch)
    edges = [box.x0, *cuts, box.x1]
    pieces: list[Box] = []
    for k in range(len(edges) - 1):
        idx = [
            i for i, c in enumerate(centres) if edges[k] <= c < edges[k + 1] or (k == len(edges) - 2 and c >= edges[-1])
        ]
        text = "".join(box.text[i] for i in idx).strip()
        if not text:
            continue
        x0 = edges[k] if k else box.x0
        x1 = edges[k + 1]
        chars = [box.chars[i] for i in idx] if box.chars else None
        edge = len(edges) > 2 and (k == 0 or k == len(edges) - 2)
        pieces.append(Box(x0, box.top, x1, box.bottom, text, chars, sliver=edge and len(text) <= 1))
    if len(pieces) <= 1:
        return pieces or [box]
    return pieces


def grid_lines(boxes: list[Box], rules: Rules) -> list[tuple[float, str]]:
    """(y, line) for every table row, and for the text outside the table."""
    h = median(b.height for b in boxes)
    slack = max(3.0, 0.15 * h)
    pieces = [p for b in boxes for p in split_at_rules(b, rules.vertical, slack)]
    whole = [p for p in pieces if not p.sliver]
    # a one-character sliver over a neighbour that has its own reading is a misread
    # fragment of that neighbour's text, not text of its own
    pieces = [p for p in pieces if not p.sliver or not any(_overlaps(p, o) for o in whole)]
    cells: dict[tuple[int, int], list[Box]] = {}
    free: list[Box] = []
    for b in pieces:
        cx = (b.x0 + b.x1) / 2
        row = _nearest_before(rules.horizontal, b.top + 0.25 * b.height, cx, slack)
        col = _nearest_before(rules.vertical, b.x0 + max(slack, 0.8 * b.height), b.cy, slack)
        below = _exists_after(rules.horizontal, b.bottom - 0.25 * b.height, cx, slack)
        right = _exists_after(rules.vertical, b.x1 - max(slack, 0.8 * b.height), b.cy, slack)
        if row is None or col is None or not below or not right:
            free.append(b)
            continue
        cells.setdefault((row, col), []).append(b)
    out: list[tuple[float, str]] = []
    if cells:
        first_col = min(c for _, c in cells)
        for r in sorted({r for r, _ in cells}):
            cols = {c - first_col: _join_cell(bs) for (rr, c), bs in cells.items() if rr == r}
            line = "\t".join(cols.get(c, "") for c in range(max(cols) + 1))
            out.append((rules.horizontal[r].pos, line))
    for row in group_rows(free):
        cells_ = row_cells(row, gap=1.2 * h)  # a spaced-out title is one cell, not one per glyph
        out.append((min(b.top for b in row), "\t".join(join_wrapped(c.text) for c in cells_)))
    return out


def _overlaps(a: Box, b: Box) -> bool:
    same_row = min(a.bottom, b.bottom) - max(a.top, b.top) > 0.5 * min(a.height, b.height)
    return same_row and min(a.x1, b.x1) - max(a.x0, b.x0) > 0 and a is not b


def _nearest_before(rules: list[Rule], limit: float, at: float, slack: float) -> int | None:
    best = None
    for i, r in enumerate(rules):
        if r.pos <= limit and r.covers(at, slack):
            best = i
    return best


def _exists_after(rules: list[Rule], limit: float, at: float, slack: float) -> bool:
    return any(r.pos >= limit and r.covers(at, slack) for r in rules)


# OCR slips seen on these forms, fixed only where the context leaves no doubt: a value's
# '≤'/'≥' read as a book-title bracket; a cell's corner (or its border) read as a letter
# glued to the first Chinese character.
_OCR_FIXES = (
    (re.compile(r"^[《«](?=\s*\d)"), "≤"),
    (re.compile(r"^[》»](?=\s*\d)"), "≥"),
    (re.compile(r"^[|丨lIL](?=[\u4e00-\u9fff])"), ""),
    (re.compile(r"(?<=[\u4e00-\u9fff])[|丨]$"), ""),  # the right border, read as a bar
)


# RapidOCR's recogniser sometimes answers in LaTeX for '≥90.00(%)', with its backslashes
# read as '1' and the closing '$' as 's': '$1geq90.001%s'. A cell opening with '$' is
# such math (the forms never print a dollar sign).
_MATH = (
    (re.compile(r"^\$\s*[\\1l|]?\s*geq?\s*"), "≥"),
    (re.compile(r"^\$\s*[\\1l|]?\s*leq?\s*"), "≤"),
    (re.compile(r"[\\1l|]?%\s*[s$]?$"), "%"),
)


def fix_cell(text: str) -> str:
    if text.startswith("$"):
        for pat, rep in _MATH:
            text = pat.sub(rep, text)
        text = text.replace("$", "")
    for pat, rep in _OCR_FIXES:
        text = pat.sub(rep, text)
    return text


def _join_cell(boxes: list[Box]) -> str:
    """The boxes of one cell in reading order: lines top to bottom, boxes left to right."""
    lines = []
    for row in group_rows(boxes):
        text = ""
        for b in row:
            if text and text[-1].isascii() and text[-1].isalnum() and b.text[0].isascii() and b.text[0].isalnum():
                text += " "
            text += b.text
        lines.append(text)
    return fix_cell(join_wrapped("\n".join(lines)))
