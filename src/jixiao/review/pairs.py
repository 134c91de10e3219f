"""The declared/evaluated pairs the side panel shows, from the reconciler's JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from ..errors import JixiaoError
from ..models import Document, Form
from ..report.evidence import FormRef


@dataclass
class Pair:
    """One declared project and its self-evaluation, with indicator statuses from the reconciler."""

    declared: FormRef | None
    evaluated: FormRef | None
    declared_name: str | None
    evaluated_name: str | None
    score: float | None
    indicators: list[dict[str, Any]] = field(default_factory=list)


PAIRS: TypeAdapter[list[Pair]]


def _as_dict(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


def reconcile_pairs(docs: Sequence[Document], warnings: list[str], result: Any = None) -> list[Pair]:
    """Pairs from ``jixiao.reconcile.reconcile`` (contract JSON shape plus the form indexes),
    or [] when the reconciler is not installed or only one kind is loaded. ``result``: a
    reconciliation of these documents already run (by the checks), used instead of a new one."""
    refs: dict[str, list[FormRef]] = {"target_declaration": [], "self_evaluation": []}
    for di, d in enumerate(docs):
        for fi, f in enumerate(d.forms):
            refs[f.kind].append(FormRef(di, fi))
    declared, evaluated = refs["target_declaration"], refs["self_evaluation"]
    if not declared or not evaluated:
        return []
    try:
        from ..reconcile import load_settings, reconcile
    except ImportError:
        return []

    def form(r: FormRef) -> Form:
        return docs[r.doc].forms[r.form]

    try:
        if result is None:
            result = reconcile([form(r) for r in declared], [form(r) for r in evaluated], load_settings())
        result = _as_dict(result)
    except JixiaoError as e:
        warnings.append(f"申报与自评核对失败：{e}")
        return []
    pairs: list[Pair] = []
    for p in result.get("projects", []) if isinstance(result, dict) else []:
        p = _as_dict(p)
        di, ei = p.get("declared_index"), p.get("evaluated_index")
        pairs.append(
            Pair(
                declared=declared[di] if isinstance(di, int) and 0 <= di < len(declared) else None,
                evaluated=evaluated[ei] if isinstance(ei, int) and 0 <= ei < len(evaluated) else None,
                declared_name=p.get("declared"),
                evaluated_name=p.get("evaluated"),
                score=p.get("score"),
                indicators=[_as_dict(i) for i in p.get("indicators", [])],
            )
        )
    return pairs


PAIRS = TypeAdapter(list[Pair])  # the run cache keeps the pairs as JSON
