"""Kill the process right after a decision (SIGKILL: no cleanup, no atexit): the row is there."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from test_review_support import SEEDS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def _run_until(script: str, marker: str, tmp_path: Path, timeout: float = 120) -> list[str]:
    """Start ``script``, wait for ``marker`` on its stdout, then SIGKILL it; answers what it printed."""
    path = tmp_path / "child.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    proc = subprocess.Popen(
        [sys.executable, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    watchdog = threading.Timer(timeout, proc.kill)  # a child that hangs must not hang the suite
    watchdog.start()
    try:
        assert proc.stdout is not None
        line = ""
        printed: list[str] = []
        for line in proc.stdout:
            printed.append(line.strip())
            if line.strip() == marker:
                break
        assert line.strip() == marker, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout)
        assert proc.returncode == -signal.SIGKILL
        return printed
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_store_row_survives_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite"
    _run_until(
        f"""
        import time
        from jixiao.models import Finding
        from jixiao.store import DecisionStore
        store = DecisionStore({str(db)!r})
        f = Finding(check="vague-actual", severity="warning", project="业务培训", message="只写了达成指标", lines=[120])
        store.record(f, "dismissed", reason="已电话核实")
        store.set_note(f, "下次要求补充数值")
        print("DECIDED", flush=True)
        time.sleep(120)  # killed here, the connection still open
        """,
        "DECIDED",
        tmp_path,
    )
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT decision, reason, note FROM decisions").fetchall()
    assert rows == [("dismissed", "已电话核实", "下次要求补充数值")]


def test_review_session_decision_survives_sigkill(tmp_path: Path) -> None:
    """The real session: press c, and kill the process as soon as the writer has committed."""
    db = tmp_path / "review.sqlite"
    files = [str(p) for p in SEEDS]
    printed = _run_until(
        f"""
        import asyncio, time
        from jixiao.review import create_app

        async def main():
            app = create_app({files!r}, {str(db)!r})
            async with app.run_test() as pilot:
                while not (app.ready and app.complete):  # the first screen is a preview; decide once checked
                    await pilot.pause(0.02)
                print("KEY", app.state.row.key, flush=True)
                await pilot.press("c")
                while app.saved < 1:
                    await pilot.pause(0.01)
                print("DECIDED", flush=True)
                time.sleep(120)  # blocks the event loop: killed mid-session

        asyncio.run(main())
        """,
        "DECIDED",
        tmp_path,
    )
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT key, decision FROM decisions").fetchall()
    key = next(line.split(" ", 1)[1] for line in printed if line.startswith("KEY "))
    assert rows == [(key, "confirmed")]
