"""The eval's HTML pages (``jixiao eval --out r.html``): the numbers of the terminal tables,
with charts as inline SVG: the noise curve (indicator-row F1 against noise strength), F1 per
layout class and per noise kind, and for the fixture eval the per-check precision and recall.

Self-contained like the review report (same CSS, same chart writer), so it can be mailed.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from ..errors import InputError
from ..report import write_atomic
from ..report.charts import Series, hbar_chart, line_chart
from ..report.html import page
from ..report.stamps import local_time
from ..zh import check_label
from .curve import CurveResult
from .harness import EvalReport
from .layouts_render import LAYOUT_LABELS
from .report import EXTRACTION_ROWS, FINDINGS_ROWS, RECONCILE_ROWS, TEMPLATE_F1_FLOOR, TEMPLATE_FIELD_FLOOR

ENGINE_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _engine(name: str) -> str:
    return "基线（按制表符切分）" if name == "baseline" else name


def _percent(v: float) -> str:
    return f"{v * 100:.0f}%" if abs(v * 100 - round(v * 100)) < 1e-6 else f"{v * 100:.1f}%"


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], low: set[tuple[int, int]] | None = None) -> str:
    """A plain table; cells in ``low`` (row, column) are marked as below the floor."""
    head = "".join(f"<th{' class=num' if i else ''}>{escape(h)}</th>" for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        cells = []
        for c, v in enumerate(row):
            cls = ["num"] if c else []
            if low and (r, c) in low:
                cls.append("sev-error")
            attr = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f"<td{attr}>{escape(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="checks"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def curve_chart(curve: CurveResult) -> str:
    xs = [p.level for p in curve.points]
    series = [
        Series(f"{_engine(e)} 指标行 F1", [p.metrics.get(e, {}).get("indicators.f1") for p in curve.points],
               color=ENGINE_COLORS[i % len(ENGINE_COLORS)], css=f"f1 engine-{i}")
        for i, e in enumerate(curve.engines)
    ]  # fmt: skip
    return line_chart(
        xs,
        series,
        title="指标行 F1 随噪声强度的变化",
        threshold=curve.threshold,
        threshold_label=f"阈值 {_percent(curve.threshold)}",
        x_label="噪声强度",
        value_text=_percent,
    )


def layout_chart(curve: CurveResult) -> str:
    layouts = list(curve.by_layout)
    main, others = curve.engines[0], curve.engines[1:]
    series = [Series(_engine(main), [curve.by_layout[x].get("indicators.f1") for x in layouts], css="layout")]
    series += [
        Series(_engine(o), [curve.by_layout[x].get(f"{o}:indicators.f1") for x in layouts], css=f"layout-{o}")
        for o in others
    ]
    labels = [f"{LAYOUT_LABELS.get(x, x)}（{x}）" for x in layouts]
    return hbar_chart(labels, series, title="各版式类别的指标行 F1", top=1.0, value_text=_percent)


def kind_chart(curve: CurveResult) -> str:
    kinds = list(curve.by_kind)
    series = [
        Series(_engine(e), [curve.by_kind[k].get(e) for k in kinds], css=f"kind engine-{i}")
        for i, e in enumerate(curve.engines)
    ]
    return hbar_chart(kinds, series, title="单一噪声类型下的指标行 F1", top=1.0, value_text=_percent)


def _template_table(curve: CurveResult) -> str:
    layouts = list(next(iter(curve.by_template.values())))
    header = ["模板", *(LAYOUT_LABELS.get(x, x) for x in layouts), "资金", "总分", "模板识别"]
    rows, low = [], set()
    for r, (template, per) in enumerate(curve.by_template.items()):
        row = [template]
        for c, layout in enumerate(layouts, start=1):
            f1 = per.get(layout, {}).get("indicators.f1")
            row.append(_pct(f1))
            if f1 is not None and f1 < TEMPLATE_F1_FLOOR:
                low.add((r, c))
        for c, metric in enumerate(("funds.accuracy", "totals.accuracy", "template.accuracy"), start=len(layouts) + 1):
            vals = [m[metric] for m in per.values() if metric in m]
            row.append(_pct(sum(vals) / len(vals) if vals else None))
            if metric != "template.accuracy" and any(x < TEMPLATE_FIELD_FLOOR for x in vals):
                low.add((r, c))
        rows.append(row)
    return _table(header, rows, low)


def curve_page(curve: CurveResult, generated_at: str | None = None) -> bytes:
    main = curve.engines[0]
    parts = [
        "<h1>噪声曲线评估报告</h1>",
        f'<p class="meta">{curve.n_forms} 张生成的干净表单（种子 {curve.seed}），引擎 '
        f"{escape('、'.join(_engine(e) for e in curve.engines))}<br>生成时间：{escape(local_time(generated_at))}</p>",
        "<h2>噪声曲线</h2>",
        _figure("指标行 F1 随噪声强度的变化", curve_chart(curve)),
    ]
    for e in curve.engines:
        lv = curve.breaks_at(e)
        parts.append(
            f"<p>{escape(_engine(e))}：指标行 F1 在噪声强度 {lv:g} 时首次低于 {_percent(curve.threshold)}</p>"
            if lv is not None
            else f"<p>{escape(_engine(e))}：在测到的最高强度 {curve.points[-1].level:g} 下指标行 F1 仍不低于 "
            f"{_percent(curve.threshold)}</p>"
        )
    header = ["噪声强度"]
    for e in curve.engines:
        header += [f"{_engine(e)} 表单召回", f"{_engine(e)} 指标行 F1", f"{_engine(e)} 指标值解析"]
    rows = []
    low = set()
    for r, p in enumerate(curve.points):
        row = [f"{p.level:g}"]
        for i, e in enumerate(curve.engines):
            m = p.metrics.get(e, {})
            row += [_pct(m.get("forms.recall")), _pct(m.get("indicators.f1")), _pct(m.get("target.accuracy"))]
            f1 = m.get("indicators.f1")
            if f1 is not None and f1 < curve.threshold:
                low.add((r, 2 + 3 * i))
        rows.append(row)
    parts.append(_table(header, rows, low))
    if curve.by_layout:
        parts += [
            f"<h2>各版式类别的指标行 F1（{escape(_engine(main))}）</h2>",
            f'<p class="note">同一批表单按各类版式排版，版式怪癖出现概率 {curve.layout_noise:g}。</p>',
            _figure("各版式类别的指标行 F1", layout_chart(curve)),
        ]
    if curve.by_kind:
        parts += [
            f"<h2>单一噪声类型（强度 {curve.kind_level:g}）下的指标行 F1</h2>",
            _figure("单一噪声类型下的指标行 F1", kind_chart(curve)),
        ]
    if curve.by_template:
        parts += [
            "<h2>各模板 × 版式的指标行 F1</h2>",
            f'<p class="note">每格 {curve.template_forms} 张生成的表单；资金、总分、模板识别为各版式平均；'
            f"F1 低于 {_percent(TEMPLATE_F1_FLOOR)}、资金或总分在某版式低于 {_percent(TEMPLATE_FIELD_FLOOR)} 标红。</p>",
            _template_table(curve),
        ]
    return page("噪声曲线评估报告", parts)


def findings_chart(report: EvalReport) -> str:
    """F1 per check (the class of a finding), beside the baseline's when it ran."""
    fs = report.result.findings
    per = sorted((fs.per_check if fs else {}).items(), key=lambda kv: check_label(kv[0]))
    series = [Series(_engine(report.result.engine), [p.f1 for _, p in per], css="f1")]
    base = report.baseline.findings if report.baseline else None
    if base is not None:
        series.append(
            Series(
                _engine("baseline"),
                [base.per_check[c].f1 if c in base.per_check else None for c, _ in per],
                css="f1-baseline",
            )
        )
    return hbar_chart([check_label(c) for c, _ in per], series, title="各检查项的 F1", top=1.0, value_text=_percent)


