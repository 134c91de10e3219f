"""run_checks: every enabled check over every form of every document of one run."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import SEVERITY_RANK, Document, Finding
from .config import CheckConfig
from .registry import ALL_IDS, CATALOG, RECONCILE_IDS, Ctx, Located


def locate(docs: Sequence[Document]) -> list[Located]:
    return [
        Located(source=doc.source, doc=d, index=i, form=form)
        for d, doc in enumerate(docs)
        for i, form in enumerate(doc.forms)
    ]


def run_checks(docs: Sequence[Document], config: CheckConfig | None = None) -> list[Finding]:
    """Findings of every enabled check, in document order (source, first line, check)."""
    cfg = config or CheckConfig()
    forms = locate(docs)
    findings: list[Finding] = []
    for spec in CATALOG.values():
        if not cfg.enabled(spec.id):
            continue
        if spec.scope == "form":
            for at in forms:
                findings.extend(spec.func(at.form, Ctx(spec, cfg, at)))
        else:
            findings.extend(spec.func(forms, Ctx(spec, cfg)))
    findings.extend(_reconciliation(docs, cfg))
    return sort_findings(findings)


def _reconciliation(docs: Sequence[Document], cfg: CheckConfig) -> list[Finding]:
    """target-dropped/-added/-changed and budget-changed, when both kinds of form are given."""
    kinds = {f.kind for d in docs for f in d.forms}
    if len(kinds) < 2 or not any(cfg.enabled(i) for i in RECONCILE_IDS):
        return []
    try:
        from ..reconcile import reconcile_findings
    except ImportError:  # the reconciliation module is optional
        return []
    out: list[Finding] = []
    for f in reconcile_findings(list(docs)):
        if cfg.enabled(f.check):
            out.append(f.model_copy(update={"severity": cfg.severity_of(f.check, f.severity)}))
    return out


def sort_findings(findings: list[Finding]) -> list[Finding]:
    order = {cid: i for i, cid in enumerate(ALL_IDS)}
    return sorted(
        findings,
        key=lambda f: (f.source or "", f.lines[0] if f.lines else 0, order.get(f.check, len(order)), f.project or ""),
    )


def at_least(findings: Sequence[Finding], severity: str) -> list[Finding]:
    """Findings of ``severity`` or worse."""
    floor = SEVERITY_RANK[severity]
    return [f for f in findings if SEVERITY_RANK[f.severity] >= floor]
