"""Near-duplicate texts at scale, without comparing every pair.

``similar_pairs(texts, cutoff=90)`` returns the pairs whose rapidfuzz ``fuzz.ratio`` is at
least ``cutoff``. Identical texts always collapse to one first (the common case: a goal
pasted into several projects). Then, for the distinct texts:

* up to ``EXACT_LIMIT`` (2,000) texts, an exact join — the same answer as ``process.cdist``
  over all n² pairs (the tests check this against that slow reference): a q-gram count
  filter with prefix filtering (Chaudhuri et al. 2006; Xiao et al., PPJoin, 2008) proposes
  candidates: ``ratio ≥ c`` bounds the indel distance d ≤ (1 − c)(|a| + |b|), so by the
  q-gram lemma a and b share at least |a|(1 − 2q(1 − c)) − q + 1 q-grams, and two texts
  sharing that many must share one of their rarest ``|grams| − that + 1``; only those are
  indexed and probed. On boilerplate-heavy corpora the rare grams are not rare enough and
  the candidates grow quadratically, hence the limit;
* beyond it, MinHash LSH over character 3-gram sets (numpy) proposes candidates in time
  linear in the number of texts; this can miss a pair whose wording was changed in many
  scattered places (measured recall in docs/checks.md).

Candidates pass a length filter and are verified with rapidfuzz (``process.extract`` per
text, or ``process.cpdist`` over all candidate pairs at once).
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from operator import add
from typing import Any

from rapidfuzz import fuzz, process


def _grams(s: str, q: int) -> list[str]:
    """q-grams of ``s`` as a multiset: the k-th repeat of a gram is numbered (``g\x00k``) so
    that sets behave like multisets. The order is not meaningful."""
    grams = list(map(add, s, s[1:])) if q == 2 else [s[i : i + q] for i in range(len(s) - q + 1)]
    counts = Counter(grams)
    if len(counts) == len(grams):
        return grams
    out = list(counts)
    for g, n in counts.items():
        if n > 1:
            out += [f"{g}\x00{k}" for k in range(1, n)]
    return out


def _min_shared(length: int, c: float, q: int) -> float:
    """Fewest q-grams a text of this length shares with any text at least ``c`` similar."""
    return length * (1 - 2 * q * (1 - c)) - q + 1


_NUMPY_WORTH = 200_000  # candidate pairs (see _verified)
EXACT_LIMIT = 2000  # up to this many distinct texts the join is exact; beyond, MinHash candidates


def unique_pairs(
    uniq: Sequence[str], *, cutoff: float = 90.0, method: str = "auto", exact_limit: int = EXACT_LIMIT
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, score), i < j, of *distinct* texts with ``fuzz.ratio ≥ cutoff``.

    ``method``: "exact" (prefix filter), "minhash" (LSH candidates), or "auto": exact up to
    ``exact_limit`` texts. MinHash needs numpy; without it the exact join is used."""
    if method == "minhash" or (method == "auto" and len(uniq) > exact_limit):
        try:
            return minhash_pairs(uniq, cutoff=cutoff)
        except ImportError:  # numpy is optional
            pass
    return exact_pairs(uniq, cutoff=cutoff)


