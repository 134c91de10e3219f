"""The Chinese words every face shows: check names, severities, statuses, form kinds, decisions.

One place, so the terminal, the review session, the web page and the exports say the same
thing. Ids stay in JSON; these are for people.
"""

from __future__ import annotations

KIND_LABEL: dict[str, str] = {"self_evaluation": "绩效自评表", "target_declaration": "绩效目标申报表"}
SEVERITY_LABEL: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

# reconcile statuses of an indicator pair
STATUS_LABEL: dict[str, str] = {"matched": "匹配", "changed": "变更", "dropped": "删除", "added": "新增"}

DECISION_LABEL: dict[str, str] = {"confirmed": "确认问题", "dismissed": "不是问题"}
UNDECIDED_LABEL = "未决定"  # a finding no decision has been made on yet
# a form's kind in two characters, where a column is narrow (the review list, the page's contents)
KIND_TAG: dict[str, str] = {"self_evaluation": "自评", "target_declaration": "申报"}

# The contract's check ids in plain Chinese.
CHECK_LABEL: dict[str, str] = {
    "completion-copies-goal": "实际完成情况照抄预期目标",
    "goal-reused-across-projects": "不同项目使用相同目标",
    "goal-names-other-project": "目标提及其他项目",
    "indicators-reused-across-projects": "不同项目指标雷同",
    "duplicate-indicator": "三级指标重复",
    "duplicate-form": "同一项目重复填报且内容不一致",
    "score-exceeds-weight": "得分超过分值",
    "score-sum-mismatch": "得分或分值合计不符",
    "grade-mismatch": "评分等级与总分不符",
    "funds-arithmetic": "资金数额或执行率计算不符",
    "deduction-without-reason": "扣分未说明原因",
    "achieved-but-deducted": "已完成却扣分",
    "target-not-met-full-score": "未完成目标却得满分",
    "vague-actual": "定量指标以文字作答",
    "implausible-target": "指标值不合理",
    "template-placeholder": "残留模板提示文字",
    "year-mismatch": "年度不符",
    "unknown-category": "指标类别不规范",
    "cost-arithmetic": "成本测算不符",
    "over-achievement": "大幅超额完成（目标偏低）",
    "missing-category": "缺少应有的指标类别",
    "target-dropped": "申报指标在自评中缺失",
    "target-added": "自评新增未申报指标",
    "target-changed": "自评指标值与申报不一致",
    "budget-changed": "预算与申报差异较大",
    "unsupported-value": "抽取值在原文中找不到",
    "incomplete-form": "表格不完整",
    "unit-mismatch": "金额单位与数值不符",
    "unreadable-value": "数值无法识读",
    "summary-form": "汇总表按项目填报",
    "reused-from-earlier-year": "照抄往年内容",
}


def check_label(check: str) -> str:
    return CHECK_LABEL.get(check, check)


def severity_label(severity: str) -> str:
    return SEVERITY_LABEL.get(severity, severity)


def status_label(status: str) -> str:
    return STATUS_LABEL.get(status, status)


def kind_label(kind: str | None) -> str:
    return KIND_LABEL.get(kind or "", kind or "")
