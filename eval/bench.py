"""Speed and memory of each stage, on generated forms, one core: one command, one table.

    .venv/bin/python eval/bench.py                       # the sizes of the issues
    .venv/bin/python eval/bench.py --quick               # small sizes, a smoke run
    .venv/bin/python eval/bench.py --format json --stages extract
    .venv/bin/python eval/bench.py --stages check,unit --show-false   # list the false findings

Stages (each measured in a fresh child process pinned to one CPU, so peak memory is the
stage's own):
- extract: N generated forms (default 10,000) printed in the seeds' layouts with the
  seeds' layout traps (noise 0.3), read through the intake and the rules engine; also
  reports the indicator-row F1 against the generator's gold, so speed is not bought with
  misses.
- check: ``check`` of the clean generated corpus (documents of 500 forms) at 5,000, 40,000
  and 100,000 forms, streamed through ``CheckRun`` one document at a time (the forms are
  made as they are checked, so peak memory is what the checks keep); every finding on the
  clean corpus is a false one and counted.
- unit: the same with every form filed by one 实施单位 (250, 1,000, 4,000 forms): the
  within-unit comparisons (reconciliation candidates) must not grow with n².
- reconcile: the clean corpus's declarations against its self-evaluations (disjoint
  subjects: every pair is false) at the same sizes as check, each form kept as
  ``jixiao reconcile`` keeps it (``KeptForm``).
- pairing: perturbed declared/evaluated pairs with known truth (eval/reconcile_corpus.py):
  pairing precision and recall at 5,000 and 40,000 forms.
Each size prints forms per CPU-second, peak RSS and its growth per form (KB/form), and the
growth exponent k = log(t2/t1) / log(n2/n1) of CPU time from the size before.
A stage whose module is missing is reported as skipped. Time excludes generating the input;
peak memory is the child's maximum resident set (ru_maxrss), input included, and the growth
of it during the timed part.
"""

from __future__ import annotations

import argparse
import json
import math
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


UNIT = "上海市浦东新区教育局（本级）"
UNIT_DEPT = "上海市浦东新区教育局"
PER_DOC = 500  # forms per generated document (a county's or a bureau's file)


def _documents(n: int, one_unit: bool = False) -> Any:
    """The clean corpus of n generated forms as documents of PER_DOC forms, made one document
    at a time; ``one_unit``: every form filed by one 实施单位 of one 主管部门."""
    from itertools import islice

    from jixiao.evaluation.generate import iter_forms
    from jixiao.models import Document

    forms = iter_forms(n, seed=0)
    d = 0
    while True:
        chunk = list(islice(forms, PER_DOC))
        if not chunk:
            return
        if one_unit:
            for f in chunk:
                f.implementing_unit, f.department = UNIT, UNIT_DEPT
        yield Document(source=f"bench/{d:04d}.txt", forms=chunk)
        d += 1


def child_check(n: int, one_unit: bool) -> dict[str, Any]:
    """``check`` of the clean corpus, as the command runs it: streamed through ``CheckRun``
    when there is one (the documents made as they are checked), else ``run_checks`` over the
    list. CPU time counts the checks only, not making the forms."""
    import gc

    try:
        from jixiao.checks import run_checks
    except ImportError as e:
        return {"stage": "check", "n": n, "skipped": f"jixiao.checks: {e}"}
    try:
        from jixiao.checks.runner import CheckRun
    except ImportError:
        CheckRun = None  # the code before streaming
    gc.collect()
    base = _rss_mb()
    cpu = 0.0
    t0 = time.perf_counter()
    found: list[Any] = []
    if CheckRun is not None:
        run = CheckRun()
        for doc in _documents(n, one_unit):
            c0 = time.process_time()
            found += run.add(doc)
            cpu += time.process_time() - c0
            del doc
        c0 = time.process_time()
        found += run.finish()
        cpu += time.process_time() - c0
        how = "CheckRun"
    else:
        docs = list(_documents(n, one_unit))
        c0 = time.process_time()
        found = run_checks(docs)
        cpu = time.process_time() - c0
        how = "run_checks"
    dt = time.perf_counter() - t0
    by: dict[str, int] = {}
    for f in found:
        by[f.check] = by.get(f.check, 0) + 1
    peak = _peak_mb()
    shown = [_false_finding(f) for f in found[:SHOW_AT_MOST]] if os.environ.get(SHOW_ENV) else None
    return {
        **({"false_findings": shown} if shown is not None else {}),
        "stage": "check: one unit" if one_unit else "check",
        "n": n,
        "forms": n,
        "runner": how,
        "seconds": round(dt, 3),
        "cpu_seconds": round(cpu, 3),
        "per_cpu_s": round(n / cpu, 1) if cpu else 0.0,
        "false": len(found),
        "findings_by_check": by,
        "peak_mb": round(peak, 1),
        "base_mb": round(base, 1),
        "kb_per_form": round((peak - base) * 1024 / n, 2),
    }


