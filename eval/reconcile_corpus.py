"""Time and memory of ``reconcile`` on synthetic bureaus of n declared vs n evaluated forms.

``synthetic_forms(n)`` builds model objects directly (no text, no extraction): units of
~15 projects each, names from a vocabulary of subjects and actions, indicators from
templates; the self-evaluations are perturbed copies (renamed with filler words, measure
words swapped, targets changed, indicators dropped and added, budgets moved), with ~10%
of forms unpartnered on each side. The truth of the pairing is returned beside, so the
benchmark also reports pairing precision / recall at scale.

Run: ``.venv/bin/python eval/reconcile_corpus.py 500 5000`` (prints JSON lines); eval/bench.py
uses ``synthetic_forms`` for its pairing precision / recall.
"""

from __future__ import annotations

import json
import random
import sys
import time
import tracemalloc
from collections.abc import Sequence
from typing import Any

from jixiao.models import Form, Funds, Indicator, Op, Value
from jixiao.reconcile import reconcile
from jixiao.reconcile.settings import DEFAULT, Settings

DISTRICTS = "黄浦 徐汇 长宁 静安 普陀 虹口 杨浦 闵行 宝山 嘉定 浦东新 金山 松江 青浦 奉贤 崇明".split()
BUREAUS = (
    "卫生健康委员会 民政局 教育局 生态环境局 绿化和市容管理局 水务局 交通委员会 文化和旅游局 体育局 "
    "医疗保障局 人力资源和社会保障局 市场监督管理局 农业农村委员会 住房保障和房屋管理局 司法局 "
    "退役军人事务局 应急管理局 城市管理行政执法局 科学技术委员会 商务委员会 财政局 统计局 档案局 "
    "规划和自然资源局 公安分局"
).split()
UNIT_SUFFIX = ["（本级）", "事务中心", "服务中心", "监测站", "管理所", "指导中心"]
SUBJECTS = (
    "养老服务 医疗救助 河道保洁 垃圾分类 道路养护 校舍维修 社区卫生 疾病预防 食品安全 体育场馆 "
    "公共文化 图书馆 绿地养护 水质监测 大气监测 执法装备 法律援助 就业援助 技能培训 档案数字化 "
    "信息系统 应急物资 防汛设施 农田水利 住房保障 老旧小区 市容整治 停车管理 公交补贴 非遗保护"
).split()
ACTIONS = "运行维护 专项整治 宣传推广 业务培训 购买服务 设备采购 运营补贴 监督检查 能力建设 数据采集".split()
FILLER = ["项目", "经费", "专项", "专项经费", "工作经费"]
OBJECTS = "设施 站点 人员 对象 资料 活动 检查 课程 设备 场所 案件 报告".split()
COUNT_MEASURES = [("数量", "个"), ("人数", "人"), ("次数", "次"), ("场次", "场"), ("件数", "件")]
RATE_MEASURES = ["率", "比例"]


TOWNS = "岳阳 永丰 方松 中山 广富林 九里亭 泗泾 佘山 车墩 新桥 洞泾 九亭 泖港 石湖荡 新浜 叶榭 小昆山".split()


def _project_name(rng: random.Random) -> str:
    """Names as bureaus write them: subject + action, sometimes an object, a town or a phase."""
    name = rng.choice(SUBJECTS)
    if rng.random() < 0.4:
        name += rng.choice(OBJECTS)
    name += rng.choice(ACTIONS)
    if rng.random() < 0.3:
        name = rng.choice(TOWNS) + name
    if rng.random() < 0.1:
        name += rng.choice(["（一期）", "（二期）", "（三期）"])
    return name


def _value(op: Op, x: float, unit: str) -> Value:
    sign = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}[op]
    return Value(raw=f"{sign}{x:.2f}({unit})", op=op, value=x, unit=unit)


def _text(t: str) -> Value:
    return Value(raw=t, text=t)


def _indicators(rng: random.Random, subject: str, k: int) -> list[Indicator]:
    out: list[Indicator] = []
    objs = rng.sample(OBJECTS, k=min(k, len(OBJECTS)))
    for n, obj in enumerate(objs):
        kind = n % 5
        if kind == 0:
            out.append(
                Indicator(
                    level1="成本指标",
                    level2="经济成本指标",
                    name=f"{subject}{obj}单位成本",
                    target=_value("<=", rng.randint(5, 500) * 100.0, "元/个"),
                    line=0,
                )
            )
        elif kind in (1, 2):
            word, unit = rng.choice(COUNT_MEASURES)
            out.append(
                Indicator(
                    level1="产出指标",
                    level2="数量指标",
                    name=f"{subject}{obj}{word}",
                    target=_value(">=", float(rng.randint(2, 3000)), unit),
                    line=0,
                )
            )
        elif kind == 3:
            out.append(
                Indicator(
                    level1="产出指标",
                    level2="质量指标",
                    name=f"{obj}{rng.choice(['合格', '覆盖', '完成'])}{rng.choice(RATE_MEASURES)}",
                    target=_value(">=", float(rng.choice([80, 85, 90, 95, 100])), "%"),
                    line=0,
                )
            )
        else:
            out.append(
                Indicator(
                    level1="效益指标",
                    level2="社会效益指标",
                    name=f"{subject}{obj}服务水平",
                    target=_text(rng.choice(["提高", "提升", "有效保障"])),
                    line=0,
                )
            )
    out.append(
        Indicator(
            level1="满意度指标",
            level2="服务对象满意度指标",
            name=f"{rng.choice(OBJECTS)}满意度",
            target=_value(">=", float(rng.choice([85, 90, 95])), "%"),
            line=0,
        )
    )
    return out


