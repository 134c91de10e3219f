"""Indicator matching inside one project pair: which promised target became which result.

Each declared indicator is scored against each reported one: name similarity after the
measure word is dropped (人数 / 数量 / 次数, 率 / 比例 all go), raised when the 二级指标
agrees and the target is the same, lowered when the 一级指标 differs or the units cannot
measure the same thing (人 vs %). The one-to-one assignment then keeps the pairs that
together score most; what is left is dropped (declared only) or added (reported only).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Indicator
from .assignment import max_weight_matching
from .normalize import (
    effective_level1,
    indicator_key,
    same_target,
    show_value,
    target_changes,
    target_closeness,
    text_similarity,
    unit_compatibility,
)
from .result import IndicatorPair
from .settings import DEFAULT, Settings


def pair_score(
    d: Indicator, e: Indicator, dk: str, ek: str, settings: Settings = DEFAULT, name: float | None = None
) -> tuple[float, list[str]]:
    """Score of one declared / reported indicator pair in [0, 1], with the feature reasons.

    ``dk`` / ``ek`` are the indicator keys; ``name`` their similarity when already known.
    """
    if name is None:
        name = text_similarity(dk, ek)
    score = name
    reasons = [f"name {name:.2f}"]
    l1d, l1e = effective_level1(d.level1, d.level2), effective_level1(e.level1, e.level2)
    if d.level2 and e.level2 and d.level2 == e.level2:
        score += settings.level2_bonus
        reasons.append("level2 =")
    elif l1d and l1e and l1d != l1e:
        score -= settings.level1_penalty
        reasons.append("level1 ≠")
    elif l1d and l1e:
        reasons.append("level1 =")
    compat = unit_compatibility(d.target, e.target)
    if compat == 0.0:
        score -= settings.unit_penalty
        reasons.append("unit ≠")
    elif compat is not None:
        reasons.append("unit =" if compat == 1.0 else "unit ~")
    closeness = target_closeness(d.target, e.target)
    if closeness:
        score += settings.target_bonus * closeness
        reasons.append("target =" if closeness == 1.0 else "target ~")
    return max(0.0, min(1.0, score)), reasons


def match_indicators(
    declared: Sequence[Indicator], evaluated: Sequence[Indicator], settings: Settings = DEFAULT
) -> list[IndicatorPair]:
    """Pairs and statuses for the indicators of one declared and one evaluated form."""
    dkeys = [indicator_key(i.name) for i in declared]
    ekeys = [indicator_key(i.name) for i in evaluated]
    scored: dict[tuple[int, int], tuple[float, list[str]]] = {}
    # the other features add at most this much: names further apart cannot pair
    floor = settings.indicator_threshold - settings.level2_bonus - settings.target_bonus
    for a, d in enumerate(declared):
        for b, e in enumerate(evaluated):
            name = text_similarity(dkeys[a], ekeys[b])
            if name < floor:
                continue
            s, reasons = pair_score(d, e, dkeys[a], ekeys[b], settings, name)
            if s >= settings.indicator_threshold:
                scored[(a, b)] = (s, reasons)
    chosen = max_weight_matching({k: v[0] for k, v in scored.items()})
    partner_of = {a: b for a, b in chosen}
    taken = set(partner_of.values())
    out: list[IndicatorPair] = []
    for a, d in enumerate(declared):
        b = partner_of.get(a)
        if b is None:
            out.append(
                IndicatorPair(
                    declared=d.name,
                    evaluated=None,
                    score=None,
                    status="dropped",
                    level1=d.level1,
                    level2=d.level2,
                    declared_target=show_value(d.target),
                    declared_line=d.line,
                )
            )
            continue
        e = evaluated[b]
        s, reasons = scored[(a, b)]
        same = same_target(d.target, e.target)
        out.append(
            IndicatorPair(
                declared=d.name,
                evaluated=e.name,
                score=round(s, 2),
                status="matched" if same else "changed",
                level1=e.level1 or d.level1,
                level2=e.level2 or d.level2,
                declared_target=show_value(d.target),
                evaluated_target=show_value(e.target),
                actual=show_value(e.actual),
                changes=[] if same else target_changes(d.target, e.target),
                declared_line=d.line,
                evaluated_line=e.line,
                reasons=reasons,
            )
        )
    for b, e in enumerate(evaluated):
        if b not in taken:
            out.append(
                IndicatorPair(
                    declared=None,
                    evaluated=e.name,
                    score=None,
                    status="added",
                    level1=e.level1,
                    level2=e.level2,
                    evaluated_target=show_value(e.target),
                    actual=show_value(e.actual),
                    evaluated_line=e.line,
                )
            )
    return out
