"""An OpenAI-compatible HTTP server for tests: ``POST /v1/chat/completions`` on 127.0.0.1.

It answers from a script of ``Reply`` objects (then from ``default``, if given), in whatever
form the request asks for: a tool call when the request carries ``tools`` (instructor's TOOLS
mode), message content otherwise (JSON and MD_JSON modes). It records every request (headers
and body) so tests can assert on what a real openai client + instructor actually sent.

``rules_oracle`` is a default responder that answers like a perfect model: it reads the form
text out of the request and returns what the rules engine reads there, written back as
printed. ``python tests/openai_stub_server.py [PORT]`` serves it for trying the CLI by hand.
Token counts are an estimate (one token per CJK character, one per four other characters).
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

Body = dict[str, Any]
Responder = Callable[[Body], str]


@dataclass
class Reply:
    """One scripted answer: ``content`` is the model's text (or tool arguments), or a function
    of the request body; ``status`` other than 200 sends an OpenAI-style error."""

    content: str | Responder = ""
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    finish_reason: str = "stop"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Body
    raw: bytes

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    def text(self, role: str) -> str:
        return "\n".join(str(m.get("content") or "") for m in self.messages if m.get("role") == role)


def estimate_tokens(text: str) -> int:
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return cjk + (len(text) - cjk + 3) // 4


class StubServer:
    def __init__(self, default: Responder | None = None) -> None:
        self.default = default
        self.script: deque[Reply] = deque()
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def push(self, *replies: Reply | str) -> None:
        with self.lock:
            self.script.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def start(self) -> StubServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def next_reply(self) -> Reply | None:
        with self.lock:
            if self.script:
                return self.script.popleft()
        return Reply(self.default) if self.default else None


def _handler(server: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", 0)))
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {}
            with server.lock:
                server.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, raw))
            if not self.path.endswith("/chat/completions"):
                return self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            reply = server.next_reply()
            if reply is None:
                return self._send(500, {"error": {"message": "stub: no scripted reply left", "type": "server_error"}})
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                error = {"error": {"message": f"stub error {reply.status}", "type": "stub", "code": reply.status}}
                return self._send(reply.status, error, reply.headers)
            content = reply.content(body) if callable(reply.content) else reply.content
            self._send(200, completion(body, content, reply.finish_reason), reply.headers)

        def _send(self, status: int, payload: Body, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

    return Handler


def completion(body: Body, content: str, finish_reason: str = "stop") -> Body:
    """A chat completion answering ``body`` with ``content``, as a tool call if tools were offered."""
    message: Body = {"role": "assistant", "content": content}
    tools = body.get("tools") or []
    if tools:
        choice = body.get("tool_choice")
        name = choice["function"]["name"] if isinstance(choice, dict) else tools[0]["function"]["name"]
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_stub", "type": "function", "function": {"name": name, "arguments": content}}],
        }
    prompt = json.dumps(body.get("messages", []), ensure_ascii=False) + json.dumps(tools, ensure_ascii=False)
    pt, ct = estimate_tokens(prompt), estimate_tokens(content)
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "stub"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct},
    }


# -- a perfect model, for end-to-end runs --------------------------------------------------

_REPORT = re.compile(r"<report[^>]*>\n(.*?)\n</report>", re.DOTALL)
_LINE = re.compile(r"^\[L(\d+)\] ?(.*)$")
_AMOUNTS = ("initial_budget", "annual_budget", "executed", "requested_total", "fiscal", "carryover", "other")


def report_lines(body: Body) -> list[tuple[int, str]]:
    """The numbered report lines of the request's user message."""
    for m in body.get("messages", []):
        if m.get("role") == "user" and "<report" in str(m.get("content")):
            block = _REPORT.search(str(m["content"]))
            if block:
                return [(int(x.group(1)), x.group(2)) for x in map(_LINE.match, block.group(1).split("\n")) if x]
    raise ValueError("no <report> block in the request")


def rules_oracle(body: Body) -> str:
    """Answer as a perfect model would: the rules engine's reading, written back as printed."""
    from jixiao.rules.engine import extract_segment
    from jixiao.rules.segment import segment

    lines = report_lines(body)
    text = [""] * lines[-1][0]
    for no, t in lines:
        text[no - 1] = t
    forms = [f for f in (extract_segment(s) for s in segment(text)) if f is not None]
    if not forms:
        return json.dumps({"kind": "self_evaluation", "indicators": []})
    return json.dumps(as_printed(forms[0], lines), ensure_ascii=False)


def as_printed(form: Any, lines: list[tuple[int, str]]) -> Body:
    wan = any("万元" in t and "资金" in t for _, t in lines)
    funds: Body = {"unit": "万元" if wan else "元"}
    for k, v in form.funds.model_dump().items():
        if v is not None:
            funds[k] = round(v / 10000, 6) if wan and k in _AMOUNTS else v
    out: Body = form.model_dump(
        include={"kind", "year", "project_name", "department", "implementing_unit", "project_nature",
                 "project_category", "start_date", "end_date", "total_score", "total_weight", "grade"},
        exclude_none=True,
    )  # fmt: skip
    out["funds"] = funds
    out["goal"] = form.goal.model_dump(exclude_none=True)
    out["indicators"] = [
        {
            "line": i.line,
            "level1": i.level1,
            "level2": i.level2,
            "name": i.name,
            "target": i.target.raw if i.target else None,
            "actual": i.actual.raw if i.actual else None,
            "weight": i.weight,
            "score": i.score,
            "deviation": i.deviation,
        }
        for i in form.indicators
    ]
    return out


if __name__ == "__main__":  # pragma: no cover - a manual tool
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    stub = StubServer(default=rules_oracle)
    stub.httpd.server_close()
    stub.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(stub))
    print(f"stub OpenAI server on http://127.0.0.1:{port}/v1 (Ctrl-C to stop)", file=sys.stderr)
    try:
        stub.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


# -- test set-up shared by tests/test_llm*.py ----------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SECRET = "sk-jixiao-test-SECRET-0123456789"


def isolate_env(monkeypatch: Any, tmp_path: Path) -> None:
    """No LLM or OpenAI setting leaks in from the machine; jixiao's home in tmp_path."""
    import os

    for var in list(os.environ):
        if var.startswith(("JIXIAO_", "OPENAI_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("JIXIAO_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)  # no ./jixiao.toml


def configure(monkeypatch: Any, url: str, **settings: object) -> None:
    """Point the LLM engine at ``url``: JIXIAO_LLM_<NAME> for each keyword (mode='json', ...)."""
    values: dict[str, object] = {
        "base_url": url,
        "model": "stub-model",
        "api_key": SECRET,
        "timeout": 10,
        "http_retries": 2,
        "max_retries": 2,
        "concurrency": 2,
    }
    values.update(settings)
    for name, value in values.items():
        monkeypatch.setenv(f"JIXIAO_LLM_{name.upper()}", str(value))


def seed_lines(seed: str = "000_dca73c19af058bd9") -> list[str]:
    return (ROOT / "fixtures/seeds" / f"{seed}.txt").read_text(encoding="utf-8").split("\n")
