"""Weights and thresholds of the reconciler, overridable from ``[reconcile]`` in jixiao.toml.

Defaults were set from the domain (a self-evaluation filed by another unit or for another
year is another project's; names carry most of the evidence), then checked, not fitted,
against fixtures/pairs. Example override::

    [reconcile]
    project_threshold = 0.65
    budget_tolerance = 0.15
    [reconcile.project_weights]
    amount = 0.10
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from ..config import section
from ..errors import ConfigError
from ..models import Severity


def _project_weights() -> dict[str, float]:
    return {"name": 0.35, "indicators": 0.25, "amount": 0.15, "unit": 0.15, "department": 0.05, "year": 0.05}


@dataclass(frozen=True)
class Settings:
    # projects
    project_weights: dict[str, float] = field(default_factory=_project_weights)
    project_threshold: float = 0.6
    # a different implementing unit or year makes a pair unlikely, whatever the name says
    unit_mismatch_factor: float = 0.75
    year_mismatch_factor: float = 0.5
    # another name and not one of ≥ 3 indicators found again: another project's (a unit's
    # many projects of like names and budgets would otherwise pair by chance)
    no_shared_indicator_factor: float = 0.85
    no_shared_indicator_name: float = 0.8  # ... when the names are less alike than this
    # names that differ in a batch or phase ordinal (第3批 / 第4批, 一期 / 二期): other projects
    ordinal_mismatch_factor: float = 0.5
    # a piece that begins names going on in at least this many ways is a qualifier (an
    # area, a group, a programme), not what the name is about (qualifiers.py)
    qualifier_successors: int = 5
    # candidate generation: name neighbours looked at outside a form's own unit
    name_neighbours: int = 5
    # below this many declared x evaluated pairs, score them all (no blocking)
    exhaustive_pairs: int = 40_000
    # indicators
    indicator_threshold: float = 0.5
    indicator_overlap_similarity: float = 0.8  # a shared indicator, for the project feature
    level2_bonus: float = 0.1
    level1_penalty: float = 0.15
    target_bonus: float = 0.1
    unit_penalty: float = 0.3
    # findings
    budget_tolerance: float = 0.10
    severities: dict[str, Severity] = field(
        default_factory=lambda: {
            "target-dropped": "warning",
            "target-added": "info",
            "target-changed": "warning",
            "budget-changed": "warning",
        }
    )

    def severity(self, check: str) -> Severity:
        return self.severities.get(check, "warning")


DEFAULT = Settings()


def from_config(values: dict[str, Any] | None = None) -> Settings:
    """Settings with the ``[reconcile]`` section applied (the section is read by the caller)."""
    if not values:
        return DEFAULT
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"[reconcile] 中有未知的设置：{', '.join(unknown)}")
    changes: dict[str, Any] = {}
    for name, value in values.items():
        current = getattr(DEFAULT, name)
        if isinstance(current, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"[reconcile] {name} 应为一个表 (table)")
            merged = {**current, **value}
            if name == "severities" and not set(merged.values()) <= {"info", "warning", "error"}:
                raise ConfigError("[reconcile.severities] 只能取 info / warning / error")
            changes[name] = merged
        else:
            try:
                changes[name] = type(current)(value)
            except (TypeError, ValueError) as e:
                raise ConfigError(f"[reconcile] {name} 的值无效：{value!r}") from e
    return replace(DEFAULT, **changes)


def load_settings() -> Settings:
    """Settings from the configuration file's ``[reconcile]`` section (defaults without one)."""
    return from_config(section("reconcile"))
