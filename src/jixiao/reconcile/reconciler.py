"""``reconcile``: declared forms against evaluated forms, projects first, then indicators."""

from __future__ import annotations

from collections.abc import Sequence

from ..gcpause import gc_paused
from ..models import Form
from .assignment import max_weight_matching
from .indicators import match_indicators
from .normalize import same_org_key
from .projects import Features, FormView, candidate_pairs, features, learn_qualifiers, view
from .result import Candidate, ProjectPair, ReconcileResult, Unpaired
from .settings import DEFAULT, Settings


def reconcile(
    declared: Sequence[Form], evaluated: Sequence[Form], settings: Settings | None = None, *, explain: bool = True
) -> ReconcileResult:
    """Pair each target declaration with the self-evaluation that reports on it.

    ``declared`` should hold target declarations and ``evaluated`` self-evaluations; the
    kinds are not checked here (``reconcile_findings`` splits documents by kind).
    ``explain=False`` leaves ``unpaired`` empty (the unmatched names stay): a caller that
    wants only the pairs' findings does not build an explanation for each of 10^5 forms.
    """
    with gc_paused():
        return _reconcile(declared, evaluated, settings or DEFAULT, explain)


def _reconcile(
    declared: Sequence[Form], evaluated: Sequence[Form], s: Settings, explain: bool = True
) -> ReconcileResult:
    dv = [view(i, f) for i, f in enumerate(declared)]
    ev = [view(j, f) for j, f in enumerate(evaluated)]
    learn_qualifiers([*dv, *ev], s)
    feats: dict[tuple[int, int], Features] = {}
    scored = 0
    for p in candidate_pairs(dv, ev, s):
        f = features(dv[p[0]], ev[p[1]], s)
        scored += 1
        if explain or f.score >= s.project_threshold:  # the rest only explain unpaired forms
            feats[p] = f
    edges = {p: f.score for p, f in feats.items() if f.score >= s.project_threshold}
    chosen = dict(max_weight_matching(edges))
    partner_of_e = {j: i for i, j in chosen.items()}

    projects = [_project_pair(dv[i], ev[j], feats[(i, j)], s) for i, j in sorted(chosen.items())]
    if not explain:
        return ReconcileResult(
            notes=_notes(dv, ev),
            projects=projects,
            unmatched_declared=[d.name or "" for d in dv if d.index not in chosen],
            unmatched_evaluated=[e.name or "" for e in ev if e.index not in partner_of_e],
            threshold=s.project_threshold,
            candidates_scored=scored,
        )
    best_d: dict[int, tuple[int, Features]] = {}
    best_e: dict[int, tuple[int, Features]] = {}
    for (i, j), f in feats.items():
        if i not in best_d or f.score > best_d[i][1].score:
            best_d[i] = (j, f)
        if j not in best_e or f.score > best_e[j][1].score:
            best_e[j] = (i, f)
    unpaired: list[Unpaired] = []
    for d in dv:
        if d.index not in chosen:
            unpaired.append(_unpaired(d, best_d.get(d.index), ev, partner_of_e, dv, feats, s))
    for e in ev:
        if e.index not in partner_of_e:
            unpaired.append(_unpaired(e, best_e.get(e.index), dv, chosen, ev, feats, s, evaluated_side=True))
    return ReconcileResult(
        notes=_notes(dv, ev),
        projects=projects,
        unmatched_declared=[u.name or "" for u in unpaired if u.kind == "target_declaration"],
        unmatched_evaluated=[u.name or "" for u in unpaired if u.kind == "self_evaluation"],
        unpaired=unpaired,
        threshold=s.project_threshold,
        candidates_scored=scored,
    )


def _project_pair(d: FormView, e: FormView, f: Features, s: Settings) -> ProjectPair:
    indicators = match_indicators(d.form.indicators, e.form.indicators, s)
    counts = {k: 0 for k in ("matched", "changed", "dropped", "added")}
    for ip in indicators:
        counts[ip.status] += 1
    against = f.against()
    explanation = "；".join(f.support() + ([f"但{'、'.join(against)}"] if against else []))
    ef = e.form.funds
    request = d.amounts[0] if d.amounts else None
    budget = ef.initial_budget if ef.initial_budget is not None else ef.annual_budget
    return ProjectPair(
        declared=d.name,
        evaluated=e.name,
        score=round(f.score, 2),
        reasons=f.reasons(),
        indicators=indicators,
        explanation=explanation,
        declared_index=d.index,
        evaluated_index=e.index,
        declared_lines=list(d.form.lines),
        evaluated_lines=list(e.form.lines),
        declared_unit=d.form.implementing_unit,
        evaluated_unit=e.form.implementing_unit,
        declared_amount=request,
        evaluated_amount=budget,
        evaluated_annual=ef.annual_budget,
        budget_change=round((budget - request) / request, 4) if request and budget is not None else None,
        counts=counts,
    )


def _unpaired(
    me: FormView,
    best: tuple[int, Features] | None,
    others: Sequence[FormView],
    partner_of_other: dict[int, int],
    mine: Sequence[FormView],
    feats: dict[tuple[int, int], Features],
    s: Settings,
    evaluated_side: bool = False,
) -> Unpaired:
    kind = "self_evaluation" if evaluated_side else "target_declaration"
    other_kind = "申报表" if evaluated_side else "自评表"
    if best is None:
        why = f"没有同一实施单位或名称相近的{other_kind}"
        return Unpaired(
            name=me.name, kind=kind, index=me.index, lines=list(me.form.lines), unit=me.form.implementing_unit, why=why
        )
    j, f = best
    partner = others[j]
    if f.score >= s.project_threshold and j in partner_of_other:
        rival = mine[partner_of_other[j]]
        pair = (rival.index, j) if not evaluated_side else (j, rival.index)
        why = f"最接近的{other_kind}“{partner.name}”（得分 {f.score:.2f}）已与“{rival.name}”配对（得分 {feats[pair].score:.2f}）"
    else:
        against = f.against() or ["各项特征都不够接近"]
        why = f"最接近的{other_kind}“{partner.name}”得分 {f.score:.2f}，低于阈值 {s.project_threshold:.2f}：{'、'.join(against)}"
    best_c = Candidate(partner=partner.name, partner_index=j, score=round(f.score, 2), reasons=f.reasons(), why=why)
    return Unpaired(
        name=me.name,
        kind=kind,
        index=me.index,
        lines=list(me.form.lines),
        unit=me.form.implementing_unit,
        best=best_c,
        why=why,
    )


def _notes(dv: Sequence[FormView], ev: Sequence[FormView]) -> list[str]:
    """Say so when the two sides come from different units: then little should pair."""
    d_units = {v.unit_key: v.form.implementing_unit for v in dv if v.unit_key}
    e_units = {v.unit_key: v.form.implementing_unit for v in ev if v.unit_key}
    if not d_units or not e_units or any(same_org_key(a, b) for a in d_units for b in e_units):
        return []

    def names(units: dict[str, str | None]) -> str:
        shown = sorted(u or "" for u in units.values())
        return "、".join(shown[:3]) + ("等" if len(shown) > 3 else "")

    return [
        f"申报表的实施单位（{names(d_units)}）与自评表的实施单位（{names(e_units)}）没有交集："
        "不同单位的项目即使名称相近，通常也不是同一个项目，因此大多不配对"
    ]
