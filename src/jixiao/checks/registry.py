"""The catalog: every check registered with its contract id, severity, rule and message.

Adding a check is adding one function under a decorator:

    @form_check("score-exceeds-weight", "error", "{rows}：得分高于分值", rule="得分 > 分值 + 容差")
    def score_exceeds_weight(form: Form, ctx: Ctx) -> Iterator[Finding]:
        ...
        yield ctx.flag(lines=[...], evidence=[...], rows="…")

``form_check`` functions see one form at a time; ``corpus_check`` functions see every form
of every document of the run (cross-project checks). ``ctx.flag`` fills in the id, the
configured severity, the project, the form kind and the source, and formats the message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..models import Finding, Form, Severity
from .config import CheckConfig

# Every id of ../shared/CONTRACT.md; the reconciliation ones are produced by jixiao.reconcile.
ALL_IDS: tuple[str, ...] = (
    "completion-copies-goal",
    "goal-reused-across-projects",
    "goal-names-other-project",
    "indicators-reused-across-projects",
    "duplicate-indicator",
    "duplicate-form",
    "score-exceeds-weight",
    "score-sum-mismatch",
    "grade-mismatch",
    "funds-arithmetic",
    "deduction-without-reason",
    "achieved-but-deducted",
    "target-not-met-full-score",
    "vague-actual",
    "implausible-target",
    "template-placeholder",
    "year-mismatch",
    "unknown-category",
    "cost-arithmetic",
    "over-achievement",
    "missing-category",
    "target-dropped",
    "target-added",
    "target-changed",
    "budget-changed",
    "unsupported-value",
    "incomplete-form",
    "unit-mismatch",
    "unreadable-value",
    "reused-from-earlier-year",
    "summary-form",
)
RECONCILE_IDS: frozenset[str] = frozenset({"target-dropped", "target-added", "target-changed", "budget-changed"})
# ids that need a store holding earlier years' forms (issue: team store): not run on files alone
STORE_IDS: frozenset[str] = frozenset({"reused-from-earlier-year"})


@dataclass(frozen=True)
class Located:
    """A form with where it came from: the document's source and its position in it."""

    source: str
    doc: int
    index: int
    form: Form

    @property
    def project(self) -> str:
        return self.form.project_name or ""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    severity: Severity
    template: str
    rule: str
    scope: Literal["form", "corpus"]
    func: Callable[..., Iterable[Finding]]
    # a corpus check that compares forms of one document only: run as each document arrives
    per_document: bool = False


@dataclass
class Ctx:
    """What a check needs besides its forms: its spec, the config, and (per form) where it is."""

    spec: CheckSpec
    cfg: CheckConfig
    at: Located | None = None

    def flag(
        self,
        *,
        lines: Iterable[int] = (),
        evidence: Iterable[str] = (),
        related: Iterable[str] = (),
        at: Located | None = None,
        **params: Any,
    ) -> Finding:
        where = at or self.at
        if where is None:  # pragma: no cover - a programming error in a check
            raise ValueError(f"{self.spec.id}: flag() needs the form it is about")
        rel = list(dict.fromkeys(r for r in related if r and r != where.project))
        return Finding(
            check=self.spec.id,
            severity=self.cfg.severity_of(self.spec.id, self.spec.severity),
            project=where.form.project_name,
            kind=where.form.kind,
            message=self.spec.template.format(**params),
            lines=sorted({n for n in lines if n > 0}),
            related=rel,
            source=where.source,
            evidence=list(evidence),
        )


CATALOG: dict[str, CheckSpec] = {}


def _register(
    scope: Literal["form", "corpus"],
    check_id: str,
    severity: Severity,
    template: str,
    rule: str,
    per_document: bool = False,
) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    if check_id not in ALL_IDS:
        raise ValueError(f"{check_id!r} is not a contract check id")

    def deco(func: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        if check_id in CATALOG:
            raise ValueError(f"check {check_id!r} registered twice")
        CATALOG[check_id] = CheckSpec(check_id, severity, template, rule, scope, func, per_document)
        return func

    return deco


def form_check(check_id: str, severity: Severity, template: str, *, rule: str) -> Callable[..., Any]:
    """Register ``func(form: Form, ctx: Ctx) -> Iterable[Finding]``."""
    return _register("form", check_id, severity, template, rule)


def corpus_check(
    check_id: str, severity: Severity, template: str, *, rule: str, per_document: bool = False
) -> Callable[..., Any]:
    """Register ``func(forms: Sequence[Located], ctx: Ctx) -> Iterable[Finding]``;
    ``per_document``: it compares forms of the same document only (and is given them)."""
    return _register("corpus", check_id, severity, template, rule, per_document)


__all__ = [
    "ALL_IDS",
    "CATALOG",
    "RECONCILE_IDS",
    "STORE_IDS",
    "CheckSpec",
    "Ctx",
    "Located",
    "corpus_check",
    "form_check",
]
