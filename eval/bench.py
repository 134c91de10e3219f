"""Speed and memory of each stage, on generated forms, one core: one command, one table.

    .venv/bin/python eval/bench.py                       # the sizes of the issues
    .venv/bin/python eval/bench.py --quick               # small sizes, a smoke run
    .venv/bin/python eval/bench.py --format json --stages extract

Stages (each measured in a fresh child process pinned to one CPU, so peak memory is the
stage's own):
- extract: N generated forms (default 10,000) printed in the seeds' layouts with the
  seeds' layout traps (noise 0.3), read through the intake and the rules engine; also
  reports the indicator-row F1 against the generator's gold, so speed is not bought with
  misses.
- check: ``run_checks`` on N generated clean forms (default 10,000); then the
  cross-project checks alone (per-form and reconciliation checks disabled) over 1,000 →
  10,000 → 100,000
  compact forms (one indicator per 一级指标), to show how they grow with the goal texts.
  Findings on clean forms are false positives: their count is printed too.
- reconcile: ``reconcile`` on n declared vs n evaluated forms (500 → 5,000), built by
  ``jixiao.reconcile.benchmark.synthetic_forms`` (perturbed pairs with known truth).
A stage whose module is missing is reported as skipped. Time excludes generating the input;
peak memory is the child's maximum resident set (ru_maxrss), input included, and the growth
of it during the timed part.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "eval" / "out"


def _rss_mb() -> float:
    """Current resident set size."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _one_core() -> None:
    try:
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})
    except (AttributeError, OSError):
        pass


_CPU: list[float] = []  # CPU seconds of the last timed call (wall time suffers from other load)


def _timed(fn: Any) -> tuple[Any, float, float]:
    import gc

    gc.collect()
    before = _rss_mb()
    c0 = time.process_time()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    _CPU.append(time.process_time() - c0)
    return out, dt, max(0.0, _peak_mb() - before)


def _speed(n: int, dt: float) -> dict[str, float]:
    cpu = _CPU[-1] if _CPU else dt
    return {
        "seconds": round(dt, 3),
        "per_s": round(n / dt, 1),
        "cpu_seconds": round(cpu, 3),
        "per_cpu_s": round(n / cpu, 1) if cpu else 0.0,
    }


# ---- children ------------------------------------------------------------------------------


def child_extract(n: int, noise: float) -> dict[str, Any]:
    from jixiao.api import extract_source
    from jixiao.evaluation.generate import generate_forms, render_text
    from jixiao.evaluation.metrics import score_forms
    from jixiao.intake import from_bytes

    text, gold = render_text(generate_forms(n, seed=0), noise=noise, seed=0)
    data = text.encode("utf-8")
    doc, dt, grow = _timed(lambda: extract_source(from_bytes(data, "bench.txt")))
    sc = score_forms(gold, doc.forms)
    return {
        "stage": "extract",
        "n": n,
        "forms": len(doc.forms),
        "lines": text.count("\n"),
        "mb_text": round(len(data) / 2**20, 1),
        **_speed(len(doc.forms), dt),
        "indicators_f1": round(sc.rows.f1, 4),
        "forms_recall": round(sc.forms.recall, 4),
        "peak_mb": round(_peak_mb(), 1),
        "grow_mb": round(grow, 1),
    }


def child_check(n: int, cross_only: bool) -> dict[str, Any]:
    try:
        from jixiao.checks import ALL_IDS, CATALOG, CheckConfig, run_checks
    except ImportError as e:
        return {"stage": "check", "n": n, "skipped": f"jixiao.checks: {e}"}
    from jixiao.evaluation.generate import generate_forms
    from jixiao.models import Document

    forms = generate_forms(n, seed=0, compact=cross_only)
    doc = Document(source="bench", forms=forms)
    cfg = None
    if cross_only:  # the corpus checks alone: no per-form checks, no declared-vs-evaluated pairing
        from jixiao.checks.registry import RECONCILE_IDS

        form_ids = [s.id for s in CATALOG.values() if s.scope == "form"]
        cfg = CheckConfig(disabled=sorted({*form_ids, *RECONCILE_IDS} & set(ALL_IDS)))
    goals = sum(1 for f in forms for t in (f.goal.expected, f.goal.actual, f.goal.overall) if t)
    found, dt, grow = _timed(lambda: run_checks([doc], cfg))
    by: dict[str, int] = {}
    for f in found:
        by[f.check] = by.get(f.check, 0) + 1
    return {
        "stage": "check: cross-project" if cross_only else "check: all",
        "n": n,
        "forms": n,
        "goal_texts": goals,
        **_speed(n, dt),
        "findings_on_clean_forms": len(found),
        "findings_by_check": by,
        "peak_mb": round(_peak_mb(), 1),
        "grow_mb": round(grow, 1),
    }


