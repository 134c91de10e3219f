"""The tables of an export as plain cells: one definition, laid out by every writer.

Each table is a header (Chinese) and rows of cells (str, float, int or None). A cell may be
marked: the severity of the findings that point at it, and their messages. Files are named,
never given by path, and no internal key is shown (the JSON export keeps both, for programs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import SEVERITY_RANK, Form, Indicator, Value
from ..render import fmt_value
from ..zh import KIND_LABEL, SEVERITY_LABEL, check_label
from .data import FindingRow, ReportData, file_name, lines_text
from .evidence import INDICATOR_COLUMNS
from .stamps import local_time

Cell = str | float | int | None


@dataclass
class Mark:
    severity: str
    notes: list[str] = field(default_factory=list)

    def add(self, severity: str, note: str) -> None:
        if SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK.get(self.severity, 0):
            self.severity = severity
        if note not in self.notes:
            self.notes.append(note)


@dataclass
class Table:
    name: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    marks: dict[tuple[int, int], Mark] = field(default_factory=dict)  # (row, column) -> mark

    def mark(self, row: int, col: int, fr: FindingRow) -> None:
        note = f"【{check_label(fr.finding.check)}】{fr.finding.message}"
        self.marks.setdefault((row, col), Mark(fr.finding.severity)).add(fr.finding.severity, note)


FINDING_HEADER = [
    "序号",
    "检查项",
    "检查项编号",
    "严重程度",
    "文件",
    "项目名称",
    "表单类型",
    "问题说明",
    "行号",
    "相关项目",
    "证据",
    "审核结论",
    "理由",
    "备注",
    "审核时间",
]
# positions the writers style (0-based)
FINDING_SEVERITY_COL = FINDING_HEADER.index("严重程度")
FINDING_DECISION_COL = FINDING_HEADER.index("审核结论")


def finding_cells(n: int, fr: FindingRow) -> list[Cell]:
    f = fr.finding
    return [
        n,
        check_label(f.check),
        f.check,
        SEVERITY_LABEL.get(f.severity, f.severity),
        file_name(f.source),
        f.project or "",
        KIND_LABEL.get(f.kind or "", f.kind or ""),
        f.message,
        lines_text(f.lines),
        "；".join(f.related),
        "\n".join(f.evidence),
        fr.decision_label,
        fr.reason,
        fr.note,
        local_time(fr.decided_at),
    ]


def findings_table(data: ReportData) -> Table:
    t = Table("问题清单", list(FINDING_HEADER))
    for n, fr in enumerate(data.findings, start=1):
        t.rows.append(finding_cells(n, fr))
    return t


PROJECT_HEADER = [
    "序号",
    "文件",
    "表单类型",
    "年度",
    "项目名称",
    "主管部门",
    "实施单位",
    "起止行",
    "预算或申请金额（元）",
    "执行数（元）",
    "执行率（%）",
    "总分",
    "评分等级",
    "问题数",
    "错误",
    "警告",
    "提示",
    "已确认",
    "已排除",
    "未处理",
]
_FIELD_COLS = {
    "funds": ("预算或申请金额（元）", "执行数（元）", "执行率（%）"),
    "total_score": ("总分",),
    "grade": ("评分等级",),
    "project_name": ("项目名称",),
    "department": ("主管部门",),
    "implementing_unit": ("实施单位",),
    "year": ("年度",),
}


def _budget(form: Form) -> float | None:
    f = form.funds
    if form.kind == "target_declaration":
        return f.requested_total if f.requested_total is not None else f.fiscal
    return f.annual_budget if f.annual_budget is not None else f.initial_budget


def projects_table(data: ReportData) -> Table:
    t = Table("项目", list(PROJECT_HEADER))
    for n, p in enumerate(data.projects, start=1):
        form = p.form
        first, last = [*form.lines, 0, 0][:2]
        t.rows.append(
            [
                n,
                p.file_name,
                KIND_LABEL.get(form.kind, form.kind),
                form.year,
                p.name,
                form.department or "",
                form.implementing_unit or "",
                f"{first}-{last}",
                _budget(form),
                form.funds.executed,
                form.funds.execution_rate,
                form.total_score,
                form.grade or "",
                p.total,
                p.counts["error"],
                p.counts["warning"],
                p.counts["info"],
                p.confirmed,
                p.dismissed,
                p.total - p.decided,
            ]
        )
        row = len(t.rows) - 1
        for pos in p.findings:
            fr = data.findings[pos]
            for fld in fr.evidence.fields:
                for col_name in _FIELD_COLS.get(fld, ()):
                    t.mark(row, PROJECT_HEADER.index(col_name), fr)
    return t


INDICATOR_HEADER = ["文件", "项目名称", "表单类型", "行号", *(h for _, h in INDICATOR_COLUMNS), "相关问题"]
_IND_OFFSET = 4  # first indicator column in INDICATOR_HEADER


def _value_text(v: Value | None) -> str:
    return (v.raw or fmt_value(v)) if v is not None else ""


def indicator_cells(ind: Indicator) -> list[Cell]:
    return [
        ind.level1 or ind.level1_raw or "",
        ind.level2 or ind.level2_raw or "",
        ind.name,
        _value_text(ind.target),
        _value_text(ind.actual),
        ind.weight,
        ind.score,
        ind.deviation or "",
    ]


def indicators_table(data: ReportData) -> Table:
    t = Table("指标", list(INDICATOR_HEADER))
    col_of = {c: _IND_OFFSET + i for i, (c, _) in enumerate(INDICATOR_COLUMNS)}
    for p in data.projects:
        form = p.form
        pointing: dict[int, list[FindingRow]] = {}
        for pos in p.findings:
            fr = data.findings[pos]
            for ind_i in fr.evidence.cells:
                pointing.setdefault(ind_i, []).append(fr)
        for ind_i, ind in enumerate(form.indicators):
            frs = pointing.get(ind_i, [])
            t.rows.append(
                [
                    p.file_name,
                    p.name,
                    KIND_LABEL.get(form.kind, form.kind),
                    ind.line,
                    *indicator_cells(ind),
                    "；".join(dict.fromkeys(check_label(fr.finding.check) for fr in frs)),
                ]
            )
            row = len(t.rows) - 1
            for fr in frs:
                for c in fr.evidence.cells[ind_i]:
                    t.mark(row, col_of[c], fr)
    return t
