"""Build test files from the seed forms: the seed's text lines (one table row per line,
cells separated by tabs) written as real xlsx/docx tables, drawn as a PDF with a text
layer, and rendered as a scanned page image.

Every format gets the same structure: a blank seed line is a page (or sheet) break, a
line with tabs is a table row, a line without is a paragraph (title, year). Cells are
merged the way the forms merge them: category labels down their column over the empty
cells below, labels and texts across the empty cells to their right.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"
GOLD = ROOT / "fixtures" / "gold"

_VALUE = re.compile(r"^[-+=≥≤<>]*\s*[\d.,%]+")


def seed_lines(stem: str) -> list[str]:
    return (SEEDS / f"{stem}.txt").read_text(encoding="utf-8").split("\n")


# -- structure -------------------------------------------------------------------------------


@dataclass
class Table:
    rows: list[list[str]]  # padded to one width
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive

    @property
    def ncols(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def anchor_span(self) -> dict[tuple[int, int], tuple[int, int]]:
        """(r, c) of every cell that is drawn -> (rowspan, colspan)."""
        covered: set[tuple[int, int]] = set()
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        for r0, c0, r1, c1 in self.merges:
            spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
        for r in range(len(self.rows)):
            for c in range(self.ncols):
                if (r, c) not in covered and (r, c) not in spans:
                    spans[(r, c)] = (1, 1)
        return spans


Block = str | Table  # a paragraph or a table


def split_row(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def blocks_of(lines: list[str]) -> list[Block]:
    """Consecutive tab lines form one table; other lines are paragraphs."""
    out: list[Block] = []
    run: list[list[str]] = []
    for ln in [*lines, ""]:
        if "\t" in ln:
            run.append(split_row(ln))
            continue
        if run:
            width = max(len(r) for r in run)
            rows = [r + [""] * (width - len(r)) for r in run]
            out.append(Table(rows, plan_merges(rows)))
            run = []
        if ln.strip():
            out.append(ln.strip())
    return out


def pages_of(lines: list[str]) -> list[list[Block]]:
    """A blank seed line is where the source PDF broke the page; a chunk of paragraphs only
    (a title between two breaks) goes onto the next page."""
    chunks: list[list[str]] = [[]]
    for ln in lines:
        if ln.strip():
            chunks[-1].append(ln)
        elif chunks[-1]:
            chunks.append([])
    pages: list[list[Block]] = []
    carry: list[Block] = []
    for ch in chunks:
        if not ch:
            continue
        bl = blocks_of(ch)
        if all(isinstance(b, str) for b in bl):
            carry.extend(bl)
            continue
        pages.append(carry + bl)
        carry = []
    if carry:
        pages.append(carry)
    return pages


def plan_merges(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """Merged ranges as forms have them: a label in the first two columns spans down over
    the empty cells below it (一级/二级指标, 项目资金, 年度总体目标); a label or a text spans
    right over the empty cells after it. Numbers stay in their own cells."""
    n = len(rows)
    width = len(rows[0]) if rows else 0
    taken: set[tuple[int, int]] = set()
    merges: list[tuple[int, int, int, int]] = []
    for r in range(n):
        for c in range(width):
            v = rows[r][c]
            if not v or (r, c) in taken:
                continue
            h = 1
            if c <= 1:
                while r + h < n and not rows[r + h][c] and (r + h, c) not in taken and any(rows[r + h][c + 1 :]):
                    h += 1
            w = 1
            if not _VALUE.match(v):
                while c + w < width and all(not rows[r + k][c + w] and (r + k, c + w) not in taken for k in range(h)):
                    w += 1
            if h > 1 or w > 1:
                merges.append((r, c, r + h - 1, c + w - 1))
                taken |= {(rr, cc) for rr in range(r, r + h) for cc in range(c, c + w)}
    return merges


# -- xlsx ------------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.(\d+))?$")
_DECIMAL = re.compile(r"^-?\d+\.(\d+)$")
_INT = re.compile(r"^-?\d+$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def excel_value(text: str) -> tuple[Any, str | None]:
    """The typed value and number format a form's author would have had in Excel."""
    if m := _THOUSANDS.match(text):
        d = len(m.group(1) or "")
        return float(text.replace(",", "")), "#,##0" + ("." + "0" * d if d else "")
    if m := _DECIMAL.match(text):
        return float(text), "0." + "0" * len(m.group(1))
    if _INT.match(text) and len(text) < 12:
        return int(text), None
    if m := _DATE.match(text):
        return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))), "yyyy-mm-dd"
    return text, None


