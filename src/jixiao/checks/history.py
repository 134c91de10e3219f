"""Checks across years and documents, against the store's forms (a team store keeps every
year's): not run on files alone (``registry.STORE_IDS``), run by ``check_with_store``.

- ``reused-from-earlier-year``: a project's 实际完成情况, goal or indicator set is its own
  form's of an earlier year, word for word or with only the years changed (each 4-digit
  year is masked before comparing).
- ``summary-form`` across documents: a form whose amount equals the sum of ≥ 2 forms of the
  same unit, year and kind of other documents (all of them, or all of one document): a 汇总
  filed as a project. The same within one document is ``duplicates.summary_form``'s.

Each finding names the earlier (or summed) forms: file, line, year.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import PurePath

from rapidfuzz import fuzz

from ..models import Document, Finding, Form
from ..store import DecisionStore
from ..store.archive import Archived, FormArchive, FormKeys
from .config import CheckConfig
from .duplicates import _main_amount
from .registry import CheckSpec, Ctx, Located
from .runner import locate, sort_findings
from .text import field_lines, money, name_key, norm, snippet

_YEAR = re.compile(r"(?:19|20)\d{2}")
MIN_TEXT = 10  # shorter texts (达成, 完成) repeat by nature
SIMILAR = 95  # rapidfuzz ratio of year-blind texts counted as the same text
MIN_INDICATORS = 3
KIND_WORD = {"self_evaluation": "自评表", "target_declaration": "申报表"}


def year_blind(text: str | None) -> str:
    """A text for comparison across years: every 4-digit year the same, then ``norm``."""
    return norm(_YEAR.sub("Y", text or ""))


def describe(form: Form) -> FormKeys:
    unit = name_key(form.implementing_unit or form.department or "")
    return FormKeys(project=name_key(form.project_name or ""), unit=unit, amount=_main_amount(form))


def _where(source: str, form: Form, field: str | None = None) -> str:
    """A form as a finding names it: its file and line (of ``field``, when it has one)."""
    lines = form.field_lines.get(field, []) if field else []
    return f"{PurePath(source).name} 第{lines[0] if lines else form.first_line}行"


# --------------------------------------------------------------------------- reused-from-earlier-year

REUSED = CheckSpec(
    "reused-from-earlier-year",
    "warning",
    "{what}与本项目 {year} 年的{kind}（{where}）{how}",
    "同一项目（同名、同单位）的实际完成情况、年度目标或整套指标，与库中该项目较早年度的表相同或仅年份不同",
    "corpus",
    lambda *a: [],
)


def _same_text(a: str | None, b: str | None) -> str | None:
    """How two texts are the same across years: None when they are not."""
    x, y = year_blind(a), year_blind(b)
    if len(x) < MIN_TEXT or len(y) < MIN_TEXT:
        return None
    if norm(a) == norm(b):
        return "文字相同"
    if x == y:
        return "相同，仅年份不同"
    score = fuzz.ratio(x, y)
    return f"几乎相同（相似度 {score:.0f}%）" if score >= SIMILAR else None


def _indicator_set(form: Form) -> frozenset[tuple[str, str, str]]:
    return frozenset(
        (
            name_key(i.name),
            year_blind(i.target.raw if i.target else ""),
            year_blind(i.actual.raw if i.actual else "") if form.kind == "self_evaluation" else "",
        )
        for i in form.indicators
    )


def reused_from_earlier_year(forms: Sequence[Located], earlier: Sequence[Archived], ctx: Ctx) -> Iterator[Finding]:
    by_project: dict[str, list[Archived]] = defaultdict(list)
    for e in earlier:
        by_project[describe(e.form).project].append(e)
    for at in forms:
        form = at.form
        keys = describe(form)
        if form.year is None or not keys.project:
            continue
        olds = [
            e
            for e in by_project.get(keys.project, [])
            if e.form.year is not None
            and e.form.year < form.year
            and e.form.kind == form.kind
            and (not keys.unit or not describe(e.form).unit or describe(e.form).unit == keys.unit)
        ]
        olds.sort(key=lambda e: (-(e.form.year or 0), e.id))  # the most recent year first
        aspects = (
            ("实际完成情况", "goal.actual", lambda f: f.goal.actual),
            ("年度目标", "goal.expected", lambda f: f.goal.expected),
        )
        for what, field, text_of in aspects:
            for e in olds:
                how = _same_text(text_of(form), text_of(e.form))
                if how:
                    yield _flag(ctx, at, e, what, how, field_lines(form, field), text_of(e.form), field)
                    break
        mine = _indicator_set(form)
        if len(mine) >= MIN_INDICATORS:
            for e in olds:
                if _indicator_set(e.form) == mine:
                    rows = sorted({n for i in form.indicators for n in [i.line] if n})
                    listed = "、".join(i.name for i in e.form.indicators[:4])
                    yield _flag(ctx, at, e, f"整套 {len(mine)} 项指标", "相同（指标名称与指标值）", rows, listed)
                    break


def _flag(
    ctx: Ctx,
    at: Located,
    e: Archived,
    what: str,
    how: str,
    lines: list[int],
    text: str | None,
    field: str | None = None,
) -> Finding:
    return ctx.flag(
        at=at,
        lines=lines or [at.form.first_line],
        evidence=[f"{e.form.year}年｜{_where(e.source, e.form, field)}｜{snippet(text, 80)}"],
        related=[f"{e.form.project_name or ''}（{e.form.year}年，{_where(e.source, e.form)}）"],
        what=what,
        year=e.form.year,
        kind=KIND_WORD.get(e.form.kind, ""),
        where=_where(e.source, e.form, field),
        how=how,
    )


# --------------------------------------------------------------------------- summary-form across documents

SUMMARY = CheckSpec(
    "summary-form",
    "warning",
    "金额 {amount} 元 = {parts}：疑为{unit} {year} 年 {n} 张{kind}的汇总，被当作一个项目填报（{where}）",
    "表单金额等于库中同一单位、同一年度、同类的其他文档中 2 张及以上表单的金额之和（全部，或某一文档的全部）",
    "corpus",
    lambda *a: [],
)


def summary_across_documents(
    forms: Sequence[Located], stored: Sequence[Archived], ctx: Ctx, current: set[str]
) -> Iterator[Finding]:
    pool: list[tuple[str, Form]] = [(at.source, at.form) for at in forms]
    pool += [(e.source, e.form) for e in stored if PurePath(e.source).name not in current]
    groups: dict[tuple[str, int | None, str], list[tuple[str, Form]]] = defaultdict(list)
    for source, form in pool:
        keys = describe(form)
        if keys.unit and keys.amount and form.complete:
            groups[(keys.unit, form.year, form.kind)].append((source, form))
    tol = ctx.cfg.funds_tolerance
    for at in forms:
        form, keys = at.form, describe(at.form)
        if not (keys.unit and keys.amount and form.complete):
            continue
        # a 汇总 is often filed under one of its parts' names: only the form itself is left out
        others = [(s, f) for s, f in groups.get((keys.unit, form.year, form.kind), []) if f is not form]
        by_source: dict[str, list[tuple[str, Form]]] = defaultdict(list)
        for s, f in others:
            by_source[s].append((s, f))
        candidates = [others, *(v for s, v in by_source.items() if s != at.source)]
        for parts in candidates:
            if len(parts) < 2 or all(s == at.source for s, _ in parts):
                continue
            total = sum(describe(f).amount or 0 for _, f in parts)
            if abs(total - keys.amount) > tol:
                continue
            yield ctx.flag(
                at=at,
                lines=[form.first_line],
                evidence=[f"{_where(s, f)}｜{f.project_name}：{money(describe(f).amount)} 元" for s, f in parts],
                related=[f"{f.project_name}（{_where(s, f)}）" for s, f in parts],
                amount=money(keys.amount),
                parts=" + ".join(money(describe(f).amount) for _, f in parts),
                unit=form.implementing_unit or form.department or "",
                year=form.year,
                n=len(parts),
                kind=KIND_WORD.get(form.kind, "表"),
                where="、".join(sorted({PurePath(s).name for s, _ in parts})),
            )
            break


# --------------------------------------------------------------------------- running them


def check_with_store(
    docs: Sequence[Document], store: DecisionStore, config: CheckConfig | None = None, *, keep: bool = True
) -> list[Finding]:
    """The store checks of ``docs`` against the forms the store keeps; then (``keep``) the
    forms of ``docs`` are kept too, for next year's checks."""
    cfg = config or CheckConfig()
    forms = [at for at in locate(docs) if not at.form.failed]
    archive = FormArchive(store, describe)
    found: list[Finding] = []
    if cfg.enabled(REUSED.id):
        earlier = archive.of_project({describe(at.form).project for at in forms} - {""})
        found += reused_from_earlier_year(forms, earlier, Ctx(REUSED, cfg))
    if cfg.enabled(SUMMARY.id):
        stored = archive.of_units({(describe(at.form).unit, at.form.year) for at in forms})
        current = {PurePath(d.source).name for d in docs}
        found += summary_across_documents(forms, stored, Ctx(SUMMARY, cfg), current)
    if keep:
        archive.add(docs)
    return sort_findings(found)
