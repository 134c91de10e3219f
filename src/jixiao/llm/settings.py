"""LLM settings: environment first, then the ``[llm]`` section of the config file, then
``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``.

The jixiao-specific settings beat the generic OpenAI ones on purpose: a reviewer who set
``[llm] base_url`` for DeepSeek does not want a leftover ``OPENAI_API_KEY`` from another tool
to win. Every error is a ``ConfigError`` with a Chinese message that says what to set.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .. import config
from ..errors import ConfigError

MODES = ("tools", "json", "md_json")
# a key for servers that ignore it (vLLM, Ollama); the openai client refuses an empty one
NO_KEY = "not-needed"


_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
_KEY_PARAM = re.compile(r"(?i)([?&](?:api[_-]?key|key|token|access_token)=)[^&\s]+")


def redact(text: str) -> str:
    """Text with every URL's user:password@ and key-like query parameters replaced by ***."""
    return _KEY_PARAM.sub(r"\1***", _URL_CREDENTIALS.sub(r"\1***@", text))


@dataclass(frozen=True)
class Settings:
    base_url: str | None = field(repr=False)
    model: str
    api_key: str = field(repr=False)
    mode: str = "tools"
    temperature: float = 0.0
    timeout: float = 120.0  # seconds per HTTP request
    max_retries: int = 2  # validation re-asks by instructor
    http_retries: int = 3  # 429 / 5xx / timeouts, with backoff, by the openai client
    concurrency: int = 4
    max_requests: int | None = None  # per-run budget
    max_tokens: int | None = None  # per-run budget (prompt + completion)
    max_output_tokens: int | None = None  # per request ('max_tokens' of the API)
    cache: Path | None = None  # None: no cache
    price_input: float | None = None  # per million prompt tokens
    price_output: float | None = None  # per million completion tokens
    currency: str = "元"
    # extra JSON fields for the request body, e.g. {"enable_thinking": false} for Qwen3 on DashScope
    extra_body: dict[str, Any] | None = None
    # hybrid: forms the rules read with a lower confidence (share of lines placed) go to the LLM
    hybrid_threshold: float = 0.9

    @property
    def endpoint(self) -> str:
        """The endpoint as it may be shown: credentials in the URL are never printed."""
        return redact(self.base_url or "https://api.openai.com/v1")


# setting -> (environment variable, parser)
_ENV: dict[str, str] = {
    "base_url": "JIXIAO_LLM_BASE_URL",
    "model": "JIXIAO_LLM_MODEL",
    "api_key": "JIXIAO_LLM_API_KEY",
    "mode": "JIXIAO_LLM_MODE",
    "temperature": "JIXIAO_LLM_TEMPERATURE",
    "timeout": "JIXIAO_LLM_TIMEOUT",
    "max_retries": "JIXIAO_LLM_MAX_RETRIES",
    "http_retries": "JIXIAO_LLM_HTTP_RETRIES",
    "concurrency": "JIXIAO_LLM_CONCURRENCY",
    "max_requests": "JIXIAO_LLM_MAX_REQUESTS",
    "max_tokens": "JIXIAO_LLM_MAX_TOKENS",
    "max_output_tokens": "JIXIAO_LLM_MAX_OUTPUT_TOKENS",
    "cache": "JIXIAO_LLM_CACHE",
    "price_input": "JIXIAO_LLM_PRICE_INPUT",
    "price_output": "JIXIAO_LLM_PRICE_OUTPUT",
    "currency": "JIXIAO_LLM_CURRENCY",
    "extra_body": "JIXIAO_LLM_EXTRA_BODY",
    "hybrid_threshold": "JIXIAO_HYBRID_THRESHOLD",
}
# config-file only: the name of an environment variable holding the key (keeps it out of the file)
_FILE_ONLY = {"api_key_env"}
_OFF = {"", "0", "off", "no", "none", "false"}


def _text(v: Any) -> str:
    return str(v).strip()


def _number(kind: Callable[[str], Any], low: float, name: str) -> Callable[[Any], Any]:
    def parse(v: Any) -> Any:
        try:
            x = kind(str(v).strip())
        except ValueError:
            raise ConfigError(f"LLM 设置 {name} 的值 {v!r} 不是有效数字 (invalid number)") from None
        if x < low:
            raise ConfigError(f"LLM 设置 {name} 的值 {v!r} 不能小于 {low} (out of range)")
        return x

    return parse