def write_xlsx(lines: list[str], path: Path, forms_per_sheet: int = 3) -> Path:
    """Several forms per sheet, several sheets per workbook (a new sheet every
    ``forms_per_sheet`` form titles)."""
    import openpyxl

    wb = openpyxl.Workbook()
    sheets = split_forms(lines, forms_per_sheet)
    for k, chunk in enumerate(sheets):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = f"表{k + 1}"
        r = 1
        while r <= len(chunk):
            ln = chunk[r - 1]
            if "\t" not in ln:
                if ln.strip():
                    ws.cell(row=r, column=1, value=ln.strip())
                r += 1
                continue
            start = r
            run = []
            while r <= len(chunk) and "\t" in chunk[r - 1]:
                run.append(chunk[r - 1])
                r += 1
            table = blocks_of(run)[0]
            assert isinstance(table, Table)
            for i, row in enumerate(table.rows):
                for j, text in enumerate(row):
                    if text:
                        value, fmt = excel_value(text)
                        cell = ws.cell(row=start + i, column=j + 1, value=value)
                        if fmt:
                            cell.number_format = fmt
                        if isinstance(value, str) and value.startswith("="):
                            # text like '=800.00(元/件)', not a formula: Excel stores it as a
                            # string with a quote prefix
                            cell.data_type = "s"
                            cell.quotePrefix = True
            for r0, c0, r1, c1 in table.merges:
                ws.merge_cells(start_row=start + r0, start_column=c0 + 1, end_row=start + r1, end_column=c1 + 1)
    wb.save(path)
    return path


def split_forms(lines: list[str], per_chunk: int) -> list[list[str]]:
    """Cut before every ``per_chunk``-th form title."""
    titles = [i for i, ln in enumerate(lines) if "\t" not in ln and re.search(r"绩效(自评|目标申报)表\s*$", ln)]
    cuts = [titles[i] for i in range(per_chunk, len(titles), per_chunk)]
    out = []
    prev = 0
    for c in cuts:
        out.append(lines[prev:c])
        prev = c
    out.append(lines[prev:])
    return out


# -- docx ------------------------------------------------------------------------------------


def write_docx(lines: list[str], path: Path) -> Path:
    import docx

    document = docx.Document()
    for page in pages_of(lines):
        for b in page:
            if isinstance(b, str):
                document.add_paragraph(b)
                continue
            t = document.add_table(rows=len(b.rows), cols=b.ncols)
            t.style = "Table Grid"
            for row, texts in zip(t.rows, b.rows):
                for cell, text in zip(row.cells, texts):
                    if text:
                        cell.text = text
            for r0, c0, r1, c1 in b.merges:
                t.cell(r0, c0).merge(t.cell(r1, c1))
        document.add_paragraph("")  # the page break
    document.save(path)
    return path


# -- page layout (PDF and image) -------------------------------------------------------------

Measure = Callable[[str, float], float]
FONT = 9.0
LEADING = 11.5
PAD = 3.0
MARGIN = 36.0
PAGE_W = 842.0  # A4 landscape
PAGE_H = 595.0


@dataclass
class Cell:
    x: float
    y: float  # top, growing downwards
    w: float
    h: float
    lines: list[str]


@dataclass
class Para:
    y: float
    text: str
    size: float


@dataclass
class PageLayout:
    width: float
    height: float
    cells: list[Cell]
    paras: list[Para]


def wrap(text: str, width: float, measure: Measure, size: float = FONT) -> list[str]:
    lines: list[str] = []
    cur = ""
    for ch in text:
        if cur and measure(cur + ch, size) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines or [""]


