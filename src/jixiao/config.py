"""The configuration file: one TOML file, one section per part ([checks], [llm], ...).

Looked for at ``$JIXIAO_CONFIG``, else ``./jixiao.toml``, else ``$JIXIAO_HOME/config.toml``
(``~/.config/jixiao``). Environment variables win over the file where a part defines them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from .errors import ConfigError


def home() -> Path:
    """jixiao's own directory (caches, default review database); overridable for tests."""
    env = os.environ.get("JIXIAO_HOME")
    return Path(env) if env else Path.home() / ".config" / "jixiao"


def config_path() -> Path | None:
    env = os.environ.get("JIXIAO_CONFIG")
    if env:
        return Path(env)
    for p in (Path("jixiao.toml"), home() / "config.toml"):
        if p.is_file():
            return p
    return None


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The whole file as a dict ({} when there is none)."""
    p = Path(path) if path else config_path()
    if p is None:
        return {}
    if not p.is_file():
        raise ConfigError(f"配置文件不存在：{p} (config file not found)")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"配置文件无法解析：{p}: {e}") from e


def section(name: str, path: str | Path | None = None) -> dict[str, Any]:
    value = load_config(path).get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"配置文件中 [{name}] 不是一个表 (section {name!r} is not a table)")
    return value
