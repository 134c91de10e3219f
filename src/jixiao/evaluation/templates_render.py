"""Generated forms printed in the province templates of ../shared/LAYOUTS.md (b), with exact gold.

``render_template(forms, template_id, seed=)`` prints self-evaluations (self-evaluation
templates) or declarations (declaration templates) as the TAB grid ``render_text`` makes for
the seeds — one line per table row, merged cells left empty — so ``layouts_render``'s class
renderers rewrite it into every layout class (``render_documents(..., template=)``). Title,
head labels, funds block, indicator columns and their order, category labels and totals are
the template's; the gold follows the fixtures' conventions (fixtures/layouts/*.gold.json):
split target cells make one raw (指标性质 sign + 指标值 + 度量单位), a 完成值 printed without a
unit takes the 度量单位, 正向/反向 give the op where 指标值 has no sign, category labels lose
their points (``产出指标(50分)`` → 产出指标), names lose their ``指标1：``, scaffold rows are not
indicators, a field the template does not print is null, amounts are in yuan, ``template`` is
the id. Numbers print trimmed (``96``, ``4.4``) and units glued (``≥96场``), as the provinces
print them. ``shanghai-district`` is ``render_text`` itself (no traps); the declaration templates
are printed by ``templates_decl`` with this module's table. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..gcpause import gc_paused
from ..models import Form, Funds, Indicator, Value
from .generate import OP_SIGN, generate_forms, money2
from .layout import _Writer, render_text

__all__ = ["DECL_TEMPLATES", "SELF_TEMPLATES", "TEMPLATE_IDS", "TITLES", "render_template", "template_forms"]

SELF_TEMPLATES = ("national-self", "sichuan-dept-self", "sichuan-xianjie-self", "hubei-self")
DECL_TEMPLATES = (
    "hunan-decl",
    "hunan-infra-decl",
    "hubei-decl",
    "neimenggu-decl",
    "chongqing-approval",
    "shanghai-municipal-decl",
)
TEMPLATE_IDS = ("shanghai-district", *SELF_TEMPLATES, *DECL_TEMPLATES)
TITLES = {
    "national-self": "项目支出绩效自评表",
    "sichuan-dept-self": "部门预算项目支出绩效自评表",
    "sichuan-xianjie-self": "衔接资金项目绩效目标自评表",
    "hubei-self": "项目绩效目标自评表",
    "hunan-decl": "项目支出绩效目标申报表",
    "hunan-infra-decl": "绩效目标申报表(基础设施建设类)",
    "hubei-decl": "项目支出绩效目标表",
    "neimenggu-decl": "项目绩效目标表",
    "chongqing-approval": "项目支出绩效目标审批表",
    "shanghai-municipal-decl": "上海市财政支出项目绩效目标申报表",
}
DEVIATION = "偏差原因分析及改进措施"


def template_kind(template_id: str) -> str | None:
    """The form kind a template prints (None: both, the seeds' template)."""
    if template_id in SELF_TEMPLATES:
        return "self_evaluation"
    if template_id in DECL_TEMPLATES:
        return "target_declaration"
    if template_id == "shanghai-district":
        return None
    raise ValueError(f"unknown template {template_id!r}; one of {', '.join(TEMPLATE_IDS)}")


def template_forms(template_id: str, n: int, seed: int = 0) -> list[Form]:
    """``n`` generated forms of the kind ``template_id`` prints (the first ones of a draw)."""
    kind = template_kind(template_id)
    size = n if kind is None else 2 * n + 8
    while True:
        forms = [f for f in generate_forms(size, seed) if kind is None or f.kind == kind]
        if len(forms) >= n:
            return forms[:n]
        size *= 2


def render_template(forms: list[Form], template_id: str, *, seed: int = 0) -> tuple[str, list[Form]]:
    """The forms as one TAB document in ``template_id``, and their gold with source lines."""
    kind = template_kind(template_id)
    if kind is None:
        text, gold = render_text(forms, seed=seed, traps=())
        return text, [g.model_copy(update={"template": template_id}) for g in gold]
    wrong = [f.project_name for f in forms if f.kind != kind]
    if wrong:
        raise ValueError(f"{template_id} prints {kind} forms only, not {wrong[0]!r}")
    from .templates_decl import DECL_PRINTERS  # it prints with this module's table

    printer = _PRINTERS.get(template_id) or DECL_PRINTERS[template_id]
    rng = random.Random(f"{template_id}:{seed}")
    w = _Writer()
    w.blank()
    gold: list[Form] = []
    with gc_paused():
        for n, form in enumerate(forms):
            if n:
                w.blank()
            gold.append(printer(w, form, rng).model_copy(update={"template": template_id}))
    return "\n".join(w.lines) + "\n", gold


# ---- values ----------------------------------------------------------------------------------


def _num(x: float) -> str:
    """96 / 4.4 / 9.05: a number as the provinces print it."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _wan(x: float | None) -> str:
    return "" if x is None else f"{x / 10000:.2f}"


def _glued(v: Value | None) -> Value | None:
    """'≥95%', '12个': sign, trimmed number and unit glued; words as they are."""
    if v is None or v.value is None:
        return v
    raw = (OP_SIGN[v.op] if v.op else "") + _num(v.value) + (v.unit or "")
    return v.model_copy(update={"raw": raw})


def _year_line(form: Form, rng: random.Random) -> str:
    return rng.choice(("（{}年度）", "({}年度)")).format(form.year or 2024)


def _cn_date(iso: str | None) -> str:
    if not iso:
        return ""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


# ---- the indicator table ---------------------------------------------------------------------


@dataclass
class _Entry:
    """One printed table row: its category keys, printed name and cells; ``ind`` None for a scaffold."""

    l1: str
    l2: str
    name: str
    cells: list[str]
    ind: Indicator | None = None
    upd: dict[str, Any] = field(default_factory=dict)


def _table(
    w: _Writer, head: list[str], entries: list[_Entry], *, block: bool, label1: Callable[[str], str] = str
) -> list[Indicator]:
    """Header and rows; a category label printed on the first row of its block only (merged)."""
    lead = ["绩效指标"] if block else []
    w.add(*lead, "一级指标", "二级指标", "三级指标", *head)
    out: list[Indicator] = []
    prev: tuple[str | None, str | None] = (None, None)
    for e in entries:
        new1 = e.l1 != prev[0]
        new2 = new1 or e.l2 != prev[1]
        prev = (e.l1, e.l2)
        cats = [label1(e.l1) if new1 else "", e.l2 if new2 else ""]
        line = w.add(*[""] * len(lead), *cats, e.name, *e.cells)
        if e.ind is not None:
            out.append(e.ind.model_copy(update={**e.upd, "line": line, "lines": [line]}))
    return out


def _entries(inds: list[Indicator], cells: Callable[[Indicator], tuple[list[str], dict[str, Any]]]) -> list[_Entry]:
    out = []
    for ind in inds:
        cs, upd = cells(ind)
        out.append(_Entry(ind.level1 or "", ind.level2 or "", ind.name, cs, ind, upd))
    return out


def _scaffold(entries: list[_Entry], width: int, at: Callable[[int, _Entry], tuple[str, str, str] | None]) -> None:
    """Insert empty template rows: ``at(i, entry)`` gives (l1, l2, name) of a row before entry i."""
    for i in range(len(entries) - 1, 0, -1):
        row = at(i, entries[i])
        if row is not None:
            entries.insert(i, _Entry(*row, [""] * width))


def _totals(w: _Writer, head: list[str], values: dict[str, str]) -> int:
    """'总分' under the block column, each value under its header cell."""
    cells = ["总分", *[""] * (3 + len(head))]
    for label, v in values.items():
        cells[4 + head.index(label)] = v
    return w.add(*cells)


def _weights(inds: list[Indicator], rng: random.Random) -> list[float]:
    """分值 for a declaration template that prints them: 100 over the categories, half points."""
    shares = {
        "满意度指标": 10.0,
        "效益指标": float(rng.choice((20, 25, 30))),
        "成本指标": float(rng.choice((10, 15, 20))),
    }
    shares["产出指标"] = 100.0 - sum(shares.values())
    groups: dict[str, list[int]] = {}
    for i, ind in enumerate(inds):
        groups.setdefault(ind.level1 or "", []).append(i)
    out = [0.0] * len(inds)
    for l1, idx in groups.items():
        base, extra = divmod(round(shares.get(l1, 10.0) * 2), len(idx))
        for k, i in enumerate(idx):
            out[i] = (base + (1 if k < extra else 0)) / 2
    return out


# ---- self-evaluations -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Self:
    """A self-evaluation template: funds heads, the fiscal row's label, whether 上年结转资金 has a
    row of its own (else it is part of the fiscal row), the indicator columns after 三级指标."""

    funds: tuple[str, str, str]
    fiscal: str
    carry_row: bool
    head: tuple[str, ...]


_YEAR3 = ("年初预算数", "全年预算数", "全年执行数")
_SELF = {
    "national-self": _Self(_YEAR3, "其中：当年财政拨款", True, ("年度指标值", "实际完成值", "分值", "得分", DEVIATION)),
    "sichuan-dept-self": _Self(
        ("年初预算数", "调整后预算数", "执行数"),
        "其中：财政拨款",
        False,
        ("指标性质", "指标值", "度量单位", "完成值", "分值", "得分", DEVIATION),
    ),
    "sichuan-xianjie-self": _Self(
        _YEAR3, "其中：财政衔接资金", False, ("分值", "年度指标值", "实际完成值", "得分", DEVIATION)
    ),
    "hubei-self": _Self(
        _YEAR3, "其中：当年财政拨款", True, ("年度指标值", "实际完成值", "分值", "自评分", "复核分", DEVIATION)
    ),
}


def _self_funds(w: _Writer, f: Funds, spec: _Self, fiscal: str) -> Funds:
    """年度资金总额, the fiscal row, (上年结转资金,) 其他资金 in 万元, with 分值 / 执行率 / 得分."""
    other = f.other or 0.0
    carry = (f.carryover or 0.0) if spec.carry_row else 0.0
    total = (f.initial_budget or 0.0, f.annual_budget or 0.0, f.executed or 0.0)
    sub = {fiscal: tuple(x - carry - other for x in total), "上年结转资金": (carry,) * 3, "其他资金": (other,) * 3}
    if not spec.carry_row:
        del sub["上年结转资金"]
    w.add("项目资金（万元）", "", *spec.funds, "分值", "执行率", "得分")
    rate = f"{f.execution_rate or 0:.2f}%"
    w.add("", "年度资金总额", *(_wan(x) for x in total), _num(f.weight or 0), rate, _num(f.score or 0))
    for label, (a, b, c) in sub.items():
        w.add("", label, _wan(a), _wan(b), _wan(c), "—", f"{c / b * 100:.2f}%" if b else "—", "—")
    carryover = carry if spec.carry_row else None
    return f.model_copy(update={"fiscal": sub[fiscal][2], "carryover": carryover, "other": other})


def _self_cells(ind: Indicator, head: tuple[str, ...], rng: random.Random) -> tuple[list[str], dict[str, Any]]:
    """The row's cells under ``head`` and its gold: glued target/actual, or Sichuan's split target
    (指标性质 | 指标值 | 度量单位) with a 完成值 that is the number only and takes the 度量单位."""
    t, a = _glued(ind.target), _glued(ind.actual)
    cells = {"分值": _num(ind.weight or 0), "得分": _num(ind.score or 0), DEVIATION: ind.deviation or ""}
    cells.update({"年度指标值": t.raw if t else "", "实际完成值": a.raw if a else ""})
    if "指标性质" in head:
        if t is None or t.value is None or t.op is None:
            split = ("定性", t.raw if t else "", "")
        else:
            split = (OP_SIGN[t.op], _num(t.value), t.unit or "")
            t = t.model_copy(update={"raw": "".join(split)})
        if a is not None and a.value is not None:
            a = a.model_copy(update={"raw": _num(a.value), "unit": split[2] or None})
        cells.update(zip(("指标性质", "指标值", "度量单位"), split, strict=True))
        cells["完成值"] = a.raw if a else ""
    upd: dict[str, Any] = {"target": t, "actual": a}
    if "复核分" in head:  # now and then the reviewer takes half a point off
        s = ind.score or 0.0
        upd["review_score"] = review = money2(s - 0.5) if s >= 1 and rng.random() < 0.15 else s
        cells.update({"自评分": cells["得分"], "复核分": _num(review)})
    return [cells[h] for h in head], upd


def _national(inds: list[Indicator], rng: random.Random) -> tuple[list[Indicator], Callable[[str], str], str]:
    """national-self: 成本指标 now and then a 二级 under 产出指标 (after the other output rows);
    category labels carry their points ('产出指标(50分)'); the name prefix's colon."""
    if rng.random() < 0.5:
        cost = [
            i.model_copy(update={"level1": "产出指标", "level2": "成本指标"}) for i in inds if i.level1 == "成本指标"
        ]
        rest = [i for i in inds if i.level1 != "成本指标"]
        at = max((k for k, i in enumerate(rest) if i.level1 == "产出指标"), default=-1) + 1
        inds = rest[:at] + cost + rest[at:]
    points: dict[str, float] = {}
    for i in inds:
        points[i.level1 or ""] = points.get(i.level1 or "", 0.0) + (i.weight or 0.0)
    paren = rng.choice(("({}分)", "（{}分）"))
    return inds, lambda l1: l1 + paren.format(_num(points.get(l1, 0))), rng.choice(("：", ":"))


def _numbered(entries: list[_Entry], colon: str, rng: random.Random) -> None:
    """'指标1：name' within each 二级 group, and now and then an empty '指标N：' or '……' row after one."""
    k = 0
    for i, e in enumerate(entries):
        k = 1 if i == 0 or (e.l1, e.l2) != (entries[i - 1].l1, entries[i - 1].l2) else k + 1
        e.name = f"指标{k}{colon}{e.name}"

    def scaffold(i: int, e: _Entry) -> tuple[str, str, str] | None:
        p = entries[i - 1]
        if (p.l1, p.l2) == (e.l1, e.l2) or rng.random() >= 0.25:
            return None
        n = int(p.name[2 : p.name.index(colon)]) + 1
        return p.l1, p.l2, rng.choice((f"指标{n}{colon}", "……"))

    _scaffold(entries, len(entries[0].cells) if entries else 0, scaffold)


def _self_evaluation(template: str) -> Callable[[_Writer, Form, random.Random], Form]:
    spec = _SELF[template]

    def printer(w: _Writer, form: Form, rng: random.Random) -> Form:
        first = w.add(TITLES[template])
        w.add(_year_line(form, rng))
        w.add("项目名称", form.project_name or "", "", "")
        w.add("主管部门", form.department or "", "实施单位", form.implementing_unit or "")
        fiscal = rng.choice((spec.fiscal, "其中：本年财政拨款")) if template == "national-self" else spec.fiscal
        funds = _self_funds(w, form.funds, spec, fiscal)
        w.add("年度总体目标", "预期目标", "实际完成情况")
        w.add("", form.goal.expected or "", form.goal.actual or "")
        inds, label1, colon = list(form.indicators), str, ""
        if template == "national-self":
            inds, label1, colon = _national(inds, rng)
        entries = _entries(inds, lambda ind: _self_cells(ind, spec.head, rng))
        if colon:
            _numbered(entries, colon, rng)
        gold = _table(w, list(spec.head), entries, block=True, label1=label1)
        totals = {"分值": _num(form.total_weight or 100), "得分": _num(form.total_score or 0)}
        upd: dict[str, Any] = {"grade": None}
        if "复核分" in spec.head:  # hubei-self: 总分 with 自评分 and 复核分, then 评价等级
            review = money2(sum(i.review_score or 0 for i in gold) + (funds.score or 0))
            totals.update({"自评分": totals.pop("得分"), "复核分": _num(review)})
            upd = {"grade": form.grade, "review_total": review}
        last = _totals(w, list(spec.head), totals)
        if upd["grade"]:
            last = w.add("评价等级", form.grade or "")
        return form.model_copy(
            update={"funds": funds, "indicators": gold, "lines": [first, last], "total_weight": 100.0, **upd}
        )

    return printer


_PRINTERS: dict[str, Callable[[_Writer, Form, random.Random], Form]] = {t: _self_evaluation(t) for t in SELF_TEMPLATES}
