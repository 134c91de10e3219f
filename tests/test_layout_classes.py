"""The layout stage on generated forms printed in every layout class (with each class's quirks):
the issue's "done when" is indicator-row F1 >= 0.97 for every class, as `jixiao eval --noise`
reports it. Seeds of their own, so the assertion is not fitted to one draw."""

from __future__ import annotations

import pytest

from jixiao.evaluation.curve import layout_scores
from jixiao.evaluation.layouts_render import LAYOUT_CLASSES


@pytest.mark.parametrize("seed", [1, 7])
def test_every_layout_class_reads_at_097(seed: int) -> None:
    scores = layout_scores(["rules"], n_forms=40, seed=seed, noise=0.3)
    low = {c: round(m["indicators.f1"], 3) for c, m in scores.items() if m["indicators.f1"] < 0.97}
    assert set(scores) == set(LAYOUT_CLASSES)
    assert not low, low
    recall = {c: m["forms.recall"] for c, m in scores.items() if m["forms.recall"] < 1.0}
    assert not recall, recall


def test_funds_read_in_every_class() -> None:
    scores = layout_scores(["rules"], n_forms=40, seed=3, noise=0.3)
    low = {c: m.get("funds.accuracy") for c, m in scores.items() if m.get("funds.accuracy", 1.0) < 0.9}
    assert not low, low
