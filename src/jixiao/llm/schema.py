"""What the model is asked to return: one form, cells copied as printed.

These mirror ``jixiao.models`` with one deliberate difference: values and amounts come back
*as printed* (``"=800.00(元/件)"``, ``3.50`` in 万元) and jixiao parses and converts them with
the same code as the rules engine. Models copy well and convert badly, and a copied cell can be
checked against the source (``grounding``).

Validation errors here make instructor re-ask the model with the error text, so the messages
say exactly what to fix. The validation context carries what we know about the form:
``lines`` (the line numbers sent) and ``kind`` (from the form's title, when there is one).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ..models import Funds
from ..values import to_number

FormKind = Literal["self_evaluation", "target_declaration"]

_EMPTY = {"", "-", "—", "/", "--", "——", "无", "null", "none", "n/a"}
_DATE = re.compile(r"^\s*((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")


class _Out(BaseModel):
    # models add keys of their own ("reasoning", "unit_note"); ignoring them costs nothing
    model_config = ConfigDict(extra="ignore")


def _number(v: Any) -> Any:
    """'2,586,000.00', '３.５０', '-' -> a float or None; anything else is left for pydantic."""
    if isinstance(v, str):
        s = v.strip()
        if s.lower() in _EMPTY:
            return None
        n = to_number(s.rstrip("%％分"))
        return n if n is not None else v
    return v


def _text(v: Any) -> Any:
    if isinstance(v, str) and v.strip().lower() in _EMPTY:
        return None
    return v


class IndicatorOut(_Out):
    line: int = Field(description="该指标所在行的行号（[L行号]；跨行时取第一行）")
    level1: str | None = Field(None, description="一级指标，标准名称")
    level2: str | None = Field(None, description="二级指标，标准名称")
    name: str = Field(description="三级指标名称，照抄原文")
    target: str | None = Field(None, description="年度指标值，照抄单元格，含运算符和单位")
    actual: str | None = Field(None, description="实际完成值，照抄单元格（仅自评表）")
    weight: float | None = Field(None, description="分值（仅自评表）")
    score: float | None = Field(None, description="得分（仅自评表）")
    deviation: str | None = Field(None, description="偏差原因分析及改进措施（仅自评表）")

    _numbers = field_validator("weight", "score", mode="before")(_number)
    _texts = field_validator("level1", "level2", "target", "actual", "deviation", mode="before")(_text)

    @field_validator("name")
    @classmethod
    def _name_present(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("三级指标名称（name）不能为空")
        return v

    @field_validator("weight", "score")
    @classmethod
    def _not_negative(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            raise ValueError(f"分值/得分不能为负数：{v}")
        return v


class FundsOut(_Out):
    unit: Literal["元", "万元"] | None = Field(None, description="资金表头写明的单位")
    initial_budget: float | None = Field(None, description="年初预算数（自评表，资金总额行）")
    annual_budget: float | None = Field(None, description="全年预算数（自评表，资金总额行）")
    executed: float | None = Field(None, description="全年执行数（自评表，资金总额行）")
    requested_total: float | None = Field(None, description="年度资金申请总额（申报表）")
    fiscal: float | None = Field(None, description="当年财政拨款（自评表取全年执行数一栏）")
    carryover: float | None = Field(None, description="上年结转资金")
    other: float | None = Field(None, description="其他资金")
    execution_rate: float | None = Field(None, description="执行率(%)，照抄数字")
    weight: float | None = Field(None, description="资金行的分值")
    score: float | None = Field(None, description="资金行的得分")

    _numbers = field_validator(*Funds.model_fields, mode="before")(_number)  # the same fields as ours

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, v: Any) -> Any:
        if isinstance(v, str):
            s = v.strip().strip("()（）")
            if s.lower() in _EMPTY:
                return None
            return s
        return v


class GoalOut(_Out):
    expected: str | None = Field(None, description="预期目标 / 年度总体目标")
    actual: str | None = Field(None, description="实际完成情况（仅自评表）")
    overall: str | None = Field(None, description="项目总目标（申报表，填写了才有）")

    _texts = field_validator("expected", "actual", "overall", mode="before")(_text)


class FormOut(_Out):
    kind: FormKind = Field(description="self_evaluation（绩效自评表）或 target_declaration（绩效目标申报表）")
    year: int | None = Field(None, description="年度")
    project_name: str | None = None
    department: str | None = Field(None, description="主管部门")
    implementing_unit: str | None = Field(None, description="实施单位")
    project_nature: str | None = Field(None, description="项目性质（申报表）")
    project_category: str | None = Field(None, description="项目类别（申报表）")
    start_date: str | None = Field(None, description="计划开始日期，YYYY-MM-DD")
    end_date: str | None = Field(None, description="计划完成日期，YYYY-MM-DD")
    funds: FundsOut = Field(default_factory=FundsOut)
    goal: GoalOut = Field(default_factory=GoalOut)
    indicators: list[IndicatorOut] = Field(default_factory=list)
    total_weight: float | None = Field(None, description="总分行的分值（自评表）")
    total_score: float | None = Field(None, description="总分行的得分（自评表）")
    grade: str | None = Field(None, description="评分等级（自评表）")

    _numbers = field_validator("total_weight", "total_score", mode="before")(_number)
    _texts = field_validator(
        "project_name", "department", "implementing_unit", "project_nature", "project_category", "grade", mode="before"
    )(_text)

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, v: Any) -> Any:
        if isinstance(v, str):
            m = re.search(r"(?:19|20)\d{2}", v)
            return int(m.group(0)) if m else _text(v)
        return v

    @field_validator("start_date", "end_date", mode="before")
    @classmethod
    def _iso_date(cls, v: Any) -> Any:
        if v is None or (isinstance(v, str) and v.strip().lower() in _EMPTY):
            return None
        m = _DATE.match(str(v))
        if not m:
            raise ValueError(f"日期 {v!r} 应写成 YYYY-MM-DD，原文没有日期时填 null")
        y, mo, d = (int(g) for g in m.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}"

    @model_validator(mode="after")
    def _fits_the_form(self, info: ValidationInfo) -> FormOut:
        ctx: dict[str, Any] = info.context or {}
        sent: set[int] = set(ctx.get("lines") or [])
        errors: list[str] = []
        if sent:
            lo, hi = min(sent), max(sent)
            for ind in self.indicators:
                if ind.line not in sent:
                    errors.append(
                        f"指标 {ind.name!r} 的 line={ind.line} 不是报表中的行号（应为 [L{lo}]–[L{hi}] 中出现的行号）"
                    )
        kind = ctx.get("kind") or self.kind
        if kind == "target_declaration":
            scored = [i.name for i in self.indicators if i.score is not None]
            if scored:
                errors.append(f"绩效目标申报表没有得分：指标 {scored[0]!r} 等的 score 应为 null")
            if self.total_score is not None:
                errors.append("绩效目标申报表没有总分：total_score 应为 null")
        if errors:
            raise ValueError("；".join(errors[:5]))
        return self