def extraction_chart(report: EvalReport) -> str:
    m = report.result.metrics()
    rows = [(k, label) for k, label in EXTRACTION_ROWS if k in m]
    series = [Series(_engine(report.result.engine), [m[k] for k, _ in rows], css="extraction")]
    if report.baseline:
        base = report.baseline.metrics()
        series.append(Series(_engine("baseline"), [base.get(k) for k, _ in rows], css="extraction-baseline"))
    return hbar_chart([label for _, label in rows], series, title="抽取质量", top=1.0, value_text=_percent)


def _metric_rows(report: EvalReport, rows: Sequence[tuple[str, str]]) -> tuple[list[str], list[list[str]]]:
    m = report.result.metrics()
    base = report.baseline.metrics() if report.baseline else {}
    header = ["指标", _engine(report.result.engine)] + (["基线（按制表符切分）"] if report.baseline else [])
    out = []
    for k, label in rows:
        if k in m:
            out.append([label, _pct(m[k])] + ([_pct(base.get(k))] if report.baseline else []))
    return header, out


def eval_page(report: EvalReport, generated_at: str | None = None) -> bytes:
    r = report.result
    parts = [
        "<h1>抽取与检查评估报告</h1>",
        f'<p class="meta">{len(report.fixtures)} 份标注文档，{len(report.pairs)} 组核对样例；引擎 {escape(r.engine)}，'
        f"抽出 {r.forms} 张表<br>生成时间：{escape(local_time(generated_at))}</p>",
    ]
    for title, rows in (
        ("抽取", EXTRACTION_ROWS),
        ("发现项（总计）", FINDINGS_ROWS),
        ("申报—自评核对", RECONCILE_ROWS),
    ):
        header, body = _metric_rows(report, rows)
        if body:
            parts += [f"<h2>{title}</h2>", _table(header, body)]
            if rows is EXTRACTION_ROWS:
                parts.append(_figure("抽取质量", extraction_chart(report)))
    if r.findings is not None and r.findings.per_check:
        rows = [
            [
                check_label(c),
                *(str(n) for n in (p.tp + p.fn, p.tp, p.fn, p.fp)),
                *map(_pct, (p.precision, p.recall, p.f1)),
            ]
            for c, p in sorted(r.findings.per_check.items(), key=lambda kv: check_label(kv[0]))
        ]
        parts += [
            "<h2>发现项（按检查项）</h2>",
            _figure("各检查项的 F1", findings_chart(report)),
            _table(["检查项", "应报", "命中", "漏报", "误报", "精确率", "召回率", "F1"], rows),
        ]
    parts += [f'<p class="note">注：{escape(n)}</p>' for n in report.notes]
    return page("抽取与检查评估报告", parts)


def write_page(out: Path, body: bytes) -> None:
    """The page to ``out`` (atomically, with the user's default mode); a folder that cannot
    be written is a one-line error."""
    try:
        write_atomic(out, body)
    except OSError as e:
        raise InputError(f"{out}: 无法写入评估报告（{e.strerror or e}）") from e
