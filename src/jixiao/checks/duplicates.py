"""duplicate-form: one project filed in several forms that contradict each other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from rapidfuzz import fuzz

from ..models import Finding, Form, Indicator
from ..reconcile.normalize import org_key
from .crossform import indicator_keys, project_key
from .registry import Ctx, Located, corpus_check
from .text import field_lines, listing, money, norm, row_lines, value_short


def _amounts(form: Form) -> list[tuple[str, float]]:
    f = form.funds
    if form.kind == "target_declaration":
        total = f.requested_total if f.requested_total is not None else f.fiscal
        return [("申请总额", total)] if total is not None else []
    return [(label, v) for label, v in (("全年预算数", f.annual_budget), ("全年执行数", f.executed)) if v is not None]


def _main_amount(form: Form) -> float | None:
    a = _amounts(form)
    return a[0][1] if a else None


def _target_conflict(a: Indicator, b: Indicator) -> bool:
    ta, tb = a.target, b.target
    if ta is None or tb is None:
        return False
    if ta.value is not None and tb.value is not None:
        return (ta.op or "=", ta.unit) != (tb.op or "=", tb.unit) or abs(ta.value - tb.value) > 1e-9
    if (ta.value is None) != (tb.value is None):
        return True
    x, y = norm(ta.text or ta.raw), norm(tb.text or tb.raw)
    return bool(x and y) and x not in y and y not in x


def form_conflicts(a: Form, b: Form, funds_tol: float, score_tol: float) -> tuple[list[str], list[int]]:
    """How two forms of one project contradict each other, and the rows that show it."""
    out: list[str] = []
    lines: list[int] = []
    amounts_b = dict(_amounts(b))
    for label, x in _amounts(a):
        y = amounts_b.get(label)
        if y is not None and abs(x - y) > funds_tol:
            out.append(f"{label} {money(x)} 元 ≠ {money(y)} 元")
    rows_b = indicator_keys(b)
    for k, ia in indicator_keys(a).items():
        ib = rows_b.get(k)
        if ib is not None and _target_conflict(ia, ib):
            out.append(f"{ia.name} {value_short(ia.target)} ≠ {value_short(ib.target)}")
            lines += row_lines(ia) + row_lines(ib)
    if a.total_score is not None and b.total_score is not None and abs(a.total_score - b.total_score) > score_tol:
        out.append(f"总分 {a.total_score:g} ≠ {b.total_score:g}")
    ga, gb = norm(a.goal.expected), norm(b.goal.expected)
    if ga and gb and ga not in gb and gb not in ga and fuzz.ratio(ga, gb) < 60:
        out.append("年度目标文字不同")
        lines += field_lines(a, "goal.expected") + field_lines(b, "goal.expected")
    return out, lines


def sum_of_neighbours(doc_forms: Sequence[Located], pos: int, tol: float, window: int = 15) -> list[Located]:
    """A run of ≥ 2 nearby forms of the same document whose amounts add up to this form's:
    the form is then a summary of those projects filed under one of their names."""
    target = _main_amount(doc_forms[pos].form)
    if not target:
        return []
    lo, hi = max(0, pos - window), min(len(doc_forms), pos + window + 1)
    for start in range(lo, hi):
        total, run = 0.0, []
        for k in range(start, hi):
            if k == pos:
                break
            amount = _main_amount(doc_forms[k].form)
            if amount is None:
                break
            total += amount
            run.append(doc_forms[k])
            if len(run) >= 2 and abs(total - target) <= tol:
                return run
            if total > target + tol:
                break
    return []


# Rule: one project (same name, kind and year) in ≥ 2 forms whose amounts, targets of the same indicator,
# 总分 or goals disagree; a consistent repeat (same amount, a subset of the same targets) is not flagged.
@corpus_check(
    "duplicate-form",
    "warning",
    "同一项目有 {n} 张{kind}（第 {starts} 行），内容矛盾：{conflicts}{summary}",
    rule="同名、同类、同年度的项目出现在多张表中，且金额、同一指标的指标值、总分或目标文字不一致",
)
def duplicate_form(forms: Sequence[Located], ctx: Ctx) -> Iterator[Finding]:
    groups: dict[tuple[str, int | None, str], list[Located]] = defaultdict(list)
    for at in forms:
        k = project_key(at.form)
        if k:
            groups[(at.form.kind, at.form.year, k)].append(at)
    by_doc: dict[int, list[Located]] = defaultdict(list)
    position: dict[int, int] = {}
    for at in forms:
        position[id(at)] = len(by_doc[at.doc])
        by_doc[at.doc].append(at)
    for (kind, _, _), group in groups.items():
        if len(group) < 2:
            continue
        conflicts: list[str] = []
        lines = [at.form.first_line for at in group]
        for a, b in _pairs_to_compare(group):
            c, ln = form_conflicts(a.form, b.form, ctx.cfg.funds_tolerance, ctx.cfg.score_tolerance)
            conflicts += c
            lines += ln
        if not conflicts:
            continue
        related: list[str] = []
        summary = ""
        for at in group:
            doc_forms = by_doc[at.doc]
            run = sum_of_neighbours(doc_forms, position[id(at)], ctx.cfg.funds_tolerance)
            if run:
                parts = " + ".join(f"{r.project} {money(_main_amount(r.form))}" for r in run)
                summary = f"；第 {at.form.first_line} 行那张的金额 {money(_main_amount(at.form))} 元 = {parts}（疑为多个项目的汇总）"
                related += [r.project for r in run]
                break
        yield ctx.flag(
            at=group[0],
            lines=lines,
            evidence=[f"第{at.form.first_line}行｜{at.project}：{_describe(at.form)}" for at in group],
            related=related,
            n=len(group),
            kind="绩效目标申报表" if kind == "target_declaration" else "绩效自评表",
            starts="、".join(str(at.form.first_line) for at in group),
            conflicts=listing(list(dict.fromkeys(conflicts))),
            summary=summary,
        )


_ALL_PAIRS = 12  # up to this many forms of one project, every pair is compared


def _pairs_to_compare(group: list[Located]) -> list[tuple[Located, Located]]:
    """Every pair of a small group; in a large one (a programme's forms of a year, hundreds under
    one name) each form against the first and the one before it: linear, and a conflict with
    any of them still shows."""
    if len(group) <= _ALL_PAIRS:
        return [(a, b) for x, a in enumerate(group) for b in group[x + 1 :]]
    out = [(group[0], b) for b in group[1:]]
    out += [(group[x - 1], group[x]) for x in range(2, len(group))]
    return out


def _describe(form: Form) -> str:
    amounts = "，".join(f"{label} {money(v)} 元" for label, v in _amounts(form))
    return f"{amounts}，{len(form.indicators)} 项指标"


def _other_unit(a: Form, b: Form) -> bool:
    """Both forms name their implementing unit, and not the same one."""
    ua, ub = org_key(a.implementing_unit), org_key(b.implementing_unit)
    return bool(ua and ub and ua != ub)


# Rule: a form whose amount equals the sum of a run of ≥ 2 forms of the same kind, year and unit just
# before it in the same document: a 汇总 of those projects filed as a project of its own.
@corpus_check(
    "summary-form",
    "warning",
    "金额 {amount} 元 = {parts}：疑为 {n} 个项目的汇总表，被当作一个项目填报",
    rule="同一文档中，表单金额等于紧邻其前的 2 张及以上同类、同年度、同一实施单位表单金额之和（容差内）",
    per_document=True,
)
def summary_form(forms: Sequence[Located], ctx: Ctx) -> Iterator[Finding]:
    by_doc: dict[int, list[Located]] = defaultdict(list)
    for at in forms:
        by_doc[at.doc].append(at)
    for doc_forms in by_doc.values():
        for pos, at in enumerate(doc_forms):
            if not at.form.complete:
                continue  # a cut-off form's amounts may be partial
            run = sum_of_neighbours(doc_forms, pos, ctx.cfg.funds_tolerance)
            if not run or any(r.form.kind != at.form.kind or r.form.year != at.form.year for r in run):
                continue
            if any(_other_unit(r.form, at.form) for r in run):
                continue  # the contract's "of the same unit": projects of other units add up by chance
            yield ctx.flag(
                at=at,
                lines=[at.form.first_line],
                evidence=[f"第{r.form.first_line}行｜{r.project}：{money(_main_amount(r.form))} 元" for r in run],
                related=[r.project for r in run],
                amount=money(_main_amount(at.form)),
                parts=" + ".join(money(_main_amount(r.form)) for r in run),
                n=len(run),
            )
