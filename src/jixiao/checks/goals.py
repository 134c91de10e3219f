"""Checks on the goal texts of one form: copied completion, template text, other years."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from rapidfuzz import fuzz

from ..models import Finding, Form
from ..textnorm import clean
from .registry import Ctx, form_check
from .text import differences, field_evidence, field_lines, listing, norm, pct, snippet

GOAL_FIELDS: tuple[tuple[str, str], ...] = (
    ("goal.expected", "预期目标"),
    ("goal.actual", "实际完成情况"),
    ("goal.overall", "项目总目标"),
)


def goal_label(form: Form, field: str) -> str:
    if field == "goal.expected" and form.kind == "target_declaration":
        return "年度总体目标"
    return dict(GOAL_FIELDS)[field]


def goal_text(form: Form, field: str) -> str | None:
    return getattr(form.goal, field.split(".", 1)[1])


# Rule: 实际完成情况 whose wording (punctuation and spaces ignored) is ≥ copy_similarity % like 预期目标.
@form_check(
    "completion-copies-goal",
    "warning",
    "实际完成情况与预期目标{how}（相似度 {similarity}）{diff}",
    rule="实际完成情况与预期目标去掉标点空白后 rapidfuzz 相似度 ≥ copy_similarity（默认 90）",
)
def completion_copies_goal(form: Form, ctx: Ctx) -> Iterator[Finding]:
    expected, actual = form.goal.expected, form.goal.actual
    if form.kind != "self_evaluation" or not expected or not actual:
        return
    a, b = norm(expected), norm(actual)
    if min(len(a), len(b)) < ctx.cfg.copy_min_chars:
        return
    score = fuzz.ratio(a, b)
    if score < ctx.cfg.copy_similarity:
        return
    diff = ""
    if a != b:
        only_goal, only_actual = differences(clean(expected) or "", clean(actual) or "")
        parts = []
        if only_goal:
            parts.append("预期目标多出「" + "」「".join(only_goal) + "」")
        if only_actual:
            parts.append("实际完成情况多出「" + "」「".join(only_actual) + "」")
        diff = "：仅差 " + "，".join(parts) if parts else ""
    yield ctx.flag(
        lines=field_lines(form, "goal.expected", "goal.actual"),
        evidence=[
            field_evidence(form, "goal.expected", "预期目标", expected),
            field_evidence(form, "goal.actual", "实际完成情况", actual),
        ],
        how="文字相同" if a == b else "几乎相同",
        similarity=pct(score),
        diff=diff,
    )


# Template instructions: '（描述一下…）', '请填写/请输入/此处填写', 'XX/××', '(100字以内)', '指标1', a bare '……'.
_PLACEHOLDER = re.compile(
    r"[（(][^（）()]{0,30}(?:描述一下|请填写|请输入|请简要|此处填写|填写说明|字以内|字左右)[^（）()]{0,30}[）)]"
    r"|描述一下[^，。；,;]{0,20}"
    r"|请(?:填写|输入|简要描述|根据实际)[^，。；,;]{0,20}"
    r"|此处填写|填写说明"
    r"|\d{2,4}\s*字以内"
    r"|(?<![0-9A-Za-z])(?:XX+|xx+|ＸＸ+|××+)(?![0-9A-Za-z])"
)
_BARE_PLACEHOLDER = re.compile(r"^(?:指标\s*\d+|…+|\.{3,}|(?:二|三)级指标\s*\d*|XX+|××+)$")


# Every placeholder above contains one of these: most cells are rejected without cleaning.
_MAYBE_PLACEHOLDER = re.compile(r"描述|请|填写|字以内|字左右|[XxＸｘ×]{2}|…|\.{3}|级指标|指标\s*[0-9０-９]")


def _placeholders(text: str | None, extra: list[re.Pattern[str]]) -> list[str]:
    if not text:
        return []
    if not extra:
        return list(_builtin_placeholders(text))
    t = clean(text) or ""
    if _BARE_PLACEHOLDER.match(t):
        return [t]
    hits = [m.group(0) for m in _PLACEHOLDER.finditer(t)]
    for pat in extra:
        hits += [m.group(0) for m in pat.finditer(t)]
    return hits


@lru_cache(maxsize=1 << 14)  # cells ('≥95%', '达成指标', names) repeat across thousands of forms
def _builtin_placeholders(text: str) -> tuple[str, ...]:
    if not _MAYBE_PLACEHOLDER.search(text):
        return ()
    t = clean(text) or ""
    if _BARE_PLACEHOLDER.match(t):
        return (t,)
    return tuple(m.group(0) for m in _PLACEHOLDER.finditer(t))


# Rule: template instructions left in any text cell ('（描述一下…）', 请填写, XX, (100字以内), 指标2, ……).
@form_check(
    "template-placeholder",
    "warning",
    "填报模板的说明文字未删除：{hits}",
    rule="文本中残留模板说明：（描述一下…）、请填写、XX、(100字以内)、单独的“指标2”“……”",
)
def template_placeholder(form: Form, ctx: Ctx) -> Iterator[Finding]:
    extra = [re.compile(p) for p in ctx.cfg.placeholder_patterns]
    hits: list[str] = []
    lines: list[int] = []
    evidence: list[str] = []
    for field, _ in GOAL_FIELDS:
        found = _placeholders(goal_text(form, field), extra)
        if found:
            label = goal_label(form, field)
            hits += [f"{label}「{h}」" for h in found]
            lines += field_lines(form, field)
            evidence.append(field_evidence(form, field, label, _around(goal_text(form, field), found[0])))
    if found := _placeholders(form.project_name, extra):
        hits += [f"项目名称「{h}」" for h in found]
        lines += field_lines(form, "project_name")
    for ind in form.indicators:
        cells = [("三级指标", ind.name), ("指标值", ind.target.raw if ind.target else None)]
        cells += [("实际完成值", ind.actual.raw if ind.actual else None), ("偏差原因", ind.deviation)]
        for label, text in cells:
            if found := _placeholders(text, extra):
                hits += [f"第{ind.line}行{label}「{h}」" for h in found]
                lines += ind.lines or [ind.line]
                evidence.append(f"第{ind.line}行｜{label}：{snippet(text)}")
    if hits:
        yield ctx.flag(lines=lines, evidence=evidence, hits=listing(_counted(hits)))


def _counted(hits: list[str]) -> list[str]:
    out: dict[str, int] = {}
    for h in hits:
        out[h] = out.get(h, 0) + 1
    return [h if n == 1 else f"{h}×{n}" for h, n in out.items()]


def _around(text: str | None, hit: str, width: int = 30) -> str:
    t = clean(text) or ""
    i = t.find(hit)
    if i < 0:
        return snippet(t)
    start = max(0, i - width)
    return ("…" if start else "") + t[start : i + len(hit) + 10] + ("…" if i + len(hit) + 10 < len(t) else "")


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_MAYBE_YEAR = re.compile(r"[12１２][09０９]")
_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年?\s*(?:-|—|–|~|～|至|到)\s*((?:19|20)\d{2})(?!\d)")
# A year in a comparison or a starting point is context, not the subject: '较2023年', '2019年以来'.
_CONTEXT_BEFORE = re.compile(r"(?:较|比|同比|相比|对比|与|截至|截止|自|从|基于|上年度?|去年)\s*$")
_CONTEXT_AFTER = re.compile(r"^\s*年?(?:以来|起|相比|同期|基础上|水平|基数)")


def other_years(text: str | None, year: int) -> list[int]:
    """Years a text speaks of besides ``year``, when it never speaks of ``year`` itself."""
    if not text or not _MAYBE_YEAR.search(text):
        return []
    return list(_other_years(text, year))


@lru_cache(maxsize=1 << 14)  # indicator cells repeat across forms of one year
def _other_years(text: str, year: int) -> tuple[int, ...]:
    return tuple(_years_besides(text, year))


def _years_besides(text: str, year: int) -> list[int]:
    t = clean(text) or ""
    spans: list[tuple[int, int]] = []
    for m in _RANGE.finditer(t):
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo <= year <= hi:
            return []  # a multi-year plan that covers the form's year
        spans.append(m.span())
    years: list[int] = []
    for m in _YEAR.finditer(t):
        after = t[m.end() : m.end() + 8]
        if not after.lstrip().startswith(("年", "全年")) and not any(s <= m.start() < e for s, e in spans):
            continue  # '2023' must read as a year: 2023年 / 2023年度 / 2023全年, or a range end
        y = int(m.group(1))
        if y == year:
            return []
        if _CONTEXT_BEFORE.search(t[max(0, m.start() - 6) : m.start()]) or _CONTEXT_AFTER.match(t[m.end() :]):
            continue
        years.append(y)
    return sorted(set(years))


# Rule: a goal text or indicator cell names a year other than the form's and never the form's own year.
@form_check(
    "year-mismatch",
    "warning",
    "{year} 年度的表中{where}写的是 {others} 年",
    rule="目标文字或指标单元格只提到其他年份（如 2024 年度表写“2023全年”），比较、起点、跨年区间除外",
)
def year_mismatch(form: Form, ctx: Ctx) -> Iterator[Finding]:
    if not form.year:
        return
    where: list[str] = []
    lines: list[int] = []
    evidence: list[str] = []
    found: set[int] = set()
    # 项目总目标 of a multi-year project rightly speaks of other years: only the annual texts.
    for field in ("goal.expected", "goal.actual"):
        text = goal_text(form, field)
        ys = other_years(text, form.year)
        if ys:
            label = goal_label(form, field)
            where.append(label)
            found.update(ys)
            lines += field_lines(form, field)
            evidence.append(field_evidence(form, field, label, _around(text, str(ys[0]))))
    for ind in form.indicators:
        for label, text in (("三级指标", ind.name), ("指标值", ind.target.raw if ind.target else None)):
            ys = other_years(text, form.year)
            if ys:
                where.append(f"第{ind.line}行{label}")
                found.update(ys)
                lines += ind.lines or [ind.line]
                evidence.append(f"第{ind.line}行｜{label}：{snippet(text)}")
    if found:
        yield ctx.flag(
            lines=lines,
            evidence=evidence,
            year=form.year,
            where="、".join(dict.fromkeys(where)),
            others="、".join(str(y) for y in sorted(found)),
        )
