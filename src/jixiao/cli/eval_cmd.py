"""jixiao eval [FIXTURE_DIR] [--engine] [--format table|json] [--noise]"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import echo_json
from .options import engine_option, format_option


@click.command("eval")
@click.argument("fixture_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@engine_option
@format_option
@click.option("--noise", is_flag=True, help="在生成的干净表单上加噪，输出指标行 F1 随噪声强度的曲线")
@click.option(
    "--forms", "n_forms", type=click.IntRange(1, 100000), default=200, show_default=True, help="--noise：生成表单数"
)
@click.option("--seed", type=int, default=0, show_default=True, help="--noise：随机种子")
@click.option("--levels", default=None, help="--noise：噪声强度列表，逗号分隔，如 0,0.1,0.5,1")
@click.option(
    "--layouts",
    default=None,
    help="--noise：另按版式类别（tabs、spaces、ocr、cell-per-line、pipes、run-together、one-line、html、pdf）"
    "生成表单并评估，逗号分隔；默认全部，none 表示不评估",
)
@click.option(
    "--layout-noise",
    type=click.FloatRange(0.0, 1.0),
    default=0.3,
    show_default=True,
    help="--noise：各版式类别自身怪癖（如 万兀、错位竖线）出现的概率",
)
@click.option(
    "--templates",
    default=None,
    help="--noise：另按各省模板（如 sichuan-dept-self、hubei-decl）× 版式类别生成表单并评估，逗号分隔；"
    "默认全部，none 表示不评估",
)
@click.option(
    "--template-forms",
    "template_forms",
    type=click.IntRange(1, 10000),
    default=30,
    show_default=True,
    help="--noise：每个模板 × 版式类别生成的表单数",
)
@click.option("--no-baseline", is_flag=True, help="不运行朴素基线（按制表符切分的读表方式）")
@click.option(
    "--errors", "n_errors", type=click.IntRange(0, 1000), default=15, show_default=True, help="列出最严重的差异条数"
)
@click.option(
    "--against",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="与已提交的指标基准（如 eval/baseline.json）比较；有指标下降时退出码为 1",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="另写出带图表的 HTML 评估报告（如 eval.html；--noise 时为噪声曲线和各版式 F1）",
)
def command(
    fixture_dir: Path | None,
    engine: str,
    fmt: str,
    noise: bool,
    n_forms: int,
    seed: int,
    levels: str | None,
    layouts: str | None,
    layout_noise: float,
    templates: str | None,
    template_forms: int,
    no_baseline: bool,
    n_errors: int,
    against: Path | None,
    out: Path | None,
) -> None:
    """在标注样例上评估抽取、检查与核对的质量（默认使用项目自带的 fixtures/）。"""
    from rich.console import Console

    from ..errors import InputError

    console = Console()
    if out is not None and out.suffix.lower() not in (".html", ".htm"):
        raise click.BadParameter(f"{out}：评估报告只能写成 .html", param_hint="--out")
    if noise:
        from ..evaluation.curve import LEVELS, noise_curve
        from ..evaluation.layouts_render import LAYOUT_CLASSES
        from ..evaluation.report import render_curve

        try:
            lv = tuple(float(x) for x in levels.split(",")) if levels else LEVELS
        except ValueError as e:
            raise click.BadParameter(f"噪声强度应为逗号分隔的数字：{levels}", param_hint="--levels") from e
        if layouts is None:
            classes: tuple[str, ...] = LAYOUT_CLASSES
        elif layouts.strip().lower() in ("", "none"):
            classes = ()
        else:
            classes = tuple(x.strip() for x in layouts.split(",") if x.strip())
            unknown = [x for x in classes if x not in LAYOUT_CLASSES]
            if unknown:
                raise click.BadParameter(
                    f"未知的版式类别：{', '.join(unknown)}（可选：{', '.join(LAYOUT_CLASSES)}）", param_hint="--layouts"
                )
        from ..evaluation.templates_render import TEMPLATE_IDS

        if templates is None:
            tids: tuple[str, ...] = TEMPLATE_IDS
        elif templates.strip().lower() in ("", "none"):
            tids = ()
        else:
            tids = tuple(x.strip() for x in templates.split(",") if x.strip())
            unknown = [x for x in tids if x not in TEMPLATE_IDS]
            if unknown:
                raise click.BadParameter(
                    f"未知的模板：{', '.join(unknown)}（可选：{', '.join(TEMPLATE_IDS)}）", param_hint="--templates"
                )
        engines = [engine] if no_baseline else [engine, "baseline"]
        curve = noise_curve(
            engines,
            lv,
            n_forms=n_forms,
            seed=seed,
            layouts=classes,
            layout_noise=layout_noise,
            templates=tids,
            n_template_forms=template_forms,
        )
        if fmt == "json":
            echo_json(curve.to_json())
        else:
            render_curve(curve, console)
        if out is not None:
            from ..evaluation.report_html import curve_page, write_page

            write_page(out, curve_page(curve))
        return
    from ..evaluation import regress
    from ..evaluation.fixtures import default_dir
    from ..evaluation.harness import run_eval
    from ..evaluation.report import render_report

    root = fixture_dir or default_dir()
    if root is None:
        raise InputError("找不到 fixtures/ 目录，请指定 FIXTURE_DIR")
    report = run_eval(root, engine, with_baseline=not no_baseline)
    dropped = regress.drops(regress.committed(against, engine), report.result.metrics()) if against else []
    if out is not None:
        from ..evaluation.report_html import eval_page, write_page

        write_page(out, eval_page(report))
    if fmt == "json":
        body = report.to_json(n_errors)
        if against:
            body["regressions"] = [str(d) for d in dropped]
        echo_json(body)
    else:
        render_report(report, console, n_errors)
        if against:
            if dropped:
                console.print(f"[red bold]与 {against} 相比有 {len(dropped)} 项指标下降：[/]")
                for d in dropped:
                    console.print(f"  [red]{d}[/]")
            else:
                console.print(f"[green]没有指标低于 {against} 中的基准。[/]")
    if dropped:
        sys.exit(1)
