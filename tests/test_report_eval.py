"""The eval's HTML page: the noise curve and the per-class F1 as inline SVG charts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from jixiao.cli import main
from jixiao.evaluation.curve import CurvePoint, CurveResult
from jixiao.evaluation.report_html import curve_page


def _curve() -> CurveResult:
    points = [
        CurvePoint(level, {"rules": {"indicators.f1": f1, "forms.recall": 1.0}, "baseline": {"indicators.f1": b}})
        for level, f1, b in ((0.0, 1.0, 0.9), (0.5, 0.97, 0.6), (1.0, 0.91, 0.4))
    ]
    return CurveResult(
        engines=["rules", "baseline"],
        n_forms=5,
        seed=3,
        threshold=0.95,
        points=points,
        kind_level=1.0,
        by_kind={"ocr": {"rules": 0.9, "baseline": 0.8}, "gbk": {"rules": 1.0, "baseline": 1.0}},
        by_layout={
            "tabs": {"indicators.f1": 1.0, "baseline:indicators.f1": 0.61},
            "ocr": {"indicators.f1": 0.98, "baseline:indicators.f1": 0.0},
            "pipes": {"indicators.f1": 0.99, "baseline:indicators.f1": 0.0},
        },
    )


def test_curve_page_charts() -> None:
    page = curve_page(_curve()).decode()
    assert "<script" not in page and "http" not in page
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(svgs) == 3, "noise curve, layout classes, noise kinds"
    curve, layouts, kinds = svgs
    assert curve.count('class="point f1 engine-0"') == 3 and curve.count('class="point f1 engine-1"') == 3
    assert 'class="threshold"' in curve and "阈值 95%" in curve
    assert layouts.count('class="bar layout"') == 3
    assert layouts.count('class="bar layout-baseline"') == 1, "a measured zero draws no bar"
    assert layouts.count('font-size="9">0%</text>') == 2, "but says 0%"
    assert "制表符" in layouts
    assert kinds.count('class="bar kind engine-0"') == 2
    assert "rules：指标行 F1 在噪声强度 1 时首次低于 95%" in page
    assert re.search(r"生成时间：\d{4}-\d\d-\d\d \d\d:\d\d UTC[+-]\d\d:\d\d", page)


def test_cli_eval_noise_writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "噪声.html"
    args = ["eval", "--noise", "--forms", "3", "--levels", "0,1", "--layouts", "tabs", "--templates", "none"]
    res = CliRunner().invoke(main, [*args, "--no-baseline", "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert page.count('class="point f1 engine-0"') == 2
    assert page.count('class="bar layout"') == 1
    bad = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2 and not (tmp_path / "x.pdf").exists()


def test_cli_eval_fixtures_writes_per_check_f1(tmp_path: Path) -> None:
    out = tmp_path / "eval.html"
    res = CliRunner().invoke(main, ["eval", "--no-baseline", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    per_check = json.loads(res.output)["findings_by_check"]
    assert per_check, "the fixtures have gold findings"
    assert page.count('class="bar f1"') == sum(1 for p in per_check.values() if p["f1"] > 0)
    assert len(re.findall(r'font-size="\d+">0%</text>', page)) == sum(1 for p in per_check.values() if p["f1"] == 0)
    assert "各检查项的 F1" in page and 'class="bar extraction"' in page
