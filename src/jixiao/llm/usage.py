"""Token usage, estimated cost and the per-run budget.

``requests`` counts completions the server returned (what a provider bills), re-asks
included; HTTP retries after a 429 or a timeout are the openai client's business and bill
nothing. A run is one process (one ``jixiao`` command): the budget and the totals printed at
the end cover every document of the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .settings import Settings


@dataclass
class Usage:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    forms: int = 0
    failed: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        for name in ("requests", "prompt_tokens", "completion_tokens", "cache_hits", "forms", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def cost(self, s: Settings) -> float | None:
        if s.price_input is None and s.price_output is None:
            return None
        return (self.prompt_tokens * (s.price_input or 0.0) + self.completion_tokens * (s.price_output or 0.0)) / 1e6

    def as_dict(self, s: Settings) -> dict[str, float]:
        d: dict[str, float] = {
            "forms": self.forms,
            "failed": self.failed,
            "requests": self.requests,
            "cache_hits": self.cache_hits,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }
        c = self.cost(s)
        if c is not None:
            d["cost"] = round(c, 6)
        return d


@dataclass
class Budget:
    """Per-run limits. Checked before each form's request: a form already under way may finish
    its re-asks, so a run can overshoot by at most concurrency x (1 + max_retries) requests."""

    max_requests: int | None
    max_tokens: int | None
    used: Usage = field(default_factory=Usage)

    def exhausted(self) -> str | None:
        if self.max_requests is not None and self.used.requests >= self.max_requests:
            return f"已达到本次运行的 LLM 请求上限 {self.max_requests} 次（JIXIAO_LLM_MAX_REQUESTS）"
        if self.max_tokens is not None and self.used.total_tokens >= self.max_tokens:
            return f"已达到本次运行的 LLM 词元上限 {self.max_tokens}（JIXIAO_LLM_MAX_TOKENS）"
        return None


def summary(label: str, u: Usage, s: Settings) -> str:
    """One line for stderr, in the reviewer's language."""
    parts = [
        f"{label}：{u.forms} 个表单经 LLM 抽取（模型 {s.model}）",
        f"请求 {u.requests} 次",
        f"缓存命中 {u.cache_hits} 次",
        f"词元 输入 {u.prompt_tokens:,} / 输出 {u.completion_tokens:,}",
    ]
    if u.failed:
        parts.append(f"失败 {u.failed} 个表单")
    c = u.cost(s)
    parts.append(
        f"估算费用 {c:.4f} {s.currency}" if c is not None else "费用未估算（未设置 JIXIAO_LLM_PRICE_INPUT/OUTPUT）"
    )
    return "，".join(parts)
