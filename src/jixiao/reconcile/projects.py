"""Project matching: which self-evaluation reports on which declaration.

Record linkage in three steps, as a linkage tool does it:

1. *Blocking* — candidate pairs come from indexed keys: each form's few nearest names
   (character bigrams) within its implementing unit and anywhere (a renamed unit, a unit
   left blank, and the near misses a reviewer wants explained), and the forms of its unit
   with the same amount. Never every pair of a unit: a unit filing thousands of forms would
   grow with n². Inputs small enough (``Settings.exhaustive_pairs``) are scored
   exhaustively all the same.
2. *Scoring* — features in [0, 1] (name, department, unit, year, amount, shared
   indicators; the name and indicators also without their leading qualifiers, see
   qualifiers.py) combined as a weighted mean of the known ones; a different unit or year
   then scales the score down, because such a pair is another project's whatever the
   name says. Each feature is kept as a reason ("name 0.86", "unit ≠").
3. *Assignment* — a one-to-one maximum-weight matching over the pairs above the
   threshold (see assignment.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from ..models import Form
from .normalize import indicator_key, name_similarity, ordinals, org_key, project_key, same_org_key
from .qualifiers import branching_pieces, leading_pieces
from .settings import DEFAULT, Settings


@dataclass(slots=True)
class FormView:
    """What matching needs of one form, computed once."""

    index: int
    form: Form
    name_key: str
    unit_key: str
    department_key: str
    amounts: tuple[float, ...]  # declared: (request,); evaluated: (initial, annual)
    indicator_keys: list[str]
    ordinals: frozenset[str]  # 第3批, 二期 … in the name
    # the leading qualifiers of the name, in order (老城区, 退役军人: see qualifiers.py)
    qualifiers: tuple[str, ...] = ()

    @property
    def name(self) -> str | None:
        return self.form.project_name

    @property
    def qualifier(self) -> str:
        return "".join(self.qualifiers)

    @property
    def core(self) -> str:
        """The name key without its leading qualifiers: what the name is about."""
        return self.name_key[len(self.qualifier) :]


def view(index: int, form: Form) -> FormView:
    f = form.funds
    if form.kind == "target_declaration":
        raw: tuple[float | None, ...] = (f.requested_total if f.requested_total is not None else f.fiscal,)
    else:
        raw = (f.initial_budget, f.annual_budget) if f.initial_budget or f.annual_budget else (f.fiscal,)
    amounts = tuple(a for a in raw if a)
    # a form kept by the streaming check answers its names without building indicator models
    names = getattr(form, "indicator_names", None) or [i.name for i in form.indicators]
    keys = [indicator_key(name) for name in names]
    name_key = project_key(form.project_name)
    return FormView(
        index,
        form,
        name_key,
        org_key(form.implementing_unit),
        org_key(form.department),
        amounts,
        keys,
        ordinals(name_key),
    )


def learn_qualifiers(views: Sequence[FormView], settings: Settings = DEFAULT) -> None:
    """Give each view its qualifier, learnt from all the names, both sides at once."""
    pieces = branching_pieces((v.name_key for v in views), settings.qualifier_successors)
    if not pieces:
        return
    found: dict[str, tuple[str, ...]] = {}
    for v in views:
        q = found.get(v.name_key)
        if q is None:
            q = found[v.name_key] = leading_pieces(v.name_key, pieces)
        v.qualifiers = q


@dataclass(slots=True)
class Features:
    name: float
    department: bool | None
    unit: bool | None
    year: bool | None
    amount: float | None
    indicators: float | None
    shared: int
    of: int
    score: float
    # the qualifiers that both names begin with, when what follows them decided the name
    qualifier: str = ""

    def reasons(self) -> list[str]:
        def eq(flag: bool | None) -> str:
            return "?" if flag is None else ("=" if flag else "≠")

        out = [
            f"name {self.name:.2f}",
            f"department {eq(self.department)}",
            f"unit {eq(self.unit)}",
            f"year {eq(self.year)}",
        ]
        out.append("amount ?" if self.amount is None else f"amount {self.amount:.2f}")
        out.append(
            "indicators ?" if self.indicators is None else f"indicators {self.indicators:.2f} ({self.shared}/{self.of})"
        )
        return out

    def against(self) -> list[str]:
        """The features that speak against the pair, in reviewer words."""
        out = []
        if self.unit is False:
            out.append("实施单位不同")
        if self.year is False:
            out.append("年度不同")
        if self.department is False:
            out.append("主管部门不同")
        if self.name < 0.5:
            out.append(f"项目名称差异大（相似度 {self.name:.2f}）")
            if self.qualifier:
                out.append(f"名称只在许多项目共有的“{self.qualifier}”上相同")
        if self.amount is not None and self.amount < 0.7:
            out.append(f"金额相差 {1 - self.amount:.0%}")
        if self.indicators is not None and self.indicators < 0.3:
            out.append(f"指标几乎无重合（{self.shared}/{self.of}）")
        return out

    def support(self) -> list[str]:
        out = [f"名称相似度 {self.name:.2f}"]
        if self.unit:
            out.append("同一实施单位")
        if self.year:
            out.append("同一年度")
        if self.amount is not None and self.amount >= 0.9:
            out.append("金额接近")
        if self.indicators is not None and self.of:
            out.append(f"{self.of} 个指标中 {self.shared} 个相同")
        return out


def _closeness(a: float, b: float) -> float:
    return min(a, b) / max(a, b) if a > 0 and b > 0 else 0.0


def _indicator_overlap(d: FormView, e: FormView, settings: Settings) -> tuple[float | None, int, int]:
    """Share of the smaller indicator set found again in the other (names ≥ similarity cut).

    The qualifiers both names have are taken out of the indicator names first: the
    indicators of 老城区退役军人水质监测 and 老城区退役军人空气监测 then differ in their
    subject, not in a few characters of long names. (A qualifier of one name only may be
    what tells the projects apart: 法律援助宣传推广 / 农田水利宣传推广.)"""
    dk, ek = d.indicator_keys, e.indicator_keys
    if not dk or not ek:
        return None, 0, 0
    both = [q for q in d.qualifiers if q in e.qualifiers]
    if both:
        dk, ek = _without(dk, both), _without(ek, both)
    small, big = (dk, ek) if len(dk) <= len(ek) else (ek, dk)
    shared = 0
    exact = set(big)  # per pair, not per form: a few candidates each
    for k in small:
        if k in exact or process.extractOne(
            k,
            big,
            scorer=Indel.normalized_similarity,
            score_cutoff=settings.indicator_overlap_similarity,
        ):
            shared += 1
    n = len(small)
    return shared / n, shared, n


def _without(keys: list[str], words: list[str]) -> list[str]:
    out = []
    for k in keys:
        for w in words:
            rest = k.replace(w, "", 1)
            if len(rest) >= 2:
                k = rest
        out.append(k)
    return out


def _flag(x: object, y: object) -> bool | None:
    if x is None or y is None:
        return None
    return x == y


def features(d: FormView, e: FormView, settings: Settings = DEFAULT) -> Features:
    df, ef = d.form, e.form
    name = name_similarity(d.name_key, e.name_key)
    common = ""
    if d.qualifier or e.qualifier:
        # qualifiers (an area, a group) say little: what follows them must agree as well
        rest = name_similarity(d.core, e.core)
        if rest < name:
            name = rest
            shared = 0
            while shared < min(len(d.qualifiers), len(e.qualifiers)) and d.qualifiers[shared] == e.qualifiers[shared]:
                shared += 1
            common = "".join(d.qualifiers[:shared])
    department = same_org_key(d.department_key, e.department_key)
    unit = same_org_key(d.unit_key, e.unit_key)
    year = _flag(df.year, ef.year)
    amount = max((_closeness(a, b) for a in d.amounts for b in e.amounts), default=None)
    overlap, shared, of = _indicator_overlap(d, e, settings)
    w = settings.project_weights
    parts: list[tuple[float, float]] = [(w["name"], name)]
    for feat, value in (("department", department), ("unit", unit), ("year", year)):
        if value is not None:
            parts.append((w[feat], 1.0 if value else 0.0))
    if amount is not None:
        parts.append((w["amount"], amount))
    if overlap is not None:
        parts.append((w["indicators"], overlap))
    total = sum(wt for wt, _ in parts)
    score = sum(wt * v for wt, v in parts) / total if total else 0.0
    if unit is False:
        score *= settings.unit_mismatch_factor
    if year is False:
        score *= settings.year_mismatch_factor
    if overlap == 0 and of >= 3 and name < settings.no_shared_indicator_name:
        score *= settings.no_shared_indicator_factor
    if d.ordinals and e.ordinals and d.ordinals != e.ordinals:
        score *= settings.ordinal_mismatch_factor
    return Features(name, department, unit, year, amount, overlap, shared, of, score, common)


def candidate_pairs(
    declared: Sequence[FormView], evaluated: Sequence[FormView], settings: Settings = DEFAULT
) -> set[tuple[int, int]]:
    """Blocking: candidates come from indexed keys, never from every pair of a unit.

    Each form's ``name_neighbours`` nearest names on the other side within its own unit and
    anywhere (character-bigram index, then rapidfuzz), and the other side's forms of its
    unit with the same amount (a renamed project whose money did not move). The cost is
    linear in the forms, however many one unit files.

    Small inputs (the usual: one bureau's forms) are scored exhaustively, so every unpaired
    form can be shown its nearest miss.
    """
    if len(declared) * len(evaluated) <= settings.exhaustive_pairs:
        return {(i, j) for i in range(len(declared)) for j in range(len(evaluated))}
    pairs: set[tuple[int, int]] = set()
    k = settings.name_neighbours
    if k > 0:
        for by_unit in (False, True):
            pairs.update(_name_neighbours(declared, evaluated, k, by_unit))
            pairs.update((i, j) for j, i in _name_neighbours(evaluated, declared, k, by_unit))
    pairs.update(_same_amount(declared, evaluated, max(k, 1)))
    return pairs


def _same_amount(declared: Sequence[FormView], evaluated: Sequence[FormView], k: int) -> set[tuple[int, int]]:
    """Pairs of one unit whose amounts agree to the yuan (at most k per declared form)."""
    index: dict[tuple[str, int], list[int]] = defaultdict(list)
    for j, e in enumerate(evaluated):
        if e.unit_key:
            for a in dict.fromkeys(round(x) for x in e.amounts):
                index[(e.unit_key, a)].append(j)
    out: set[tuple[int, int]] = set()
    for i, d in enumerate(declared):
        if d.unit_key:
            for a in d.amounts:
                out.update((i, j) for j in index.get((d.unit_key, round(a)), ())[:k])
    return out


def _grams(k: str) -> list[str]:
    """Character bigrams, sorted: a fixed order keeps ties (and so the result) stable."""
    return sorted({k[i : i + 2] for i in range(len(k) - 1)} or {k})


def _name_neighbours(
    left: Sequence[FormView], right: Sequence[FormView], k: int, by_unit: bool = False
) -> set[tuple[int, int]]:
    """Top-k right forms per left form by name (``by_unit``: among the right forms of the
    left form's own unit).

    A character-bigram index shortlists the names sharing most bigrams with the query
    (bigrams in a large share of the names of a block carry no signal and are skipped),
    then rapidfuzz ranks the shortlist: the cost follows the shortlist, not the block.
    """
    # identical keys are looked up once: many units file a 业务培训
    positions: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, r in enumerate(right):
        if r.name_key and (r.unit_key or not by_unit):
            positions[(r.unit_key if by_unit else "", r.name_key)].append(j)
    choices = list(positions)
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    block_size: Counter[str] = Counter()
    for c, (block, name) in enumerate(choices):
        block_size[block] += 1
        for g in _grams(name):
            index[(block, g)].append(c)
    shortlist = max(50, 10 * k)
    out: set[tuple[int, int]] = set()
    cache: dict[tuple[str, str], list[int]] = {}
    for i, lv in enumerate(left):
        block = lv.unit_key if by_unit else ""
        if not lv.name_key or (by_unit and (not block or block not in block_size)):
            continue
        query = (block, lv.name_key)
        hits = cache.get(query)
        if hits is None:
            max_df = min(200, max(50, block_size[block] // 10))  # a bigram in more names carries little
            shared: Counter[int] = Counter()
            for g in _grams(lv.name_key):
                postings = index.get((block, g))
                if postings and len(postings) <= max_df:
                    shared.update(postings)
            near = [choices[c][1] for c, _ in shared.most_common(shortlist)]
            found = process.extract(lv.name_key, near, scorer=fuzz.ratio, limit=k, score_cutoff=40)
            # k forms in all, best names first (a common name must not bring in every unit)
            hits = cache[query] = [j for c, _, _ in found for j in positions[(block, c)]][:k]
        out.update((i, j) for j in hits)
    return out
