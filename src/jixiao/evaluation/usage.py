"""LLM engine usage (requests, tokens, cost, latency, cache hits) for the eval report.

The hook: an engine reports usage either by putting a ``usage`` mapping on the Document
(an attribute or, if the model grows one, a field) or on each Form, with any of the keys in
``USAGE_KEYS``; or by registering a reader with ``register_usage_reader`` that returns such
a mapping for a Document (None when it has nothing to say). Values are summed over the
fixtures; ``latency_s`` is summed too, so the report shows it per request as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..models import Document

USAGE_KEYS = (
    "requests",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cost",
    "latency_s",
    "cache_hits",
    "failed",
)

UsageReader = Callable[[Document], Mapping[str, Any] | None]
_READERS: list[UsageReader] = []


def register_usage_reader(reader: UsageReader) -> None:
    """Let an engine tell the eval report what a document cost it."""
    if reader not in _READERS:
        _READERS.append(reader)


def _numbers(m: Mapping[str, Any] | None) -> dict[str, float]:
    if not m:
        return {}
    out: dict[str, float] = {}
    for k in USAGE_KEYS:
        v = m.get(k)
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[k] = float(v)
    return out


def _attr(obj: Any) -> Mapping[str, Any] | None:
    u = getattr(obj, "usage", None)
    if isinstance(u, Mapping):
        return u
    if hasattr(u, "model_dump"):
        return u.model_dump()
    extra = getattr(obj, "model_extra", None) or {}
    u = extra.get("usage")
    return u if isinstance(u, Mapping) else None


def usage_of(doc: Document) -> dict[str, float]:
    """What one document's extraction used; {} when the engine reports nothing."""
    for reader in _READERS:
        got = _numbers(reader(doc))
        if got:
            return got
    got = _numbers(_attr(doc))
    if got:
        return got
    total: dict[str, float] = {}
    for form in doc.forms:
        for k, v in _numbers(_attr(form)).items():
            total[k] = total.get(k, 0.0) + v
    return total


def add_usage(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0.0) + v
    return out
