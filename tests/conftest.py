"""Shared test fixtures. Every test runs with its own jixiao home and no LLM settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))

_LLM_ENV = [
    "JIXIAO_LLM_BASE_URL",
    "JIXIAO_LLM_MODEL",
    "JIXIAO_LLM_API_KEY",
    "JIXIAO_LLM_MODE",
    "JIXIAO_LLM_CONCURRENCY",
    "JIXIAO_LLM_TIMEOUT",
    "JIXIAO_LLM_MAX_RETRIES",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "JIXIAO_CONFIG",
    "JIXIAO_DATABASE_URL",  # a developer's team store must not receive the tests' decisions
]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("jixiao-home")
    monkeypatch.setenv("JIXIAO_HOME", str(home))
    for var in _LLM_ENV:
        monkeypatch.delenv(var, raising=False)
    return home


def gold_for(seed: Path) -> dict[str, Any]:
    return json.loads((FIXTURES / "gold" / (seed.stem + ".gold.json")).read_text(encoding="utf-8"))


@pytest.fixture(params=SEEDS, ids=[p.stem[:3] for p in SEEDS])
def seed(request: pytest.FixtureRequest) -> Path:
    return request.param
