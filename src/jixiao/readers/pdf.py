"""PDFs: the text layer through pdfplumber, page by page; pages without one go to OCR.

On a page with text, tables are found from their ruling lines and read cell by cell
(merged cells come back as one cell and empty neighbours, as in the text layout); the
words outside the tables (titles, the year line) become lines of their own, and
everything is put in order top to bottom. A page with text but no ruled table falls back
to positioned words (``layout``). A blank line separates pages: the rules engine uses it
to mend rows cut by a page break.
"""

from __future__ import annotations

import io
from typing import Any

from ..errors import InputError
from ..layout.positions import Box, boxes_to_lines
from . import ocr
from .cells import row_line, tidy_blank_runs
from .limits import Limits

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "intersection_tolerance": 4}
MIN_TEXT_CHARS = 8  # fewer characters than this on a page with an image: a scan


def read_pdf(data: bytes, name: str, limits: Limits) -> tuple[list[str], list[str]]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    notes: list[str] = []
    lines: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n = len(pdf.pages)
            if n > limits.max_pages:
                raise InputError(
                    f"{name}: PDF 共 {n} 页，超过上限 {limits.max_pages} 页；请拆分文件，或在配置文件 [readers] 中调高 max_pages"
                )
            scanned: list[int] = []
            for i, page in enumerate(pdf.pages):
                if _is_scan(page):
                    scanned.append(i)
                    lines.append(f"\x00scan{i}")  # placeholder, replaced after OCR
                else:
                    lines.extend(page_lines(page))
                lines.append("")
                page.close()  # pdfplumber caches every page's objects otherwise
    except InputError:
        raise
    except PdfminerException as e:
        cause = e.args[0] if e.args else e
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise InputError(f"{name}: PDF 已加密（需要打开密码），请先解除密码保护后再读取") from e
        raise InputError(f"{name}: PDF 文件已损坏，无法解析 ({type(cause).__name__})") from e
    except (PSException, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise InputError(f"{name}: PDF 文件已损坏，无法解析 ({type(e).__name__})") from e
    if scanned:
        lines = _ocr_pages(data, name, lines, scanned, limits, notes, text_pages=n - len(scanned))
    return tidy_blank_runs(lines), notes


def _is_scan(page: Any) -> bool:
    return len(page.chars) < MIN_TEXT_CHARS and bool(page.images)


def page_lines(page: Any) -> list[str]:
    """One page with a text layer: tables and the text around them, top to bottom."""
    items: list[tuple[float, int, str]] = []  # (top, order, line)
    tables = page.find_tables(TABLE_SETTINGS)
    # a "table" of one cell is a frame around text, not a table
    tables = [t for t in tables if len(t.rows) > 1 or len(t.cells) > 1]
    for t in tables:
        for k, row in enumerate(t.extract()):
            items.append((t.bbox[1], k, row_line(c or "" for c in row)))
    words = page.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=True)
    outside = [w for w in words if not any(_inside(w, t.bbox) for t in tables)]
    boxes = [Box(w["x0"], w["top"], w["x1"], w["bottom"], w["text"]) for w in outside]
    for top, line in boxes_to_lines(boxes):
        items.append((top, 0, line))
    items.sort(key=lambda t: (t[0], t[1]))
    return [line for _, _, line in items]


def _inside(w: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    cx = (w["x0"] + w["x1"]) / 2
    cy = (w["top"] + w["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _ocr_pages(
    data: bytes, name: str, lines: list[str], scanned: list[int], limits: Limits, notes: list[str], text_pages: int
) -> list[str]:
    if not ocr.available():
        if text_pages == 0:
            raise InputError(f"{name}: PDF 没有文字层（扫描件）。{ocr.OCR_MISSING}")
        notes.append(
            f"{name}: 第 {', '.join(str(i + 1) for i in scanned)} 页是扫描页，未安装 OCR 组件，已跳过。{ocr.OCR_MISSING}"
        )
        return [ln for ln in lines if not ln.startswith("\x00scan")]
    if len(scanned) > limits.max_ocr_pages:
        raise InputError(
            f"{name}: 扫描页共 {len(scanned)} 页，超过文字识别上限 {limits.max_ocr_pages} 页；"
            "请拆分文件，或在配置文件 [readers] 中调高 max_ocr_pages"
        )
    import pypdfium2 as pdfium

    notes.append(
        f"{name}: 第 {', '.join(str(i + 1) for i in scanned)} 页为扫描页，已用文字识别（OCR）读取，请核对识别结果"
    )
    by_page: dict[int, list[str]] = {}
    doc = pdfium.PdfDocument(data)
    try:
        for i in scanned:
            page = doc[i]
            w, h = page.get_size()
            scale = limits.ocr_dpi / 72
            if w * h * scale * scale > limits.max_pixels:
                scale = (limits.max_pixels / (w * h)) ** 0.5
            img = page.render(scale=scale, grayscale=True).to_pil()
            by_page[i] = ocr.image_lines(img)
            page.close()
    finally:
        doc.close()
    out: list[str] = []
    for ln in lines:
        if ln.startswith("\x00scan"):
            out.extend(by_page[int(ln[5:])])
        else:
            out.append(ln)
    return out