def _reword(rng: random.Random, ind: Indicator) -> Indicator:
    """The same indicator as a self-evaluation writes it: measure word swapped, target moved."""
    name = ind.name
    for a, b in (("数量", "个数"), ("人数", "人次"), ("比例", "率"), ("率", "比例"), ("次数", "频次")):
        if name.endswith(a) and rng.random() < 0.3:
            name = name[: -len(a)] + b
            break
    target = ind.target
    if target is not None and target.value is not None and rng.random() < 0.12:
        target = _value(target.op or "=", round(target.value * rng.choice([0.8, 0.9, 1.2]), 2), target.unit or "")
    return ind.model_copy(update={"name": name, "target": target})


def synthetic_forms(n: int, seed: int = 0) -> tuple[list[Form], list[Form], set[tuple[int, int]]]:
    """n declarations, n self-evaluations and the true (declared, evaluated) index pairs."""
    rng = random.Random(seed)
    units = [f"上海市{d}区{b}{s}" for d in DISTRICTS for b in BUREAUS for s in UNIT_SUFFIX]
    rng.shuffle(units)
    declared: list[Form] = []
    evaluated: list[Form] = []
    truth: set[tuple[int, int]] = set()
    pending: list[Form] = []
    u = 0
    while len(declared) < n:
        unit = units[u % len(units)]
        dept = unit.split("区")[0] + "区" + next(b for b in BUREAUS if b in unit)
        u += 1
        names = set()
        for _ in range(rng.randint(8, 22)):
            if len(declared) >= n:
                break
            name = _project_name(rng)
            if rng.random() < 0.3:
                name += rng.choice(FILLER)
            if name in names:
                continue
            names.add(name)
            request = float(rng.randint(2, 3000) * 10000)
            subject = name[:4]
            d = Form(
                kind="target_declaration",
                year=2024,
                project_name=name,
                department=dept,
                implementing_unit=unit,
                funds=Funds(requested_total=request, fiscal=request),
                indicators=_indicators(rng, subject, rng.randint(5, 11)),
            )
            di = len(declared)
            declared.append(d)
            if rng.random() < 0.1:  # never evaluated
                continue
            ename = name
            for f in FILLER:
                ename = ename.replace(f, "")
            if rng.random() < 0.3:
                ename = rng.choice(["", "医保", "区级"]) + ename + rng.choice(["", "项目", "（续建）"])
            inds = [_reword(rng, i) for i in d.indicators if rng.random() > 0.08]
            inds += _indicators(rng, subject, rng.randint(0, 2))[:-1]
            initial = request * rng.choice([1.0, 1.0, 0.95, 0.8])
            e = Form(
                kind="self_evaluation",
                year=2024,
                project_name=ename,
                department=dept,
                implementing_unit=unit,
                funds=Funds(initial_budget=initial, annual_budget=initial, executed=initial * 0.97),
                indicators=inds,
            )
            truth.add((di, len(evaluated)))
            evaluated.append(e)
        # a few self-evaluations of projects never declared, per unit
        for _ in range(rng.randint(1, 3)):
            name = _project_name(rng)
            budget = float(rng.randint(2, 3000) * 10000)
            pending.append(
                Form(
                    kind="self_evaluation",
                    year=2024,
                    project_name=name,
                    department=dept,
                    implementing_unit=unit,
                    funds=Funds(initial_budget=budget, annual_budget=budget),
                    indicators=_indicators(rng, name[:4], rng.randint(5, 9)),
                )
            )
    evaluated.extend(pending[: max(0, n - len(evaluated))])
    # shuffle the evaluated side, keeping the truth
    order = list(range(len(evaluated)))
    rng.shuffle(order)
    new_pos = {old: new for new, old in enumerate(order)}
    evaluated = [evaluated[i] for i in order]
    truth = {(i, new_pos[j]) for i, j in truth}
    return declared, evaluated, truth


def measure(n: int, seed: int = 0, settings: Settings = DEFAULT, trace_memory: bool = True) -> dict[str, Any]:
    """Reconcile n vs n synthetic forms: wall and CPU seconds, peak traced memory, pairing quality.

    CPU seconds are the steadier figure on a shared machine; memory is traced in a second run
    (tracemalloc slows the code down, so it does not share the timed run).
    """
    declared, evaluated, truth = synthetic_forms(n, seed)
    t0, c0 = time.perf_counter(), time.process_time()
    result = reconcile(declared, evaluated, settings)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = None
    if trace_memory:
        tracemalloc.start()
        reconcile(declared, evaluated, settings)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_mb = round(peak / 2**20, 1)
    pred = {(p.declared_index, p.evaluated_index) for p in result.projects}
    tp = len(pred & truth)
    return {
        "declared": len(declared),
        "evaluated": len(evaluated),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_traced_mb": peak_mb,
        "candidates_scored": result.candidates_scored,
        "pairs": len(pred),
        "precision": round(tp / len(pred), 4) if pred else 1.0,
        "recall": round(tp / len(truth), 4) if truth else 1.0,
        "indicator_pairs": sum(len(p.indicators) for p in result.projects),
    }


def main(argv: Sequence[str] | None = None) -> None:
    sizes = [int(a) for a in (argv if argv is not None else sys.argv[1:])] or [500, 5000]
    for n in sizes:
        print(json.dumps(measure(n), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
