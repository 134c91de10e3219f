"""Progress on stderr: shown on a terminal (a pseudo-terminal here) once the delay has passed,
never when stderr is a pipe. ``JIXIAO_PROGRESS_DELAY`` replaces the 2 s delay, so no test
depends on how fast the machine is."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import tempfile
from pathlib import Path

from openai_stub_server import ROOT, SECRET, StubServer, rules_oracle

NOISE = ["eval", "--noise", "--forms", "3", "--levels", "0,1", "--layouts", "tabs", "--templates", "none"]


def _env(delay: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_LLM", "OPENAI_"))}
    return {**env, "JIXIAO_PROGRESS_DELAY": delay, "COLUMNS": "120", "TERM": "xterm", **extra}


def run_with_terminal_stderr(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run jixiao with stderr on a pseudo-terminal and stdout on a pipe: (status, stdout, stderr)."""
    master, slave = pty.openpty()
    out_file = tempfile.TemporaryFile()  # a file, not a pipe: a large stdout must not block the child
    p = subprocess.Popen([sys.executable, "-m", "jixiao", *args], stdout=out_file, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            seen += chunk
        elif p.poll() is not None:
            break
    p.wait(timeout=300)
    os.close(master)
    out_file.seek(0)
    out = out_file.read()
    out_file.close()
    return p.returncode, out.decode(), seen.decode("utf-8", "replace")


def test_eval_noise_shows_progress_on_a_terminal() -> None:
    code, out, err = run_with_terminal_stderr(NOISE, _env("0"))
    assert code == 0, err
    assert "加噪评估" in err and "/" in err  # the label and the n/total counter
    assert "加噪评估" not in out  # progress never goes to stdout


def test_eval_fixtures_show_progress_on_a_terminal() -> None:
    code, _, err = run_with_terminal_stderr(["eval", "--no-baseline"], _env("0"))
    assert code == 0, err
    assert "评估标注样例" in err


def test_nothing_before_the_delay() -> None:
    code, _, err = run_with_terminal_stderr(NOISE, _env("600"))
    assert code == 0, err
    assert "加噪评估" not in err


def test_nothing_extra_when_piped() -> None:
    env = _env("0")
    piped = subprocess.run(
        [sys.executable, "-m", "jixiao", *NOISE], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""


def test_llm_run_shows_requests_tokens_and_cache_hits(tmp_path: Path) -> None:
    seed = str(ROOT / "fixtures/seeds/000_dca73c19af058bd9.txt")
    with StubServer(default=rules_oracle) as stub:
        env = _env(
            "0",
            JIXIAO_HOME=str(tmp_path / "home"),
            JIXIAO_LLM_BASE_URL=stub.url,
            JIXIAO_LLM_MODEL="stub-model",
            JIXIAO_LLM_API_KEY=SECRET,
            JIXIAO_LLM_MODE="json",
        )
        code, _, err = run_with_terminal_stderr(["extract", "--engine", "llm", "--format", "json", seed], env)
        assert code == 0, err
        assert "LLM 读取" in err and "词元" in err and "缓存命中" in err
        code, _, again = run_with_terminal_stderr(["extract", "--engine", "llm", "--format", "json", seed], env)
        assert code == 0 and "缓存命中 6" in again
