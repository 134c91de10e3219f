"""Reconcile 申报 targets against 自评 results.

``reconcile(declared, evaluated)`` pairs each target declaration with the self-evaluation
that reports on it (record linkage: blocking, feature scores, one-to-one assignment) and,
inside each pair, each promised indicator with the reported one (matched / changed /
dropped / added). ``reconcile_findings(docs)`` turns the differences into Findings with
the contract ids target-dropped, target-added, target-changed and budget-changed.
"""

from __future__ import annotations

from .findings import reconcile_findings, reconcile_sourced, reconcile_with_findings, split_by_kind
from .reconciler import reconcile
from .result import Candidate, IndicatorPair, ProjectPair, ReconcileResult, Unpaired
from .settings import DEFAULT, Settings, from_config, load_settings

__all__ = [
    "DEFAULT",
    "Candidate",
    "IndicatorPair",
    "ProjectPair",
    "ReconcileResult",
    "Settings",
    "Unpaired",
    "from_config",
    "load_settings",
    "reconcile",
    "reconcile_findings",
    "reconcile_sourced",
    "reconcile_with_findings",
    "split_by_kind",
]
