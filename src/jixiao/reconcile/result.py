"""The reconciliation result: the contract's ``reconcile --format json`` shape, plus ours.

Contract fields: ``projects[].declared / evaluated / score / reasons / indicators[]`` with
``indicators[].declared / evaluated / score / status``, and ``unmatched_declared`` /
``unmatched_evaluated`` (project names). Everything else (lines, targets, the Chinese
explanation, the near misses of unpaired forms) is added for reviewers.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["matched", "changed", "dropped", "added"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IndicatorPair(_Model):
    declared: str | None
    evaluated: str | None
    score: float | None = Field(description="similarity of the pair; null for dropped / added")
    status: Status
    # ours
    level1: str | None = None
    level2: str | None = None
    declared_target: str | None = None
    evaluated_target: str | None = None
    actual: str | None = None
    changes: list[str] = Field(default_factory=list, description="what changed in the target, in Chinese")
    declared_line: int | None = None
    evaluated_line: int | None = None
    reasons: list[str] = Field(default_factory=list)


class ProjectPair(_Model):
    declared: str | None
    evaluated: str | None
    score: float
    reasons: list[str]
    indicators: list[IndicatorPair] = Field(default_factory=list)
    # ours
    explanation: str = ""
    declared_index: int
    evaluated_index: int
    declared_lines: list[int] = Field(default_factory=list)
    evaluated_lines: list[int] = Field(default_factory=list)
    declared_unit: str | None = None
    evaluated_unit: str | None = None
    declared_amount: float | None = Field(default=None, description="年度资金申请总额 (元)")
    evaluated_amount: float | None = Field(default=None, description="年初预算数, else 全年预算数 (元)")
    evaluated_annual: float | None = Field(default=None, description="全年预算数 (元)")
    budget_change: float | None = Field(
        default=None, description="(evaluated_amount - declared_amount) / declared_amount"
    )
    counts: dict[str, int] = Field(default_factory=dict, description="indicator pairs per status")


class Candidate(_Model):
    """The best partner an unpaired form had, and why it was not taken."""

    partner: str | None
    partner_index: int
    score: float
    reasons: list[str]
    why: str


class Unpaired(_Model):
    name: str | None
    kind: Literal["target_declaration", "self_evaluation"]
    index: int
    lines: list[int] = Field(default_factory=list)
    unit: str | None = None
    best: Candidate | None = None
    why: str = ""


class ReconcileResult(_Model):
    projects: list[ProjectPair] = Field(default_factory=list)
    unmatched_declared: list[str] = Field(default_factory=list)
    unmatched_evaluated: list[str] = Field(default_factory=list)
    # ours
    unpaired: list[Unpaired] = Field(default_factory=list, description="unpaired forms with their nearest miss")
    threshold: float = 0.0
    candidates_scored: int = 0
    notes: list[str] = Field(default_factory=list, description="observations about the inputs as a whole, in Chinese")

    def contract_json(self) -> dict[str, Any]:
        """The JSON `jixiao reconcile --format json` prints (every field, contract ones first)."""
        return self.model_dump(mode="json")
