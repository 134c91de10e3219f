"""A self-contained HTML page a reviewer can mail: inline CSS, no script, no external link.

Every text that comes from a report (names, goals, messages, notes) is untrusted and goes
through ``html.escape``; nothing is marked safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ..zh import SEVERITY_LABEL
from .columns import FINDING_DECISION_COL, FINDING_SEVERITY_COL, Cell, Table
from .data import ReportData

_CSS = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#dde4ee;position:sticky;top:0}
td.num{text-align:right}
.sev-error{background:#f4b6b6}.sev-warning{background:#ffe08a}.sev-info{background:#cfe3f7}
.dec-confirmed{background:#f4b6b6}.dec-dismissed{background:#cdebc5}
.summary td{min-width:5em}
.meta{color:#666;font-size:.85em}
"""


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return escape(f"{value:g}")
    return escape(str(value)).replace("\n", "<br>")


def _table(t: Table, decision_col: int | None = None, severity_col: int | None = None) -> str:
    out = ['<table id="t-' + escape(t.name) + '"><thead><tr>']
    out += [f"<th>{escape(h)}</th>" for h in t.header]
    out.append("</tr></thead><tbody>")
    sev_by_label = {v: k for k, v in SEVERITY_LABEL.items()}
    dec_class = {"确认问题": "dec-confirmed", "不是问题": "dec-dismissed"}
    for r, row in enumerate(t.rows):
        out.append("<tr>")
        for c, value in enumerate(row):
            classes: list[str] = []
            title = ""
            if isinstance(value, int | float) and not isinstance(value, bool):
                classes.append("num")
            mark = t.marks.get((r, c))
            if mark:
                classes.append(f"sev-{mark.severity}")
                title = "\n".join(mark.notes)
            if c == severity_col and str(value) in sev_by_label:
                classes.append(f"sev-{sev_by_label[str(value)]}")
            if c == decision_col and str(value) in dec_class:
                classes.append(dec_class[str(value)])
            attrs = f' class="{" ".join(classes)}"' if classes else ""
            if title:
                attrs += f' title="{escape(title)}"'
            out.append(f"<td{attrs}>{_cell(value)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def render_html(data: ReportData, tables: Sequence[Table], generated_at: str) -> bytes:
    s = data.summary()
    sources = "、".join(d.source for d in data.docs)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape('绩效表审核报告')}</title><style>{_CSS}</style></head><body>",
        "<h1>绩效表审核报告</h1>",
        f'<p class="meta">文件：{escape(sources)}　生成时间：{escape(generated_at)}</p>',
        '<table class="summary"><tr><th>表单</th><th>问题</th><th>错误</th><th>警告</th><th>提示</th>'
        "<th>已确认</th><th>已排除</th><th>未处理</th></tr>",
        "<tr>"
        + "".join(
            f'<td class="num">{v}</td>'
            for v in (s.forms, s.findings, s.error, s.warning, s.info, s.confirmed, s.dismissed, s.undecided)
        )
        + "</tr></table>",
    ]
    for t in tables:
        parts.append(f"<h2>{escape(t.name)}</h2>")
        if t.name == "问题清单":
            parts.append(_table(t, decision_col=FINDING_DECISION_COL, severity_col=FINDING_SEVERITY_COL))
        else:
            parts.append(_table(t))
    if data.stale:
        parts.append("<h2>已失效的审核记录</h2><p>以下审核记录对应的问题在当前文件中已不存在：</p><ul>")
        for d in data.stale:
            parts.append(
                f"<li>{escape(d.check or '')}｜{escape(d.project or '')}｜{escape(d.message or '')}"
                f"｜{escape(d.label)}｜{escape(d.note or '')}</li>"
            )
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")
