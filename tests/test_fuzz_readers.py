"""Every reader on mutated inputs of its own kind (bounded): a refusal is a one-line
InputError, never another exception."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.evaluation.fuzz import FuzzResult, fuzz_one, mutate, seeds

SEEDS = seeds()


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_mutated_inputs_never_crash(kind: str) -> None:
    rng = random.Random(kind)
    result = FuzzResult(kind)
    fuzz_one(SEEDS[kind], result)
    for _ in range(60 if kind != "image" else 15):
        fuzz_one(mutate(SEEDS[kind], rng), result)
    assert not result.crashes, result.crashes[:2]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    result = FuzzResult("bytes")
    fuzz_one(data, result)
    assert not result.crashes, result.crashes


def test_a_zip_of_an_unknown_version_is_refused_not_a_crash() -> None:
    """Found by the fuzzer: zipfile raises NotImplementedError ('zip file version 19.3') on a
    central directory asking for a newer format; it is a damaged file, said in one line."""
    from jixiao.errors import InputError
    from jixiao.intake import from_bytes

    data = bytearray(SEEDS["xlsx"])
    at = data.find(b"PK\x01\x02")
    data[at + 6 : at + 8] = (193).to_bytes(2, "little")  # 'version needed to extract' = 19.3
    with pytest.raises(InputError):
        from_bytes(bytes(data), "x.xlsx")
