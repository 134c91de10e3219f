"""The workbook: 问题清单 (findings with decisions), 项目 (projects), 指标 (indicators).

Chinese headers, a frozen header row and auto-filters on every sheet; the cells a finding
points at are filled by severity and carry the finding as a comment. Every text cell is
written as a string, never a formula: targets print as '=800.00(元/件)', and a report is
untrusted input.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..zh import DECISION_LABEL, SEVERITY_LABEL
from .columns import FINDING_DECISION_COL, FINDING_SEVERITY_COL, Cell, Table

# fills by severity (also used to mark highlighted cells), ARGB
SEVERITY_FILL: dict[str, str] = {"error": "FFF4B6B6", "warning": "FFFFE08A", "info": "FFCFE3F7"}
DECISION_FILL: dict[str, str] = {"确认问题": "FFF4B6B6", "不是问题": "FFCDEBC5"}
HEADER_FILL = "FFDDE4EE"
_WIDTH = {"问题说明": 60, "证据": 40, "备注": 30, "理由": 30, "偏差原因分析及改进措施": 30, "三级指标": 28}


def _clean(s: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", s)


def _put(ws: Worksheet, row: int, col: int, value: Cell) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"  # '=800(元/件)' is text, not a formula
    else:
        cell.value = value


def _sheet(wb: Workbook, table: Table, first: bool) -> Worksheet:
    ws = wb.active if first else wb.create_sheet()
    assert ws is not None
    ws.title = table.name
    for c, h in enumerate(table.header, start=1):
        _put(ws, 1, c, h)
        cell = ws.cell(row=1, column=c)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r, row in enumerate(table.rows, start=2):
        for c, value in enumerate(row, start=1):
            _put(ws, r, c, value)
    for (r, c), mark in table.marks.items():
        cell = ws.cell(row=r + 2, column=c + 1)
        cell.fill = PatternFill("solid", fgColor=SEVERITY_FILL.get(mark.severity, SEVERITY_FILL["info"]))
        cell.comment = Comment(_clean("\n".join(mark.notes))[:30000], "jixiao", width=320, height=120)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.header))}{max(1, len(table.rows) + 1)}"
    for c, h in enumerate(table.header, start=1):
        ws.column_dimensions[get_column_letter(c)].width = _WIDTH.get(h, max(8, min(24, 2 * len(h) + 4)))
    return ws


def _style_findings(ws: Worksheet, table: Table) -> None:
    sev_by_label = {v: k for k, v in SEVERITY_LABEL.items()}
    for r, row in enumerate(table.rows, start=2):
        sev = sev_by_label.get(str(row[FINDING_SEVERITY_COL]))
        if sev:
            ws.cell(row=r, column=FINDING_SEVERITY_COL + 1).fill = PatternFill("solid", fgColor=SEVERITY_FILL[sev])
        fill = DECISION_FILL.get(str(row[FINDING_DECISION_COL] or ""))
        if fill:
            ws.cell(row=r, column=FINDING_DECISION_COL + 1).fill = PatternFill("solid", fgColor=fill)
        for c in range(1, len(row) + 1):
            ws.cell(row=r, column=c).alignment = Alignment(vertical="top", wrap_text=True)
    if table.rows:
        # a reviewer finishing the review in Excel picks from the same two words
        letter = get_column_letter(FINDING_DECISION_COL + 1)
        dv = DataValidation(type="list", formula1='"' + ",".join(DECISION_LABEL.values()) + '"', allow_blank=True)
        dv.add(f"{letter}2:{letter}{len(table.rows) + 1}")
        ws.add_data_validation(dv)


def render_xlsx(tables: Sequence[Table]) -> bytes:
    wb = Workbook()
    for i, table in enumerate(tables):
        ws = _sheet(wb, table, first=i == 0)
        if table.name == "问题清单":
            _style_findings(ws, table)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