SHOW_ENV = "JIXIAO_BENCH_SHOW_FALSE"  # parent -> child: list the false findings too
SHOW_AT_MOST = 200


def _false_finding(f: Any) -> dict[str, Any]:
    """What a reader needs to judge one false finding: the check, the forms, the evidence."""
    return {
        "check": f.check,
        "project": f.project,
        "related": list(f.related),
        "source": f.source,
        "message": f.message,
        "evidence": list(f.evidence),
    }


def _show_false(rows: list[dict[str, Any]]) -> None:
    """Print each listed false finding: check id, the forms' names, message and evidence."""
    for r in rows:
        shown = r.get("false_findings") or []
        if not shown:
            continue
        print(
            f"\n{r['stage']} n={r['n']:,}: {r.get('false', len(shown))} false findings"
            + (f" (first {len(shown)} shown)" if r.get("false", 0) > len(shown) else "")
        )
        for f in shown:
            names = " / ".join(x for x in [f["project"], *f["related"]] if x)
            print(f"- {f['check']}: {names}  [{f['source'] or ''}]")
            print(f"    {f['message']}")
            for e in f["evidence"]:
                print(f"    · {e}")


def child_reconcile(n: int) -> dict[str, Any]:
    """``reconcile`` of the clean corpus's declarations with its self-evaluations: the two
    kinds draw disjoint subjects, so every pair is a false one."""
    import gc

    try:
        from jixiao.reconcile import reconcile
    except ImportError as e:
        return {"stage": "reconcile", "n": n, "skipped": f"jixiao.reconcile: {e}"}
    try:  # what `jixiao reconcile` keeps of each form (the code before streaming: the forms)
        from jixiao.checks.records import KeptForm as keep
    except ImportError:

        def keep(form: Any) -> Any:
            return form

    gc.collect()
    base = _rss_mb()
    declared: list[Any] = []
    evaluated: list[Any] = []
    for doc in _documents(n):
        for f in doc.forms:
            (declared if f.kind == "target_declaration" else evaluated).append(keep(f))
    c0, t0 = time.process_time(), time.perf_counter()
    result = reconcile(declared, evaluated)
    cpu, dt = time.process_time() - c0, time.perf_counter() - t0
    peak = _peak_mb()
    return {
        "stage": "reconcile",
        "n": n,
        "forms": n,
        "seconds": round(dt, 3),
        "cpu_seconds": round(cpu, 3),
        "per_cpu_s": round(n / cpu, 1) if cpu else 0.0,
        "false": len(result.projects),
        "candidates": result.candidates_scored,
        "peak_mb": round(peak, 1),
        "base_mb": round(base, 1),
        "kb_per_form": round((peak - base) * 1024 / n, 2),
    }


