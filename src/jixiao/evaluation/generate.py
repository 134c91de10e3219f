"""Synthetic forms for evaluation and benchmarks: realistic, valid, with exact gold.

``generate_forms(n, seed)`` makes clean forms of both kinds that follow the framework in
DOMAIN.md (weights add up to 100, scores to 总分, grade from 总分, funds arithmetic right,
every deduction explained, actual values that answer quantitative targets, distinct goals
and indicator sets per project): a correct checker finds nothing in them.

``render_text(forms)`` (in ``layout``, re-exported here) prints them in the seeds'
tab-separated layouts and returns the gold with line numbers, optionally with the seeds'
layout traps. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from ..gcpause import gc_paused
from ..models import Form, Funds, Goal, Indicator, Value
from . import vocab
from .layout import TRAPS, render_text

__all__ = ["TRAPS", "gc_paused", "generate_forms", "iter_forms", "money2", "render_text"]

OP_SIGN = {"=": "=", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def money2(x: float) -> float:
    """A number as it reads back from its 2-decimal print."""
    return float(f"{x:.2f}")


@dataclass
class _Project:
    name: str
    key: str  # the subject term used inside indicator names and goals
    department: str
    unit_self: str
    unit_center: str


class _Names:
    """Unique project names (area + group + subject + suffix), then numbered batches."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.keys: set[str] = set()

    def draw(self, kind: str) -> tuple[str, str]:
        # declarations and self-evaluations draw from disjoint subjects: a reconciler would
        # rightly pair '社区食堂运营补贴' declared with '中心城区社区食堂运营补贴' evaluated
        subjects = vocab.SUBJECTS[kind == "target_declaration" :: 2]
        for _ in range(50):
            area = self.rng.choice(vocab.AREAS)
            group = self.rng.choice(vocab.GROUPS)
            subject, k = self.rng.choice(subjects)
            if group and group in subject:
                # '退役军人' + '退役军人关爱帮扶': the key '…退役军人关爱帮扶' would spell another
                # project's name inside this one's goal (goal-names-other-project)
                group = ""
            key = f"{area}{group}{k}"
            suffix = self.rng.choice(vocab.SUFFIXES)
            if suffix and subject.endswith(suffix):
                suffix = ""  # not '…医疗补助补助'
            name = f"{area}{group}{subject}{suffix}"
            if key not in self.keys and name not in self.used:
                self.keys.add(key)
                self.used.add(name)
                return name, key
        # the pool is exhausted: number the batches, which keeps names and keys distinct
        n = len(self.used) + 1
        subject, k = self.rng.choice(subjects)
        name, key = f"{subject}（第{n}批）", f"第{n}批{k}"
        self.used.add(name)
        self.keys.add(key)
        return name, key


def _project(rng: random.Random, names: _Names, kind: str) -> _Project:
    name, key = names.draw(kind)
    district = rng.choice(vocab.DISTRICTS)
    bureau, center = rng.choice(vocab.BUREAUS)
    dept = f"上海市{district}区{bureau}"
    return _Project(name, key, dept, f"{dept}（本级）", f"上海市{district}区{center}")


def generate_forms(n: int, seed: int = 0, *, compact: bool = False) -> list[Form]:
    """``n`` clean forms, about half self-evaluations and half declarations.

    ``compact`` keeps one indicator per 一级指标 (still valid: weights and scores add up),
    for benchmarks that need 10^5 forms in little memory.
    """
    with gc_paused():
        return _generate(n, seed, compact)


def _generate(n: int, seed: int, compact: bool = False) -> list[Form]:
    return list(iter_forms(n, seed, compact=compact))


