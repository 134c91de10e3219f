"""Shared test fixtures. Every test runs with its own jixiao home and no LLM settings."""

from __future__ import annotations

import json
from collections import Counter
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


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Say why tests were skipped, one line per reason, so a skip is never silent (the browser
    tests need /usr/bin/chromium; the OCR scans need a CJK font)."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if not reasons:
        return
    terminalreporter.write_sep("-", "skipped tests, by reason")
    for reason, n in reasons.most_common():
        browser = "chromium" in reason.lower()
        terminalreporter.write_line(f"{'browser tests' if browser else 'tests'} skipped: {n} × {reason}")