def exact_pairs(uniq: Sequence[str], *, cutoff: float = 90.0, q: int = 2) -> list[tuple[int, int, float]]:
    """The exact join: q-gram count filter + prefix filter, verified with rapidfuzz."""
    c = cutoff / 100.0
    if not 0.0 <= c <= 1.0:
        raise ValueError(f"cutoff {cutoff} is not between 0 and 100")
    while q > 1 and 2 * q * (1 - c) >= 1:  # the bound needs shorter grams at low cutoffs
        q -= 1
    n = len(uniq)
    lengths = [len(s) for s in uniq]
    tokens = [_grams(s, q) for s in uniq]
    freq: Counter[str] = Counter()
    for toks in tokens:
        freq.update(toks)
    # A global order, rarest first; ties broken by the gram itself so the order is total.
    rank = {t: r for r, t in enumerate(sorted(freq, key=lambda t: (freq[t], t)))}
    order = sorted(range(n), key=lengths.__getitem__)
    index: dict[int, list[int]] = defaultdict(list)
    done: list[int] = []
    unfiltered: list[int] = []  # texts too short for the bound: compared with everything
    candidates: list[tuple[int, list[int]]] = []  # (text, the texts it may be like), verified at the end
    for i in order:
        L = lengths[i]
        need = math.ceil(_min_shared(L, c, q) - 1e-9)
        shortest = L * c / (2 - c) if c < 1 else L  # a text this much shorter cannot reach the cutoff
        if need < 1:
            found: set[int] | list[int] = list(done)
            unfiltered.append(i)
        else:
            ranks = sorted(map(rank.__getitem__, tokens[i]))
            prefix = ranks[: len(ranks) - need + 1]
            found = set(unfiltered)
            for r in prefix:
                posting = index.get(r)
                if posting:
                    found.update(posting)
            for r in prefix:
                index[r].append(i)
        done.append(i)
        cands = [j for j in found if lengths[j] >= shortest - 1e-9]
        if cands:
            candidates.append((i, cands))
    return _verified(uniq, candidates, cutoff)


def _verified(
    uniq: Sequence[str], candidates: list[tuple[int, list[int]]], cutoff: float
) -> list[tuple[int, int, float]]:
    """The candidate pairs (i, j) with ``fuzz.ratio ≥ cutoff``, as (min, max, score): scored
    all at once by ``process.cpdist`` (C++, every core, without the GIL) when numpy is at
    hand, else one text at a time. Importing numpy costs about as much as scoring 50,000
    pairs, so it is imported for this only when there are many more."""
    n_pairs = sum(len(cands) for _, cands in candidates)
    if not n_pairs:
        return []
    np = sys.modules.get("numpy")
    if np is None and n_pairs >= _NUMPY_WORTH:
        try:
            import numpy as np
        except ImportError:  # numpy is optional
            np = None
    if np is None:
        pairs: list[tuple[int, int, float]] = []
        for i, cands in candidates:
            for _, score, k in process.extract(
                uniq[i], [uniq[j] for j in cands], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            ):
                j = cands[k]
                pairs.append((min(i, j), max(i, j), float(score)))
        return pairs
    first = [i for i, cands in candidates for _ in cands]
    second = [j for _, cands in candidates for j in cands]
    scores = process.cpdist(
        [uniq[i] for i in first],
        [uniq[j] for j in second],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        dtype=np.float64,
        workers=-1,
    )
    # below the cutoff cpdist answers 0: a cutoff of 0 keeps every pair
    hit = np.flatnonzero(scores >= cutoff) if cutoff > 0 else range(len(first))
    return [(min(first[k], second[k]), max(first[k], second[k]), float(scores[k])) for k in hit]


