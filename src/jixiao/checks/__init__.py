"""Discrepancy checks: what is wrong in a form, and the lines that prove it.

    from jixiao.checks import run_checks, CheckConfig
    findings = run_checks(docs, CheckConfig.load())

Each check is one small function registered in ``registry.CATALOG`` with its contract id,
default severity, rule and Chinese message (see docs/checks.md). Per-form checks live in
``goals``, ``scoring``, ``targets``, ``funds``, ``categories`` and ``grounding``; the
cross-form ones in ``crossform``, ``names`` and ``duplicates`` (scaled by ``similarity``).
"""

from __future__ import annotations

# importing the check modules registers their checks
from . import categories, crossform, duplicates, funds, goals, grounding, names, readability, scoring, targets  # noqa: F401
from .config import CheckConfig
from .crossform import goal_reuse_clusters
from .names import mentions, name_patterns
from .registry import ALL_IDS, CATALOG, RECONCILE_IDS, CheckSpec, Located
from .runner import CheckRun, at_least, run_checks, sort_findings
from .similarity import similar_pairs

__all__ = [
    "ALL_IDS",
    "CATALOG",
    "RECONCILE_IDS",
    "CheckConfig",
    "CheckRun",
    "CheckSpec",
    "Located",
    "at_least",
    "goal_reuse_clusters",
    "mentions",
    "name_patterns",
    "run_checks",
    "similar_pairs",
    "sort_findings",
]
