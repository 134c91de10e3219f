"""CheckRun, fed one document at a time, finds exactly what the whole-run checks find."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SEEDS
from jixiao.api import extract_path
from jixiao.checks import CheckRun, run_checks, sort_findings
from jixiao.checks.records import KeptForm
from jixiao.checks.runner import check_stages
from jixiao.models import Document
from jixiao.reconcile import reconcile, split_by_kind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    files = [*SEEDS, *sorted((FIXTURES / "pairs").glob("*.txt")), *sorted((FIXTURES / "layouts").glob("*.txt"))]
    return [extract_path(str(p)) for p in files]


def test_streaming_gives_the_whole_runs_findings(docs: list[Document]) -> None:
    # check_stages runs every cross-form check over all forms at once (the run before streaming)
    whole = sort_findings([f for stage in check_stages(docs) for f in stage.findings])
    run = CheckRun()
    streamed = []
    for doc in docs:
        streamed += run.add(doc)
    streamed += run.finish()
    assert len(whole) > 50  # the fixtures do hold problems of every scope
    assert {f.check for f in whole} >= {"goal-names-other-project", "duplicate-form", "target-changed"}
    assert sort_findings(streamed) == whole == run_checks(docs)
    assert run.documents == len(docs) and run.forms == sum(len(d.forms) for d in docs)


def test_add_reports_only_what_one_document_shows(docs: list[Document]) -> None:
    run = CheckRun()
    early = run.add(docs[0])
    late = run.finish()
    assert early and all(f.source == docs[0].source for f in early)
    cross = {"goal-reused-across-projects", "indicators-reused-across-projects", "duplicate-form"}
    assert not {f.check for f in early} & cross
    assert not {f.check for f in late} - cross - {"target-dropped", "target-added", "target-changed", "budget-changed"}


def test_kept_forms_reconcile_as_the_forms_do(docs: list[Document]) -> None:
    declared, evaluated = split_by_kind(docs)
    full = reconcile([f for f, _ in declared], [f for f, _ in evaluated])
    kept = reconcile([KeptForm(f) for f, _ in declared], [KeptForm(f) for f, _ in evaluated])  # type: ignore[misc]
    assert full.projects and kept.model_dump() == full.model_dump()


def test_a_kept_form_answers_what_the_cross_checks_read(docs: list[Document]) -> None:
    form = next(f for d in docs for f in d.forms if f.indicators and f.goal.expected)
    kept = KeptForm(form)
    assert kept.indicators == [
        i.model_copy(
            update={
                "weight": None,
                "score": None,
                "deviation": None,
                "level1_raw": None,
                "level2_raw": None,
                "review_score": None,
                "uncertain": False,
            }
        )
        for i in form.indicators
    ]
    assert kept.funds == form.funds and kept.goal.expected == form.goal.expected
    assert (kept.first_line, kept.lines, kept.kind, kept.year) == (form.first_line, form.lines, form.kind, form.year)
