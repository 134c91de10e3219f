"""The noise curve: indicator-row F1 of each engine against the noise level, on generated forms.

    .venv/bin/python eval/noise_curve.py                      # rules + naive baseline, 200 forms
    .venv/bin/python eval/noise_curve.py --forms 500 --seeds 0,1,2

Same as `jixiao eval --noise`, plus several seeds (mean and spread) and a JSON copy in
eval/out/noise_curve.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    from rich.console import Console

    from jixiao.evaluation.curve import LEVELS, noise_curve
    from jixiao.evaluation.report import render_curve

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engines", default="rules,baseline")
    ap.add_argument("--forms", type=int, default=200)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--levels", default=",".join(f"{x:g}" for x in LEVELS))
    args = ap.parse_args()
    engines = args.engines.split(",")
    levels = [float(x) for x in args.levels.split(",")]
    curves = []
    console = Console()
    for seed in (int(s) for s in args.seeds.split(",")):
        c = noise_curve(engines, levels, n_forms=args.forms, seed=seed)
        render_curve(c, console)
        curves.append(c)
    if len(curves) > 1:
        for eng in engines:
            console.print(f"[bold]{eng}[/]: indicator-row F1 over {len(curves)} seeds (mean ± stdev)")
            for i, lv in enumerate(levels):
                vals = [c.points[i].metrics[eng]["indicators.f1"] for c in curves]
                console.print(f"  level {lv:g}: {statistics.mean(vals):.3f} ± {statistics.pstdev(vals):.3f}")
    out = ROOT / "eval" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "noise_curve.json").write_text(
        json.dumps([c.to_json() for c in curves], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
