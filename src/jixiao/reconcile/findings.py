"""Reconciliation findings (target-dropped / target-added / target-changed / budget-changed).

``jixiao check`` calls ``reconcile_findings`` with every document it read: the forms of
all documents are split by kind, reconciled, and each difference a reviewer must look at
becomes a Finding pointing at its source lines, with the partner project in ``related``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Document, Finding, Form, FormKind
from .reconciler import reconcile
from .result import IndicatorPair, ProjectPair, ReconcileResult
from .settings import Settings, load_settings

Sourced = list[tuple[Form, str]]


def split_by_kind(docs: Sequence[Document]) -> tuple[Sourced, Sourced]:
    """(declarations, self-evaluations) of all documents, each with its document's source."""
    declared: Sourced = []
    evaluated: Sourced = []
    for doc in docs:
        for form in doc.forms:
            (declared if form.kind == "target_declaration" else evaluated).append((form, doc.source))
    return declared, evaluated


def reconcile_findings(docs: Sequence[Document], settings: Settings | None = None) -> list[Finding]:
    """Findings for every reconciled pair; [] unless both kinds of form are present."""
    return reconcile_with_findings(docs, settings)[1]


def reconcile_with_findings(
    docs: Sequence[Document], settings: Settings | None = None
) -> tuple[ReconcileResult | None, list[Finding]]:
    """The reconciliation of all declarations (in document order) with all self-evaluations,
    and its findings: one run for a caller that shows both (the review session)."""
    declared, evaluated = split_by_kind(docs)
    return reconcile_sourced(declared, evaluated, settings)


def reconcile_sourced(
    declared: Sourced, evaluated: Sourced, settings: Settings | None = None, *, explain: bool = True
) -> tuple[ReconcileResult | None, list[Finding]]:
    """``reconcile_with_findings`` of forms already split by kind, each with its source
    (the streaming check keeps its forms this way, not as documents); ``explain=False``:
    no explanation of each unpaired form (see ``reconcile``)."""
    if not declared or not evaluated:
        return None, []
    s = settings or load_settings()
    result = reconcile([f for f, _ in declared], [f for f, _ in evaluated], s, explain=explain)
    findings: list[Finding] = []
    for pair in result.projects:
        dform, dsource = declared[pair.declared_index]
        eform, esource = evaluated[pair.evaluated_index]
        budget = _budget_finding(pair, dform, dsource, eform, esource, s)
        if budget:
            findings.append(budget)
        for ip in pair.indicators:
            if ip.status != "matched":
                findings.append(_indicator_finding(pair, ip, dsource, esource, s))
    return result, findings


def _where(source: str, line: int | None) -> str:
    return f"{source} 第 {line} 行" if line else source


def _first(lines: list[int]) -> int | None:
    return lines[0] if lines else None


def _indicator_finding(pair: ProjectPair, ip: IndicatorPair, dsource: str, esource: str, s: Settings) -> Finding:
    dname, ename = pair.declared or "", pair.evaluated or ""
    if ip.status == "dropped":
        return _finding(
            "target-dropped",
            s,
            dname,
            "target_declaration",
            f"申报指标“{ip.declared}”（目标 {ip.declared_target or '未填'}）在自评表“{ename}”中未出现",
            ip.declared_line,
            ename,
            dsource,
            [f"申报：{_where(dsource, ip.declared_line)}", f"自评表：{_where(esource, _first(pair.evaluated_lines))}"],
        )
    if ip.status == "added":
        return _finding(
            "target-added",
            s,
            ename,
            "self_evaluation",
            f"自评指标“{ip.evaluated}”（目标 {ip.evaluated_target or '未填'}）在申报表“{dname}”中没有对应指标",
            ip.evaluated_line,
            dname,
            esource,
            [f"自评：{_where(esource, ip.evaluated_line)}", f"申报表：{_where(dsource, _first(pair.declared_lines))}"],
        )
    renamed = "" if ip.declared == ip.evaluated else f"（申报时为“{ip.declared}”）"
    what = f"（{'、'.join(ip.changes)}）" if ip.changes else ""
    return _finding(
        "target-changed",
        s,
        ename,
        "self_evaluation",
        f"指标“{ip.evaluated}”{renamed}的目标值由申报时的 {ip.declared_target or '未填'} "
        f"改为 {ip.evaluated_target or '未填'}{what}",
        ip.evaluated_line,
        dname,
        esource,
        [
            f"申报：{_where(dsource, ip.declared_line)}：{ip.declared_target}",
            f"自评：{_where(esource, ip.evaluated_line)}：{ip.evaluated_target}",
        ],
    )


def _finding(
    check: str,
    s: Settings,
    project: str,
    kind: FormKind,
    message: str,
    line: int | None,
    partner: str,
    source: str,
    evidence: list[str],
) -> Finding:
    """A finding about one indicator of a pair, on the form it names, with its partner."""
    return Finding(
        check=check,
        severity=s.severity(check),
        project=project,
        kind=kind,
        message=message,
        lines=[line] if line else [],
        related=[partner],
        source=source,
        evidence=evidence,
    )


def _budget_finding(
    pair: ProjectPair, dform: Form, dsource: str, eform: Form, esource: str, s: Settings
) -> Finding | None:
    """Declared request vs the self-evaluation's 年初预算数 (全年预算数 when that is blank)."""
    req, budget, diff = pair.declared_amount, pair.evaluated_amount, pair.budget_change
    if req is None or budget is None or diff is None or abs(diff) <= s.budget_tolerance:
        return None
    label = "年初预算数" if eform.funds.initial_budget is not None else "全年预算数"
    field = "funds.initial_budget" if label == "年初预算数" else "funds.annual_budget"
    note = ""
    annual = eform.funds.annual_budget
    if label == "年初预算数" and annual is not None and abs(annual - budget) > 0.005 * max(budget, 1):
        note = f"，全年预算数 {annual:,.2f} 元"
    return Finding(
        check="budget-changed",
        severity=s.severity("budget-changed"),
        project=pair.evaluated,
        kind="self_evaluation",
        message=(
            f"申报资金 {req:,.2f} 元，自评{label} {budget:,.2f} 元{note}，"
            f"相差 {diff:+.1%}（超过 ±{s.budget_tolerance:.0%}）"
        ),
        lines=eform.field_lines.get(field) or ([eform.first_line] if eform.first_line else []),
        related=[pair.declared or ""],
        source=esource,
        evidence=[
            f"申报：{_where(dsource, _first(dform.field_lines.get('funds.requested_total', [])))}：{req:,.2f} 元",
            f"自评：{_where(esource, _first(eform.field_lines.get(field, [])))}：{budget:,.2f} 元",
        ],
    )
