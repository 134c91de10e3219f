"""A Markdown report: the summary, every finding with its decision, and the projects."""

from __future__ import annotations

from collections.abc import Sequence

from .columns import Cell, Table
from .data import ReportData, file_name
from .overview import by_check


def _md(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    # a cell must stay one table cell: pipes escaped, line breaks as <br>, markup characters inert
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", "")
    for ch in "`*_[]<>":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "<br>")


def _table(t: Table, columns: Sequence[str] | None = None) -> list[str]:
    idx = [t.header.index(c) for c in columns] if columns else list(range(len(t.header)))
    out = ["| " + " | ".join(_md(t.header[i]) for i in idx) + " |", "|" + "---|" * len(idx)]
    for row in t.rows:
        out.append("| " + " | ".join(_md(row[i]) for i in idx) + " |")
    return out


# the Markdown findings table leaves out the long evidence and the key (they are in .json/.xlsx)
_FINDING_COLUMNS = (
    "序号",
    "检查项",
    "检查项编号",
    "严重程度",
    "项目名称",
    "表单类型",
    "问题说明",
    "行号",
    "审核结论",
    "理由",
    "备注",
)
_PROJECT_COLUMNS = (
    "序号",
    "表单类型",
    "项目名称",
    "起止行",
    "总分",
    "评分等级",
    "问题数",
    "已确认",
    "已排除",
    "未处理",
)


def _by_check(data: ReportData) -> list[str]:
    rows = by_check(data)
    if not rows:
        return []
    out = [
        "## 各检查项的问题数",
        "",
        "| 检查项 | 检查项编号 | 错误 | 警告 | 提示 | 合计 |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        nums = " | ".join(str(r.counts[s] or "") for s in ("error", "warning", "info"))
        out.append(f"| {_md(r.label)} | {_md(r.check)} | {nums} | {r.total} |")
    return [*out, ""]


def render_markdown(data: ReportData, tables: Sequence[Table], generated_at: str) -> bytes:
    s = data.summary()
    by_name = {t.name: t for t in tables}
    lines = [
        "# 绩效表审核报告",
        "",
        f"- 文件：{_md('、'.join(file_name(d.source) for d in data.docs))}",
        f"- 生成时间：{generated_at}",
        f"- 表单 {s.forms} 张，问题 {s.findings} 个（错误 {s.error}、警告 {s.warning}、提示 {s.info}）",
        f"- 审核进度：已确认 {s.confirmed}，已排除 {s.dismissed}，未处理 {s.undecided}",
        "",
        *_by_check(data),
        "## 问题清单",
        "",
        *_table(by_name["问题清单"], _FINDING_COLUMNS),
        "",
        "## 项目",
        "",
        *_table(by_name["项目"], _PROJECT_COLUMNS),
        "",
    ]
    if data.stale:
        lines += ["## 已失效的审核记录", ""]
        lines += [
            f"- {_md(d.check)}｜{_md(d.project)}｜{_md(d.message)}｜{_md(d.label)}｜{_md(d.note)}" for d in data.stale
        ]
        lines.append("")
    return "\n".join(lines).encode("utf-8")