def child_pairing(n: int) -> dict[str, Any]:
    """``reconcile`` of n/2 declared vs n/2 evaluated perturbed forms with known truth
    (eval/reconcile_corpus.py): pairing precision and recall."""
    from jixiao.reconcile import reconcile
    from reconcile_corpus import synthetic_forms

    declared, evaluated, truth = synthetic_forms(n // 2, seed=0)
    c0, t0 = time.process_time(), time.perf_counter()
    result = reconcile(declared, evaluated)
    cpu, dt = time.process_time() - c0, time.perf_counter() - t0
    pairs = {(p.declared_index, p.evaluated_index) for p in result.projects}
    tp = len(pairs & truth)
    return {
        "stage": "reconcile: planted pairs",
        "n": n,
        "forms": len(declared) + len(evaluated),
        "seconds": round(dt, 3),
        "cpu_seconds": round(cpu, 3),
        "per_cpu_s": round(n / cpu, 1) if cpu else 0.0,
        "false": len(pairs - truth),
        "pair_precision": round(tp / len(pairs), 4) if pairs else None,
        "pair_recall": round(tp / len(truth), 4) if truth else None,
        "candidates": result.candidates_scored,
        "peak_mb": round(_peak_mb(), 1),
    }


def run_child(argv: list[str]) -> None:
    _one_core()
    stage, n = argv[0], int(argv[1])
    if stage == "extract":
        out = child_extract(n, float(argv[2]))
    elif stage in ("check", "unit"):
        out = child_check(n, one_unit=stage == "unit")
    elif stage == "pairing":
        out = child_pairing(n)
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


def growth(rows: list[dict[str, Any]]) -> None:
    """k = log(t2/t1) / log(n2/n1) between consecutive sizes of a stage, in CPU seconds."""
    last: dict[str, dict[str, Any]] = {}
    for r in rows:
        prev = last.get(r["stage"])
        if "skipped" in r:
            continue
        if prev and prev["cpu_seconds"] > 0 and r["cpu_seconds"] > 0 and r["n"] != prev["n"]:
            r["k"] = round(math.log(r["cpu_seconds"] / prev["cpu_seconds"]) / math.log(r["n"] / prev["n"]), 2)
        last[r["stage"]] = r


def _table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="jixiao benchmark (one core per stage, CPU time)", header_style="bold", title_justify="left")
    cols = ("stage", "n", "CPU s", "forms/CPU-s", "k", "peak MB", "KB/form", "false", "notes")
    for col in cols:
        t.add_column(col, justify="left" if col in ("stage", "notes") else "right")
    for r in rows:
        if "skipped" in r:
            t.add_row(r["stage"], f"{r['n']:,}", *[""] * 6, f"skipped: {r['skipped']}")
            continue
        notes = []
        short = {
            "indicators_f1": "row F1",
            "forms_recall": "form R",
            "pair_precision": "pair P",
            "pair_recall": "pair R",
            "candidates": "candidates",
            "runner": "",
        }
        for k, label in short.items():
            if r.get(k) is not None:
                notes.append(f"{label} {r[k]}".strip())
        if r.get("findings_by_check"):
            notes.append(" ".join(f"{c}:{v}" for c, v in r["findings_by_check"].items()))
        t.add_row(
            r["stage"],
            f"{r['n']:,}",
            f"{r.get('cpu_seconds', 0):.2f}",
            f"{r['per_cpu_s']:,.0f}" if "per_cpu_s" in r else "",
            f"{r['k']:.2f}" if "k" in r else "",
            f"{r['peak_mb']:.0f}" if "peak_mb" in r else "",
            f"{r['kb_per_form']:.1f}" if "kb_per_form" in r else "",
            str(r["false"]) if "false" in r else "",
            ", ".join(notes),
        )
    Console().print(t)
    loads = [r["load"] for r in rows if r.get("load") is not None]
    if loads:
        print(
            f"load average after the stages: {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} CPUs "
            "(other work on the machine slows wall time; CPU time is less affected)"
        )


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stages", default="extract,check,unit,reconcile,pairing")
    ap.add_argument("--forms", type=int, default=10000, help="extract: forms")
    ap.add_argument("--noise", type=float, default=0.3, help="extract: seed-like layout traps per occasion")
    ap.add_argument("--sizes", default="5000,40000,100000", help="check and reconcile: forms of the clean corpus")
    ap.add_argument("--unit-sizes", default="250,1000,4000", help="check: forms of one 实施单位")
    ap.add_argument("--pairing-sizes", default="5000,40000", help="reconcile: forms of the planted-pairs corpus")
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--format", choices=["table", "json"], default="table")
    ap.add_argument(
        "--show-false",
        action="store_true",
        help=f"check/unit: also list the false findings (check id, forms, evidence; at most {SHOW_AT_MOST} a size)",
    )
    ap.add_argument("--show", action="store_true", help="print the table of the last run (eval/out/bench.json)")
    ap.add_argument("--out", default=str(OUT / "bench.json"), help="where the rows are written")
    args = ap.parse_args()
    if args.show:
        shown = json.loads(Path(args.out).read_text(encoding="utf-8"))
        _table(shown)
        if args.show_false:
            _show_false(shown)
        return
    if args.show_false:
        os.environ[SHOW_ENV] = "1"
    if args.quick:
        args.forms, args.sizes, args.unit_sizes, args.pairing_sizes = 500, "500,2000", "100,400", "500,2000"
    stages = args.stages.split(",")
    rows: list[dict[str, Any]] = []

    def run(stage: str, n: int, *extra: str) -> None:
        r = measure(stage, n, *extra)
        rows.append(r)
        if args.format == "table":
            brief = {k: v for k, v in r.items() if k != "false_findings"}
            print(json.dumps(brief, ensure_ascii=False), file=sys.stderr, flush=True)

    for stage in stages:
        if stage == "extract":
            run("extract", args.forms, str(args.noise))
        elif stage in ("check", "reconcile"):
            for n in _sizes(args.sizes):
                run(stage, n)
        elif stage == "unit":
            for n in _sizes(args.unit_sizes):
                run("unit", n)
        elif stage == "pairing":
            for n in _sizes(args.pairing_sizes):
                run("pairing", n)
    growth(rows)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _table(rows)
        if args.show_false:
            _show_false(rows)


if __name__ == "__main__":
    main()