def child_reconcile(n: int) -> dict[str, Any]:
    try:
        from jixiao.reconcile import reconcile
        from jixiao.reconcile.benchmark import synthetic_forms
    except ImportError as e:
        return {"stage": "reconcile", "n": n, "skipped": f"jixiao.reconcile: {e}"}
    declared, evaluated, truth = synthetic_forms(n, seed=0)
    result, dt, grow = _timed(lambda: reconcile(declared, evaluated))
    pairs = {(p.declared_index, p.evaluated_index) for p in result.projects}
    tp = len(pairs & truth)
    return {
        "stage": "reconcile",
        "n": n,
        "forms": len(declared) + len(evaluated),
        **_speed(len(declared) + len(evaluated), dt),
        "pair_precision": round(tp / len(pairs), 4) if pairs else None,
        "pair_recall": round(tp / len(truth), 4) if truth else None,
        "peak_mb": round(_peak_mb(), 1),
        "grow_mb": round(grow, 1),
    }


def run_child(argv: list[str]) -> None:
    _one_core()
    stage, n = argv[0], int(argv[1])
    if stage == "extract":
        out = child_extract(n, float(argv[2]))
    elif stage in ("check", "cross"):
        out = child_check(n, cross_only=stage == "cross")
    else:
        out = child_reconcile(n)
    out["load"] = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    print(json.dumps(out, ensure_ascii=False))


# ---- parent ------------------------------------------------------------------------------


def measure(stage: str, n: int, *extra: str, timeout: float = 1800) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", stage, str(n), *extra]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"stage": stage, "n": n, "skipped": f"timed out after {timeout:.0f} s"}
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"stage": stage, "n": n, "skipped": f"failed: {last}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def _table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="jixiao benchmark (one core per stage)", header_style="bold", title_justify="left")
    for col in ("stage", "n", "seconds", "forms/s", "forms/CPU-s", "peak MB", "+MB", "notes"):
        t.add_column(col, justify="left" if col in ("stage", "notes") else "right")
    for r in rows:
        if "skipped" in r:
            t.add_row(r["stage"], str(r["n"]), "", "", "", "", "", f"skipped: {r['skipped']}")
            continue
        notes = []
        short = {
            "indicators_f1": "row F1",
            "forms_recall": "form R",
            "goal_texts": "goals",
            "findings_on_clean_forms": "findings",
            "pair_precision": "pair P",
            "pair_recall": "pair R",
        }
        for k, label in short.items():
            if r.get(k) is not None:
                notes.append(f"{label} {r[k]}")
        t.add_row(
            r["stage"],
            f"{r['n']:,}",
            f"{r['seconds']:.2f}",
            f"{r['per_s']:,.0f}",
            f"{r['per_cpu_s']:,.0f}" if "per_cpu_s" in r else "",
            f"{r['peak_mb']:.0f}",
            f"{r['grow_mb']:.0f}",
            ", ".join(notes),
        )
    Console().print(t)
    loads = [r["load"] for r in rows if r.get("load") is not None]
    if loads:
        print(
            f"load average after the stages: {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} CPUs "
            "(other work on the machine slows wall time; forms/CPU-s is less affected)"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stages", default="extract,check,reconcile")
    ap.add_argument("--forms", type=int, default=10000, help="extract and check: forms")
    ap.add_argument("--noise", type=float, default=0.3, help="extract: seed-like layout traps per occasion")
    ap.add_argument("--cross-sizes", default="1000,10000,100000", help="cross-project check growth")
    ap.add_argument("--reconcile-sizes", default="500,5000")
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--format", choices=["table", "json"], default="table")
    ap.add_argument("--show", action="store_true", help="print the table of the last run (eval/out/bench.json)")
    args = ap.parse_args()
    if args.show:
        _table(json.loads((OUT / "bench.json").read_text(encoding="utf-8")))
        return
    if args.quick:
        args.forms, args.cross_sizes, args.reconcile_sizes = 500, "200,1000", "50,200"
    stages = set(args.stages.split(","))
    rows: list[dict[str, Any]] = []

    def run(stage: str, n: int, *extra: str) -> None:
        r = measure(stage, n, *extra)
        rows.append(r)
        if args.format == "table":
            print(json.dumps(r, ensure_ascii=False), file=sys.stderr, flush=True)

    if "extract" in stages:
        run("extract", args.forms, str(args.noise))
    if "check" in stages:
        run("check", args.forms)
        for n in (int(x) for x in args.cross_sizes.split(",") if x):
            run("cross", n)
    if "reconcile" in stages:
        for n in (int(x) for x in args.reconcile_sizes.split(",") if x):
            run("reconcile", n)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _table(rows)


if __name__ == "__main__":
    main()
