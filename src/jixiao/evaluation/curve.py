"""The noise curve: extraction quality on generated clean forms as noise grows.

The clean text is ``render_text(generate_forms(n, seed))`` (no layout traps: the curve
isolates the damage ``noise`` does); each level's noisy bytes go through the intake like a
user's file. Scored on forms and rows paired by name, so the inserted lines do not count.

``layout_scores`` prints the same forms in every layout class of ``layouts_render`` (spaces,
ocr, html, …) and scores each class's extraction the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import JixiaoError
from ..intake import from_bytes
from ..progress import progress
from .generate import generate_forms, render_text
from .harness import BASELINE, extractor
from .layouts_render import LAYOUT_CLASSES, render_documents
from .metrics import Acc, ExtractionScore, pair_forms, score_forms
from .noise import KINDS, noisy_bytes
from .templates_render import TEMPLATE_IDS, template_forms

LEVELS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)
CURVE_METRICS = ("forms.recall", "indicators.f1", "indicators.f1_fuzzy", "target.accuracy", "level2.accuracy")
LAYOUT_METRICS = (
    "forms.recall",
    "indicators.f1",
    "indicators.f1_fuzzy",
    "header.accuracy",
    "funds.accuracy",
    "target.accuracy",
    "row_line.accuracy",
)
LAYOUT_NOISE = 0.3
TEMPLATE_METRICS = ("forms.recall", "indicators.f1", "funds.accuracy", "totals.accuracy", "template.accuracy")
TEMPLATE_FORMS = 30  # forms per template x layout class


@dataclass
class CurvePoint:
    level: float
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # engine -> metric -> value
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class CurveResult:
    engines: list[str]
    n_forms: int
    seed: int
    threshold: float
    points: list[CurvePoint]
    kind_level: float
    by_kind: dict[str, dict[str, float]]  # noise kind -> engine -> indicators.f1
    by_layout: dict[str, dict[str, float]] = field(default_factory=dict)  # see layout_scores
    layout_noise: float = LAYOUT_NOISE
    by_template: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # see template_scores
    template_forms: int = TEMPLATE_FORMS

    def breaks_at(self, engine: str, metric: str = "indicators.f1") -> float | None:
        """The first measured level whose metric falls below the threshold."""
        for p in self.points:
            v = p.metrics.get(engine, {}).get(metric)
            if v is not None and v < self.threshold:
                return p.level
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "n_forms": self.n_forms,
            "seed": self.seed,
            "threshold": self.threshold,
            "points": [{"level": p.level, "metrics": p.metrics, "seconds": p.seconds} for p in self.points],
            "breaks_at": {e: self.breaks_at(e) for e in self.engines},
            "by_kind": {"level": self.kind_level, "indicators.f1": self.by_kind},
            "by_layout": self.by_layout,
            "layout_noise": self.layout_noise,
            "by_template": self.by_template,
            "template_forms": self.template_forms,
        }


def _score(engine: str, data: bytes, gold: list[Any]) -> tuple[dict[str, float], float]:
    fn = extractor(engine)
    t0 = time.perf_counter()
    try:
        forms = fn(from_bytes(data, "<noisy>")).forms
    except JixiaoError:
        forms = []
    dt = time.perf_counter() - t0
    summary = score_forms(gold, forms).summary()
    return {k: summary[k] for k in CURVE_METRICS}, dt


def noise_curve(
    engines: Sequence[str] = ("rules", BASELINE),
    levels: Sequence[float] = LEVELS,
    n_forms: int = 200,
    seed: int = 0,
    threshold: float = 0.9,
    kind_level: float = 1.0,
    by_kind: bool = True,
    layouts: Sequence[str] = LAYOUT_CLASSES,
    layout_noise: float = LAYOUT_NOISE,
    templates: Sequence[str] = TEMPLATE_IDS,
    n_template_forms: int = TEMPLATE_FORMS,
) -> CurveResult:
    steps = len(engines) * (
        len(levels) + (len(KINDS) if by_kind else 0) + len(layouts) + len(templates) * len(layouts or LAYOUT_CLASSES)
    )
    with progress("加噪评估", total=steps) as bar:
        text, gold = render_text(generate_forms(n_forms, seed))
        points: list[CurvePoint] = []
        for n, level in enumerate(levels):
            data = noisy_bytes(text, level, seed + n)
            p = CurvePoint(level)
            for eng in engines:
                p.metrics[eng], p.seconds[eng] = _score(eng, data, gold)
                bar.advance()
            points.append(p)
        kinds: dict[str, dict[str, float]] = {}
        if by_kind:
            for n, kind in enumerate(KINDS):
                data = noisy_bytes(text, kind_level, seed + 100 + n, kinds=[kind])
                kinds[kind] = {}
                for eng in engines:
                    kinds[kind][eng] = _score(eng, data, gold)[0]["indicators.f1"]
                    bar.advance()
        by_layout = layout_scores(engines, n_forms, seed, layout_noise, layouts, on_step=bar.advance) if layouts else {}
        by_template = (
            template_scores(
                engines, n_template_forms, seed, layout_noise, templates, layouts or LAYOUT_CLASSES, on_step=bar.advance
            )
            if templates
            else {}
        )
    return CurveResult(
        list(engines), n_forms, seed, threshold, points, kind_level, kinds, by_layout, layout_noise, by_template,
        n_template_forms,
    )  # fmt: skip


def layout_scores(
    engine_names: Sequence[str],
    n_forms: int = 200,
    seed: int = 0,
    noise: float = LAYOUT_NOISE,
    layouts: Sequence[str] = LAYOUT_CLASSES,
    on_step: Callable[[], object] | None = None,
) -> dict[str, dict[str, float]]:
    """Layout class -> metric -> value, for ``n_forms`` generated forms printed in each class
    (``render_documents``, class quirks at ``noise``) and read through the intake and the engine.

    The first engine's metrics are keyed by their names (``indicators.f1``, …, ``seconds``), any
    further engine's (the baseline) as ``engine:name``; an accuracy with nothing to score (no
    form paired) is left out. Engine errors are not caught.
    """
    unknown = [x for x in layouts if x not in LAYOUT_CLASSES]
    if unknown:
        raise ValueError(f"unknown layout classes {unknown}; known: {', '.join(LAYOUT_CLASSES)}")
    forms = generate_forms(n_forms, seed)
    out: dict[str, dict[str, float]] = {}
    for layout in layouts:
        docs = render_documents(forms, layout, seed=seed, noise=noise)
        row: dict[str, float] = {}
        for k, eng in enumerate(engine_names):
            fn = extractor(eng)
            total = ExtractionScore()
            t0 = time.perf_counter()
            for i, (text, gold) in enumerate(docs):
                doc = fn(from_bytes(text.encode("utf-8"), f"{layout}-{i}.txt"))
                total.add(score_forms(gold, doc.forms))
            summary = total.summary()
            key = "" if k == 0 else f"{eng}:"
            # an accuracy over nothing (no form paired) is left out rather than shown as 100%
            empty = {f"{a}.accuracy" for a, acc in total.acc.items() if not acc.total}
            row.update({key + m: summary[m] for m in LAYOUT_METRICS if m not in empty})
            row[key + "seconds"] = round(time.perf_counter() - t0, 3)
            if on_step:
                on_step()
        out[layout] = row
    return out


def template_scores(
    engine_names: Sequence[str],
    n_forms: int = TEMPLATE_FORMS,
    seed: int = 0,
    noise: float = LAYOUT_NOISE,
    templates: Sequence[str] = TEMPLATE_IDS,
    layouts: Sequence[str] = LAYOUT_CLASSES,
    on_step: Callable[[], object] | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """Template -> layout class -> metric -> value: ``n_forms`` generated forms of the kind the
    template prints (``templates_render``), printed in it and then in each class, read through the
    intake and the engine. Metrics as ``layout_scores`` (first engine plain, others ``engine:``),
    ``totals.accuracy`` (总分, 评分等级) only where the template prints totals, and
    ``template.accuracy``: the share of gold forms read as a form of that template.
    """
    unknown = [x for x in templates if x not in TEMPLATE_IDS] + [x for x in layouts if x not in LAYOUT_CLASSES]
    if unknown:
        raise ValueError(f"unknown templates or layout classes {unknown}; templates: {', '.join(TEMPLATE_IDS)}")
    out: dict[str, dict[str, dict[str, float]]] = {}
    for template in templates:
        forms = template_forms(template, n_forms, seed)
        out[template] = {}
        for layout in layouts:
            docs = render_documents(forms, layout, seed=seed, noise=noise, template=template)
            row: dict[str, float] = {}
            for k, eng in enumerate(engine_names):
                fn = extractor(eng)
                total, recognised = ExtractionScore(), Acc()
                t0 = time.perf_counter()
                for i, (text, gold) in enumerate(docs):
                    pred = fn(from_bytes(text.encode("utf-8"), f"{template}-{layout}-{i}.txt")).forms
                    total.add(score_forms(gold, pred))
                    paired = dict(pair_forms(gold, pred))
                    for gi, g in enumerate(gold):
                        recognised.hit(gi in paired and pred[paired[gi]].template == g.template)
                summary = {**total.summary(), "template.accuracy": round(recognised.rate, 4)}
                empty = {f"{a}.accuracy" for a, acc in total.acc.items() if not acc.total}
                key = "" if k == 0 else f"{eng}:"
                row.update({key + m: summary[m] for m in TEMPLATE_METRICS if m not in empty})
                row[key + "seconds"] = round(time.perf_counter() - t0, 3)
                if on_step:
                    on_step()
            out[template][layout] = row
    return out
