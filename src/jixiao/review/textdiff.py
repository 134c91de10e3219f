"""Which parts of one text were copied from another (实际完成情况 vs 预期目标).

Pure: the review session styles the spans, tests read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

# Shorter common runs are ordinary shared words (提高, 医保, 工作), not copying.
MIN_COPIED = 8


@dataclass(frozen=True)
class Copied:
    """Spans (start, end) of ``a`` and of ``b`` that the other text also holds, and how much."""

    in_a: list[tuple[int, int]]
    in_b: list[tuple[int, int]]
    ratio: float  # share of ``b`` that was copied from ``a``, 0..1

    @property
    def percent(self) -> int:
        return round(self.ratio * 100)


def copied_spans(a: str, b: str, min_len: int = MIN_COPIED) -> Copied:
    if not a or not b:
        return Copied([], [], 0.0)
    if a == b:
        return Copied([(0, len(a))], [(0, len(b))], 1.0)
    blocks = [m for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size >= min_len]
    in_a = [(m.a, m.a + m.size) for m in blocks]
    in_b = [(m.b, m.b + m.size) for m in blocks]
    return Copied(in_a, in_b, sum(m.size for m in blocks) / len(b))