def iter_forms(n: int, seed: int = 0, *, compact: bool = False) -> Iterator[Form]:
    """The forms of ``generate_forms(n, seed)``, one at a time (a benchmark of 10^5 forms
    need not hold them all)."""
    rng = random.Random(seed)
    names = _Names(rng)
    goals = _Goals()
    recent: deque[tuple[str, int, float]] = deque(maxlen=SUMMARY_WINDOW)  # the forms just made
    for _ in range(n):
        kind = "self_evaluation" if rng.random() < 0.5 else "target_declaration"
        proj = _project(rng, names, kind)
        year = rng.choice([2022, 2023, 2024, 2024, 2025])
        make = _self_evaluation if kind == "self_evaluation" else _declaration
        form = make(rng, proj, year, compact, goals)
        while _sums_a_run(kind, year, _main_amount(form), recent):
            # its amount is the sum of forms just before it: a summary form (summary-form)
            form = make(rng, proj, year, compact, goals)
        recent.append((kind, year, _main_amount(form)))
        yield form


# summary-form looks up to this many forms either side of a form for a run of forms of its
# kind and year whose amounts add up to its own, within 100 yuan (its default
# funds_tolerance): no clean form may be such a sum, whatever the units (the benchmark files
# them all under one)
SUMMARY_WINDOW = 15
SUMMARY_TOLERANCE = 100.0


def _main_amount(form: Form) -> float:
    f = form.funds
    return (f.requested_total if form.kind == "target_declaration" else f.annual_budget) or 0.0


def _sums_a_run(kind: str, year: int, amount: float, recent: deque[tuple[str, int, float]]) -> bool:
    """Whether a new form (kind, year, amount) after the ``recent`` ones makes a summary:
    its amount is the sum of ≥ 2 consecutive recent forms of its kind and year, or it ends
    such a run whose sum is the amount of a recent form before the run."""
    before = list(recent)
    for start in range(len(before) - 1):  # the new form as the summary
        total, run = 0.0, 0
        for k, y, x in before[start:]:
            if (k, y) != (kind, year):
                break
            total += x
            run += 1
            if run >= 2 and abs(total - amount) <= SUMMARY_TOLERANCE:
                return True
            if total > amount + SUMMARY_TOLERANCE:
                break
    total = amount  # the new form as the last of a run, the summary before the run
    for s in range(len(before) - 1, 0, -1):
        k, y, x = before[s]
        if (k, y) != (kind, year):
            break
        total += x
        for t in range(s):
            if before[t][:2] == (kind, year) and abs(total - before[t][2]) <= SUMMARY_TOLERANCE:
                return True
    return False


# ---- goals -------------------------------------------------------------------------------


class _Goals:
    """Goal texts whose wording (opening, clauses in order, outcome) is no other goal's, nor
    one clause or the opening away from another's.

    3-5 of 20 clauses in random order make 10^8 wordings, but at 10^5 forms pairs still
    drew the same one (the birthday bound), and two such goals read alike whatever their
    subjects ("为进一步做好第62047批水质监测工作，强化部门协同和街镇联动，…" and the same
    with 第62473批水保监测, 90.3 %): goal-reused-across-projects rightly flags them. So do
    goals one clause apart when the subjects differ in a character (郊区… / 城区…, a clause
    more: 90.3 %). A wording is drawn again when it shares a key with an earlier one: the
    wording itself, it less any one clause (an added, dropped or replaced clause), it with
    any opening. Draws that keep their wording leave the random stream as it was."""

    TRIES = 200  # past this many draws (a corpus far beyond 10^5 goals) the last one stands

    def __init__(self) -> None:
        self.used: set[int] = set()  # ints: 10^5 goals' keys in a few tens of MB

    def text(self, rng: random.Random, k: str, year: int) -> str:
        for _ in range(self.TRIES):
            picks = rng.sample(range(len(vocab.GOAL_CLAUSES)), rng.randint(3, 5))
            nums = {"n1": rng.randint(4, 60), "n2": rng.randint(200, 30000), "n3": rng.randint(3, 22)}
            opening = rng.randrange(len(vocab.GOAL_OPENINGS))
            outcome = rng.randrange(len(vocab.GOAL_OUTCOMES))
            keys = _wording_keys(opening, outcome, picks)
            if self.used.isdisjoint(keys):
                break
        self.used.update(keys)
        body = "，".join(vocab.GOAL_CLAUSES[c].format(k=k, **nums) for c in picks)
        start = vocab.GOAL_OPENINGS[opening].format(k=k, year=year)
        return start + body + "，" + vocab.GOAL_OUTCOMES[outcome].format(k=k)


