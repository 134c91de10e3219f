"""Rewrite eval/baseline.json from a fresh `jixiao eval` on the bundled fixtures — on purpose only.

    .venv/bin/python eval/update_baseline.py            # rules engine (the default)
    .venv/bin/python eval/update_baseline.py --dry-run  # print what would change

tests/test_eval_baseline.py fails when a metric falls below this file. Raise the floor after
an improvement; lower it only with a reason in the commit message (a relabelled fixture,
a check made stricter on purpose). See docs/eval.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "eval" / "baseline.json"


def main() -> None:
    from jixiao.evaluation import regress
    from jixiao.evaluation.harness import run_eval

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", default="rules")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    report = run_eval(ROOT / "fixtures", args.engine, with_baseline=False)
    now = report.result.metrics()
    old = regress.committed(BASELINE, args.engine) if BASELINE.is_file() else {}
    for k in sorted(set(old) | set(now)):
        a, b = old.get(k), now.get(k)
        if a != b:
            print(f"{k}: {a} -> {b}")
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    if not args.dry_run:
        regress.write(BASELINE, args.engine, now, report.fixtures, report.pairs)
        print(f"wrote {BASELINE}")


if __name__ == "__main__":
    main()
