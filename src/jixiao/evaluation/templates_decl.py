"""The declaration templates of ``templates_render``: Hunan (and its 基础设施建设类 variant), Hubei,
Inner Mongolia, Chongqing and Shanghai municipal, each printed as a TAB grid with its gold.

Only what a template prints is in the gold (the rest null); the carry-over has no row of its own
except in the Shanghai municipal form, so it is part of 其中：财政拨款.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..models import Form, Funds, Goal, Indicator
from . import vocab
from .generate import OP_SIGN
from .layout import _Writer
from .templates_render import (
    TITLES,
    _cn_date,
    _entries,
    _Entry,
    _glued,
    _num,
    _scaffold,
    _table,
    _wan,
    _weights,
    _year_line,
)

__all__ = ["DECL_PRINTERS"]

# chongqing-approval prints each category's point range with it
RANGES = {"成本指标": "(0-20)分", "产出指标": "(40-60)分", "效益指标": "(20-40)分", "满意度指标": "(0-10)分"}
LEADERS = ("王建国", "李晓梅", "张志强", "陈静", "刘洋", "赵敏", "周海峰", "何立新")


# ---- declarations -----------------------------------------------------------------------------


def _decl_head(w: _Writer, form: Form, template: str, rng: random.Random, *rows: tuple[str, ...]) -> int:
    first = w.add(TITLES[template])
    w.add(_year_line(form, rng))
    for cells in rows:
        w.add(*cells)
    return first


def _name_row(form: Form) -> tuple[str, ...]:
    return "项目名称", form.project_name or "", "", ""


def _dept_row(form: Form, unit: str = "实施单位") -> tuple[str, ...]:
    return "主管部门", form.department or "", unit, form.implementing_unit or ""


def _nature_row(form: Form, period: str) -> tuple[str, ...]:
    return "项目属性", form.project_nature or "", "项目期", period


def _decl_funds(w: _Writer, f: Funds) -> Funds:
    """年度资金总额, 其中：财政拨款 (the carry-over in it), 其他资金, one row each."""
    total, other = f.requested_total or 0.0, f.other or 0.0
    w.add("项目资金（万元）", "年度资金总额", _wan(total))
    w.add("", "其中：财政拨款", _wan(total - other))
    w.add("", "其他资金", _wan(other))
    return Funds(requested_total=total, fiscal=total - other, other=other)


def _decl_form(form: Form, first: int, inds: list[Indicator], funds: Funds, **upd: Any) -> Form:
    """The gold: what the template does not print is null."""
    fields: dict[str, Any] = dict.fromkeys(("project_nature", "project_category", "start_date", "end_date"))
    fields["goal"] = Goal(expected=form.goal.expected)
    fields.update(upd)
    last = inds[-1].lines[-1] if inds else first
    return form.model_copy(update={"funds": funds, "indicators": inds, "lines": [first, last], **fields})


def _target_cells(ind: Indicator) -> tuple[list[str], dict[str, Any]]:
    t = _glued(ind.target)
    return [t.raw if t else ""], {"target": t}


def _weighted(inds: list[Indicator], rng: random.Random, cells: Callable[..., Any]) -> Callable[..., Any]:
    """``cells`` with the row's 分值 appended (and in the gold)."""
    weights = iter(_weights(inds, rng))

    def out(ind: Indicator) -> tuple[list[str], dict[str, Any]]:
        cs, upd = cells(ind)
        wt = next(weights)
        return [*cs, _num(wt)], {**upd, "weight": wt}

    return out


def _period(rng: random.Random) -> str:
    return rng.choice(("1年", "1年", "2年", "3年"))


def _hunan(w: _Writer, form: Form, rng: random.Random) -> Form:
    code = f"{rng.randint(100, 999)}{rng.randint(1, 99):03d}"
    dept = ("主管部门及代码", f"{form.department or ''} {code}", "", "")
    unit = ("实施单位", form.implementing_unit or "", "", "")
    first = _decl_head(w, form, "hunan-decl", rng, _name_row(form), dept, unit, _nature_row(form, _period(rng)))
    funds = _decl_funds(w, form.funds)
    w.add("年度总体目标", form.goal.expected or "")
    entries = _entries(form.indicators, _target_cells)
    has_econ = any(e.l2 == "经济效益指标" for e in entries)

    def scaffold(i: int, e: _Entry) -> tuple[str, str, str] | None:  # an empty 经济效益指标 row
        if e.l1 != "效益指标" or entries[i - 1].l1 == e.l1 or has_econ or rng.random() >= 0.5:
            return None
        return e.l1, "经济效益指标", ""

    _scaffold(entries, 1, scaffold)
    inds = _table(w, ["指标值"], entries, block=True)
    return _decl_form(form, first, inds, funds, project_nature=form.project_nature)