def _wording_keys(opening: int, outcome: int, picks: list[int]) -> list[int]:
    """Ints for a wording, it less each clause (4 or more clauses: 3 stay a wording of their
    own) and it with any opening; a tag in the low bits keeps the kinds of key apart."""
    n_open, n_out, n_cl = len(vocab.GOAL_OPENINGS) + 1, len(vocab.GOAL_OUTCOMES), len(vocab.GOAL_CLAUSES)

    def code(o: int, cl: list[int], tag: int) -> int:
        x = o * n_out + outcome
        for c in cl:
            x = x * n_cl + c
        return (x * 8 + len(cl)) * 2 + tag

    out = [code(opening, picks, 0), code(n_open - 1, picks, 1)]  # n_open - 1: any opening
    if len(picks) >= 4:
        out += [code(opening, picks[:i] + picks[i + 1 :], 0) for i in range(len(picks))]
    return out


def _actual_text(rng: random.Random, k: str, year: int) -> str:
    nums = {"m1": rng.randint(4, 60), "m2": rng.randint(200, 30000)}
    opening = rng.choice(vocab.ACTUAL_OPENINGS).format(k=k, year=year, **nums)
    clauses = rng.sample(vocab.ACTUAL_CLAUSES, rng.randint(2, 3))
    return opening + "，".join(c.format(k=k) for c in clauses) + "。"


# ---- indicators ----------------------------------------------------------------------------


@dataclass
class _Spec:
    """One indicator before scoring: what kind of target it has."""

    level1: str
    level2: str
    name: str
    kind: str  # count | rate | low | qual | sat | cost
    op: str | None = None
    value: float | None = None
    unit: str | None = None
    word: str | None = None


def _specs(rng: random.Random, k: str, budget: float) -> list[_Spec]:
    specs: list[_Spec] = []
    counts = rng.sample(vocab.QUANTITY, rng.randint(2, 4))
    count_specs: list[_Spec] = []
    for tmpl, unit, lo, hi in counts:
        value = float(rng.randint(lo, hi))
        op = rng.choice(["=", ">=", ">="])
        count_specs.append(_Spec("产出指标", "数量指标", tmpl.format(k=k), "count", op, value, unit))
    # cost: a unit cost tied to the first count (unit cost x quantity = budget) and a total
    base = count_specs[0]
    assert base.value is not None and base.unit is not None
    unit_cost = money2(budget / base.value)
    if unit_cost >= 0.01:
        specs.append(_Spec("成本指标", "经济成本指标", f"{k}单位成本", "cost", "<=", unit_cost, f"元/{base.unit}"))
    if rng.random() < 0.6 or not specs:
        specs.append(_Spec("成本指标", "经济成本指标", f"{k}项目总成本", "cost", "<=", money2(budget / 10000), "万元"))
    specs.extend(count_specs)
    for tmpl in rng.sample(vocab.QUALITY, rng.randint(1, 3)):
        specs.append(_template_spec("产出指标", "质量指标", tmpl, k))
    for tmpl in rng.sample(vocab.TIMELINESS, rng.randint(1, 2)):
        specs.append(_template_spec("产出指标", "时效指标", tmpl, k))
    benefit_l2 = ["社会效益指标"]
    if rng.random() < 0.5:
        benefit_l2.append("可持续影响指标")
    if rng.random() < 0.15:
        benefit_l2.insert(0, rng.choice(["经济效益指标", "生态效益指标"]))
    for l2 in benefit_l2:
        pool = vocab.BENEFIT[l2]
        for tmpl in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
            specs.append(_template_spec("效益指标", l2, tmpl, k))
    for tmpl, floor in rng.sample(vocab.SATISFACTION, rng.randint(1, 2)):
        specs.append(_Spec("满意度指标", "服务对象满意度指标", tmpl.format(k=k), "sat", ">=", floor, "%"))
    return specs