def layout_page(blocks: list[Block], measure: Measure) -> PageLayout:
    y = MARGIN
    cells: list[Cell] = []
    paras: list[Para] = []
    avail = PAGE_W - 2 * MARGIN
    for b in blocks:
        if isinstance(b, str):
            size = 13.0 if "表" in b[-2:] else 10.0
            paras.append(Para(y, b, size))
            y += size * 1.6
            continue
        spans = b.anchor_span()
        widths = [24.0] * b.ncols
        for (r, c), (_, cs) in spans.items():
            if cs == 1 and b.rows[r][c]:
                widths[c] = max(widths[c], min(measure(b.rows[r][c], FONT) + 2 * PAD + 1, 170.0))
        if sum(widths) > avail:
            k = avail / sum(widths)
            widths = [w * k for w in widths]
        xs = [MARGIN]
        for w in widths:
            xs.append(xs[-1] + w)
        heights = [LEADING + 2 * PAD] * len(b.rows)
        wrapped: dict[tuple[int, int], list[str]] = {}
        for (r, c), (rs, cs) in sorted(spans.items(), key=lambda kv: kv[1][0]):
            text = b.rows[r][c]
            wrapped[(r, c)] = wrap(text, xs[c + cs] - xs[c] - 2 * PAD, measure) if text else [""]
            need = len(wrapped[(r, c)]) * LEADING + 2 * PAD
            have = sum(heights[r : r + rs])
            if need > have:
                heights[r + rs - 1] += need - have
        ys = [y]
        for h in heights:
            ys.append(ys[-1] + h)
        for (r, c), (rs, cs) in spans.items():
            cells.append(Cell(xs[c], ys[r], xs[c + cs] - xs[c], ys[r + rs] - ys[r], wrapped[(r, c)]))
        y = ys[-1] + 10
    return PageLayout(PAGE_W, max(PAGE_H, y + MARGIN), cells, paras)


# -- PDF with a text layer -------------------------------------------------------------------


def write_pdf(lines: list[str], path: Path) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"  # Adobe's CJK font: needs no font file, extracts as Unicode
    pdfmetrics.registerFont(UnicodeCIDFont(font))

    def measure(s: str, size: float) -> float:
        return pdfmetrics.stringWidth(s, font, size)

    c = canvas.Canvas(str(path))
    for page in pages_of(lines):
        lay = layout_page(page, measure)
        c.setPageSize((lay.width, lay.height))
        H = lay.height
        c.setLineWidth(0.6)
        for p in lay.paras:
            c.setFont(font, p.size)
            c.drawCentredString(lay.width / 2, H - p.y - p.size, p.text)
        c.setFont(font, FONT)
        for cell in lay.cells:
            c.rect(cell.x, H - cell.y - cell.h, cell.w, cell.h)
            top = cell.y + (cell.h - len(cell.lines) * LEADING) / 2
            for k, text in enumerate(cell.lines):
                c.drawString(cell.x + PAD, H - top - (k + 1) * LEADING + 2.5, text)
        c.showPage()
    c.save()
    return path


# -- scanned image ---------------------------------------------------------------------------

CJK_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei: 1.6 MB instead of 56
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def cjk_font_path() -> str | None:
    for p in CJK_FONT_PATHS:
        if Path(p).is_file():
            return p
    return None


def _sc_font(path: str, size: int) -> Any:
    """The Simplified Chinese face of a Noto CJK collection."""
    from PIL import ImageFont

    for i in range(10):
        try:
            f = ImageFont.truetype(path, size, index=i)
        except OSError:
            break
        if f.getname()[0].endswith(" SC"):
            return f
    return ImageFont.truetype(path, size)