def _hunan_infra(w: _Writer, form: Form, rng: random.Random) -> Form:
    dept = form.department or ""
    total, fiscal = _num((form.funds.requested_total or 0) / 10000), _num((form.funds.fiscal or 0) / 10000)
    rows = [
        ("项目名称", form.project_name or ""),
        ("主管部门", dept),
        ("实施单位", form.implementing_unit or ""),
        ("建设地点", dept[: dept.index("区") + 1] if "区" in dept else dept),
        ("建设规模及主要内容", f"{form.project_name}相关设施建设及配套工程"),
        ("计划开工时间", _cn_date(form.start_date)),
        ("计划竣工时间", _cn_date(form.end_date)),
        ("项目总投资（万元）", f"{total}万(财政资金{fiscal}万元)"),
    ]
    first = _decl_head(w, form, "hunan-infra-decl", rng, *rows)
    funds = _decl_funds(w, form.funds)
    w.add("年度绩效目标", form.goal.expected or "")
    inds = _table(w, ["指标值"], _entries(form.indicators, _target_cells), block=True)
    return _decl_form(form, first, inds, funds, start_date=form.start_date, end_date=form.end_date)


def _overall(form: Form, rng: random.Random) -> str:
    return form.goal.overall or rng.choice(vocab.OVERALL_TEMPLATES).format(k=form.project_name or "")


def _hubei_decl(w: _Writer, form: Form, rng: random.Random) -> Form:
    period = _period(rng)
    years = int(period[0])
    first = _decl_head(w, form, "hubei-decl", rng, _name_row(form), _dept_row(form), _nature_row(form, period))
    total, other = form.funds.requested_total or 0.0, form.funds.other or 0.0
    w.add("项目资金（万元）", "", "中期资金总额", "年度资金总额")
    for label, x in (("资金总额", total), ("其中：财政拨款", total - other), ("其他资金", other)):
        w.add("", label, _wan(x * years), _wan(x))
    overall = _overall(form, rng)
    w.add("总体目标", "中长期目标", "年度目标")
    w.add("", overall, form.goal.expected or "")

    def cells(ind: Indicator) -> tuple[list[str], dict[str, Any]]:
        t, mid = ind.target, ""  # 中长期指标值: a count over the project's years, mostly blank
        if t is not None and t.value is not None and t.op in (">=", "=") and t.unit != "%" and rng.random() < 0.4:
            mid = _num(t.value * years) + (t.unit or "")
        vals, upd = _target_cells(ind)
        return [mid, *vals], upd

    inds = _table(w, ["中长期指标值", "年度指标值"], _entries(form.indicators, cells), block=False)
    funds = Funds(requested_total=total, fiscal=total - other, other=other)
    goal = Goal(expected=form.goal.expected, overall=overall)
    return _decl_form(form, first, inds, funds, project_nature=form.project_nature, goal=goal)


def _neimenggu_cells(rng: random.Random) -> Callable[[Indicator], tuple[list[str], dict[str, Any]]]:
    def cells(ind: Indicator) -> tuple[list[str], dict[str, Any]]:
        """指标性质 | 指标方向 | 指标值 (signed for '=', now and then for others) | 度量单位."""
        t = ind.target
        if t is None or t.value is None or t.op is None:
            return ["定性", "正向", t.raw if t else "", ""], {"target": t}
        signed = t.op == "=" or rng.random() < 0.2
        split = ["定量", "反向" if t.op in ("<=", "<") else "正向", (OP_SIGN[t.op] if signed else "") + _num(t.value)]
        split.append(t.unit or "")
        return split, {"target": t.model_copy(update={"raw": split[2] + split[3]})}

    return cells


def _neimenggu(w: _Writer, form: Form, rng: random.Random) -> Form:
    first = _decl_head(
        w, form, "neimenggu-decl", rng, _name_row(form), _dept_row(form), _nature_row(form, _period(rng))
    )
    funds = _decl_funds(w, form.funds)
    w.add("年度目标", form.goal.expected or "")
    cells = _weighted(form.indicators, rng, _neimenggu_cells(rng))
    head = ["指标性质", "指标方向", "指标值", "度量单位", "分值"]
    inds = _table(w, head, _entries(form.indicators, cells), block=False)
    return _decl_form(form, first, inds, funds, project_nature=form.project_nature)


