"""The [checks] section of the configuration file: switches, severities, thresholds.

Every threshold a check uses lives here with its default, so an office can argue with a
number in one place (docs/checks.md lists them). Unknown keys and unknown check ids are
errors, not silently ignored: a typo in a config file should not switch a check back on.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import section
from ..errors import ConfigError
from ..models import Severity


class CheckConfig(BaseModel):
    """Settings for ``run_checks``; ``CheckConfig()`` gives the documented defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # -- switches ------------------------------------------------------------------------
    disabled: list[str] = Field(default_factory=list, description="check ids not to run")
    severity: dict[str, Severity] = Field(default_factory=dict, description="check id -> severity override")

    # -- copies and reuse ------------------------------------------------------------------
    copy_similarity: float = Field(90.0, ge=0, le=100, description="实际完成情况 vs 预期目标, rapidfuzz ratio 0-100")
    copy_min_chars: int = Field(10, ge=1, description="shorter goal texts are not compared")
    goal_reuse_similarity: float = Field(90.0, ge=50, le=100, description="goal text vs another project's, 0-100")
    goal_min_chars: int = Field(20, ge=4, description="shorter goal texts are not compared across projects")
    cross_kind: bool = Field(False, description="also compare declarations with self-evaluations across projects")
    name_min_chars: int = Field(6, ge=2, description="a project name this long counts when it appears anywhere")
    name_stem_min_chars: int = Field(4, ge=2, description="shorter names / name stems count only before '项目'")
    indicator_reuse_min_shared: int = Field(3, ge=1, description="indicators two projects must share")
    indicator_reuse_overlap: float = Field(0.7, gt=0, le=1, description="shared / indicators of the smaller set")
    indicator_generic_projects: int = Field(50, ge=2, description="a name used by more projects is boilerplate")

    # -- arithmetic ------------------------------------------------------------------------
    score_tolerance: float = Field(0.05, ge=0, description="points: rounding slack for sums and comparisons")
    total_weight: float = Field(100.0, gt=0, description="what weights add up to when the form prints no total")
    grade_bands: dict[str, float] = Field(
        default_factory=lambda: {"优": 90.0, "良": 80.0, "中": 60.0},
        description="lowest 总分 of each grade; below the last one is 差",
    )
    funds_tolerance: float = Field(100.0, ge=0, description="yuan: 0.01 万元 printed rounding")
    rate_tolerance: float = Field(0.5, ge=0, description="percentage points for 执行率")
    value_tolerance: float = Field(0.001, ge=0, description="relative slack when comparing actual with target")
    cost_over: float = Field(0.2, ge=0, description="flag unit cost x quantity above budget x (1 + this)")
    cost_under: float = Field(0.5, ge=0, le=1, description="flag a complete estimate below budget x this")
    over_achievement_ratio: float = Field(1.2, gt=1, description="actual >= target x this, with full points")

    # -- framework -------------------------------------------------------------------------
    required_level1: list[str] = Field(
        default_factory=lambda: ["产出指标", "效益指标", "满意度指标"],
        description="一级指标 every form should carry",
    )
    cost_required_from_year: int | None = Field(
        2025, description="from this year on 成本指标 is required too (Shanghai 2025 guide); null: never"
    )
    placeholder_patterns: list[str] = Field(default_factory=list, description="extra regexes for template text")

    @field_validator("disabled")
    @classmethod
    def _known_disabled(cls, v: list[str]) -> list[str]:
        _require_known(v)
        return v

    @field_validator("severity")
    @classmethod
    def _known_severity(cls, v: dict[str, Severity]) -> dict[str, Severity]:
        _require_known(list(v))
        return v

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CheckConfig:
        """From the [checks] table; a bad value is a ConfigError naming the key."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "checks"
            raise ConfigError(f"配置 [checks] {where}：{err['msg']} (bad check setting)") from e

    @classmethod
    def load(cls, path: str | Path | None = None) -> CheckConfig:
        """The [checks] section of the config file found by ``jixiao.config`` (defaults if none)."""
        return cls.from_mapping(section("checks", path))

    def enabled(self, check_id: str) -> bool:
        return check_id not in self.disabled

    def severity_of(self, check_id: str, default: Severity) -> Severity:
        return self.severity.get(check_id, default)

    def grade_for(self, total: float) -> str:
        """The grade a 总分 earns (89.99 is 良: no rounding up)."""
        for grade, low in sorted(self.grade_bands.items(), key=lambda kv: -kv[1]):
            if total >= low - 1e-9:
                return grade
        return "差"


def _require_known(ids: list[str]) -> None:
    from .registry import ALL_IDS  # late: the registry imports this module

    unknown = [i for i in ids if i not in ALL_IDS]
    if unknown:
        raise ValueError(f"unknown check id(s): {', '.join(unknown)}")
