"""Extraction speed and memory per layout class, on generated forms, one core: one table.

    .venv/bin/python eval/bench_layouts.py                     # 1,000 forms per class, growth from 250
    .venv/bin/python eval/bench_layouts.py --forms 200 --layouts spaces,html
    .venv/bin/python eval/bench_layouts.py --format json

For each layout class of ``jixiao.evaluation.layouts_render`` (tabs, spaces, ocr, …), N
generated forms (default 1,000) are printed in that class (``render_documents``: one
document, or one per form for one-line) and read through the intake and the rules engine
in a fresh child process pinned to one CPU, so its peak memory (ru_maxrss, input included)
is the class's own. Speed is forms per CPU-second (``time.process_time``: wall time suffers
from other load on a shared machine); rendering the input is not timed. Each class is also
run on a smaller size (default N/4) and the growth exponent k of CPU time ~ n^k between the
two sizes is printed (1 = linear; a warm-up read precedes the timing). The indicator-row F1 against the gold is printed too, so
speed is not bought with misses.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "eval" / "out"


from bench import _one_core, _peak_mb  # noqa: E402  (the sibling script: one pinning, one memory probe)

# ---- child -------------------------------------------------------------------------------


def child(layout: str, n: int, noise: float) -> dict[str, Any]:
    import gc

    from jixiao.api import extract_source
    from jixiao.evaluation.generate import generate_forms
    from jixiao.evaluation.layouts_render import render_documents
    from jixiao.evaluation.metrics import ExtractionScore, score_forms
    from jixiao.intake import from_bytes

    docs = render_documents(generate_forms(n, seed=0), layout, seed=0, noise=noise)
    data = [text.encode("utf-8") for text, _ in docs]
    warm = render_documents(generate_forms(2, seed=1), layout, seed=1, noise=noise)[0][0]
    extract_source(from_bytes(warm.encode("utf-8"), "warm-up.txt"))  # lazy imports and compiled patterns
    gc.collect()
    before = _peak_mb()
    c0 = time.process_time()
    t0 = time.perf_counter()
    got = [extract_source(from_bytes(d, f"bench-{layout}.txt")).forms for d in data]
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    score = ExtractionScore()
    for (_, gold), forms in zip(docs, got):
        score.add(score_forms(gold, forms))
    return {
        "layout": layout,
        "n": n,
        "documents": len(docs),
        "forms": sum(len(f) for f in got),
        "mb_text": round(sum(len(d) for d in data) / 2**20, 2),
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "per_cpu_s": round(n / cpu, 1) if cpu else 0.0,
        "indicators_f1": round(score.rows.f1, 4),
        "forms_recall": round(score.forms.recall, 4),
        "peak_mb": round(_peak_mb(), 1),
        "grow_mb": round(max(0.0, _peak_mb() - before), 1),
    }


# ---- parent ------------------------------------------------------------------------------


def measure(layout: str, n: int, noise: float, timeout: float = 1800) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", layout, str(n), str(noise)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"layout": layout, "n": n, "skipped": f"timed out after {timeout:.0f} s"}
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"layout": layout, "n": n, "skipped": f"failed: {last}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def exponent(small: dict[str, Any], big: dict[str, Any]) -> float | None:
    """k in cpu ~ n^k between two runs of one class (None when either failed or was too fast)."""
    if "skipped" in small or "skipped" in big or small["n"] == big["n"]:
        return None
    if small["cpu_seconds"] < 0.01 or big["cpu_seconds"] < 0.01:
        return None
    return round(math.log(big["cpu_seconds"] / small["cpu_seconds"]) / math.log(big["n"] / small["n"]), 2)


def _table(rows: list[dict[str, Any]], noise: float) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(
        title=f"jixiao extraction per layout class (rules engine, one core, layout noise {noise:g})",
        header_style="bold",
        title_justify="left",
    )
    for col in ("layout", "forms", "docs", "MB text", "CPU s", "forms/CPU-s", "peak MB", "+MB", "growth k", "row F1"):
        t.add_column(col, justify="left" if col == "layout" else "right", no_wrap=col == "layout")
    for r in rows:
        if "skipped" in r:
            t.add_row(r["layout"], f"{r['n']:,}", "", "", "", "", "", "", "", f"skipped: {r['skipped']}")
            continue
        k = r.get("growth")
        t.add_row(
            r["layout"],
            f"{r['n']:,}",
            f"{r['documents']:,}",
            f"{r['mb_text']:.1f}",
            f"{r['cpu_seconds']:.2f}",
            f"{r['per_cpu_s']:,.0f}",
            f"{r['peak_mb']:.0f}",
            f"{r['grow_mb']:.0f}",
            "" if k is None else f"{k:.2f}",
            f"{r['indicators_f1']:.3f}",
        )
    Console().print(t)
    load = f"; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs" if hasattr(os, "getloadavg") else ""
    print(f"growth k: CPU time ~ n^k between the small and the full size (1 = linear){load}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _one_core()
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])), ensure_ascii=False))
        return
    from jixiao.evaluation.layouts_render import LAYOUT_CLASSES

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--forms", type=int, default=1000, help="forms per layout class")
    ap.add_argument("--small", type=int, default=None, help="the smaller size for the growth exponent (default N/4)")
    ap.add_argument("--layouts", default=",".join(LAYOUT_CLASSES), help="comma-separated layout classes")
    ap.add_argument("--noise", type=float, default=0.3, help="probability of each class's quirks per spot")
    ap.add_argument("--format", choices=["table", "json"], default="table")
    args = ap.parse_args()
    layouts = [x.strip() for x in args.layouts.split(",") if x.strip()]
    unknown = [x for x in layouts if x not in LAYOUT_CLASSES]
    if unknown:
        ap.error(f"unknown layout classes {unknown}; known: {', '.join(LAYOUT_CLASSES)}")
    small = args.small or max(1, args.forms // 4)
    rows: list[dict[str, Any]] = []
    for layout in layouts:
        lo = measure(layout, small, args.noise)
        hi = measure(layout, args.forms, args.noise)
        hi["growth"] = exponent(lo, hi)
        hi["small"] = lo
        rows.append(hi)
        if args.format == "table":
            print(json.dumps({k: v for k, v in hi.items() if k != "small"}, ensure_ascii=False), file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_layouts.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _table(rows, args.noise)


if __name__ == "__main__":
    main()
