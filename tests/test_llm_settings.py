"""LLM configuration: environment > config file [llm] > OPENAI_*; clear errors when unusable."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jixiao.engines import get_engine
from jixiao.errors import ConfigError
from jixiao.llm import settings
from jixiao.llm.settings import NO_KEY, load
from openai_stub_server import ROOT, SECRET, isolate_env

JIXIAO = str(Path(sys.executable).parent / "jixiao")
SEED = str(ROOT / "fixtures/seeds/000_dca73c19af058bd9.txt")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    isolate_env(monkeypatch, tmp_path)
    yield


def test_nothing_configured_says_what_to_set() -> None:
    with pytest.raises(ConfigError) as e:
        load({}, {})
    message = str(e.value)
    for name in ("JIXIAO_LLM_BASE_URL", "JIXIAO_LLM_MODEL", "JIXIAO_LLM_API_KEY", "[llm]", "--engine rules"):
        assert name in message
    with pytest.raises(ConfigError):
        get_engine("llm")
    # hybrid without an endpoint reads with the rules alone (and lists its low-confidence forms)
    from jixiao.llm.engine import rules_only_hybrid

    assert get_engine("hybrid") is rules_only_hybrid


def test_environment_beats_file_beats_openai_variables() -> None:
    file = {
        "base_url": "http://file/v1",
        "model": "file-model",
        "api_key": "file-key",
        "mode": "json",
        "concurrency": 3,
    }
    env = {
        "JIXIAO_LLM_MODEL": "env-model",
        "JIXIAO_LLM_TIMEOUT": "30",
        "OPENAI_BASE_URL": "http://openai/v1",
        "OPENAI_API_KEY": "openai-key",
    }
    s = load(env, file)
    assert (s.base_url, s.model, s.api_key, s.mode, s.concurrency, s.timeout) == (
        "http://file/v1",
        "env-model",
        "file-key",
        "json",
        3,
        30.0,
    )
    s = load({"OPENAI_BASE_URL": "http://openai/v1", "OPENAI_API_KEY": "openai-key", "JIXIAO_LLM_MODEL": "m"}, {})
    assert (s.base_url, s.api_key, s.endpoint) == ("http://openai/v1", "openai-key", "http://openai/v1")


def test_local_server_needs_no_key_and_a_key_alone_means_openai() -> None:
    s = load({"JIXIAO_LLM_BASE_URL": "http://127.0.0.1:11434/v1", "JIXIAO_LLM_MODEL": "qwen2.5:7b"}, {})
    assert s.api_key == NO_KEY
    s = load({"OPENAI_API_KEY": "k", "JIXIAO_LLM_MODEL": "gpt-4o-mini"}, {})
    assert s.base_url is None and s.endpoint == "https://api.openai.com/v1"


def test_key_from_a_named_variable_and_never_in_repr() -> None:
    s = load(
        {"DEEPSEEK_API_KEY": SECRET},
        {"base_url": "https://api.deepseek.com", "model": "deepseek-chat", "api_key_env": "DEEPSEEK_API_KEY"},
    )
    assert s.api_key == SECRET and SECRET not in repr(s)


@pytest.mark.parametrize(
    ("env", "file", "match"),
    [
        ({"JIXIAO_LLM_MODE": "xml"}, {}, "JIXIAO_LLM_MODE"),
        ({"JIXIAO_LLM_TIMEOUT": "soon"}, {}, "timeout"),
        ({"JIXIAO_LLM_CONCURRENCY": "0"}, {}, "concurrency"),
        ({}, {"modle": "x"}, "未知的设置：modle"),
        ({"JIXIAO_LLM_MODEL": ""}, {}, "JIXIAO_LLM_MODEL"),
    ],
)
def test_bad_settings_are_config_errors(env: dict[str, str], file: dict[str, object], match: str) -> None:
    base = {"JIXIAO_LLM_BASE_URL": "http://x/v1", "JIXIAO_LLM_MODEL": "m"}
    with pytest.raises(ConfigError, match=match):
        load({**base, **env}, file)


def test_cache_location(tmp_path: Path) -> None:
    base = {"JIXIAO_LLM_BASE_URL": "http://x/v1", "JIXIAO_LLM_MODEL": "m"}
    assert load(base, {}).cache == tmp_path / "home" / "llm-cache.sqlite3"
    assert load({**base, "JIXIAO_LLM_CACHE": "off"}, {}).cache is None
    assert load(base, {"cache": False}).cache is None
    assert load({**base, "JIXIAO_LLM_CACHE": str(tmp_path / "c.db")}, {}).cache == tmp_path / "c.db"


def test_config_file_section_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "jixiao.toml").write_text(
        '[llm]\nbase_url = "http://127.0.0.1:8000/v1"\nmodel = "Qwen/Qwen2.5-7B-Instruct"\nmode = "json"\n',
        encoding="utf-8",
    )
    s = settings.load()
    assert (s.base_url, s.model, s.mode, s.api_key) == (
        "http://127.0.0.1:8000/v1",
        "Qwen/Qwen2.5-7B-Instruct",
        "json",
        NO_KEY,
    )


def test_cli_without_llm_settings_exits_2_and_rules_still_work(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JIXIAO_HOME": str(tmp_path / "home")}
    llm = subprocess.run(
        [JIXIAO, "extract", "--engine", "llm", SEED], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert llm.returncode == 2
    assert llm.stderr.count("\n") == 1 and "JIXIAO_LLM_BASE_URL" in llm.stderr and "Traceback" not in llm.stderr
    rules = subprocess.run(
        [JIXIAO, "extract", "--format", "json", SEED],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert rules.returncode == 0 and '"engine": "rules"' in rules.stdout
