"""The Chinese words every face shows: check names, severities, statuses, form kinds, decisions.

One place, so the terminal, the review session, the web page and the exports say the same
thing. Ids stay in JSON; these are for people.
"""

from __future__ import annotations

KIND_LABEL: dict[str, str] = {"self_evaluation": "绩效自评表", "target_declaration": "绩效目标申报表"}
KIND_SHORT_LABEL: dict[str, str] = {"self_evaluation": "自评表", "target_declaration": "申报表"}
SEVERITY_LABEL: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

# reconcile statuses of an indicator pair
STATUS_LABEL: dict[str, str] = {"matched": "匹配", "changed": "变更", "dropped": "删除", "added": "新增"}

# how the source text was laid out (Form.layout)
LAYOUT_LABEL: dict[str, str] = {
    "tabs": "制表符",
    "spaces": "空格对齐",
    "ocr": "OCR 文本",
    "cell-per-line": "每格一行",
    "pipes": "竖线表格",
    "run-together": "无分隔",
    "one-line": "整篇一行",
    "html": "网页源码",
    "pdf": "PDF 文本",
    "xlsx": "Excel",
    "docx": "Word",
}

DECISION_LABEL: dict[str, str] = {"confirmed": "确认问题", "dismissed": "不是问题"}
UNDECIDED_LABEL = "未处理"  # a finding no decision has been made on yet
# a form's kind in two characters, where a column is narrow (the review list, the page's contents)
KIND_TAG: dict[str, str] = {"self_evaluation": "自评", "target_declaration": "申报"}

# Accounts of a team server, and the fields of a decision's audit trail.
ACCOUNT_ROLE_LABEL: dict[str, str] = {"reviewer": "审核人", "lead": "负责人"}
AUDIT_FIELD_LABEL: dict[str, str] = {"decision": "结论", "reason": "理由", "note": "备注"}

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


def kind_short_label(kind: str | None) -> str:
    return KIND_SHORT_LABEL.get(kind or "", kind or "")


def check_face(check: str) -> str:
    """The Chinese name first, the id second: ``实际完成情况照抄预期目标（completion-copies-goal）``."""
    label = CHECK_LABEL.get(check)
    return f"{label}（{check}）" if label else check


# Fields a progress line shows beside its bar (jixiao.progress).
PROGRESS_FIELD_LABEL: dict[str, str] = {
    "tokens": "词元",
    "prompt_tokens": "输入词元",
    "completion_tokens": "输出词元",
    "cache_hits": "缓存命中",
    "requests": "请求",
    "failed": "失败",
    "files": "文件",
    "forms": "表",
    "findings": "问题",
}


def progress_field_label(field: str) -> str:
    return PROGRESS_FIELD_LABEL.get(field, field)


# The features reconcile weighs when it pairs two forms or two indicators ("name 0.86",
# "unit ≠", "indicators 0.80 (4/5)"), in reviewer words.
REASON_FEATURE: dict[str, str] = {
    "name": "名称",
    "department": "主管部门",
    "unit": "实施单位",
    "year": "年度",
    "amount": "金额",
    "indicators": "指标",
    "level1": "一级指标",
    "level2": "二级指标",
    "target": "指标值",
}
# an indicator's "unit" is its measuring unit (个, 元/件), a form's the implementing unit
_INDICATOR_FEATURES = ("level1", "level2", "target")
_REASON_FLAG: dict[str, str] = {"=": "相同", "≠": "不同", "~": "相近", "?": "未知"}


def reason_text(reasons: list[str] | tuple[str, ...]) -> str:
    """``["name 0.86", "department =", "unit ≠"]`` -> ``名称相似 0.86；主管部门相同；实施单位不同``."""
    indicator = any(r.split(" ", 1)[0] in _INDICATOR_FEATURES for r in reasons)
    return "；".join(_one_reason(r, indicator) for r in reasons)


def _one_reason(reason: str, indicator: bool) -> str:
    feature, _, rest = reason.partition(" ")
    label = "计量单位" if feature == "unit" and indicator else REASON_FEATURE.get(feature)
    if label is None:
        return reason
    if rest in _REASON_FLAG:
        return label + _REASON_FLAG[rest]
    score, _, detail = rest.partition(" ")  # "0.80 (4/5)"
    detail = detail.strip("()")
    if feature == "indicators" and "/" in detail:
        shared, of = detail.split("/", 1)
        return f"指标重合 {score}（{of} 个指标中 {shared} 个相同）"
    return f"{label}相似 {score}" + (f"（{detail}）" if detail else "")