def minhash_pairs(
    uniq: Sequence[str],
    *,
    cutoff: float = 90.0,
    bands: int = 30,
    rows: int = 5,
    min_jaccard: float = 0.3,
    seed: int = 0,
    stats: dict[str, int] | None = None,
) -> list[tuple[int, int, float]]:
    """Near-duplicates among many texts: MinHash LSH over character 3-gram sets proposes
    candidates (texts agreeing on all ``rows`` minima of some band), the whole signature
    drops candidates whose estimated Jaccard is below ``min_jaccard``, rapidfuzz verifies.

    Approximate: a pair is proposed with probability 1 − (1 − J^rows)^bands for 3-gram
    Jaccard J (J = 0.8: 0.9999; 0.6: 0.91; 0.4: 0.27). Near copies that differ by a few words
    have J ≥ 0.6; docs/checks.md reports the measured recall."""
    import numpy as np

    q = 3
    n = len(uniq)
    if n < 2:
        return []
    lengths = np.fromiter(map(len, uniq), dtype=np.int64, count=n)
    if lengths.min() == 0:  # an empty text has no q-grams and no near-duplicate but itself
        keep = np.flatnonzero(lengths > 0)
        sub = minhash_pairs([uniq[i] for i in keep], cutoff=cutoff, bands=bands, rows=rows, seed=seed)
        return [(int(keep[a]), int(keep[b]), sc) for a, b, sc in sub]
    rng = np.random.default_rng(seed)
    k = bands * rows
    mult = rng.integers(0, 2**32, size=k, dtype=np.uint32) | np.uint32(1)
    add = rng.integers(0, 2**32, size=k, dtype=np.uint32)
    sig = np.empty((n, k), dtype=np.uint32)
    # texts a chunk at a time: the per-character arrays are ~30 bytes a character, the
    # signatures 4 bytes a column; memory stays the signatures' plus one chunk's
    for lo in range(0, n, _SIGNATURE_CHUNK):
        hi = min(n, lo + _SIGNATURE_CHUNK)
        sig[lo:hi] = _signatures(uniq[lo:hi], lengths[lo:hi], mult, add, q)
    found: list[Any] = []
    for b in range(bands):
        keys = np.ascontiguousarray(sig[:, b * rows : (b + 1) * rows]).view(np.dtype((np.void, 4 * rows))).ravel()
        order = np.argsort(keys, kind="stable")
        found.append(_bucket_pairs(order, keys[order], n))
    codes_ij = np.concatenate(found)
    if not len(codes_ij):
        return []
    codes_ij.sort()
    codes_ij = codes_ij[np.concatenate(([True], codes_ij[1:] != codes_ij[:-1]))]
    first, second = codes_ij // n, codes_ij % n
    note = stats if stats is not None else {}
    note["candidates"] = len(first)
    la, lb = lengths[first], lengths[second]
    # length filter: the indel distance is at least the length difference
    keep = np.abs(la - lb) <= (1 - cutoff / 100.0) * (la + lb) + 1e-9
    first, second = first[keep], second[keep]
    # the whole signature estimates the Jaccard of each candidate: far-off ones are not verified
    agree = np.empty(len(first), dtype=np.float64)
    for lo in range(0, len(first), 20_000):  # two rows of signatures per pair: a chunk at a time
        hi = lo + 20_000
        agree[lo:hi] = (sig[first[lo:hi]] == sig[second[lo:hi]]).mean(axis=1)
    keep = agree >= min_jaccard
    first, second = first[keep], second[keep]
    note["after_length"], note["verified"] = len(agree), len(first)
    if not len(first):
        return []
    scores = process.cpdist(
        [uniq[i] for i in first], [uniq[j] for j in second], scorer=fuzz.ratio, score_cutoff=cutoff, workers=-1
    )
    hit = np.flatnonzero(scores >= cutoff - 1e-4) if cutoff > 0 else np.arange(len(first))
    return [(int(first[x]), int(second[x]), float(scores[x])) for x in hit]


_SIGNATURE_CHUNK = 10_000


