"""Checks on money: the funds table adds up, and the cost indicators fit the budget."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from ..models import Finding, Form, Indicator
from .indicators import PERCENT_UNITS, is_cost, is_money_unit
from .registry import Ctx, form_check
from .text import field_lines, money, name_key, num, row_evidence, row_lines


# Rule: 总额 ≠ 财政拨款 + 上年结转 + 其他 (± funds_tolerance 元), or 执行率 ≠ 执行数 / 全年预算数 (± rate_tolerance).
@form_check(
    "funds-arithmetic",
    "error",
    "资金数据不平：{what}",
    rule="资金总额 ≠ 财政拨款 + 上年结转 + 其他资金（容差 funds_tolerance 元），或执行率 ≠ 执行数 ÷ 全年预算数（容差 rate_tolerance 个百分点）",
)
def funds_arithmetic(form: Form, ctx: Ctx) -> Iterator[Finding]:
    f = form.funds
    tol = ctx.cfg.funds_tolerance
    what: list[str] = []
    lines: list[int] = []
    if form.kind == "target_declaration":
        total, total_label, total_field = f.requested_total, "年度资金申请总额", "funds.requested_total"
    else:
        total, total_label, total_field = f.executed, "全年执行数", "funds.executed"
    if total is not None and f.fiscal is not None:
        parts = f.fiscal + (f.carryover or 0.0) + (f.other or 0.0)
        if abs(total - parts) > tol:
            what.append(
                f"{total_label} {money(total)} 元 ≠ 财政拨款 {money(f.fiscal)} + 上年结转 {money(f.carryover or 0)}"
                f" + 其他资金 {money(f.other or 0)} = {money(parts)} 元"
            )
            lines += field_lines(form, total_field, "funds.fiscal", "funds.carryover", "funds.other")
    if f.execution_rate is not None and f.executed is not None and f.annual_budget:
        rate = f.executed / f.annual_budget * 100
        # Amounts printed in 万元 with 2 decimals carry ± tol/2 each; the rate inherits that.
        slack = 100 * (tol / 2) / f.annual_budget * (1 + f.executed / f.annual_budget)
        if abs(rate - f.execution_rate) > max(ctx.cfg.rate_tolerance, slack):
            what.append(
                f"执行率 {num(f.execution_rate)}% ≠ 执行数 {money(f.executed)} ÷ 全年预算数"
                f" {money(f.annual_budget)} = {rate:.2f}%"
            )
            lines += field_lines(form, "funds.execution_rate", "funds.executed", "funds.annual_budget")
    if what:
        yield ctx.flag(lines=lines or [form.first_line], what="；".join(what))


_SCALE = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}
# Words that make a cost name and a quantity name differ without changing what is counted.
_COST_WORDS = re.compile(r"人均|单位|平均|每次|每|经济成本|成本|费用|经费|单价|支出|标准|费$")
_QTY_WORDS = re.compile(r"(?:数量|次数|人数|家数|个数|件数|场次|场数|总数|人次|户数)$")
_UNIT_FAMILIES = (
    frozenset({"人", "人次", "名", "位", "户", "户次"}),
    frozenset({"次", "场", "期", "批", "半天", "天", "日", "课时", "季度", "月", "年", "轮", "场次"}),
    frozenset({"家", "个", "所", "机构", "单位"}),
    frozenset({"件", "份", "篇", "本", "册", "张", "套"}),
)


def _denominator(unit: str) -> str:
    """'元/每家' -> '家', '元/半天' -> '半天', '万元/人' -> '人'."""
    den = unit.split("/", 1)[1] if "/" in unit else ""
    return re.sub(r"^[每\d.]+", "", den).strip()


def _compatible(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    return any(a in fam and b in fam for fam in _UNIT_FAMILIES)


@lru_cache(maxsize=1 << 14)  # indicator names repeat across forms
def _stem(name: str, words: re.Pattern[str]) -> str:
    k = name_key(name)
    prev = None
    while prev != k:
        prev, k = k, words.sub("", k)
    return k


@dataclass(frozen=True)
class _Term:
    cost: Indicator
    unit_cost: float  # yuan per unit
    quantity: float
    qty_rows: tuple[Indicator, ...]

    @property
    def amount(self) -> float:
        return self.unit_cost * self.quantity


def _quantity_rows(form: Form) -> list[Indicator]:
    """Rows that count something: a number, in a unit that is neither money nor a percentage."""
    return [
        i
        for i in form.indicators
        if i.target is not None
        and i.target.value is not None
        and i.target.unit
        and i.target.unit not in PERCENT_UNITS
        and not is_money_unit(i.target.unit)
        and not is_cost(i)
    ]


def form_subject(name: str, names: list[str], min_len: int = 3) -> str:
    """The longest part (≥ min_len) of ``name`` found in more than half of a form's indicator
    names: the project's subject ('社区长护险经办…'), which says nothing about which rows
    belong together."""
    if len(names) < 3:
        return ""
    own = name_key(name)
    keys = [name_key(n) for n in names]

    def common(size: int) -> str:
        for i in range(len(own) - size + 1):
            sub = own[i : i + size]
            if sum(1 for k in keys if sub in k) * 2 > len(keys):
                return sub
        return ""

    # a text common to most names has common texts of every smaller size: binary search
    lo, hi, best = min_len, len(own), ""
    while lo <= hi:
        mid = (lo + hi) // 2
        found = common(mid)
        if found:
            best, lo = found, mid + 1
        else:
            hi = mid - 1
    return best


_MAX_ROWS = 200  # cost and quantity rows compared per form (every pair is compared)
_MAX_NAME = 64  # characters of a name compared: longer ones are prose, not names


def _subject_of(names: list[str]) -> str:
    """The project's subject for a whole form: the longest found from its first few names
    (bounded work however many and however long the names are)."""
    sample = [n[:_MAX_NAME] for n in names[:_MAX_ROWS]]
    best = ""
    for n in sample[:8]:
        sub = form_subject(n, sample)
        if len(sub) > len(best):
            best = sub
    return best


def _pair(
    cost: Indicator, den: str, quantities: list[Indicator], subject: str
) -> tuple[float, tuple[Indicator, ...]] | None:
    """The quantity a unit cost multiplies: a number in its own name ('对 12 家…'), else the
    best-named quantity row(s) in a compatible unit, else the one row in exactly that unit."""
    m = re.search(rf"(\d+(?:\.\d+)?)\s*{re.escape(den)}", name_key(cost.name)) if den else None
    if m:
        return float(m.group(1)), ()

    def stem(name: str, words: re.Pattern[str]) -> str:
        return _stem(name_key(name).replace(subject, "") if subject else name, words)[:_MAX_NAME]

    cost_stem = stem(cost.name, _COST_WORDS)
    scored: list[tuple[float, Indicator, str]] = []
    for q in quantities:
        assert q.target is not None and q.target.unit is not None
        qstem = stem(q.name, _QTY_WORDS)
        ok_unit = _compatible(den, q.target.unit)
        sim = fuzz.partial_ratio(cost_stem, qstem) if cost_stem and qstem else 0.0
        # A different unit is accepted only for a long, near-identical name ('…审核意见' 件 vs 次).
        if (ok_unit and sim >= 60) or (len(cost_stem) >= 4 and sim >= 90):
            scored.append((sim + (10 if ok_unit else 0), q, qstem))
    if not scored:
        # '单位成本 元/次' with nothing more to go on: the one row counted in 次, if only one
        exact = [q for q in quantities if q.target is not None and q.target.unit == den]
        if not cost_stem and len(exact) == 1 and exact[0].target is not None and exact[0].target.value is not None:
            return exact[0].target.value, (exact[0],)
        return None
    # The row of the same name wins; else every row that contains the cost's subject
    # ('现场检查' in three inspection counts) adds up; else the best-named row.
    chosen = [q for _, q, qs in scored if qs == cost_stem]
    if not chosen and len(cost_stem) >= 3:
        chosen = [q for _, q, qs in scored if cost_stem in qs]
    if not chosen:
        chosen = [max(scored, key=lambda t: t[0])[1]]
    total = sum(q.target.value for q in chosen if q.target is not None and q.target.value is not None)
    return total, tuple(chosen)


def _budget(form: Form) -> tuple[float | None, str, list[str]]:
    f = form.funds
    if form.kind == "self_evaluation":
        if f.executed:
            return f.executed, "全年执行数", ["funds.executed"]
        return f.annual_budget, "全年预算数", ["funds.annual_budget"]
    if f.requested_total:
        return f.requested_total, "年度资金申请总额", ["funds.requested_total"]
    return f.fiscal, "财政拨款", ["funds.fiscal"]


# Rule: Σ unit cost × its quantity above budget × (1 + cost_over), or (when every unit cost could be
# paired) below budget × cost_under; a total-cost row above budget × (1 + cost_over).
@form_check(
    "cost-arithmetic",
    "info",
    "成本测算与预算不符：{what}",
    rule="单位成本 × 对应数量之和 > 预算 × (1 + cost_over)，或全部可测算时 < 预算 × cost_under；总成本指标 > 预算 × (1 + cost_over)",
)
def cost_arithmetic(form: Form, ctx: Ctx) -> Iterator[Finding]:
    budget, budget_label, budget_fields = _budget(form)
    if not budget or budget <= 0:
        return
    # Only rows in a money unit are costed (and every such row is a cost row, see is_cost).
    costs = [
        i
        for i in form.indicators
        if i.target is not None and i.target.value is not None and is_money_unit(i.target.unit)
    ]
    if not costs:
        return
    quantities: list[Indicator] | None = None
    names = [i.name for i in form.indicators]
    subject = _subject_of(names)  # once per form: the project's stem most names share
    terms: list[_Term] = []
    totals: list[tuple[Indicator, float]] = []
    unpaired = 0
    for ind in costs[:_MAX_ROWS]:  # bounded: a form of hundreds of cost rows is no real form
        t = ind.target
        assert t is not None and t.value is not None and t.unit is not None
        amount = t.value * _SCALE[t.unit.split("/", 1)[0]]
        if "/" not in t.unit:
            totals.append((ind, amount))
            continue
        if quantities is None:
            quantities = _quantity_rows(form)
        own_subject = subject if subject and subject in name_key(ind.name) else ""
        paired = _pair(ind, _denominator(t.unit), quantities[:_MAX_ROWS], own_subject)
        if paired is None:
            unpaired += 1
        else:
            terms.append(_Term(ind, amount, paired[0], paired[1]))
    over = budget * (1 + ctx.cfg.cost_over)
    budget_text = f"{budget_label} {money(budget)} 元{_other_budgets(form)}"
    what: list[str] = []
    rows: list[Indicator] = []
    # A total-cost row is another view of the same money, never added to the unit costs.
    for ind, amount in totals:
        if amount > over:
            raw = ind.target.raw if ind.target else ""
            what.append(f"成本指标「{ind.name}」{raw} = {money(amount)} 元，是{budget_text}的 {amount / budget:.1f} 倍")
            rows.append(ind)
    if terms:
        estimate = sum(t.amount for t in terms)
        formula = " + ".join(f"{money(t.unit_cost)}×{num(t.quantity)}" for t in terms)
        term_rows = [t.cost for t in terms] + [r for t in terms for r in t.qty_rows]
        if estimate > over:
            change = (estimate / budget - 1) * 100
            what.append(f"成本测算 {formula} = {money(estimate)} 元，高于{budget_text}（{change:+.0f}%）")
            rows += term_rows
        elif not unpaired and estimate < budget * ctx.cfg.cost_under:
            share = estimate / budget * 100
            what.append(f"成本测算 {formula} = {money(estimate)} 元，仅为{budget_text}的 {share:.0f}%")
            rows += term_rows
    if what:
        rows = list({id(r): r for r in rows}.values())
        lines = [n for r in rows for n in row_lines(r)] + field_lines(form, *budget_fields)
        yield ctx.flag(lines=lines, evidence=[row_evidence(r, form.kind) for r in rows], what="；".join(what))


def _other_budgets(form: Form) -> str:
    f = form.funds
    if form.kind == "self_evaluation" and f.initial_budget and f.initial_budget != f.executed:
        return f"（年初预算数 {money(f.initial_budget)} 元）"
    return ""
