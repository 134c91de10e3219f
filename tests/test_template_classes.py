"""Every province template x layout class on generated forms (``template_scores``, as `jixiao eval
--noise` reports it): the issue's "done when" is indicator-row F1 >= 0.97, funds >= 0.95 and 总分 >= 0.95
for every combination. Two seeds of 30 forms per combination, so the assertion is not fitted to one draw.

Combinations that fail today are marked xfail(strict=True) with what fails: a fix turns one into an
XPASS, which fails the run until its mark is removed here.
"""

from __future__ import annotations

from typing import Any

import pytest

from jixiao.evaluation.curve import template_scores
from jixiao.evaluation.layouts_render import LAYOUT_CLASSES
from jixiao.evaluation.templates_render import TEMPLATE_IDS

SEEDS = (0, 5)
N_FORMS = 30
F1_FLOOR, FIELD_FLOOR = 0.97, 0.95

# (template, layout class) -> what fails today (measured with seeds 0 and 5, 30 forms each)
FAILING: dict[tuple[str, str], str] = {}  # none today; a combination that regresses fails the run


@pytest.fixture(scope="module")
def scores() -> list[dict[str, dict[str, dict[str, float]]]]:
    return [template_scores(["rules"], n_forms=N_FORMS, seed=s) for s in SEEDS]


def _params() -> list[Any]:
    out = []
    for t in TEMPLATE_IDS:
        for layout in LAYOUT_CLASSES:
            why = FAILING.get((t, layout))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            out.append(pytest.param(t, layout, marks=marks, id=f"{t}-{layout}"))
    return out


def test_failing_list_names_real_combinations() -> None:
    assert set(FAILING) <= {(t, c) for t in TEMPLATE_IDS for c in LAYOUT_CLASSES}


@pytest.mark.parametrize(("template", "layout"), _params())
def test_template_reads_in_class(scores: list[dict[str, Any]], template: str, layout: str) -> None:
    low = []
    for seed, per in zip(SEEDS, scores):
        m = per[template][layout]
        if m["indicators.f1"] < F1_FLOOR:
            low.append(f"seed {seed}: F1 {m['indicators.f1']:.3f}")
        for metric, label in (
            ("funds.accuracy", "funds"),
            ("totals.accuracy", "总分"),
            ("template.accuracy", "template"),
        ):
            if m.get(metric, 1.0) < FIELD_FLOOR:
                low.append(f"seed {seed}: {label} {m[metric]:.3f}")
        assert m["forms.recall"] > 0, (template, layout, seed)
    assert not low, low
