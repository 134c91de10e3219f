"""Growth on small inputs that a quadratic cannot pass, and a clean corpus that stays clean.

Counts, not clocks, where the code reports them (reconcile's candidates scored); one CPU
time ratio for the cross-project checks, with a bound a quadratic misses by a factor of 4.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from jixiao.checks import CATALOG, CheckConfig, CheckRun
from jixiao.evaluation.generate import generate_forms
from jixiao.models import Document, Form
from jixiao.reconcile import DEFAULT, reconcile

BLOCKED = replace(DEFAULT, exhaustive_pairs=0)  # small inputs take the path of large ones
UNIT, DEPT = "上海市浦东新区教育局（本级）", "上海市浦东新区教育局"


def _one_unit(n: int) -> tuple[list[Form], list[Form]]:
    forms = generate_forms(n, seed=3)
    for f in forms:
        f.implementing_unit, f.department = UNIT, DEPT
    return [f for f in forms if f.kind == "target_declaration"], [f for f in forms if f.kind == "self_evaluation"]


# candidates per form at most: k names each way within the unit and anywhere, k amounts
PER_FORM = 5 * BLOCKED.name_neighbours


def test_one_unit_candidates_grow_linearly() -> None:
    """Every pair of one unit of 1,600 forms is 640,000 candidates; blocking keeps a few per form.
    None of them pairs: the unit's names share areas and groups (老城区新就业群体…) but no
    project (the names' leading qualifiers, common in the unit, say little)."""
    declared, evaluated = _one_unit(1600)
    result = reconcile(declared, evaluated, BLOCKED)
    assert 0 < result.candidates_scored <= PER_FORM * 1600 < len(declared) * len(evaluated) / 10
    assert [(p.declared, p.evaluated) for p in result.projects] == []


def test_reconcile_candidates_grow_linearly_across_units() -> None:
    def count(n: int) -> int:
        forms = generate_forms(n, seed=5)
        d = [f for f in forms if f.kind == "target_declaration"]
        e = [f for f in forms if f.kind == "self_evaluation"]
        return reconcile(d, e, BLOCKED).candidates_scored

    for n in (300, 2400):
        assert 0 < count(n) <= PER_FORM * n


CROSS = ("goal-reused-across-projects", "indicators-reused-across-projects", "duplicate-form")


def _cross_cpu(n: int) -> float:
    cfg = CheckConfig(disabled=sorted(set(CATALOG) - set(CROSS)))
    forms = generate_forms(n, seed=7)
    docs = [Document(source=f"d{k}.txt", forms=forms[k::4]) for k in range(4)]
    t0 = time.process_time()
    run = CheckRun(cfg)
    for doc in docs:
        run.add(doc)
    found = run.finish()
    spent = time.process_time() - t0
    assert found == []
    return spent


def test_cross_project_checks_grow_linearly() -> None:
    _cross_cpu(100)  # warm-up: imports and caches
    small = min(_cross_cpu(250) for _ in range(2))
    large = _cross_cpu(2000)
    assert large / small < 8 * 2, (small, large)  # n² would be 64


@pytest.fixture(scope="module")
def clean_run() -> tuple[list[str], list[Form]]:
    """A clean generated corpus of 3,000 forms in documents of 500, checked streaming."""
    forms = generate_forms(3000, seed=11)
    run = CheckRun()
    found = []
    for k in range(0, len(forms), 500):
        found += run.add(Document(source=f"县{k}.txt", forms=forms[k : k + 500]))
    found += run.finish()
    assert run.forms == 3000
    return [f.check for f in found], forms


def test_clean_corpus_has_no_cross_project_findings(clean_run: tuple[list[str], list[Form]]) -> None:
    checks, _ = clean_run
    cross = {*CROSS, "goal-names-other-project"}
    assert [c for c in checks if c in cross] == []


def test_clean_corpus_pairs_nothing(clean_run: tuple[list[str], list[Form]]) -> None:
    """Declarations and self-evaluations of the generator share no project: no pair, no
    reconciliation finding, blocked or exhaustive."""
    checks, forms = clean_run
    assert [c for c in checks if c.startswith(("target-", "budget-"))] == []
    d = [f for f in forms if f.kind == "target_declaration"]
    e = [f for f in forms if f.kind == "self_evaluation"]
    assert reconcile(d, e, BLOCKED).projects == []