def _template_spec(level1: str, level2: str, tmpl: tuple, k: str) -> _Spec:
    name = str(tmpl[0]).format(k=k)
    kind = tmpl[1]
    if kind == "qual":
        return _Spec(level1, level2, name, "qual", word=str(tmpl[2]))
    return _Spec(level1, level2, name, "rate" if kind == "rate" else "low", str(tmpl[2]), float(tmpl[3]), "%")


def _split(total: float, n: int) -> list[float]:
    """``total`` points over ``n`` indicators, in half points, every share positive."""
    halves = round(total * 2)
    base, extra = divmod(halves, n)
    return [(base + (1 if i < extra else 0)) / 2 for i in range(n)]


def _weights(specs: list[_Spec], rng: random.Random) -> list[float]:
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(specs):
        groups.setdefault(s.level1, []).append(i)
    shares = {
        "满意度指标": 10.0,
        "效益指标": float(rng.choice([20, 25, 30])),
        "成本指标": float(rng.choice([10, 15, 20])),
    }
    shares["产出指标"] = 90.0 - sum(shares.values())
    out = [0.0] * len(specs)
    for l1, idx in groups.items():
        for i, w in zip(idx, _split(shares[l1], len(idx))):
            out[i] = w
    return out


def _fmt_num(v: float) -> str:
    return f"{v:.2f}"


def _target_raw(s: _Spec, style: str) -> str:
    if s.kind == "qual":
        assert s.word is not None
        return s.word
    assert s.op is not None and s.value is not None
    sign = OP_SIGN[s.op]
    if s.unit == "%" and style == "short":
        return f"{sign}{s.value:g}%"
    return f"{sign}{_fmt_num(s.value)}({s.unit})"


def _value(raw: str, op: str | None, value: float | None, unit: str | None) -> Value:
    if value is None:
        return Value(raw=raw, text=raw)
    return Value(raw=raw, op=op, value=value, unit=unit)


def _actual(s: _Spec, rng: random.Random, deduct: bool, style: str) -> tuple[Value, float]:
    """The actual value and the share of the weight it earns."""
    if s.kind == "qual":
        if deduct:
            return _value(vocab.PARTIAL, None, None, None), rng.uniform(0.6, 0.8)
        return _value(rng.choice(vocab.ACHIEVED), None, None, None), 1.0
    assert s.value is not None and s.op is not None
    if s.kind == "count":
        if deduct:
            v = float(max(1, int(s.value * rng.uniform(0.8, 0.97))))
            v = min(v, s.value - 1) if s.value > 1 else v
        elif s.op == "=":
            v = s.value
        else:
            v = float(int(s.value * rng.uniform(1.0, 1.1)))
    elif s.kind in ("rate", "sat"):
        if deduct:
            v = money2(s.value * rng.uniform(0.9, 0.99))
        elif s.op == "=":
            v = s.value
        else:
            v = money2(rng.uniform(s.value, min(100.0, s.value * 1.1)))
    elif s.kind == "low":  # a reverse rate (投诉率 ≤ 1%): always met
        v = money2(rng.uniform(0, s.value))
    else:  # cost: at or under the planned unit cost
        v = s.value if rng.random() < 0.6 else money2(s.value * rng.uniform(0.9, 1.0))
    if s.kind == "sat" or (s.unit == "%" and style == "short"):
        raw = f"{_fmt_num(v)}%"
    else:
        raw = f"{_fmt_num(v)}({s.unit})"
    share = 1.0
    if deduct and s.value:
        share = v / s.value
    return _value(raw, None, v, s.unit), share


def _deductible(s: _Spec) -> bool:
    return s.kind in ("count", "rate", "sat", "qual") and (s.kind != "count" or (s.value or 0) > 1)


def _grade(total: float) -> str:
    if total >= 90:
        return "优"
    if total >= 80:
        return "良"
    if total >= 60:
        return "中"
    return "差"