def _chongqing(w: _Writer, form: Form, rng: random.Random) -> Form:
    start, end = form.start_date or "", form.end_date or ""
    span = f"{start[:4]}.{start[5:7]}-{end[:4]}.{end[5:7]}"
    leader = ("项目负责人", rng.choice(LEADERS), "项目起止时间", span)
    first = _decl_head(w, form, "chongqing-approval", rng, _name_row(form), _dept_row(form), leader)
    total, other = form.funds.requested_total or 0.0, form.funds.other or 0.0
    w.add("项目资金（万元）", "年度资金总额", _wan(total), "其中：财政拨款", _wan(total - other))
    w.add("", "", "", "其他资金", _wan(other))
    w.add("项目概况", f"{form.project_name}由{form.implementing_unit}组织实施，纳入{form.department}年度重点工作。")
    w.add("年度目标", form.goal.expected or "")
    entries = _entries(form.indicators, _weighted(form.indicators, rng, _target_cells))

    def scaffold(i: int, e: _Entry) -> tuple[str, str, str] | None:  # an empty 社会成本指标 row
        p = entries[i - 1]
        return (p.l1, "社会成本指标", "") if p.l1 == "成本指标" != e.l1 and rng.random() < 0.5 else None

    _scaffold(entries, 2, scaffold)
    inds = _table(w, ["指标值", "分值"], entries, block=False, label1=lambda l1: l1 + RANGES.get(l1, ""))
    funds = Funds(requested_total=total, fiscal=total - other, other=other)
    return _decl_form(form, first, inds, funds, start_date=form.start_date, end_date=form.end_date)


def _boxes(options: tuple[str, ...], ticked: str) -> str:
    return "".join(("√" if o == ticked else "□") + o for o in options)


def _municipal(w: _Writer, form: Form, rng: random.Random) -> Form:
    natures, categories = ("一次性项目", "经常性项目", "跨年度项目"), ("业务类", "基本建设类", "信息化类", "其他")
    nature = next((n for n in natures if n in (form.project_nature or "")), rng.choice(natures))
    category = rng.choice(categories)
    phone = f"021-{rng.randint(5000, 6999)}{rng.randint(0, 9999):04d}"
    first = _decl_head(
        w,
        form,
        "shanghai-municipal-decl",
        rng,
        *(_name_row(form), _dept_row(form, "项目单位"), ("项目负责人", rng.choice(LEADERS), "联系电话", phone)),
        *(("项目性质", _boxes(natures, nature)), ("项目类别", _boxes(categories, category))),
        ("项目起止时间", f"{_cn_date(form.start_date)}至{_cn_date(form.end_date)}"),
    )
    f = form.funds
    total, carry, other = f.requested_total or 0.0, f.carryover or 0.0, f.other or 0.0
    amounts = (
        "年度资金申请总额",
        total,
        "其中：财政拨款",
        total - carry - other,
        "上年结转资金",
        carry,
        "其他资金",
        other,
    )
    w.add("项目资金申请（万元）", *(_wan(x) if isinstance(x, float) else x for x in amounts))
    w.add("项目概况", "立项依据", f"根据{form.department}年度工作安排设立。")
    w.add("", "实施内容", f"组织实施{form.project_name}各项工作。")
    overall = _overall(form, rng)
    w.add("项目总目标", overall)
    w.add("年度目标", form.goal.expected or "")
    inds = _table(w, ["指标值"], _entries(form.indicators, _target_cells), block=False)
    funds = Funds(requested_total=total, fiscal=total - carry - other, carryover=carry, other=other)
    dates = {"start_date": form.start_date, "end_date": form.end_date}
    goal = Goal(expected=form.goal.expected, overall=overall)
    return _decl_form(form, first, inds, funds, project_nature=nature, project_category=category, goal=goal, **dates)


DECL_PRINTERS: dict[str, Callable[[_Writer, Form, random.Random], Form]] = {
    "hunan-decl": _hunan,
    "hunan-infra-decl": _hunan_infra,
    "hubei-decl": _hubei_decl,
    "neimenggu-decl": _neimenggu,
    "chongqing-approval": _chongqing,
    "shanghai-municipal-decl": _municipal,
}
