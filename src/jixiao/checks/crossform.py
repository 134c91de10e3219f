"""Checks across projects: goals and indicator sets reused by other projects (and the
helpers ``names`` and ``duplicates`` share).

The cross-form checks run over every form of every document of one run and scale by
blocking: identical texts by hashing, near-identical ones by q-gram prefix filtering or
MinHash LSH (``similarity``), shared indicators by an inverted index, names by exact lookup
(``names``), same projects by a key (``duplicates``). No all-pairs loop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models import Finding, Form, Indicator
from .goals import goal_label
from .records import goal_expected, indicator_names
from .registry import Ctx, Located, corpus_check
from .similarity import clusters
from .text import field_evidence, field_lines, name_key, norm, pct, row_lines, value_short

MAX_RELATED = 20  # a finding names at most this many other projects (the message says how many)


def project_key(form: Form) -> str:
    return name_key(form.project_name)


def related_text(names: list[str]) -> str:
    shown = "」「".join(names[:5])
    more = f" 等 {len(names)} 个项目" if len(names) > 5 else ""
    return f"「{shown}」{more}"


@dataclass
class _Hit:
    """What one project collects from the clusters or pairs it is part of."""

    at: Located
    lines: list[int] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    related: dict[str, None] = field(default_factory=dict)
    score: float = 100.0  # lowest similarity seen (goals)
    shared: tuple[int, int] = (0, 1)  # most indicators shared, of how many (indicator sets)


def _group_key(at: Located) -> tuple[str, str, str]:
    return (at.source, at.form.kind, project_key(at.form))


# ---------------------------------------------------------------------------------------
# goal texts reused


def goal_entries(forms: Sequence[Located], min_chars: int) -> list[tuple[Located, str, str]]:
    """(form, field, normalised text) for every goal text worth comparing: the annual goal
    only, since 项目总目标 of multi-year projects is often a shared template."""
    out: list[tuple[Located, str, str]] = []
    for at in forms:
        text = norm(goal_expected(at.form))
        if len(text) >= min_chars and project_key(at.form):
            out.append((at, "goal.expected", text))
    return out


def goal_reuse_clusters(
    texts: Sequence[str], projects: Sequence[str], *, cutoff: float = 90.0, min_chars: int = 20
) -> list[tuple[list[int], float]]:
    """Groups of goal texts (indexes) that are ≥ cutoff similar and span ≥ 2 projects.

    The cross-project core of goal-reused-across-projects, callable on bare texts (benchmarks).
    """
    keep = [i for i, t in enumerate(texts) if len(norm(t)) >= min_chars]
    normed = [norm(texts[i]) for i in keep]
    out: list[tuple[list[int], float]] = []
    for members, score in clusters(normed, cutoff=cutoff):
        idx = [keep[m] for m in members]
        if len({name_key(projects[i]) for i in idx}) > 1:
            out.append((idx, score))
    return out


# Rule: one goal text (≥ goal_reuse_similarity % alike, ≥ goal_min_chars) stands in forms of different projects.
@corpus_check(
    "goal-reused-across-projects",
    "warning",
    "{label}与{others}的目标文字{how}（相似度 {similarity}）",
    rule="两个不同项目（同类表）的年度总体目标/预期目标去掉标点后相似度 ≥ goal_reuse_similarity（默认 90），且不短于 goal_min_chars",
)
def goal_reused_across_projects(forms: Sequence[Located], ctx: Ctx) -> Iterator[Finding]:
    entries = goal_entries(forms, ctx.cfg.goal_min_chars)
    hits: dict[tuple[str, str, str], _Hit] = {}
    for members, score in clusters([t for _, _, t in entries], cutoff=ctx.cfg.goal_reuse_similarity):
        # the same kind of form only, unless configured: a declaration and its self-evaluation share goals
        by_kind: dict[str, list[int]] = defaultdict(list)
        for m in members:
            by_kind["*" if ctx.cfg.cross_kind else entries[m][0].form.kind].append(m)
        for group in by_kind.values():
            names = {project_key(entries[m][0].form): entries[m][0].project for m in group}
            if len(names) < 2:
                continue  # one project in several forms: duplicate-form's business
            for m in group:
                at, fld, _ = entries[m]
                hit = hits.setdefault(_group_key(at), _Hit(at))
                hit.lines += field_lines(at.form, fld)
                hit.evidence.append(
                    field_evidence(at.form, fld, goal_label(at.form, fld), getattr(at.form.goal, fld.split(".")[1]))
                )
                hit.score = min(hit.score, score)
                for k, name in names.items():
                    if k != project_key(at.form):
                        hit.related[name] = None
    for hit in hits.values():
        related = list(hit.related)
        yield ctx.flag(
            at=hit.at,
            lines=hit.lines,
            evidence=list(dict.fromkeys(hit.evidence)),
            related=related[:MAX_RELATED],
            label=goal_label(hit.at.form, "goal.expected"),
            others=related_text(related),
            how="相同" if hit.score >= 100 else "几乎相同",
            similarity=pct(hit.score),
        )


# ---------------------------------------------------------------------------------------
# indicator sets reused


def indicator_keys(form: Form) -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for ind in form.indicators:
        k = name_key(ind.name)
        if k and k not in out:
            out[k] = ind
    return out


# Rule: two projects' forms share ≥ indicator_reuse_min_shared 三级指标 names, ≥ indicator_reuse_overlap of the
# smaller set; names used by more than indicator_generic_projects projects are boilerplate and not counted.
@corpus_check(
    "indicators-reused-across-projects",
    "warning",
    "绩效指标与{others}几乎相同：共有 {shared} 项三级指标（占指标较少一方的 {share}）",
    rule="不同项目的两张表共有 ≥ indicator_reuse_min_shared（3）项三级指标，且占较小一方的 ≥ indicator_reuse_overlap（70%）；"
    "超过 indicator_generic_projects 个项目都用的指标名视为通用，不计",
)
def indicators_reused_across_projects(forms: Sequence[Located], ctx: Ctx) -> Iterator[Finding]:
    cfg = ctx.cfg
    # one pass for the names' spread (how many projects use each), one for the candidates;
    # keys are hashed and only the postings are kept: the rows are looked up again for hits
    pkeys = [project_key(at.form) for at in forms]
    spread: dict[int, Any] = {}  # key -> its one project key, or the set of them
    for pk, at in zip(pkeys, forms):
        for k in _key_hashes(at.form):
            seen = spread.get(k)
            if seen is None:
                spread[k] = pk
            elif isinstance(seen, set):
                seen.add(pk)
            elif seen != pk:
                spread[k] = {seen, pk}
    generic = {
        k for k, ps in spread.items() if (len(ps) if isinstance(ps, set) else 1) > cfg.indicator_generic_projects
    }
    del spread
    sizes: list[int] = []
    postings: dict[int, list[int]] = defaultdict(list)
    hits: dict[tuple[str, str, str], _Hit] = {}
    for i, at in enumerate(forms):
        s = _key_hashes(at.form) - generic
        sizes.append(len(s))
        shared: dict[int, int] = defaultdict(int)
        for k in s:
            for j in postings[k]:
                shared[j] += 1
            postings[k].append(i)
        for j, n in shared.items():
            other = forms[j]
            if other.form.kind != at.form.kind and not cfg.cross_kind:
                continue
            if pkeys[j] == pkeys[i] or not pkeys[i]:
                continue
            small = min(len(s), sizes[j])
            if n < cfg.indicator_reuse_min_shared or n < cfg.indicator_reuse_overlap * small - 1e-9:
                continue
            common = s & _key_hashes(other.form)
            for me, you in ((at, other), (other, at)):
                mine = indicator_keys(me.form)
                hit = hits.setdefault(_group_key(me), _Hit(me))
                rows = [ind for k, ind in mine.items() if hash(k) in common]
                hit.lines += [ln for r in rows for ln in row_lines(r)]
                hit.evidence += [f"第{r.line}行｜{r.name} {value_short(r.target)}" for r in rows]
                hit.related[you.project] = None
                if n > hit.shared[0]:
                    hit.shared = (n, small)
    for hit in hits.values():
        related = list(hit.related)
        n, small = hit.shared
        yield ctx.flag(
            at=hit.at,
            lines=hit.lines,
            evidence=sorted(set(hit.evidence), key=_line_of),
            related=related[:MAX_RELATED],
            others=related_text(related),
            shared=n,
            share=f"{n}/{small}",
        )


def _key_hashes(form: Form) -> set[int]:
    """The form's indicator name keys, hashed (what ``indicator_keys`` keys, smaller)."""
    return {hash(k) for k in map(name_key, indicator_names(form)) if k}


def _line_of(evidence: str) -> int:
    digits = evidence[1 : evidence.find("行")] if evidence.startswith("第") else ""
    return int(digits) if digits.isdigit() else 0
