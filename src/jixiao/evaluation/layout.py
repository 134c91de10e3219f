"""Print forms in the seeds' tab-separated layouts and return the gold with line numbers.

Self-evaluations use the 万元 layout (年初预算数 … 得分 columns, 预期目标 | 实际完成情况,
scored indicator rows, 总分 / 评分等级); declarations the 元 layout (年度资金申请总额,
项目总目标 | 年度总体目标, 年度(/项目)指标值). With ``noise`` > 0 the seeds' layout traps are
added, each with probability ``noise`` where it can apply; the gold stays exact, since
every trap is one the rules engine is meant to undo (spacing, page breaks, shifted cells,
LaTeX, <p>, markdown rules). ``traps`` restricts which ones are used (tests run one at a
time to see which the engine handles).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from ..gcpause import gc_paused
from ..models import Form, Indicator, Value

TRAPS: tuple[str, ...] = (
    "doc_title",  # a document title (…汇总表) before the first form: not a form
    "spaced_category",  # vertical cells printed with spaces: '可持 续影 响指 标'
    "spaced_text",  # a space inside a name or a deviation text
    "compact_row",  # self-evaluation row without the empty cell after the name
    "latex",  # '$\\geq 90.00\\%$' targets
    "percent_word",  # '=100.00(百分比)'
    "html_goal",  # '<p>' around the goal text
    "rule_after",  # a markdown table rule after a declaration
    "page_break",  # a blank line between two indicator rows
    "split_value",  # '=956.00(元/' + blank + '家)'
    "split_category",  # '效益'/'社会' + blank + '指标'/'效益 指标' (+ the name's rest)
    "split_level2_tail",  # '服务对象满意度指' + blank + '标' on a line of its own
    "split_level2_row",  # '可持' + blank + next row starting '续影响指标'
    "shifted_level",  # a level-2 label in the level-1 column (declarations)
    "shift_left",  # after a page break the rest of a declaration's table starts at column 0
    "name_shift",  # a declaration row's name in the level-1 column
    "inline_unit",  # '实施单位 上海市…' in one cell
    "funds_gap",  # an empty column inside the funds block
    "compact_totals",  # '总分\t\t100.00\t99.60' and '评分等级\t优'
)

OP_TEX = {">=": "\\geq", "<=": "\\leq", ">": ">", "<": "<", "=": "="}


@dataclass
class _Writer:
    lines: list[str] = field(default_factory=list)

    def add(self, *cells: str) -> int:
        self.lines.append("\t".join(cells))
        return len(self.lines)

    def blank(self) -> None:
        self.lines.append("")

    @property
    def next_no(self) -> int:
        return len(self.lines) + 1


@dataclass
class _Ctx:
    rng: random.Random
    noise: float
    traps: frozenset[str]

    def on(self, trap: str) -> bool:
        return trap in self.traps and self.noise > 0 and self.rng.random() < self.noise


def render_text(
    forms: list[Form],
    *,
    noise: float = 0.0,
    seed: int = 0,
    traps: Collection[str] | None = None,
) -> tuple[str, list[Form]]:
    """The forms as one text document, and the gold forms with their source lines."""
    unknown = set(traps or ()) - set(TRAPS)
    if unknown:
        raise ValueError(f"unknown layout traps: {sorted(unknown)}")
    ctx = _Ctx(random.Random(seed), noise, frozenset(TRAPS if traps is None else traps))
    with gc_paused():  # many small acyclic objects: collections would find nothing
        return _render(forms, ctx)


def _render(forms: list[Form], ctx: _Ctx) -> tuple[str, list[Form]]:
    w = _Writer()
    w.blank()
    w.blank()
    if ctx.on("doc_title"):
        year = next((f.year for f in forms if f.year), 2024)
        w.add(f"上海市松江区医疗保障局{year}年度项目绩效目标汇总表")
        w.blank()
    gold: list[Form] = []
    for n, form in enumerate(forms):
        if n:
            w.blank()
        if form.kind == "self_evaluation":
            gold.append(_self_evaluation(w, form, ctx))
        else:
            gold.append(_declaration(w, form, ctx))
    return "\n".join(w.lines) + "\n", gold


# ---- shared cell helpers -----------------------------------------------------------------


def spaced(text: str, every: int = 2) -> str:
    """'可持续影响指标' -> '可持 续影 响指 标' (a vertical cell read line by line)."""
    return " ".join(text[i : i + every] for i in range(0, len(text), every))


def _space_inside(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    at = rng.randint(2, len(text) - 2)
    return text[:at] + " " + text[at:]


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def _money(x: float | None) -> str:
    return "" if x is None else f"{x:,.2f}"


def _wan(x: float | None) -> str:
    return "" if x is None else f"{x / 10000:.2f}"


@dataclass
class _Row:
    """One indicator on its way to print: its cells change with the traps."""

    ind: Indicator
    new1: bool  # first row of its level-1 group
    new2: bool  # first row of its level-2 group
    size2: int  # rows in its level-2 group
    target: str
    actual: str

    @property
    def name(self) -> str:
        return self.ind.name


def _rows(inds: list[Indicator]) -> list[_Row]:
    out: list[_Row] = []
    prev: tuple[str | None, str | None] = (None, None)
    for ind in inds:
        new1 = ind.level1 != prev[0]
        new2 = new1 or ind.level2 != prev[1]
        out.append(_Row(ind, new1, new2, 0, ind.target.raw if ind.target else "", ind.actual.raw if ind.actual else ""))
        prev = (ind.level1, ind.level2)
    # group sizes
    i = 0
    while i < len(out):
        j = i + 1
        while j < len(out) and not out[j].new2:
            j += 1
        for r in out[i:j]:
            r.size2 = j - i
        i = j
    return out


def _value_traps(row: _Row, ctx: _Ctx) -> dict[str, Value]:
    """LaTeX and '百分比' variants of a percent target (the gold raw follows the print)."""
    upd: dict[str, Value] = {}
    t = row.ind.target
    if t is None or t.value is None or t.unit != "%":
        return upd
    if t.op in (">=", "<=") and ctx.on("latex"):
        row.target = f"${OP_TEX[t.op]} {t.value:.2f}\\%$"
        upd["target"] = t.model_copy(update={"raw": row.target})
    elif t.op == "=" and ctx.on("percent_word"):
        row.target = f"={t.value:.2f}(百分比)"
        upd["target"] = t.model_copy(update={"raw": row.target})
        a = row.ind.actual
        if a is not None and a.value is not None:
            row.actual = f"{a.value:.2f}(百分比)"
            upd["actual"] = a.model_copy(update={"raw": row.actual})
    return upd


def _split_at_slash(raw: str) -> tuple[str, str] | None:
    """'=956.00(元/家)' -> ('=956.00(元/', '家)')."""
    at = raw.find("/")
    if at < 0 or not raw.endswith(")") or "(" not in raw[:at]:
        return None
    return raw[: at + 1], raw[at + 1 :]


# Category cells that a page break may cut into two fragments the engine can rejoin
# unambiguously (the fragment is a prefix of one name within its level-1).
_SPLIT1 = {"效益指标": 2, "成本指标": 2, "产出指标": 2, "满意度指标": 2}
_SPLIT2 = {"社会效益指标": 2, "经济成本指标": 2, "数量指标": 2, "服务对象满意度指标": 2, "可持续影响指标": 2}


# ---- self-evaluation -----------------------------------------------------------------------


def _self_evaluation(w: _Writer, form: Form, ctx: _Ctx) -> Form:
    rng = ctx.rng
    first = w.add("财政项目支出绩效自评表")
    year = form.year or 2024
    w.add(rng.choice([f" （{year} 年度）", f"({year} 年度)", f" （{year}年度）"]))
    w.blank()
    w.add("项目名称", "", form.project_name or "", "", "", "", "", "", "")
    if ctx.on("inline_unit"):
        w.add("主管部门", "", form.department or "", "", "", f"实施单位 {form.implementing_unit or ''}", "", "")
    else:
        w.add("主管部门", "", form.department or "", "", "", "实施单位", "", form.implementing_unit or "", "")
    f = form.funds
    gap = [""] if ctx.on("funds_gap") else []
    carry = f.carryover or 0.0
    other = f.other or 0.0
    sub = carry + other

    def rate(e: float | None, a: float | None) -> str:
        return "0.00" if not a or e is None else f"{e / a * 100:.2f}"

    ini, ann, exe = f.initial_budget, f.annual_budget, f.executed
    w.add("项目资金（万元）", "", "", "年初预算数", "全年预算数", "全年执行数", *gap, "分数", "执行率(%)", "得分")
    w.add(
        "",
        "",
        "年度资金总额：",
        _wan(ini),
        _wan(ann),
        _wan(exe),
        *gap,
        _fmt(f.weight),
        _fmt(f.execution_rate),
        _fmt(f.score),
    )
    fi = None if ini is None else ini - sub
    fa = None if ann is None else ann - sub
    fe = None if exe is None else exe - sub
    w.add("", "", "其中：当年财政拨款", _wan(fi), _wan(fa), _wan(fe), *gap, "-", rate(fe, fa), "-")
    w.add("", "", "上年结转资金", _wan(carry), _wan(carry), _wan(carry), *gap, "-", rate(carry, carry), "-")
    w.add("", "", "其他资金", _wan(other), _wan(other), _wan(other), *gap, "-", rate(other, other), "-")
    expected = form.goal.expected or ""
    if ctx.on("html_goal"):
        expected = f"<p>{expected}</p>"
    w.add("年度总体目标", "预期目标", "", "", "", "实际完成情况", "", "", "")
    w.add("", expected, "", "", "", form.goal.actual or "", "", "", "")
    head1 = spaced("一级指标") if ctx.on("spaced_category") else "一级指标"
    w.add(head1, "二级指标", "三级指标", "", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    inds = _self_rows(w, form, ctx)
    if ctx.on("compact_totals"):
        w.add("总分", "", _fmt(form.total_weight or 100.0), _fmt(form.total_score), "")
        last = w.add("评分等级", form.grade or "", "", "", "")
    else:
        w.add("总分", "", "", "", "", _fmt(form.total_weight or 100.0), _fmt(form.total_score), "")
        last = w.add("评分等级", "", form.grade or "", "", "", "", "", "")
    return form.model_copy(update={"indicators": inds, "lines": [first, last]})


def _cat(text: str | None, ctx: _Ctx) -> str:
    text = text or ""
    if len(text) >= 4 and ctx.on("spaced_category"):
        return spaced(text)
    return text


def _self_rows(w: _Writer, form: Form, ctx: _Ctx) -> list[Indicator]:
    rng = ctx.rng
    rows = _rows(form.indicators)
    out: list[Indicator] = []
    i = 0
    while i < len(rows):
        r = rows[i]
        upd: dict[str, object] = dict(_value_traps(r, ctx))
        ind = r.ind
        c1 = _cat(ind.level1, ctx) if r.new1 else ""
        c2 = _cat(ind.level2, ctx) if r.new2 else ""
        name = _space_inside(r.name, rng) if ctx.on("spaced_text") else r.name
        dev = ind.deviation or ""
        if dev and ctx.on("spaced_text"):
            dev = _space_inside(dev, rng)
        gap = [] if ctx.on("compact_row") else [""]
        tail = [_fmt(ind.weight), _fmt(ind.score), dev]
        if i and ctx.on("page_break"):
            w.blank()
        is_last = i == len(rows) - 1
        # a page break cutting the category cells (and maybe the name and values)
        if r.new1 and r.new2 and ind.level1 in _SPLIT1 and ind.level2 in _SPLIT2 and ctx.on("split_category"):
            k1, k2 = _SPLIT1[ind.level1 or ""], _SPLIT2[ind.level2 or ""]
            l1, l2 = ind.level1 or "", ind.level2 or ""
            cut_name = len(r.name) >= 6 and rng.random() < 0.5
            n1, n2 = (r.name[: len(r.name) // 2], r.name[len(r.name) // 2 :]) if cut_name else (r.name, "")
            t_split = _split_at_slash(r.target) if not cut_name else None
            a_split = _split_at_slash(r.actual) if t_split else None
            t1, t2 = t_split or (r.target, "")
            a1, a2 = a_split or (r.actual, "")
            if t_split and not a_split:
                t1, t2 = r.target, ""
            line = w.add(l1[:k1], l2[:k2], n1, "", t1, a1, *tail)
            w.blank()
            rest = [n2, "", t2, a2] if (t2 or n2) else []
            cont = w.add(l1[k1:], spaced(l2[k2:]), *rest, "", "", "")
            out.append(ind.model_copy(update={**upd, "line": line, "lines": [line, cont]}))
            i += 1
            continue
        # '服务对象满意度指' + blank + '标' alone on the next line
        if is_last and r.new2 and ind.level2 == "服务对象满意度指标" and ctx.on("split_level2_tail"):
            l2 = ind.level2 or ""
            line = w.add(c1, l2[:-1], name, *gap, r.target, r.actual, *tail)
            w.blank()
            cont = w.add("", l2[-1:], "", "", "", "", "", "")
            out.append(ind.model_copy(update={**upd, "line": line, "lines": [line, cont]}))
            i += 1
            continue
        # '可持' + blank + the next row starting with '续影响指标'
        if (
            r.new2
            and not r.new1
            and r.size2 >= 2
            and ind.level2 in _SPLIT2
            and i + 1 < len(rows)
            and ctx.on("split_level2_row")
        ):
            k2 = _SPLIT2[ind.level2 or ""]
            l2 = ind.level2 or ""
            line = w.add("", l2[:k2], name, *gap, r.target, r.actual, *tail)
            out.append(ind.model_copy(update={**upd, "line": line, "lines": [line]}))
            w.blank()
            r2 = rows[i + 1]
            upd2: dict[str, object] = dict(_value_traps(r2, ctx))
            ind2 = r2.ind
            line2 = w.add(
                "", l2[k2:], r2.name, r2.target, r2.actual, _fmt(ind2.weight), _fmt(ind2.score), ind2.deviation or ""
            )
            out.append(ind2.model_copy(update={**upd2, "line": line2, "lines": [line2]}))
            i += 2
            continue
        # '=956.00(元/' + blank + '家)'
        t_split = _split_at_slash(r.target)
        a_split = _split_at_slash(r.actual)
        if t_split and a_split and ctx.on("split_value"):
            line = w.add(c1, c2, name, *gap, t_split[0], a_split[0], *tail)
            w.blank()
            cont = w.add("", "", "", "", t_split[1], a_split[1], "", "", "")
            out.append(ind.model_copy(update={**upd, "line": line, "lines": [line, cont]}))
            i += 1
            continue
        line = w.add(c1, c2, name, *gap, r.target, r.actual, *tail)
        out.append(ind.model_copy(update={**upd, "line": line, "lines": [line]}))
        i += 1
    return out


# ---- declaration ---------------------------------------------------------------------------


def _declaration(w: _Writer, form: Form, ctx: _Ctx) -> Form:
    first = w.add("财政项目支出绩效目标申报表")
    w.blank()
    w.add(f"({form.year or 2024}年度)")
    w.blank()
    w.add(
        "项目名称",
        form.project_name or "",
        "项目性质",
        form.project_nature or "",
        "项目类别",
        form.project_category or "",
    )
    w.add("主管部门", form.department or "", "实施单位", form.implementing_unit or "", "", "")
    w.add("计划开始日期", form.start_date or "", "计划完成日期", form.end_date or "", "", "")
    f = form.funds
    w.add("项目资金 (元)", "项目资金总额", "", "年度资金申请总额", _money(f.requested_total), "")
    w.add("", "其中：财政资金", "", "其中：当年财政拨款", _money(f.fiscal), "")
    w.add("", "", "", "上年结转资金", _money(f.carryover), "")
    w.add("", "其他资金", "", "其他资金", _money(f.other), "")
    goal = form.goal.expected or ""
    if ctx.on("html_goal"):
        goal = f"<p>{goal}"
    w.add("项目 绩效 目标", "项目总目标", "", "年度总体目标", "", "")
    w.add("", form.goal.overall or "", "", goal, "", "")
    w.add("", "一级指标", "二级指标", "三级指标", "年度(/项目)指标值", "")
    inds, last = _declaration_rows(w, form, ctx)
    if ctx.on("rule_after"):
        w.add("--", "-------", "---------------", "---------", "----------------")
    return form.model_copy(update={"indicators": inds, "lines": [first, last]})


def _declaration_rows(w: _Writer, form: Form, ctx: _Ctx) -> tuple[list[Indicator], int]:
    rng = ctx.rng
    rows = _rows(form.indicators)
    out: list[Indicator] = []
    left = False  # after a page break the table lost its first column
    last = w.next_no
    emit: Callable[..., int]

    def emit(*cells: str) -> int:
        cells_ = cells[1:] if left else cells
        return w.add(*cells_)

    for i, r in enumerate(rows):
        upd: dict[str, object] = dict(_value_traps(r, ctx))
        ind = r.ind
        lead = "绩效 指标" if i == 0 else ""
        name = _space_inside(r.name, rng) if ctx.on("spaced_text") else r.name
        if i and r.new1 and not left and ctx.on("shift_left"):
            w.blank()
            left = True
        elif i and ctx.on("page_break"):
            w.blank()
        c1 = _cat(ind.level1, ctx) if r.new1 else ""
        c2 = _cat(ind.level2, ctx) if r.new2 else ""
        t_split = _split_at_slash(r.target)
        if not r.new1 and r.new2 and not left and ctx.on("shifted_level"):
            line = emit(lead, c2, "", name, r.target, "")
            lines = [line]
        elif not r.new1 and not r.new2 and not left and ctx.on("name_shift"):
            line = emit(lead, name, "", r.target, "", "")
            lines = [line]
        elif t_split and ctx.on("split_value"):
            line = emit(lead, c1, c2, name, t_split[0], "")
            w.blank()
            cont = emit("", "", "", "", t_split[1], "")
            lines = [line, cont]
        else:
            line = emit(lead, c1, c2, name, r.target, "")
            lines = [line]
        last = lines[-1]
        out.append(ind.model_copy(update={**upd, "line": line, "lines": lines}))
    return out, last
