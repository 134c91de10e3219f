"""Word documents (.docx, via python-docx's XML): paragraphs and tables in document order.

Merged cells are read from the XML itself: ``w:gridSpan`` (across) keeps the text in the
first grid column and leaves the spanned ones empty; ``w:vMerge`` continuation cells
(down) are empty. That is the text layout the rules engine reads. A page break, a section
break or an empty paragraph between tables gives a blank line (a break, to the engine).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from .cells import cell_text, row_line, tidy_blank_runs
from .limits import Limits
from .zipguard import census

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, name: str, limits: Limits) -> tuple[list[str], list[str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    census(data, name, "docx", limits)  # python-docx parses every XML part whole
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InputError(f"{name}: Word 文件已损坏或格式不受支持，无法读取 ({type(e).__name__})") from e
    except Exception as e:  # lxml XMLSyntaxError and friends on a damaged part
        raise InputError(f"{name}: Word 文件已损坏，无法读取 ({type(e).__name__}: {e})") from e
    lines: list[str] = []
    for item in _blocks(document.element.body):
        if item.tag == W + "p":
            lines.extend(_paragraph_lines(item))
        else:
            rows = table_rows(item)
            if len(rows) > limits.max_rows:
                raise InputError(f"{name}: 表格行数过多（{len(rows)} 行，上限 {limits.max_rows}）")
            lines.extend(rows)
    return tidy_blank_runs(lines), []


def _blocks(parent: Any) -> Iterator[Any]:
    """Paragraphs and tables in order, looking through content controls (w:sdt)."""
    for child in parent.iterchildren():
        if child.tag in (W + "p", W + "tbl"):
            yield child
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _blocks(content)


def _paragraph_lines(p: Any) -> list[str]:
    """A paragraph's text; a page break inside it, or an empty paragraph, is a blank line."""
    text = paragraph_text(p)
    breaks = any(br.get(W + "type") == "page" for br in p.iter(W + "br")) or p.find(f"{W}pPr/{W}sectPr") is not None
    out = [text] if text.strip() else [""]
    if breaks:
        out.append("")
    return out


def paragraph_text(p: Any) -> str:
    """Runs' text, tabs kept as cell breaks; deleted revisions (w:delText) are not text."""
    parts: list[str] = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "noBreakHyphen"):
        if el.tag == W + "t":
            parts.append(el.text or "")
        elif el.tag == W + "tab":
            parts.append("\t")
        elif el.tag == W + "noBreakHyphen":
            parts.append("-")
        elif el.get(W + "type") != "page":
            parts.append("\n")
    return "".join(parts).strip(" ")


def _cell_text(tc: Any) -> str:
    """All paragraphs of a cell (nested tables included), wrapped lines joined."""
    paras = [paragraph_text(p) for p in tc.iter(W + "p")]
    return cell_text("\n".join(p.replace("\t", " ") for p in paras if p.strip()))


def table_rows(tbl: Any) -> list[str]:
    lines: list[str] = []
    for tr in tbl.iterchildren(W + "tr"):
        cells: list[str] = []
        trpr = tr.find(W + "trPr")
        if trpr is not None:
            before = trpr.find(W + "gridBefore")
            if before is not None:
                cells.extend([""] * _int(before.get(W + "val"), 0))
        for tc in tr.iterchildren(W + "tc"):
            pr = tc.find(W + "tcPr")
            span = 1
            cont = False
            if pr is not None:
                gs = pr.find(W + "gridSpan")
                if gs is not None:
                    span = max(1, _int(gs.get(W + "val"), 1))
                vm = pr.find(W + "vMerge")
                # <w:vMerge/> without a value continues the cell above; "restart" opens one
                cont = vm is not None and vm.get(W + "val", "continue") == "continue"
            cells.append("" if cont else _cell_text(tc))
            cells.extend([""] * (span - 1))
        lines.append(row_line(cells))
    return lines


def _int(s: str | None, default: int) -> int:
    try:
        return int(s) if s is not None else default
    except ValueError:
        return default
