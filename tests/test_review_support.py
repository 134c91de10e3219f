"""Shared test data for the store, report and review tests: the seed documents and the
findings a careful reviewer wants flagged in them (from the gold labels), as ``Finding``s.

The gold findings stand in for ``jixiao.checks`` so these tests pin the session and the
exports, not the checks; one test in test_review_app.py also runs the real checks when
they are installed.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jixiao.api import extract_path
from jixiao.models import Document, Finding

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
GOLD = ROOT / "fixtures" / "gold"

# severities for the gold checks (the gold labels carry none)
SEVERITY = {
    "implausible-target": "error",
    "duplicate-form": "error",
    "duplicate-indicator": "error",
    "achieved-but-deducted": "error",
    "unknown-category": "warning",
    "completion-copies-goal": "warning",
    "goal-reused-across-projects": "warning",
    "goal-names-other-project": "warning",
    "indicators-reused-across-projects": "warning",
    "vague-actual": "info",
    "cost-arithmetic": "info",
    "template-placeholder": "warning",
    "year-mismatch": "warning",
}


@cache
def seed_documents() -> tuple[Document, ...]:
    return tuple(extract_path(str(p)) for p in SEEDS)


def gold_findings(docs: tuple[Document, ...] | None = None) -> list[Finding]:
    """Every gold finding of the seeds, tied to its document's source name and form kind."""
    docs = docs or seed_documents()
    out: list[Finding] = []
    for doc in docs:
        gold = json.loads((GOLD / (Path(doc.source).stem + ".gold.json")).read_text("utf-8"))
        kind = doc.forms[0].kind
        for g in gold["findings"]:
            out.append(
                Finding(
                    check=g["check"],
                    severity=SEVERITY.get(g["check"], "warning"),
                    project=g["project"],
                    kind=kind,
                    message=g["why"],
                    lines=g["lines"],
                    related=g.get("related", []),
                    source=doc.source,
                )
            )
    return out


def test_gold_findings_cover_both_seeds() -> None:
    findings = gold_findings()
    assert {Path(f.source or "").name for f in findings} == {p.name for p in SEEDS}
    assert len(findings) == 60  # the seeds' gold: 57, and three summary-form findings since 2026-12


async def until(pilot, condition, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``condition()`` holds (fails after ``seconds``)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out")


def panel_text(app) -> str:  # type: ignore[no-untyped-def]
    """What the finding panel shows."""
    from jixiao.review.widgets import FindingPanel

    return str(app.query_one(FindingPanel).content)
