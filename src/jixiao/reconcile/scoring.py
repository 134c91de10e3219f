"""Score a ReconcileResult against a labeled gold (fixtures/pairs/*.gold.json).

Project pairs and indicator pairs are compared as sets of names, so a pair counts only
when both sides are right:

- project-pair F1: over (declared, evaluated) project name pairs;
- indicator-pair F1: over (declared project, evaluated project, declared indicator,
  evaluated indicator) for indicators present on both sides (matched or changed);
  an indicator pair inside a wrong project pair is a false positive;
- status accuracy: share of the gold indicator entries (dropped and added included)
  predicted exactly, partner and status alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..prf import PRF
from .result import ReconcileResult

IndicatorEntry = tuple[str, str, str | None, str | None, str]


@dataclass
class Score:
    projects: PRF = field(default_factory=PRF)
    indicators: PRF = field(default_factory=PRF)
    status_total: int = 0
    status_correct: int = 0
    budget_total: int = 0
    budget_correct: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def status_accuracy(self) -> float:
        return self.status_correct / self.status_total if self.status_total else 1.0

    def summary(self) -> dict[str, float | int]:
        return {
            "project_pairs": self.projects.tp + self.projects.fn,
            "project_precision": round(self.projects.precision, 4),
            "project_recall": round(self.projects.recall, 4),
            "project_f1": round(self.projects.f1, 4),
            "indicator_pairs": self.indicators.tp + self.indicators.fn,
            "indicator_precision": round(self.indicators.precision, 4),
            "indicator_recall": round(self.indicators.recall, 4),
            "indicator_f1": round(self.indicators.f1, 4),
            "indicator_entries": self.status_total,
            "status_accuracy": round(self.status_accuracy, 4),
            "budget_changed_accuracy": round(self.budget_correct / self.budget_total, 4) if self.budget_total else 1.0,
        }


def _entries(projects: Iterable[Mapping[str, Any]]) -> set[IndicatorEntry]:
    out: set[IndicatorEntry] = set()
    for p in projects:
        for i in p["indicators"]:
            out.add((p["declared"], p["evaluated"], i["declared"], i["evaluated"], i["status"]))
    return out


def score(
    gold: Mapping[str, Any], result: ReconcileResult, budget_tolerance: float = 0.10, into: Score | None = None
) -> Score:
    """Add one gold file's comparison to ``into`` (a new Score by default)."""
    sc = into or Score()
    pred = result.model_dump(mode="json")
    gold_pairs = {(p["declared"], p["evaluated"]) for p in gold["projects"]}
    pred_pairs = {(p["declared"], p["evaluated"]) for p in pred["projects"]}
    sc.projects.add_sets(gold_pairs, pred_pairs)
    for missing in sorted(gold_pairs - pred_pairs):
        sc.errors.append(f"project pair missed: {missing}")
    for extra in sorted(pred_pairs - gold_pairs):
        sc.errors.append(f"project pair wrong: {extra}")

    gold_entries = _entries(gold["projects"])
    pred_entries = _entries(pred["projects"])
    both = {e[:4] for e in gold_entries if e[2] and e[3]}
    pred_both = {e[:4] for e in pred_entries if e[2] and e[3]}
    sc.indicators.add_sets(both, pred_both)
    sc.status_total += len(gold_entries)
    sc.status_correct += len(gold_entries & pred_entries)
    for g in sorted(gold_entries - pred_entries, key=str):
        sc.errors.append(f"indicator entry missed: {g}")
    for p in sorted(pred_entries - gold_entries, key=str):
        if p[:2] in gold_pairs:
            sc.errors.append(f"indicator entry wrong: {p}")

    by_pair = {(p["declared"], p["evaluated"]): p for p in pred["projects"]}
    for g in gold["projects"]:
        p = by_pair.get((g["declared"], g["evaluated"]))
        if p is None or "budget_changed" not in g:
            continue
        change = p.get("budget_change")
        flagged = change is not None and abs(change) > budget_tolerance
        sc.budget_total += 1
        sc.budget_correct += flagged == g["budget_changed"]
        if flagged != g["budget_changed"]:
            sc.errors.append(f"budget-changed {'missed' if g['budget_changed'] else 'wrong'}: {g['declared']}")
    return sc
