"""One structured request per form, through instructor over the openai client.

- HTTP failures (429, 5xx, timeouts, dropped connections) are retried with exponential
  backoff by the openai client (``http_retries``; it honours ``Retry-After``).
- Answers that do not validate are re-asked by instructor with the validation errors
  (``max_retries``).
- Reasoning models wrap their answer in ``<think>…</think>``; a hook removes it (and a
  Markdown fence around a JSON-mode answer) before instructor parses the reply.
- Every failure becomes an ``LLMFailure`` with a Chinese reason; ``fatal`` marks the ones that
  say the configuration is wrong (no server, bad key, unknown model) rather than this form.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.core.hooks import Hooks

from .schema import FormOut
from .settings import Settings, redact
from .usage import Usage

# the libraries' own retry chatter ('API call failed on attempt 1…') is not for a reviewer: our
# one-line reason says it; a handler here keeps Python's last-resort printer away, while the
# records still reach whatever logging the application (or a test) configures
for _name in ("instructor", "openai", "httpx"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

MODES = {"tools": instructor.Mode.TOOLS, "json": instructor.Mode.JSON, "md_json": instructor.Mode.MD_JSON}
VERSION_HEADER = "X-Jixiao-Prompt-Version"
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^\s*```(?:json)?\s*\n?(.*?)\n?```\s*$", re.DOTALL)


class LLMFailure(Exception):
    def __init__(self, reason: str, *, fatal: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fatal = fatal
        self.usage: Usage | None = None  # what the form spent before it failed


def strip_think(text: str) -> str:
    """The answer without the reasoning block ('<think>…</think>'), stray closers removed."""
    out = _THINK.sub("", text)
    if "</think>" in out:  # an opening tag the server already dropped
        out = out.split("</think>")[-1]
    return out.strip()


def clean_reply(response: Any, mode: str) -> None:
    """Hook on every completion, before instructor parses it: strip reasoning (and, in JSON
    mode, a Markdown fence the model added although it was asked for bare JSON)."""
    for choice in getattr(response, "choices", None) or []:
        message = getattr(choice, "message", None)
        content = getattr(message, "content", None)
        if not isinstance(content, str):
            continue
        text = strip_think(content)
        if mode == "json":
            m = _FENCE.match(text)
            if m:
                text = m.group(1).strip()
        message.content = text


@dataclass
class Asker:
    """Sends one form; ``close`` when the run is over."""

    settings: Settings
    prompt_version: str

    def __post_init__(self) -> None:
        s = self.settings
        self.client = openai.AsyncOpenAI(
            base_url=s.base_url,
            api_key=s.api_key,
            timeout=s.timeout,
            max_retries=s.http_retries,
            default_headers={VERSION_HEADER: self.prompt_version},
        )
        hooks = Hooks()
        hooks.on("completion:response", lambda response: clean_reply(response, s.mode))
        self.instructor = instructor.from_openai(self.client, mode=MODES[s.mode], hooks=hooks)

    async def ask(self, messages: list[dict[str, str]], context: dict[str, Any], usages: Sequence[Usage]) -> FormOut:
        """The validated answer. Every completion (re-asks included) is counted into each of
        ``usages`` as it arrives (the form's and the run's, which the budget watches)."""
        s = self.settings

        def count(response: Any) -> None:
            u = getattr(response, "usage", None)
            for usage in usages:
                usage.requests += 1
                usage.prompt_tokens += int(getattr(u, "prompt_tokens", 0) or 0)
                usage.completion_tokens += int(getattr(u, "completion_tokens", 0) or 0)

        call_hooks = Hooks()
        call_hooks.on("completion:response", count)
        extra: dict[str, Any] = {}
        if s.max_output_tokens:
            extra["max_tokens"] = s.max_output_tokens
        if s.extra_body:
            extra["extra_body"] = s.extra_body
        try:
            return await self.instructor.create(
                response_model=FormOut,
                messages=messages,  # type: ignore[arg-type]
                model=s.model,
                temperature=s.temperature,
                max_retries=s.max_retries,
                context=context,
                strict=False,  # "3.50" for a number is fine; pydantic's lax mode converts it
                hooks=call_hooks,
                **extra,
            )
        except Exception as e:
            raise describe(e, s) from e

    async def close(self) -> None:
        await self.client.close()


def describe(e: BaseException, s: Settings) -> LLMFailure:
    """A Chinese reason for a failed request (with the API key never in it)."""
    cause: BaseException = e
    attempts = None
    if isinstance(e, InstructorRetryException):
        attempts = e.n_attempts
        if e.__cause__ is not None:
            cause = e.__cause__
    failure = _describe(cause, s, attempts)
    if s.api_key and len(s.api_key) >= 6:
        failure.reason = failure.reason.replace(s.api_key, "***")
    failure.reason = redact(failure.reason)  # a base URL with user:key@ in an exception's text
    return failure


def _describe(e: BaseException, s: Settings, attempts: int | None) -> LLMFailure:
    retried = f"（已重试 {s.http_retries} 次）"
    if isinstance(e, openai.APITimeoutError):
        return LLMFailure(f"LLM 请求超时：超过 {s.timeout:g} 秒无响应{retried}，可调大 JIXIAO_LLM_TIMEOUT")
    if isinstance(e, openai.APIConnectionError):
        return LLMFailure(f"无法连接 LLM 服务 {s.endpoint}：请检查 JIXIAO_LLM_BASE_URL（{_short(e)}）", fatal=True)
    if isinstance(e, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMFailure(f"LLM 服务拒绝了 API key（HTTP {e.status_code}），请检查 JIXIAO_LLM_API_KEY", fatal=True)
    if isinstance(e, openai.NotFoundError):
        return LLMFailure(
            f"LLM 服务找不到模型或接口（HTTP 404）：请检查 JIXIAO_LLM_BASE_URL 与 JIXIAO_LLM_MODEL={s.model}",
            fatal=True,
        )
    if isinstance(e, openai.RateLimitError):
        return LLMFailure(f"LLM 服务限流（HTTP 429）{retried}，可降低 JIXIAO_LLM_CONCURRENCY 后重试")
    if isinstance(e, openai.BadRequestError):
        hint = "；若模型不支持工具调用，可设 JIXIAO_LLM_MODE=json 或 md_json" if s.mode == "tools" else ""
        return LLMFailure(f"LLM 服务拒绝了请求（HTTP 400）：{_short(e)}{hint}", fatal=True)
    if isinstance(e, openai.APIStatusError):
        return LLMFailure(f"LLM 服务出错（HTTP {e.status_code}）{retried}：{_short(e)}")
    if isinstance(e, IncompleteOutputException):
        return LLMFailure("模型输出被截断（达到输出长度上限），可调大 JIXIAO_LLM_MAX_OUTPUT_TOKENS")
    if attempts is not None:
        return LLMFailure(f"模型输出 {attempts} 次均未通过校验（JIXIAO_LLM_MAX_RETRIES={s.max_retries}）：{_short(e)}")
    return LLMFailure(f"LLM 请求失败：{type(e).__name__}: {_short(e)}")


def _short(e: BaseException, limit: int = 300) -> str:
    text = " ".join(str(e).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