def render_page(blocks: list[Block], dpi: int = 150, noise: float = 8.0, seed: int = 0) -> Any:
    """A page as a scanner would give it: grey, slightly blurred, with speckle."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font: apt-get install fonts-noto-cjk")
    s = dpi / 72
    fonts: dict[float, Any] = {}

    def font(size: float) -> Any:
        if size not in fonts:
            fonts[size] = _sc_font(path, max(6, round(size * s)))
        return fonts[size]

    def measure(text: str, size: float) -> float:
        return font(size).getlength(text) / s

    lay = layout_page(blocks, measure)
    img = Image.new("L", (round(lay.width * s), round(lay.height * s)), 255)
    d = ImageDraw.Draw(img)
    lw = max(1, round(0.6 * s))
    for p in lay.paras:
        w = measure(p.text, p.size)
        d.text(((lay.width - w) / 2 * s, p.y * s), p.text, font=font(p.size), fill=0)
    for cell in lay.cells:
        d.rectangle([cell.x * s, cell.y * s, (cell.x + cell.w) * s, (cell.y + cell.h) * s], outline=0, width=lw)
        top = cell.y + (cell.h - len(cell.lines) * LEADING) / 2
        for k, text in enumerate(cell.lines):
            d.text(((cell.x + PAD) * s, (top + k * LEADING + 1) * s), text, font=font(FONT), fill=0)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    if noise:
        rng = np.random.default_rng(seed)
        arr = np.asarray(img, dtype=np.float32) + rng.normal(0, noise, (img.height, img.width))
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return img


def write_scanned_pdf(images: list[Any], path: Path, dpi: int = 150) -> Path:
    """Page images in a PDF with no text layer, as a scanner writes it."""
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


# -- scoring against the gold ----------------------------------------------------------------

_WS = re.compile(r"\s+")


def _n(s: str | None) -> str:
    return _WS.sub("", s or "")


def load_gold(stem: str) -> dict[str, Any]:
    import json

    return json.loads((GOLD / f"{stem}.gold.json").read_text(encoding="utf-8"))


@dataclass
class Score:
    f1: float
    precision: float
    recall: float
    missing: list[tuple[str, str, str]]
    extra: list[tuple[str, str, str]]
    values_agree: float  # of matched rows: target, weight and score as in the gold
    value_diffs: list[tuple[str, Any, Any]] = field(default_factory=list)  # name, gold, got


def indicator_score(doc: Any, gold: dict[str, Any], only_lines: set[int] | None = None) -> Score:
    """Indicator rows matched on (project, level1, name), whitespace ignored, counted as a
    multiset (a row printed twice must be extracted twice). ``only_lines`` limits the
    gold to rows starting on those seed lines (one rendered page)."""
    from collections import Counter

    gold_rows: Counter[tuple[str, str, str]] = Counter()
    gold_vals: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    for f in gold["forms"]:
        for i in f["indicators"]:
            if only_lines is not None and i["line"] not in only_lines:
                continue
            k = (_n(f["project_name"]), _n(i["level1"]), _n(i["name"]))
            gold_rows[k] += 1
            t = i["target"] or {}
            gold_vals[k] = (t.get("op"), t.get("value"), i.get("weight"), i.get("score"))
    got_rows: Counter[tuple[str, str, str]] = Counter()
    got_vals: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    for f in doc.forms:
        for i in f.indicators:
            k = (_n(f.project_name), _n(i.level1), _n(i.name))
            got_rows[k] += 1
            t = i.target
            got_vals[k] = (t.op if t else None, t.value if t else None, i.weight, i.score)
    tp = sum((gold_rows & got_rows).values())
    p = tp / sum(got_rows.values()) if got_rows else 0.0
    r = tp / sum(gold_rows.values()) if gold_rows else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    matched = [k for k in gold_rows if k in got_rows]
    diffs = [(k[2], gold_vals[k], got_vals[k]) for k in matched if gold_vals[k] != got_vals[k]]
    agree = 1 - len(diffs) / len(matched) if matched else 0.0
    missing = sorted((gold_rows - got_rows).elements())
    return Score(f1, p, r, missing, sorted((got_rows - gold_rows).elements()), agree, diffs)


def page_reference(stem: str, page_indices: list[int]) -> dict[str, Any]:
    """What the text path extracts from the seed lines of some pages only, in the gold's
    shape: the reference for a scan of those pages (the gold itself would count a row
    whose name runs on past the last page as missed)."""
    from jixiao.api import extract_text

    lines = seed_lines(stem)
    keep = set().union(*(page_line_numbers(lines, k) for k in page_indices))
    text = "\n".join(ln if no in keep else "" for no, ln in enumerate(lines, start=1))
    return extract_text(text, stem).model_dump(mode="json")


def page_line_numbers(lines: list[str], page_index: int) -> set[int]:
    """1-based seed line numbers of the rows drawn on one page of ``pages_of``."""
    chunks: list[list[int]] = [[]]
    for no, ln in enumerate(lines, start=1):
        if ln.strip():
            chunks[-1].append(no)
        elif chunks[-1]:
            chunks.append([])
    pages: list[set[int]] = []
    carry: set[int] = set()
    for ch in chunks:
        if not ch:
            continue
        if all("\t" not in lines[no - 1] for no in ch):
            carry |= set(ch)
            continue
        pages.append(carry | set(ch))
        carry = set()
    if carry:
        pages.append(carry)
    return pages[page_index]
