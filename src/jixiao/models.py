"""The domain model: Document -> Form -> Funds, Goal, Indicator -> Value.

Every engine produces these, every check, the reconciler, the review session, the web
page and the exports consume them. Field names follow ../shared/CONTRACT.md; fields added
beyond the contract (``*_raw``, ``lines``, ``field_lines``, ``problems``, ``engine``) are
ours. This module imports nothing of jixiao's.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FormKind = Literal["self_evaluation", "target_declaration"]
Op = Literal["=", ">=", "<=", ">", "<"]
Severity = Literal["info", "warning", "error"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Value(_Model):
    """A target or an actual value as written in one cell. Frozen: parsed values are shared."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    raw: str
    op: Op | None = None
    value: float | None = None
    unit: str | None = None
    text: str | None = None

    @property
    def is_quantitative(self) -> bool:
        return self.value is not None


class Indicator(_Model):
    level1: str | None = None
    level2: str | None = None
    name: str
    target: Value | None = None
    actual: Value | None = None
    weight: float | None = None
    score: float | None = None
    deviation: str | None = None
    line: int = Field(ge=0, description="1-based source line where the row starts")
    # ours: the category cells as printed, so an OCR garble stays visible to a check
    level1_raw: str | None = None
    level2_raw: str | None = None
    lines: list[int] = Field(default_factory=list, description="every source line of the row")
    review_score: float | None = Field(default=None, description="复核分, where the form prints one beside 自评分")
    uncertain: bool = Field(default=False, description="the layout stage had to guess where this row's cells part")

    @model_validator(mode="after")
    def _weights_make_sense(self) -> Indicator:
        w, s = self.weight, self.score
        if (w is not None and w < 0) or (s is not None and s < 0):  # the common case costs no call
            raise ValueError(negative_numbers(self.name, self.line, w, s)[0])
        return self


def negative_numbers(name: str, line: int, weight: float | None, score: float | None) -> list[str]:
    """What the Indicator validator refuses about weight and score, as messages; shared with
    the rules engine, which keeps the row and drops the number instead of failing."""
    where = f"indicator {name!r} (line {line})"
    out = []
    if weight is not None and weight < 0:
        out.append(f"{where}: weight (分值) {weight} is negative")
    if score is not None and score < 0:
        out.append(f"{where}: score (得分) {score} is negative")
    return out


class Funds(_Model):
    """Every amount in yuan."""

    initial_budget: float | None = None
    annual_budget: float | None = None
    executed: float | None = None
    requested_total: float | None = None
    fiscal: float | None = None
    carryover: float | None = None
    other: float | None = None
    execution_rate: float | None = None
    weight: float | None = None
    score: float | None = None


# the Funds fields that are sums of money (yuan); the others are a rate and points
AMOUNT_FIELDS = ("initial_budget", "annual_budget", "executed", "requested_total", "fiscal", "carryover", "other")


class Goal(_Model):
    expected: str | None = None
    actual: str | None = None
    overall: str | None = None


class UnreadLine(_Model):
    """A source line inside a form that no reader could place."""

    line: int
    text: str


class Form(_Model):
    kind: FormKind
    year: int | None = None
    project_name: str | None = None
    department: str | None = None
    implementing_unit: str | None = None
    project_nature: str | None = None
    project_category: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    funds: Funds = Field(default_factory=Funds)
    goal: Goal = Field(default_factory=Goal)
    indicators: list[Indicator] = Field(default_factory=list)
    total_score: float | None = None
    grade: str | None = None
    lines: list[int] = Field(default_factory=lambda: [0, 0])
    # added 2026-12 (contract): how the form was read
    template: str = "unknown"
    layout: str = "tabs"
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    complete: bool = True
    unread: list[UnreadLine] = Field(default_factory=list)
    review_total: float | None = Field(default=None, description="复核分 of the 总分 row, where printed")
    failed: str | None = Field(
        default=None, description="why this form could not be read at all (an LLM failure): its content is missing"
    )
    funds_unit_mismatch: bool = Field(
        default=False, description="the funds head says 万元 but the amounts are plainly 元: read as 元"
    )
    # ours
    total_weight: float | None = None
    engine: str | None = None
    field_lines: dict[str, list[int]] = Field(
        default_factory=dict, description="source lines of each field, e.g. 'goal.expected'"
    )
    problems: list[str] = Field(default_factory=list, description="what the engine could not read or had to repair")
    unsupported: list[str] = Field(
        default_factory=list,
        description="LLM engines: 'field path: value' extracted but not found in the source text",
    )
    usage: dict[str, float] | None = Field(
        default=None, description="LLM engines: requests, tokens and cache hits spent on this form"
    )

    @model_validator(mode="after")
    def _kind_consistent(self) -> Form:
        if self.kind == "target_declaration":
            where = f"form {self.project_name!r} (line {self.lines[0] if self.lines else 0})"
            scored = [i for i in self.indicators if i.score is not None]
            if scored:
                raise ValueError(
                    f"{where}: a target declaration carries no 得分, "
                    f"but indicator {scored[0].name!r} (line {scored[0].line}) has score {scored[0].score}"
                )
            if self.total_score is not None:
                raise ValueError(f"{where}: a target declaration carries no 总分")
        return self

    @property
    def first_line(self) -> int:
        return self.lines[0] if self.lines else 0

    @property
    def label(self) -> str:
        """A short human name: project and first line."""
        return f"{self.project_name or '（未识别项目）'}@{self.first_line}"


class Document(_Model):
    source: str
    engine: str = "rules"
    forms: list[Form] = Field(default_factory=list)
    # ours
    warnings: list[str] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list, description="what the document is when it holds no project form; what could not be read"
    )
    usage: dict[str, float] | None = Field(
        default=None, description="LLM engines: requests, tokens, cost, latency_s, cache hits for this document"
    )
    prompt_version: str | None = Field(default=None, description="LLM engines: version of prompts/ used")


class Finding(_Model):
    check: str
    severity: Severity
    project: str | None = None
    kind: FormKind | None = None
    message: str
    lines: list[int] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    # ours: which file the finding belongs to, and a stable key for review decisions
    source: str | None = None
    evidence: list[str] = Field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable identity of a finding across runs, for storing review decisions."""
        return "|".join([self.check, self.project or "", self.kind or "", ",".join(map(str, self.lines))])
