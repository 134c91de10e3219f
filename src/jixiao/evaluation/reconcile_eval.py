"""Reconciliation against labelled pairs: project-pair and indicator-pair F1, status accuracy.

Project pairs are (declared name, evaluated name); indicator pairs, inside a project pair,
are (declared indicator, evaluated indicator) with null for the missing side of a dropped
or added one, so a correct ``dropped`` counts like a correct match. Status accuracy is over
the indicator pairs both sides agree on. Names compare whitespace-insensitively; a name
printed twice is counted twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models import Form
from .metrics import PRF, Acc, Error, norm

Pair = tuple[str, str]


def load_reconciler() -> tuple[Callable[[Sequence[Form], Sequence[Form]], Any] | None, str | None]:
    try:
        from ..reconcile import reconcile
    except ImportError:
        try:
            from ..reconcile.reconciler import reconcile
        except ImportError as e:
            return None, f"核对模块不可用，跳过核对评估 (jixiao.reconcile.reconcile: {e})"
    return reconcile, None


def as_dict(result: Any) -> dict[str, Any]:
    if hasattr(result, "model_dump"):
        return result.model_dump(mode="json")
    return dict(result)


@dataclass
class ReconcileScore:
    projects: PRF = field(default_factory=PRF)
    indicators: PRF = field(default_factory=PRF)
    status: Acc = field(default_factory=Acc)
    unmatched: PRF = field(default_factory=PRF)
    per_status: dict[str, Acc] = field(default_factory=dict)
    errors: list[Error] = field(default_factory=list)

    def add(self, other: ReconcileScore) -> None:
        self.projects.add(other.projects)
        self.indicators.add(other.indicators)
        self.status.add(other.status)
        self.unmatched.add(other.unmatched)
        for k, a in other.per_status.items():
            self.per_status.setdefault(k, Acc()).add(a)
        self.errors.extend(other.errors)

    def summary(self) -> dict[str, float]:
        out = {
            "reconcile.projects.precision": self.projects.precision,
            "reconcile.projects.recall": self.projects.recall,
            "reconcile.projects.f1": self.projects.f1,
            "reconcile.indicators.precision": self.indicators.precision,
            "reconcile.indicators.recall": self.indicators.recall,
            "reconcile.indicators.f1": self.indicators.f1,
            "reconcile.status.accuracy": self.status.rate,
            "reconcile.unmatched.f1": self.unmatched.f1,
        }
        return {k: round(v, 4) for k, v in out.items()}


def _pair(d: Any, e: Any) -> Pair:
    return norm(d), norm(e)


def _projects(data: dict[str, Any]) -> dict[Pair, list[dict[str, Any]]]:
    out: dict[Pair, list[dict[str, Any]]] = {}
    for p in data.get("projects", []):
        if p.get("declared") and p.get("evaluated"):
            out.setdefault(_pair(p["declared"], p["evaluated"]), []).append(p)
    return out


def _prf(gold: Counter[Any], got: Counter[Any]) -> PRF:
    tp = sum((gold & got).values())
    return PRF(tp, sum(got.values()) - tp, sum(gold.values()) - tp)


def score_reconcile(gold: dict[str, Any], got: dict[str, Any], source: str = "") -> ReconcileScore:
    sc = ReconcileScore()
    gp, pp = _projects(gold), _projects(got)
    gc = Counter({k: len(v) for k, v in gp.items()})
    pc = Counter({k: len(v) for k, v in pp.items()})
    sc.projects = _prf(gc, pc)
    for k in gc - pc:
        sc.errors.append(Error(3, "project pair missed", f"{k[0]} ↔ {k[1]}", 0, "paired", "∅", source))
    for k in pc - gc:
        sc.errors.append(Error(3, "project pair not in gold", f"{k[0]} ↔ {k[1]}", 0, "∅", "paired", source))
    unmatched_g = Counter(
        [("declared", norm(x)) for x in gold.get("unmatched_declared", [])]
        + [("evaluated", norm(x)) for x in gold.get("unmatched_evaluated", [])]
    )
    unmatched_p = Counter(
        [("declared", norm(x)) for x in got.get("unmatched_declared", [])]
        + [("evaluated", norm(x)) for x in got.get("unmatched_evaluated", [])]
    )
    sc.unmatched = _prf(unmatched_g, unmatched_p)
    for k in set(gp) | set(pp):
        g_inds = [i for p in gp.get(k, []) for i in p.get("indicators", [])]
        p_inds = [i for p in pp.get(k, []) for i in p.get("indicators", [])]
        g_map: dict[Pair, list[str]] = {}
        p_map: dict[Pair, list[str]] = {}
        for i in g_inds:
            g_map.setdefault(_pair(i.get("declared"), i.get("evaluated")), []).append(str(i.get("status")))
        for i in p_inds:
            p_map.setdefault(_pair(i.get("declared"), i.get("evaluated")), []).append(str(i.get("status")))
        g_cnt = Counter({x: len(v) for x, v in g_map.items()})
        p_cnt = Counter({x: len(v) for x, v in p_map.items()})
        sc.indicators.add(_prf(g_cnt, p_cnt))
        label = f"{k[0]} ↔ {k[1]}"
        for x in g_cnt - p_cnt:
            if k in pp:
                sc.errors.append(
                    Error(2, "indicator pair missed", label, 0, f"{x[0] or '∅'} ↔ {x[1] or '∅'}", "∅", source)
                )
        for x in p_cnt - g_cnt:
            if k in gp:
                sc.errors.append(
                    Error(2, "indicator pair not in gold", label, 0, "∅", f"{x[0] or '∅'} ↔ {x[1] or '∅'}", source)
                )
        for x in set(g_map) & set(p_map):
            for gs, ps in zip(g_map[x], p_map[x]):
                ok = gs == ps
                sc.status.hit(ok)
                sc.per_status.setdefault(gs, Acc()).hit(ok)
                if not ok:
                    sc.errors.append(Error(1, f"status of {x[0] or x[1]}", label, 0, gs, ps, source))
    return sc