def _signatures(texts: Sequence[str], lengths: Any, mult: Any, add: Any, q: int) -> Any:
    """MinHash signatures (one row a text) of the character q-grams (q = 3) of non-empty texts."""
    import numpy as np

    pad = "\x00" * (q - 1)  # every text ends in its own padding: no q-gram spans two texts
    chars = np.frombuffer((pad.join(texts) + pad).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    codes = chars[:-2] << np.uint64(42)  # a 3-gram as one int: 21 bits per code point
    codes |= chars[1:-1] << np.uint64(21)
    codes |= chars[2:]
    del chars
    # drop the q-grams that start in a padding: each text keeps as many as it has characters
    ends = np.cumsum(lengths + q - 1) - (q - 1)
    padding = np.zeros(len(codes), dtype=bool)
    for k in range(q - 1):
        padding[(ends + k)[ends + k < len(codes)]] = True
    codes = codes[~padding]
    del padding
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    with np.errstate(over="ignore"):
        # one 32-bit hash per q-gram, then per column a random affine permutation of it
        base = ((codes * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)).astype(np.uint32)
        del codes
        sig = np.empty((len(texts), len(mult)), dtype=np.uint32)
        for j in range(len(mult)):
            sig[:, j] = np.minimum.reduceat(base * mult[j] + add[j], starts)
    return sig


def _bucket_pairs(order: Any, sorted_keys: Any, n: int, short: int = 32) -> Any:
    """Codes i * n + j (i < j) of every pair of texts whose band keys are equal."""
    import numpy as np

    same = sorted_keys[1:] == sorted_keys[:-1]
    run = np.concatenate(([0], np.cumsum(~same)))  # run id of each sorted position
    out: list[np.ndarray] = []
    # pairs d apart inside a run, for small d, all at once; long runs (rare) one by one
    for d in range(1, short + 1):
        if d >= len(run):
            break
        hit = np.flatnonzero(run[d:] == run[:-d])
        if not len(hit):
            break
        a, b = order[hit], order[hit + d]
        out.append(np.minimum(a, b) * n + np.maximum(a, b))
    sizes = np.bincount(run)
    for rid in np.flatnonzero(sizes > short + 1):
        members = order[run == rid]
        a, b = np.triu_indices(len(members), k=short + 1)
        out.append(np.minimum(members[a], members[b]) * n + np.maximum(members[a], members[b]))
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def similar_pairs(texts: Sequence[str], *, cutoff: float = 90.0, method: str = "auto") -> list[tuple[int, int, float]]:
    """Every pair (i, j, score), i < j, with ``fuzz.ratio(texts[i], texts[j]) ≥ cutoff``
    (exact up to EXACT_LIMIT distinct texts, see ``unique_pairs``)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        groups[t].append(i)
    uniq = list(groups)
    members = list(groups.values())
    out: list[tuple[int, int, float]] = []
    for m in members:
        out += [(a, b, 100.0) for x, a in enumerate(m) for b in m[x + 1 :]]
    for a, b, s in unique_pairs(uniq, cutoff=cutoff, method=method):
        out += [(min(x, y), max(x, y), s) for x in members[a] for y in members[b]]
    return sorted(out)


def clusters(texts: Sequence[str], *, cutoff: float = 90.0, method: str = "auto") -> list[tuple[list[int], float]]:
    """Groups of ≥ 2 texts linked by similarity ≥ cutoff (single link), with their best score
    below 100 if any, else 100. Identical texts are grouped without listing their pairs."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        groups[t].append(i)
    uniq = list(groups)
    members = list(groups.values())
    parent = list(range(len(uniq)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    lowest: dict[int, float] = {}
    for a, b, s in unique_pairs(uniq, cutoff=cutoff, method=method):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
        lowest[a] = min(lowest.get(a, 100.0), s)
        lowest[b] = min(lowest.get(b, 100.0), s)
    by_root: dict[int, list[int]] = defaultdict(list)
    for u in range(len(uniq)):
        by_root[find(u)].append(u)
    out: list[tuple[list[int], float]] = []
    for us in by_root.values():
        idx = sorted(i for u in us for i in members[u])
        if len(idx) > 1:
            out.append((idx, min((lowest.get(u, 100.0) for u in us), default=100.0)))
    return out


def brute_pairs(texts: Sequence[str], *, cutoff: float = 90.0) -> list[tuple[int, int, float]]:
    """The slow obvious reference: ``process.cdist`` over all pairs (tests and benchmarks)."""
    import numpy as np

    if len(texts) < 2:
        return []
    m = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.float64, workers=-1)
    iu = np.argwhere(np.triu(m >= max(cutoff, 1e-9), k=1))
    return sorted((int(i), int(j), float(m[i, j])) for i, j in iu)