def _indicators(rng: random.Random, specs: list[_Spec], scored: bool, style: str) -> tuple[list[Indicator], float]:
    weights = _weights(specs, rng) if scored else [0.0] * len(specs)
    strict = rng.choice([0.0, 0.0, 0.1, 0.25])
    out: list[Indicator] = []
    total = 0.0
    for s, w in zip(specs, weights):
        target = _value(_target_raw(s, style), s.op, s.value, s.unit)
        if not scored:
            out.append(Indicator(level1=s.level1, level2=s.level2, name=s.name, target=target, line=0))
            continue
        deduct = _deductible(s) and rng.random() < strict
        actual, share = _actual(s, rng, deduct, style)
        score = w if not deduct else money2(min(w - 0.01, max(0.0, w * share)))
        deviation = rng.choice(vocab.DEVIATIONS).format(name=s.name) if score < w else None
        total += score
        out.append(
            Indicator(
                level1=s.level1,
                level2=s.level2,
                name=s.name,
                target=target,
                actual=actual,
                weight=w,
                score=score,
                deviation=deviation,
                line=0,
            )
        )
    return out, total


# ---- forms -------------------------------------------------------------------------------


def _compact(specs: list[_Spec]) -> list[_Spec]:
    seen: set[str] = set()
    out = []
    for s in specs:
        if s.level1 not in seen:
            seen.add(s.level1)
            out.append(s)
    return out


def _self_evaluation(rng: random.Random, p: _Project, year: int, compact: bool, goals: _Goals) -> Form:
    annual = rng.randint(200, 50000) * 100.0  # yuan, whole hundreds: exact in 万元 with 2 decimals
    initial = annual if rng.random() < 0.5 else annual + rng.randint(0, int(annual / 100 * 0.3)) * 100.0
    executed = annual if rng.random() < 0.7 else max(100.0, round(annual * rng.uniform(0.85, 0.999) / 100) * 100.0)
    carry = 0.0
    if rng.random() < 0.2:
        carry = round(executed * rng.uniform(0.05, 0.3) / 100) * 100.0
    rate = money2(executed / annual * 100)
    funds_score = money2(min(rate, 100.0) / 10)
    style = rng.choice(["short", "long"])
    specs = _specs(rng, p.key, annual)
    inds, total = _indicators(rng, _compact(specs) if compact else specs, scored=True, style=style)
    total_score = money2(total + funds_score)
    return Form(
        kind="self_evaluation",
        year=year,
        project_name=p.name,
        department=p.department,
        implementing_unit=p.unit_self if rng.random() < 0.6 else p.unit_center,
        funds=Funds(
            initial_budget=initial,
            annual_budget=annual,
            executed=executed,
            fiscal=executed - carry,
            carryover=carry,
            other=0.0,
            execution_rate=rate,
            weight=10.0,
            score=funds_score,
        ),
        goal=Goal(expected=goals.text(rng, p.key, year), actual=_actual_text(rng, p.key, year)),
        indicators=inds,
        total_score=total_score,
        total_weight=100.0,
        grade=_grade(total_score),
    )


def _declaration(rng: random.Random, p: _Project, year: int, compact: bool, goals: _Goals) -> Form:
    total = rng.randint(100, 500000) * 100.0
    carry = other = 0.0
    r = rng.random()
    if r < 0.1:
        other = total
    elif r < 0.25:
        carry = round(total * rng.uniform(0.05, 0.4) / 100) * 100.0
    fiscal = total - carry - other
    style = rng.choice(["short", "long", "long"])
    specs = _specs(rng, p.key, total)
    inds, _ = _indicators(rng, _compact(specs) if compact else specs, scored=False, style=style)
    start, end = (f"{year}-01-01", f"{year}-12-31") if rng.random() < 0.85 else (f"{year}-03-01", f"{year}-11-30")
    overall = rng.choice(vocab.OVERALL_TEMPLATES).format(k=p.key) if rng.random() < 0.25 else None
    return Form(
        kind="target_declaration",
        year=year,
        project_name=p.name,
        department=p.department,
        implementing_unit=p.unit_center,
        project_nature=rng.choice(vocab.NATURES),
        project_category=rng.choice(vocab.CATEGORIES),
        start_date=start,
        end_date=end,
        funds=Funds(requested_total=total, fiscal=fiscal, carryover=carry, other=other),
        goal=Goal(expected=goals.text(rng, p.key, year), overall=overall),
        indicators=inds,
    )