def _extra_body(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    try:
        value = json.loads(str(v))
    except json.JSONDecodeError as e:
        raise ConfigError(f'JIXIAO_LLM_EXTRA_BODY 应为 JSON 对象，如 {{"enable_thinking": false}}：{e}') from None
    if not isinstance(value, dict):
        raise ConfigError('JIXIAO_LLM_EXTRA_BODY 应为 JSON 对象，如 {"enable_thinking": false}')
    return value


def _mode(v: Any) -> str:
    m = str(v).strip().lower().replace("-", "_")
    if m not in MODES:
        raise ConfigError(f"JIXIAO_LLM_MODE 的值 {v!r} 无效，可选：{', '.join(MODES)} (invalid mode)")
    return m


_PARSE: dict[str, Callable[[Any], Any]] = {
    "base_url": _text,
    "model": _text,
    "api_key": _text,
    "mode": _mode,
    "temperature": _number(float, 0.0, "temperature"),
    "timeout": _number(float, 0.1, "timeout"),
    "max_retries": _number(int, 0, "max_retries"),
    "http_retries": _number(int, 0, "http_retries"),
    "concurrency": _number(int, 1, "concurrency"),
    "max_requests": _number(int, 1, "max_requests"),
    "max_tokens": _number(int, 1, "max_tokens"),
    "max_output_tokens": _number(int, 1, "max_output_tokens"),
    "cache": _text,
    "price_input": _number(float, 0.0, "price_input"),
    "price_output": _number(float, 0.0, "price_output"),
    "currency": _text,
    "extra_body": _extra_body,
    "hybrid_threshold": _number(float, 0.0, "hybrid_threshold"),
}

MISSING_ENDPOINT = (
    "未配置 LLM 服务：请设置环境变量 JIXIAO_LLM_BASE_URL（OpenAI 兼容接口的 /v1 地址）、"
    "JIXIAO_LLM_MODEL 和 JIXIAO_LLM_API_KEY（本地 vLLM/Ollama 可不设 key），"
    "或在配置文件 [llm] 中设置 base_url / model / api_key；规则引擎（--engine rules）无需 LLM"
    " (no LLM endpoint configured)"
)


def load(environ: Mapping[str, str] | None = None, file_section: Mapping[str, Any] | None = None) -> Settings:
    """Settings from the environment and the config file; ConfigError when unusable."""
    env = os.environ if environ is None else environ
    section = dict(config.section("llm") if file_section is None else file_section)
    unknown = sorted(set(section) - set(_ENV) - _FILE_ONLY)
    if unknown:
        raise ConfigError(
            f"配置文件 [llm] 中有未知的设置：{', '.join(unknown)}；可用：{', '.join(sorted(set(_ENV) | _FILE_ONLY))}"
        )
    raw: dict[str, Any] = {}
    for name, var in _ENV.items():
        if env.get(var, "").strip():
            raw[name] = env[var]
        elif section.get(name) not in (None, ""):
            raw[name] = section[name]
    if "api_key" not in raw and section.get("api_key_env"):
        named = str(section["api_key_env"])
        if env.get(named, "").strip():
            raw["api_key"] = env[named]
    if "base_url" not in raw and env.get("OPENAI_BASE_URL", "").strip():
        raw["base_url"] = env["OPENAI_BASE_URL"]
    if "api_key" not in raw and env.get("OPENAI_API_KEY", "").strip():
        raw["api_key"] = env["OPENAI_API_KEY"]
    values = {name: _PARSE[name](v) for name, v in raw.items()}
    if not values.get("base_url") and not values.get("api_key"):
        raise ConfigError(MISSING_ENDPOINT)
    if not values.get("model"):
        raise ConfigError(
            "未设置 LLM 模型：请设置环境变量 JIXIAO_LLM_MODEL（如 deepseek-chat、qwen-plus）"
            "或配置文件 [llm] model (no model configured)"
        )
    values["api_key"] = values.get("api_key") or NO_KEY
    values["base_url"] = values.get("base_url") or None
    values["cache"] = _cache_path(raw.get("cache"))
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in values.items() if k in known})


def _cache_path(value: Any) -> Path | None:
    if value is None:
        return config.home() / "llm-cache.sqlite3"
    text = str(value).strip()
    if text.lower() in _OFF:
        return None
    return Path(text).expanduser()
