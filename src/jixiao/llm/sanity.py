"""The rules engine's self-checks for ``hybrid``: a form goes to the LLM only when its rules
reading looks broken. These are reading failures, not review findings: a genuine score-sum
mismatch is left to the checks (the LLM would read the same numbers), but weights that do not
add up to 100 usually mean a row was missed or split."""

from __future__ import annotations

from .. import framework
from ..models import Form

WEIGHT_TOLERANCE = 0.5


def reasons(form: Form | None) -> list[str]:
    """Why the rules reading of a form cannot be trusted ([] when it looks sound)."""
    if form is None:
        return ["规则引擎未能读出该表单"]
    out: list[str] = []
    if form.problems:
        out.append("规则引擎报告问题：" + "；".join(form.problems[:3]))
    if not form.project_name:
        out.append("未识别项目名称")
    if not form.indicators:
        out.append("未读出任何指标")
    empty = [i for i in form.indicators if i.target is None]
    if empty:
        out.append(f"{len(empty)} 行指标没有指标值（如第 {empty[0].line} 行）")
    unknown = [i for i in form.indicators if not (framework.is_level1(i.level1) and framework.is_level2(i.level2))]
    if unknown:
        out.append(f"{len(unknown)} 行指标的一级/二级分类不在标准框架内（如第 {unknown[0].line} 行）")
    if form.kind == "self_evaluation" and form.indicators:
        weights = [i.weight for i in form.indicators]
        if any(w is None for w in weights):
            out.append("有指标缺少分值")
        else:
            total = sum(w for w in weights if w is not None) + (form.funds.weight or 0.0)
            if abs(total - 100.0) > WEIGHT_TOLERANCE:
                out.append(f"分值合计 {total:g}，不是 100")
    return out
