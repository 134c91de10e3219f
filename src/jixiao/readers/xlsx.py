"""Excel workbooks (.xlsx, via openpyxl): every visible sheet, row by row.

A merged range keeps its value in its first (top-left) cell and leaves the rest empty, as
the text layout has it; some writers copy the value into every cell of the range, so the
covered cells are blanked on purpose. Empty rows stay empty lines (a sheet's row N is
line N of the first sheet), and a blank line separates sheets.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from typing import Any

from ..errors import InputError
from .cells import cell_text, row_line
from .limits import Limits
from .zipguard import census

_DECIMALS = re.compile(r"\.(0+)")
# <c ...><f>SUM(A1:A3)</f></c> or with an empty <v/>: a formula with no cached value.
_UNCACHED = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")


def read_xlsx(data: bytes, name: str, limits: Limits) -> tuple[list[str], list[str]]:
    """Lines and warnings."""
    import openpyxl

    # openpyxl builds every cell (and every cell a merged range covers) before we see
    # one: count them while streaming the parts first, and refuse before it starts.
    census(data, name, "xlsx", limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as e:
        raise InputError(f"{name}: Excel 文件已损坏或格式不受支持，无法读取 ({type(e).__name__})") from e
    except Exception as e:  # openpyxl raises bare exceptions on malformed XML
        raise InputError(f"{name}: Excel 文件已损坏，无法读取 ({type(e).__name__}: {e})") from e
    lines: list[str] = []
    notes: list[str] = []
    missing_formula = uncached_formulas(data)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            notes.append(f"{name}: 已跳过隐藏的工作表「{ws.title}」")
            continue
        rows = _sheet_rows(ws, name, limits)
        if not rows:
            continue
        if lines:
            lines.append("")  # a sheet break reads like a page break
        lines.extend(rows)
    wb.close()
    if missing_formula:
        notes.append(
            f"{name}: {missing_formula} 个公式单元格没有保存计算结果（文件可能由程序生成），已按空白处理；"
            "请在 Excel/WPS 中打开并保存后再读取"
        )
    return lines, notes


def _sheet_rows(ws: Any, name: str, limits: Limits) -> list[str]:
    # openpyxl has no public sparse iterator: iter_rows walks the whole declared
    # rectangle, which one styled cell at XFD1048576 makes a billion cells.
    present = {k: c for k, c in ws._cells.items() if c.value is not None}
    if not present:
        return []
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    max_row = max(r for r, _ in present)
    if max_row > limits.max_rows:
        raise InputError(f"{name}: 工作表「{ws.title}」行数过多（{max_row} 行，上限 {limits.max_rows}）")
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), cell in present.items():
        if (r, c) in covered:
            continue
        text = format_value(cell.value, cell.number_format)
        if text:
            by_row.setdefault(r, {})[c] = text
    out: list[str] = []
    for r in range(1, max_row + 1):
        cols = by_row.get(r)
        if not cols:
            out.append("")
            continue
        out.append(row_line(cols.get(c, "") for c in range(1, max(cols) + 1)))
    while out and not out[-1]:
        out.pop()
    return out


def uncached_formulas(data: bytes) -> int:
    """Formula cells saved without their result (openpyxl and other generators write none):
    with ``data_only`` they read as empty, which the user should hear about."""
    n = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for member in zf.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                n += len(_UNCACHED.findall(zf.read(member)))
    return n


def format_value(value: object, number_format: str | None) -> str:
    """A cell as Excel shows it, for the formats forms use: fixed decimals, thousands
    separators, percentages and dates. Anything fancier prints plainly."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (int, float)):
        return _format_number(float(value), number_format or "General")
    return cell_text(value)


def _format_number(v: float, fmt: str) -> str:
    first = fmt.split(";")[0]
    body = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", first)  # literals, colours, padding
    if not re.search(r"[0#?]", body):
        return _general(v)
    m = _DECIMALS.search(body)
    decimals = len(m.group(1)) if m else 0
    if "%" in body:
        return f"{v * 100:.{decimals}f}%"
    if "," in body.split(".")[0]:
        return f"{v:,.{decimals}f}"
    return f"{v:.{decimals}f}"


def _general(v: float) -> str:
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.10g}"
