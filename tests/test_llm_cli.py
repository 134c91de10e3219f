"""`jixiao extract --engine llm` as a user runs it: a subprocess, configured by environment
variables, talking to the stub server (a perfect model: the rules engine's reading)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jixiao.api import extract_path
from openai_stub_server import ROOT, SECRET, StubServer, rules_oracle

JIXIAO = str(Path(sys.executable).parent / "jixiao")
SEED = str(ROOT / "fixtures/seeds/000_dca73c19af058bd9.txt")


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(default=rules_oracle) as s:
        yield s


def jixiao(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JIXIAO, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_extract_llm_via_cli_then_cache_hit(stub: StubServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "OPENAI_"))}
    env.update(
        JIXIAO_HOME=str(tmp_path / "home"),
        JIXIAO_LLM_BASE_URL=stub.url,
        JIXIAO_LLM_MODEL="stub-model",
        JIXIAO_LLM_API_KEY=SECRET,
        JIXIAO_LLM_MODE="json",
        JIXIAO_LLM_PRICE_INPUT="2",
        JIXIAO_LLM_PRICE_OUTPUT="8",
    )
    first = jixiao(["extract", "--engine", "llm", "--format", "json", SEED], env, tmp_path)
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)
    rules = extract_path(SEED).model_dump(mode="json")
    assert doc["engine"] == "llm" and doc["prompt_version"].startswith("v1+")
    assert [f["project_name"] for f in doc["forms"]] == [f["project_name"] for f in rules["forms"]]
    assert [len(f["indicators"]) for f in doc["forms"]] == [18, 10, 18, 17, 43, 10]
    assert all(f["engine"] == "llm" and f["unsupported"] == [] for f in doc["forms"])
    assert doc["usage"]["requests"] == 6 and doc["usage"]["cost"] > 0
    assert len(stub.requests) == 6
    assert all(r.body["response_format"] == {"type": "json_object"} for r in stub.requests)
    assert "LLM 用量" in first.stderr and "请求 6 次" in first.stderr and "估算费用" in first.stderr
    assert SECRET not in first.stderr + first.stdout

    again = jixiao(["extract", "--engine", "llm", "--format", "json", SEED], env, tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(stub.requests) == 6  # nothing new sent
    assert "请求 0 次，缓存命中 6 次" in again.stderr
    assert json.loads(again.stdout)["forms"] == [
        {**f, "usage": {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0, "cache_hits": 1}}
        for f in doc["forms"]
    ]
    cache = tmp_path / "home" / "llm-cache.sqlite3"
    assert cache.is_file() and SECRET.encode() not in cache.read_bytes()

    hybrid = jixiao(["extract", "--engine", "hybrid", "--format", "json", SEED], env, tmp_path)
    assert hybrid.returncode == 0, hybrid.stderr
    assert {f["engine"] for f in json.loads(hybrid.stdout)["forms"]} == {"rules"}  # every rules reading is sound
    assert len(stub.requests) == 6
