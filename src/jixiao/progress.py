"""Progress on stderr for long runs: ``with progress("读取文件", total=n) as p: p.advance()``.

Shown only when stderr is a terminal, and only once a run has lasted ``JIXIAO_PROGRESS_DELAY``
seconds (default 2), so short runs and pipes print nothing. The bar is transient: it is gone
when the run ends, leaving the terminal as the command's own output left it. Progress nested
inside another (an LLM run inside a check of many files) adds a line to the same display,
since the terminal can hold only one live display at a time.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from .zh import progress_field_label

DEFAULT_DELAY = 2.0


class Tracker(Protocol):
    def advance(self, n: int = 1) -> None: ...

    def update(self, **fields: Any) -> None: ...


class _Silent:
    """The tracker when nothing is shown: stderr is not a terminal."""

    def advance(self, n: int = 1) -> None:
        pass

    def update(self, **fields: Any) -> None:
        pass


class _Display:
    """One rich Progress on stderr, started by a timer after the delay, shared by nested runs."""

    def __init__(self, delay: float) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}", style="dim"),
            console=Console(file=sys.stderr),
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.users = 0
        self.started = False
        self.lock = threading.Lock()
        self.timer = threading.Timer(delay, self._start)
        self.timer.daemon = True

    def _start(self) -> None:
        with self.lock:
            if self.users and not self.started:
                self.progress.start()
                self.started = True

    def close(self) -> None:
        self.timer.cancel()
        with self.lock:
            if self.started:
                self.progress.stop()
                self.started = False


class _Shown:
    def __init__(self, display: _Display, label: str, total: int | None) -> None:
        self.display = display
        self.fields: dict[str, Any] = {}
        self.task = display.progress.add_task(label, total=total, info="")

    def advance(self, n: int = 1) -> None:
        self.display.progress.advance(self.task, n)

    def update(self, **fields: Any) -> None:
        self.fields.update(fields)
        info = " · ".join(f"{progress_field_label(k)} {_fmt(v)}" for k, v in self.fields.items())
        self.display.progress.update(self.task, info=info)


_lock = threading.Lock()
_display: _Display | None = None


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("JIXIAO_PROGRESS_DELAY", DEFAULT_DELAY)))
    except ValueError:
        return DEFAULT_DELAY


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stderr
        return False


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Tracker]:
    """A progress line for one run of ``total`` steps (None: unknown), on a terminal only."""
    global _display
    if not _stderr_is_terminal():
        yield _Silent()
        return
    with _lock:
        if _display is None:
            _display = _Display(_delay())
        display = _display
        display.users += 1
        if display.users == 1:
            display.timer.start()
    shown = _Shown(display, label, total)
    try:
        yield shown
    finally:
        display.progress.remove_task(shown.task)
        with _lock:
            display.users -= 1
            if display.users == 0:
                display.close()
                _display = None


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)
