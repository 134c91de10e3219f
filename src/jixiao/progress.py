"""A progress bar on stderr for long runs, and nothing otherwise (a pipe, a test, a log).

Minimal stand-in: ``progress(label, total)`` yields an object with ``advance(n)``; the bar
shows only when stderr is a terminal, and only once the run has lasted ~2 s."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SHOW_AFTER_S = 2.0


class _Silent:
    def advance(self, n: int = 1) -> None:
        pass


class _Bar:
    def __init__(self, label: str, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self.progress: Any = Progress(console=Console(stderr=True), transient=True)
        self.task = self.progress.add_task(label, total=total)
        self.started = False
        import time

        self.clock = time.monotonic
        self.t0 = self.clock()

    def advance(self, n: int = 1) -> None:
        self.progress.advance(self.task, n)
        if not self.started and self.clock() - self.t0 > SHOW_AFTER_S:
            self.progress.start()
            self.started = True

    def stop(self) -> None:
        if self.started:
            self.progress.stop()


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Any]:
    """Count work done under ``label``; the bar appears on a terminal after ~2 s."""
    if not sys.stderr.isatty():
        yield _Silent()
        return
    bar = _Bar(label, total)
    try:
        yield bar
    finally:
        bar.stop()
