"""The fast near-duplicate join against the slow obvious reference (rapidfuzz cdist)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.checks import goal_reuse_clusters, mentions, name_patterns, similar_pairs
from jixiao.checks.similarity import brute_pairs, clusters

ALPHABET = "医保基金监管提升服务水平保障参保人员权益加强宣传培训及时准确完成，。1"


def _mutate(rng: random.Random, s: str, edits: int) -> str:
    t = list(s)
    for _ in range(edits):
        pos = rng.randint(0, len(t))
        op = rng.random()
        if op < 0.33 and t:
            t.pop(min(pos, len(t) - 1))
        elif op < 0.66:
            t.insert(pos, rng.choice(ALPHABET))
        elif t:
            t[min(pos, len(t) - 1)] = rng.choice(ALPHABET)
    return "".join(t)


@st.composite
def families(draw: st.DrawFn) -> list[str]:
    """Texts drawn as mutated copies of a few bases: many near pairs, some exact ones."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    bases = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60))) for _ in range(rng.randint(1, 5))]
    return [_mutate(rng, rng.choice(bases), rng.randint(0, 6)) for _ in range(rng.randint(0, 30))]


@settings(max_examples=150, deadline=None)
@given(texts=families(), cutoff=st.sampled_from([55.0, 70.0, 80.0, 85.0, 90.0, 95.0, 100.0]))
def test_fast_join_equals_brute_force(texts: list[str], cutoff: float) -> None:
    fast = similar_pairs(texts, cutoff=cutoff)
    slow = brute_pairs(texts, cutoff=cutoff)
    assert [(i, j) for i, j, _ in fast] == [(i, j) for i, j, _ in slow]
    for (_, _, a), (_, _, b) in zip(fast, slow):
        assert abs(a - b) < 1e-6


def test_clusters_group_identical_and_near_texts() -> None:
    texts = (
        ["综合救助项目遵从保险在前救助在后的操作流程"] * 3
        + ["综合救助项目遵从保险在前救助在后的操作流程。"]
        + ["完全不同的一段目标文字内容"]
    )
    groups = clusters(texts, cutoff=90)
    assert [g for g, _ in groups] == [[0, 1, 2, 3]]


def test_goal_reuse_clusters_need_two_projects() -> None:
    goal = "确保公务员医疗补助收支平衡，保障公务员医疗待遇不降低，保证政府高效运行的重要措施。"
    texts = [goal, goal, goal, "年度参加计划人数在6500人以上，确保参加计划人员待遇标准维持不变。"]
    assert goal_reuse_clusters(texts, ["医保稳定金", "医保稳定金", "公务员医疗补助", "城市医疗救助"]) == [
        ([0, 1, 2], 100.0)
    ]
    assert goal_reuse_clusters(texts[:2], ["医保稳定金", "医保稳定金"]) == []


def test_mentions_prefer_own_and_longer_names() -> None:
    pats = name_patterns(["公务员医疗补助", "医疗补助", "公务员大病医疗补助", "综合救助（医保补贴）"], 6, 4)
    assert mentions("确保公务员大病医疗补助收支平衡", pats, own="公务员大病医疗补助") == []
    hit = mentions("确保公务员医疗补助收支平衡", pats, own="医保稳定金")
    assert [p.text for p in hit] == ["公务员医疗补助"]
    assert [p.text for p in mentions("综合救助项目遵从", pats, own="x")] == ["综合救助"]
    assert mentions("开展综合救助工作", pats, own="x") == []  # a stem counts only before 项目


def test_scales_without_all_pairs() -> None:
    """3,000 distinct goal texts of one vocabulary, and 8 times fewer: the time grows far
    slower than all pairs would (64 times); a ratio, not a time, so a loaded machine passes."""
    import time

    rng = random.Random(7)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(40, 120))) for _ in range(3000)]
    texts += [_mutate(rng, t, 2) for t in texts[:50]]

    def cpu(items: list[str]) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            similar_pairs(items, cutoff=90)
            best = min(best, time.process_time() - start)
        return best

    pairs = similar_pairs(texts, cutoff=90)
    assert {(i, 3000 + i) for i in range(50)} <= {(i, j) for i, j, _ in pairs}
    small = cpu(texts[:375])
    assert cpu(texts) < 8**1.6 * max(small, 1e-3)


def test_minhash_finds_near_copies_among_many_texts() -> None:
    """The large-corpus path: 2,500 template-like texts, 200 of them copied with ≤ 3 edits."""
    pytest.importorskip("numpy")
    rng = random.Random(11)
    phrases = ["根据上级部门关于", "的工作部署，", "建立问题台账并限期整改，", "覆盖全区", "个街镇，", "切实提高",
               "工作质量和群众满意度。", "强化部门协同和街镇联动，", "规范服务标准，", "组织专业力量开展业务指导，"]  # fmt: skip
    subjects = ["".join(rng.choice(ALPHABET[:20]) for _ in range(6)) for _ in range(300)]
    texts = []
    for _ in range(2500):
        subject = rng.choice(subjects)
        parts = rng.sample(phrases, 6)
        texts.append("".join(p + (subject if rng.random() < 0.5 else str(rng.randint(2, 40))) for p in parts))
    texts += [_mutate(rng, texts[i], rng.randint(1, 3)) for i in range(200)]
    texts = list(dict.fromkeys(texts))
    exact = {(i, j) for i, j, _ in similar_pairs(texts, cutoff=90, method="exact")}
    fast = {(i, j) for i, j, _ in similar_pairs(texts, cutoff=90, method="minhash")}
    assert fast <= exact  # verified with rapidfuzz: never a false pair
    assert len(exact) >= 150
    assert len(fast) / len(exact) >= 0.99


def test_exact_join_scores_the_same_with_and_without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Candidates are verified by cpdist when numpy is loaded, else text by text: same pairs, same scores."""
    pytest.importorskip("numpy")
    import sys

    rng = random.Random(5)
    bases = ["".join(rng.choice(ALPHABET) for _ in range(50)) for _ in range(4)]
    texts = [_mutate(rng, rng.choice(bases), rng.randint(0, 8)) for _ in range(120)]
    for cutoff in (0.0, 80.0, 90.0):
        with_numpy = similar_pairs(texts, cutoff=cutoff, method="exact")
        with monkeypatch.context() as m:
            m.setitem(sys.modules, "numpy", None)  # as if numpy were not installed
            without = similar_pairs(texts, cutoff=cutoff, method="exact")
        assert without == with_numpy and len(with_numpy) > 10
