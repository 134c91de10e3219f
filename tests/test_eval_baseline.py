"""No metric of `jixiao eval` on the bundled fixtures may fall below eval/baseline.json.

The file is rewritten on purpose only (``python eval/update_baseline.py``, see docs/eval.md).
A metric the file lists but the run lacks (a module that stopped importing) fails too.
"""

from __future__ import annotations

from conftest import FIXTURES, ROOT
from jixiao.evaluation import regress
from jixiao.evaluation.harness import run_eval

BASELINE = ROOT / "eval" / "baseline.json"


def test_no_metric_below_the_committed_baseline() -> None:
    floor = regress.committed(BASELINE, "rules")
    assert len(floor) >= 18, "the committed baseline lost its extraction metrics"
    report = run_eval(FIXTURES, "rules", with_baseline=False)
    dropped = regress.drops(floor, report.result.metrics())
    worst = "\n".join(f"  {e.what} @ {e.source}:{e.line}: {e.gold} -> {e.got}" for e in report.worst(10))
    assert not dropped, "metrics below eval/baseline.json:\n" + "\n".join(map(str, dropped)) + "\n" + worst


def test_the_floor_is_not_trivial() -> None:
    floor = regress.committed(BASELINE, "rules")
    for k in ("forms.recall", "indicators.f1", "target.accuracy", "weight.accuracy", "score.accuracy"):
        assert floor[k] >= 0.98, k
