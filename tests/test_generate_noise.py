"""The noise generator: deterministic, growing with the level, every kind doing something,
and never making the extractor throw."""

from __future__ import annotations

import pytest
from rapidfuzz.distance import Levenshtein

from jixiao.api import extract_source
from jixiao.evaluation.generate import generate_forms, render_text
from jixiao.evaluation.metrics import score_forms
from jixiao.evaluation.noise import KINDS, apply_noise, noisy_bytes
from jixiao.intake import from_bytes

TEXT, GOLD = render_text(generate_forms(60, seed=21))


SMALL, _ = render_text(generate_forms(12, seed=22))


def damage(noisy: str) -> float:
    return Levenshtein.normalized_distance(SMALL, noisy)


def test_level_zero_is_the_identity() -> None:
    assert apply_noise(TEXT, 0.0, seed=1) == TEXT


def test_deterministic_per_seed() -> None:
    assert apply_noise(TEXT, 0.5, seed=1) == apply_noise(TEXT, 0.5, seed=1)
    assert apply_noise(TEXT, 0.5, seed=1) != apply_noise(TEXT, 0.5, seed=2)


def test_damage_grows_with_the_level() -> None:
    d = [damage(apply_noise(SMALL, lv, seed=3)) for lv in (0.1, 0.5, 1.5)]
    assert 0 < d[0] < d[1] < d[2]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_changes_the_text(kind: str) -> None:
    noisy = apply_noise(TEXT, 1.0, seed=4, kinds=[kind])
    if kind == "gbk":  # every character of the generated forms exists in GBK: a lossless trip
        assert noisy == TEXT
        assert noisy.encode("gbk")
    else:
        assert noisy != TEXT


def test_bytes_come_in_the_encodings_users_have() -> None:
    seen = set()
    for seed in range(12):
        data = noisy_bytes(TEXT, 0.5, seed=seed)
        if data.startswith(b"\xef\xbb\xbf"):
            seen.add("bom")
        else:
            try:
                data.decode("utf-8")
                seen.add("utf-8")
            except UnicodeDecodeError:
                seen.add("gbk")
        assert from_bytes(data, "x").lines  # the intake reads every one
    assert seen >= {"gbk", "utf-8"}


def test_gbk_bytes_read_back_like_utf8() -> None:
    data = TEXT.encode("gbk")
    forms = extract_source(from_bytes(data, "gbk.txt")).forms
    assert score_forms(GOLD, forms).rows.f1 == 1.0


@pytest.mark.parametrize("level", [0.3, 1.0, 3.0])
def test_extractor_never_throws_on_noise(level: float) -> None:
    for seed in range(3):
        doc = extract_source(from_bytes(noisy_bytes(TEXT, level, seed=seed), "noisy"))
        assert doc.forms, "heavy noise still leaves forms to read"


def test_light_noise_costs_little() -> None:
    forms = extract_source(from_bytes(noisy_bytes(TEXT, 0.05, seed=5), "n")).forms
    assert score_forms(GOLD, forms).rows.f1 >= 0.9


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        apply_noise(TEXT, 1.0, kinds=["coffee"])
