"""Engine registry: ``rules`` (default), ``llm`` and ``hybrid``.

The rules engine never imports the LLM engine; the LLM ones are imported only when asked
for, so a machine without a key (or without the llm extra) still runs everything else.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import ConfigError
from .intake import Source
from .models import Document

ENGINES = ("rules", "llm", "hybrid")

Extractor = Callable[[Source], Document]


def get_engine(name: str) -> Extractor:
    if name == "rules":
        from .rules import extract

        return extract
    if name in ("llm", "hybrid"):
        try:
            from .llm import engine as llm_engine
        except ImportError as e:
            raise ConfigError(f"LLM 引擎不可用：{e}。请安装 pip install 'jixiao[llm]' (LLM engine unavailable)") from e
        return llm_engine.get(name)
    raise ConfigError(f"未知引擎 {name!r}，可选：{', '.join(ENGINES)} (unknown engine)")
