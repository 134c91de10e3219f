"""Rich views of an eval report and of a noise curve (the ``table`` format of ``jixiao eval``)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .curve import CurveResult
from .harness import EvalReport
from .layouts_render import LAYOUT_LABELS
from .metrics import PRF

# (metric key, Chinese label) in the order a reader wants them
EXTRACTION_ROWS = [
    ("forms.precision", "表单切分 精确率"),
    ("forms.recall", "表单切分 召回率"),
    ("header.accuracy", "表头字段 准确率"),
    ("funds.accuracy", "资金字段 准确率"),
    ("goal.accuracy", "目标文字 准确率"),
    ("totals.accuracy", "总分/等级 准确率"),
    ("form_lines.accuracy", "表单行号 准确率"),
    ("indicators.precision", "指标行 精确率"),
    ("indicators.recall", "指标行 召回率"),
    ("indicators.f1", "指标行 F1（一级+名称）"),
    ("indicators.f1_fuzzy", "指标行 F1（名称模糊≥80）"),
    ("level2.accuracy", "二级指标 准确率"),
    ("target.accuracy", "指标值解析 准确率"),
    ("actual.accuracy", "实际值解析 准确率"),
    ("weight.accuracy", "分值 准确率"),
    ("score.accuracy", "得分 准确率"),
    ("deviation.accuracy", "偏差原因 准确率"),
    ("row_line.accuracy", "指标行号 准确率"),
]
FINDINGS_ROWS = [
    ("findings.precision", "发现项 精确率"),
    ("findings.recall", "发现项 召回率"),
    ("findings.f1", "发现项 F1"),
    ("findings.line_recall", "发现项 行号覆盖率"),
]
RECONCILE_ROWS = [
    ("reconcile.projects.f1", "项目配对 F1"),
    ("reconcile.indicators.f1", "指标配对 F1"),
    ("reconcile.status.accuracy", "指标状态 准确率"),
    ("reconcile.unmatched.f1", "未配对项目 F1"),
]


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}"


def _gain(x: float | None) -> Text:
    if x is None:
        return Text("—")
    style = "green" if x > 0.0005 else "red" if x < -0.0005 else "dim"
    return Text(f"{x * 100:+.1f}", style=style)


def _metric_table(title: str, rows: list[tuple[str, str]], report: EvalReport) -> Table | None:
    m = report.result.metrics()
    if not any(k in m for k, _ in rows):
        return None
    base = report.baseline.metrics() if report.baseline else {}
    t = Table(title=title, title_justify="left", header_style="bold")
    t.add_column("指标")
    t.add_column(report.result.engine, justify="right")
    if report.baseline:
        t.add_column("基线（按制表符切分）", justify="right")
        t.add_column("提升（百分点）", justify="right")
    for k, label in rows:
        if k not in m:
            continue
        row: list[str | Text] = [label, _pct(m[k])]
        if report.baseline:
            row += [_pct(base.get(k)), _gain(m[k] - base[k] if k in base else None)]
        t.add_row(*row)
    return t


def _findings_table(report: EvalReport) -> Table | None:
    fs = report.result.findings
    if fs is None:
        return None
    base = report.baseline.findings.per_check if report.baseline and report.baseline.findings else {}
    t = Table(title="发现项（按检查项）", title_justify="left", header_style="bold")
    for col in ("检查项", "应报", "命中", "漏报", "误报", "精确率", "召回率"):
        t.add_column(col, justify="left" if col == "检查项" else "right", no_wrap=col == "检查项")
    if base:
        t.add_column("基线召回率", justify="right")
    for cid, p in sorted(fs.per_check.items()):
        row = [cid, str(p.tp + p.fn), str(p.tp), str(p.fn), str(p.fp), _pct(p.precision), _pct(p.recall)]
        if base:
            row.append(_pct(base.get(cid, PRF()).recall) if cid in base else "—")
        t.add_row(*row)
    return t


def _usage_table(report: EvalReport) -> Table | None:
    u = report.result.usage
    if not u:
        return None
    t = Table(title="LLM 用量", title_justify="left", header_style="bold")
    t.add_column("项目")
    t.add_column("数值", justify="right")
    labels = {
        "requests": "请求数",
        "prompt_tokens": "输入词元",
        "completion_tokens": "输出词元",
        "total_tokens": "词元合计",
        "cost": "费用",
        "latency_s": "总耗时（秒）",
        "cache_hits": "缓存命中",
        "failed": "失败的表单",
    }
    for k, label in labels.items():
        if k in u:
            t.add_row(label, f"{u[k]:,.4g}" if k in ("cost", "latency_s") else f"{u[k]:,.0f}")
    if u.get("requests") and "latency_s" in u:
        t.add_row("平均每次请求耗时（秒）", f"{u['latency_s'] / u['requests']:.2f}")
    return t


def _errors_table(report: EvalReport, n: int) -> Table | None:
    errs = report.worst(n)
    if not errs:
        return None
    t = Table(
        title=f"最严重的 {len(errs)} 处差异（先看丢失的表和行，再看取值）", title_justify="left", header_style="bold"
    )
    for col in ("差异", "位置", "标注", "抽取", "源文本"):
        t.add_column(col, overflow="fold")
    for e in errs:
        where = f"{e.source}:{e.line}" if e.line else e.source
        t.add_row(e.what, f"{where}\n{e.form}", e.gold, e.got, Text(e.text, style="dim"))
    return t


def render_report(report: EvalReport, console: Console, n_errors: int = 15) -> None:
    r = report.result
    speed = f"（抽取 {r.extract_seconds:.2f} 秒）" if r.extract_seconds > 0 else ""
    console.print(
        Text(
            f"评估 {report.root}：{len(report.fixtures)} 份标注文档，{len(report.pairs)} 组核对样例；"
            f"引擎 {r.engine}，抽出 {r.forms} 张表，用时 {r.seconds:.2f} 秒{speed}",
            style="bold",
        )
    )
    for table in (
        _metric_table("抽取", EXTRACTION_ROWS, report),
        _metric_table("发现项（总计）", FINDINGS_ROWS, report),
        _findings_table(report),
        _metric_table("申报—自评核对", RECONCILE_ROWS, report),
        _usage_table(report),
        _errors_table(report, n_errors),
    ):
        if table is not None:
            console.print(table)
    for note in report.notes:
        console.print(Text(f"注：{note}", style="yellow"))


def render_curve(curve: CurveResult, console: Console) -> None:
    t = Table(
        title=f"噪声曲线：{curve.n_forms} 张生成的干净表单（种子 {curve.seed}），指标行 F1 随噪声强度的变化",
        title_justify="left",
        header_style="bold",
    )
    t.add_column("噪声强度", justify="right")
    for eng in curve.engines:
        t.add_column(f"{eng} 表单召回", justify="right")
        t.add_column(f"{eng} 指标行 F1", justify="right")
        t.add_column(f"{eng} 指标值解析", justify="right")
    for p in curve.points:
        row = [f"{p.level:g}"]
        for eng in curve.engines:
            m = p.metrics.get(eng, {})
            f1 = m.get("indicators.f1")
            style = "red" if f1 is not None and f1 < curve.threshold else ""
            row += [_pct(m.get("forms.recall")), Text(_pct(f1), style=style), _pct(m.get("target.accuracy"))]
        t.add_row(*row)
    console.print(t)
    for eng in curve.engines:
        lv = curve.breaks_at(eng)
        msg = (
            f"{eng}：指标行 F1 在噪声强度 {lv:g} 时首次低于 {curve.threshold:g}"
            if lv is not None
            else f"{eng}：在测到的最高强度 {curve.points[-1].level:g} 下指标行 F1 仍不低于 {curve.threshold:g}"
        )
        console.print(Text(msg, style="bold"))
    if curve.by_kind:
        k = Table(
            title=f"单一噪声类型（强度 {curve.kind_level:g}）下的指标行 F1", title_justify="left", header_style="bold"
        )
        k.add_column("噪声类型")
        for eng in curve.engines:
            k.add_column(eng, justify="right")
        for kind, per in curve.by_kind.items():
            k.add_row(kind, *[_pct(per.get(eng)) for eng in curve.engines])
        console.print(k)
    if curve.by_layout:
        _layout_table(curve, console)
    if curve.by_template:
        _template_table(curve, console)


# (metric, label) shown per layout class for the engine under test; other engines show F1 only
LAYOUT_COLUMNS = [
    ("forms.recall", "表单召回"),
    ("indicators.f1", "指标行F1"),
    ("header.accuracy", "表头"),
    ("funds.accuracy", "资金"),
    ("row_line.accuracy", "行号"),
]


def _layout_table(curve: CurveResult, console: Console) -> None:
    eng, others = curve.engines[0], curve.engines[1:]
    t = Table(
        title=f"各版式类别的指标行 F1：{curve.n_forms} 张生成的表单（种子 {curve.seed}）按各类版式排版，"
        f"版式怪癖概率 {curve.layout_noise:g}；引擎 {eng}，单位 %（表头、资金为字段准确率，行号为指标行号准确率）",
        title_justify="left",
        header_style="bold",
    )
    t.add_column("版式类别", no_wrap=True)
    for _, label in LAYOUT_COLUMNS:
        t.add_column(label, justify="right", no_wrap=True)
    for other in others:
        t.add_column("基线" if other == "baseline" else other, justify="right", no_wrap=True)
    for layout, m in curve.by_layout.items():
        f1 = m.get("indicators.f1")
        row: list[str | Text] = [f"{layout} {LAYOUT_LABELS.get(layout, '')}"]
        for k, _ in LAYOUT_COLUMNS:
            style = "red" if k == "indicators.f1" and f1 is not None and f1 < curve.threshold else ""
            row.append(Text(_num(m.get(k)), style=style))
        row += [_num(m.get(f"{other}:indicators.f1")) for other in others]
        t.add_row(*row)
    console.print(t)


# the floors for every template x layout class
TEMPLATE_F1_FLOOR, TEMPLATE_FIELD_FLOOR = 0.97, 0.95
# short column heads: the template table holds every class on an 80-column terminal
LAYOUT_SHORT = {
    "tabs": "制表",
    "spaces": "空格",
    "ocr": "OCR",
    "cell-per-line": "每格",
    "pipes": "竖线",
    "run-together": "连写",
    "one-line": "一行",
    "html": "HTML",
    "pdf": "PDF",
}


# and short template names, with a legend, when the ids do not fit
TEMPLATE_SHORT = {
    "shanghai-district": "上海区级",
    "national-self": "全国自评",
    "sichuan-dept-self": "四川部门",
    "sichuan-xianjie-self": "四川衔接",
    "hubei-self": "湖北自评",
    "hunan-decl": "湖南申报",
    "hunan-infra-decl": "湖南基建",
    "hubei-decl": "湖北目标",
    "neimenggu-decl": "内蒙目标",
    "chongqing-approval": "重庆审批",
    "shanghai-municipal-decl": "上海市级",
}


def _short(x: float | None) -> str:
    return "—" if x is None else "100" if x >= 0.99995 else f"{x * 100:.1f}"


def _template_table(curve: CurveResult, console: Console) -> None:
    """One row per template: indicator F1 per layout class, then funds, 总分 and template
    recognition averaged over the classes (red: below the floor in a class)."""
    layouts = list(next(iter(curve.by_template.values())))
    t = Table(
        title=f"各模板 × 版式的指标行 F1：每格 {curve.template_forms} 张生成的表单（种子 {curve.seed}），按该省模板、"
        f"再按各类版式排版（怪癖概率 {curve.layout_noise:g}），引擎 {curve.engines[0]}，单位 %；资金、总分、识别"
        f"（模板识别）为各版式平均；F1 低于 {TEMPLATE_F1_FLOOR:.0%}、资金或总分在某版式低于 {TEMPLATE_FIELD_FLOOR:.0%} 标红",
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 0, 0, 1),
        pad_edge=False,
        show_edge=False,
    )
    ids = console.width >= 100
    t.add_column("模板", no_wrap=True)
    for layout in layouts:
        t.add_column(LAYOUT_SHORT.get(layout, layout), justify="right", no_wrap=True)
    for label in ("资金", "总分", "识别"):
        t.add_column(label, justify="right", no_wrap=True)
    for template, per in curve.by_template.items():
        row: list[str | Text] = [template if ids else TEMPLATE_SHORT.get(template, template)]
        for layout in layouts:
            f1 = per.get(layout, {}).get("indicators.f1")
            row.append(Text(_short(f1), style="red" if f1 is not None and f1 < TEMPLATE_F1_FLOOR else ""))
        for metric in ("funds.accuracy", "totals.accuracy", "template.accuracy"):
            vals = [m[metric] for m in per.values() if metric in m]
            red = metric != "template.accuracy" and any(x < TEMPLATE_FIELD_FLOOR for x in vals)
            row.append(Text(_short(sum(vals) / len(vals) if vals else None), style="red" if red else ""))
        t.add_row(*row)
    console.print(t)
    if not ids:
        legend = "，".join(f"{TEMPLATE_SHORT.get(x, x)}={x}" for x in curve.by_template)
        console.print(Text(f"模板：{legend}", style="dim"))
