"""A self-contained HTML page a reviewer can mail or print: inline CSS and SVG, no script, no
external link. The same page is the PDF (``pdf.py``), so the print rules live here too.

Laid out for people: a summary first (counts by severity and by check, two charts), then
the findings of each file, the projects, and the indicator rows as an appendix. Files are
named without their folders; times are local with their zone; no internal key is shown.
Every text that comes from a report (names, goals, messages, notes) is untrusted and goes
through ``html.escape``; nothing is marked safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ..zh import DECISION_LABEL, SEVERITIES, check_label, kind_label, severity_label
from .columns import Cell, Table
from .data import FindingRow, ReportData, file_name, lines_text
from .overview import MAX_CHART_PROJECTS, by_check, check_chart, project_chart, projects_with_findings
from .stamps import local_time

_CSS = """
@page{size:A4 landscape;margin:12mm 10mm 14mm;
 @bottom-center{content:"第 " counter(page) " 页，共 " counter(pages) " 页";font-size:8pt;color:#666;
 font-family:"Noto Sans CJK SC","Source Han Sans SC",sans-serif}}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
 margin:1.5em auto;max-width:1400px;padding:0 1em;color:#222;line-height:1.45;font-size:14px}
h1{font-size:1.6em;margin:.2em 0}
h2{font-size:1.25em;margin-top:1.8em;border-bottom:2px solid #4e79a7;padding-bottom:.15em}
h3{font-size:1.05em;margin:1.2em 0 .4em}
.meta{color:#555;margin:.2em 0 1em}
table{border-collapse:collapse;margin:.4em 0 1em;width:100%;table-layout:fixed}
th,td{border:1px solid #c8c8c8;padding:4px 6px;vertical-align:top;text-align:left;
 overflow-wrap:anywhere}
th{background:#e4eaf2;font-weight:600}
thead{display:table-header-group}
tr{page-break-inside:avoid;break-inside:avoid}
td.num,th.num{text-align:right}
.sev-error{background:#f4c7c7}.sev-warning{background:#ffe8a8}.sev-info{background:#d7e8f8}
.dec-confirmed{background:#f4c7c7}.dec-dismissed{background:#d3eecb}
.badge{display:inline-block;padding:0 .45em;border-radius:3px;white-space:nowrap}
.id{display:block;color:#777;font-size:.8em;font-family:monospace}
.kind{display:block;color:#666;font-size:.85em}
.ev{margin:.3em 0 0;padding-left:1.1em;color:#555;font-size:.85em}
.rel{color:#555;font-size:.85em;margin-top:.2em}
table.kpi{width:auto;table-layout:auto}
table.kpi td{text-align:center;min-width:5.5em;padding:4px 10px}
table.kpi .n{display:block;font-size:1.5em;font-weight:600}
table.kpi .l{display:block;color:#555;font-size:.85em}
table.checks{width:auto;table-layout:auto;margin:0}
table.checks td,table.checks th{white-space:nowrap}
table.side{border:0;table-layout:auto;width:100%;margin:0}table.side>tbody>tr>td:first-child{width:1%}table.side tr{page-break-inside:auto;break-inside:auto}table.side>tbody>tr>td{border:0;padding:0 1.5em 0 0}
figure{margin:.6em 0 1.2em;page-break-inside:avoid;break-inside:avoid}
figcaption{font-weight:600;margin-bottom:.3em}
.chart{max-width:100%;height:auto}
.note{color:#666;font-size:.9em}
small{color:#666}
@media print{body{margin:0;max-width:none;padding:0;font-size:9.5pt}h2{page-break-after:avoid}
 h3{page-break-after:avoid}}
"""

# column widths of the tables people read (CSS widths; the rest share what is left)
_WIDTHS: dict[str, str] = {
    "序号": "3.2em",
    "项目名称": "13%",
    "检查项": "13%",
    "理由与备注": "12%",
    "严重程度": "5.4em",
    "行号": "5em",
    "审核结论": "5.6em",
    "年度": "3.6em",
    "起止行": "5.2em",
    "总分": "3.8em",
    "评分等级": "4.2em",
    "问题数": "3.8em",
    "错误": "3.2em",
    "警告": "3.2em",
    "提示": "3.2em",
    "已确认": "3.8em",
    "已排除": "3.8em",
    "未处理": "3.8em",
    "分值": "3.4em",
    "得分": "3.4em",
    "一级指标": "6em",
    "二级指标": "7em",
    "执行率（%）": "4.6em",
}
_DEC_CLASS = {"confirmed": "dec-confirmed", "dismissed": "dec-dismissed"}


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return escape(f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) >= 1000 else f"{value:g}")
    return escape(str(value)).replace("\n", "<br>")


def _colgroup(header: Sequence[str]) -> str:
    cols = "".join(f'<col style="width:{_WIDTHS[h]}">' if h in _WIDTHS else "<col>" for h in header)
    return f"<colgroup>{cols}</colgroup>"


def _sev(severity: str) -> str:
    return f'<span class="badge sev-{escape(severity)}">{escape(severity_label(severity))}</span>'


def _kpis(data: ReportData) -> str:
    s = data.summary()
    cells = [
        (len(data.docs), "文件", ""),
        (s.forms, "表单", ""),
        (s.findings, "问题", ""),
        (s.error, "错误", "sev-error"),
        (s.warning, "警告", "sev-warning"),
        (s.info, "提示", "sev-info"),
        (s.confirmed, "已确认", ""),
        (s.dismissed, "已排除", ""),
        (s.undecided, "未处理", ""),
    ]
    tds = "".join(
        f'<td class="{css}"><span class="n">{n}</span><span class="l">{label}</span></td>' for n, label, css in cells
    )
    return f'<table class="kpi"><tr>{tds}</tr></table>'


def _checks_table(data: ReportData) -> str:
    rows = by_check(data)
    if not rows:
        return '<p class="note">没有发现问题。</p>'
    out = [
        '<table class="checks"><thead><tr><th>检查项</th>',
        *(f'<th class="num">{escape(severity_label(s))}</th>' for s in SEVERITIES),
        '<th class="num">合计</th></tr></thead><tbody>',
    ]
    for r in rows:
        nums = "".join(f'<td class="num">{r.counts[s] or ""}</td>' for s in SEVERITIES)
        out.append(f'<tr><td title="{escape(r.check)}">{escape(r.label)}</td>{nums}<td class="num">{r.total}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _summary(data: ReportData) -> str:
    parts = ['<section id="summary"><h2>概况</h2>', _kpis(data), "<h3>各检查项的问题数</h3>"]
    if data.findings:  # the table and its chart side by side
        parts += [
            '<table class="side"><tr><td>',
            _checks_table(data),
            '</td><td><figure style="margin:0">',
            check_chart(data),
            "</figure></td></tr></table>",
        ]
    else:
        parts.append(_checks_table(data))
    if data.findings:
        n = len(projects_with_findings(data))
        cap = "各项目的问题数（按严重程度）"
        if n > MAX_CHART_PROJECTS:
            cap += f"：问题最多的 {MAX_CHART_PROJECTS} 个（共 {n} 个项目有问题）"
        parts += [f"<figure><figcaption>{cap}</figcaption>", project_chart(data), "</figure>"]
    parts.append("</section>")
    return "".join(parts)


_FINDING_COLS = ("序号", "项目名称", "严重程度", "检查项", "问题说明", "行号", "审核结论", "理由与备注")


def _finding_row(n: int, fr: FindingRow) -> str:
    f = fr.finding
    message = escape(f.message)
    if f.related:
        message += f'<div class="rel">相关项目：{escape("、".join(f.related))}</div>'
    if f.evidence:
        message += '<ul class="ev">' + "".join(f"<li>{escape(e)}</li>" for e in f.evidence) + "</ul>"
    dec = fr.decision_value or ""
    dec_cls = f' class="{_DEC_CLASS[dec]}"' if dec in _DEC_CLASS else ""
    remarks = [x for x in (fr.reason and f"理由：{fr.reason}", fr.note and f"备注：{fr.note}") if x]
    when = f"<small>{escape(local_time(fr.decided_at))}</small>" if fr.decided_at else ""
    return (
        f'<tr id="f-{n}"><td class="num">{n}</td>'
        f'<td>{escape(f.project or "")}<span class="kind">{escape(kind_label(f.kind))}</span></td>'
        f"<td>{_sev(f.severity)}</td>"
        f'<td>{escape(check_label(f.check))}<span class="id">{escape(f.check)}</span></td>'
        f"<td>{message}</td><td>{escape(lines_text(f.lines))}</td>"
        f"<td{dec_cls}>{escape(DECISION_LABEL.get(dec, ''))}</td>"
        f"<td>{'<br>'.join(escape(x) for x in remarks)}{'<br>' if remarks and when else ''}{when}</td></tr>"
    )


def _findings(data: ReportData) -> str:
    parts = ['<section id="findings"><h2>问题清单</h2>']
    if not data.findings:
        parts.append('<p class="note">没有发现问题。</p>')
    groups: dict[str, list[tuple[int, FindingRow]]] = {}
    for n, fr in enumerate(data.findings, start=1):
        groups.setdefault(file_name(fr.finding.source) or "（未注明文件）", []).append((n, fr))
    head = "".join(f"<th>{h}</th>" for h in _FINDING_COLS)
    for name, rows in groups.items():
        parts.append(f"<h3>文件：{escape(name)}（{len(rows)} 个问题）</h3>")
        parts.append(f"<table>{_colgroup(_FINDING_COLS)}<thead><tr>{head}</tr></thead><tbody>")
        parts += [_finding_row(n, fr) for n, fr in rows]
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def _table_by_file(t: Table, file_col: int, title: str, anchor: str, only_marked: bool = False, note: str = "") -> str:
    """``t`` as one HTML table per file (the file named in a heading, not in a column);
    ``only_marked``: only the rows with a cell a finding points at."""
    keep = [i for i in range(len(t.header)) if i != file_col]
    header = [t.header[i] for i in keep]
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    groups: dict[str, list[int]] = {}
    marked = {r for r, _ in t.marks}
    for r, row in enumerate(t.rows):
        if not only_marked or r in marked:
            groups.setdefault(str(row[file_col] or ""), []).append(r)
    if not groups:
        return ""
    parts = [f'<section id="{anchor}"><h2>{escape(title)}</h2>']
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    for name, rows in groups.items():
        parts.append(f"<h3>文件：{escape(name)}</h3><table>{_colgroup(header)}<thead><tr>{head}</tr></thead><tbody>")
        for r in rows:
            cells = []
            for c in keep:
                value = t.rows[r][c]
                classes = ["num"] if isinstance(value, int | float) and not isinstance(value, bool) else []
                mark = t.marks.get((r, c))
                title_attr = ""
                if mark:
                    classes.append(f"sev-{mark.severity}")
                    title_attr = f' title="{escape(chr(10).join(mark.notes))}"'
                cls = f' class="{" ".join(classes)}"' if classes else ""
                cells.append(f"<td{cls}{title_attr}>{_text(value)}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def _stale(data: ReportData) -> str:
    if not data.stale:
        return ""
    items = "".join(
        f"<li>{escape(check_label(d.check or ''))}｜{escape(d.project or '')}｜{escape(d.message or '')}"
        f"｜{escape(d.label)}｜{escape(d.note or '')}</li>"
        for d in data.stale
    )
    return f"<section><h2>已失效的审核记录</h2><p>以下审核记录对应的问题在当前文件中已不存在：</p><ul>{items}</ul></section>"


def page(title: str, body: Sequence[str]) -> bytes:
    """A whole self-contained page (this module's CSS, print rules included) around ``body``,
    which is HTML already escaped; ``title`` is plain text."""
    head = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
    )
    return "\n".join([head, *(b for b in body if b), "</body></html>"]).encode("utf-8")


def render_html(data: ReportData, tables: Sequence[Table], generated_at: str) -> bytes:
    """The page; ``generated_at`` is already in the words people read (see stamps.local_time)."""
    by_name = {t.name: t for t in tables}
    files = "、".join(file_name(d.source) for d in data.docs)
    parts = [
        "<h1>绩效表审核报告</h1>",
        f'<p class="meta">文件：{escape(files)}<br>生成时间：{escape(generated_at)}</p>',
        _summary(data),
        _findings(data),
    ]
    if "项目" in by_name:
        parts.append(_table_by_file(by_name["项目"], by_name["项目"].header.index("文件"), "项目", "projects"))
    if "指标" in by_name:
        ind = by_name["指标"]
        parts.append(
            _table_by_file(
                ind,
                ind.header.index("文件"),
                "附：问题涉及的指标",
                "indicators",
                only_marked=True,
                note="问题所指的单元格按严重程度着色；全部指标见 .xlsx 导出的“指标”工作表。",
            )
        )
    parts.append(_stale(data))
    return page("绩效表审核报告", parts)
