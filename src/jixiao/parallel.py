"""Extraction spread over worker processes: documents in input order, few in flight.

A batch of many files is read by ``jobs`` processes, each taking chunks of files (a chunk
amortises the cost of a round trip); at most ``2 × jobs`` chunks are out at once, so the
memory held does not grow with the batch. A worker answers a document pickled, or its JSON
already written (``Work(as_json=True, keep_doc=False)``: the cheapest for ``extract --format
json``, whose main process then only copies bytes), and what ``Work.then`` makes of it. One file of many forms is one task: it is not split at its form boundaries (its forms
are read by one process; a batch's parallelism is by file).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from .batch import Entry
from .errors import InputError
from .models import Document

CHUNK_FILES = 16
CHUNK_BYTES = 8 * 1024 * 1024  # zip members travel to the worker as bytes


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Extracted:
    """One file's outcome: a document (or its JSON), or why it could not be read."""

    name: str
    error: str | None = None
    doc: Document | None = None
    json: bytes | None = None
    forms: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    result: Any = None


@dataclass(frozen=True)
class Work:
    """What is answered for each document, besides its name, warnings and notes. Sent to the
    workers, so ``then`` must be a module-level function."""

    as_json: bool = False  # its JSON (indent 2), ready to print
    keep_doc: bool = True  # the Document itself (unpickling it costs the main process ~0.2 ms a form)
    then: Callable[[Document], Any] | None = None  # run on the document where it was read: ``result``


def extract_entry(entry: Entry, engine: str, work: Work = Work()) -> Extracted:
    from .api import extract_source

    try:
        doc = extract_source(entry.read(), engine)
    except InputError as e:
        return Extracted(name=entry.name, error=str(e))
    out = Extracted(name=doc.source, forms=len(doc.forms), warnings=doc.warnings, notes=doc.notes)
    if work.as_json:
        out.json = Document.__pydantic_serializer__.to_json(doc, indent=2)
    if work.keep_doc:
        out.doc = doc
    if work.then is not None:
        out.result = work.then(doc)
    return out


def extract_entries(entries: Iterable[Entry], engine: str, jobs: int, work: Work = Work()) -> Iterator[Extracted]:
    """Every entry extracted, in order; with ``jobs`` > 1 and more than one entry, in worker
    processes (the LLM engines keep to this process: they have their own concurrency)."""
    it = iter(entries)
    head = [e for _, e in zip(range(2), it)]
    if jobs <= 1 or len(head) < 2 or engine != "rules":
        for entry in chain(head, it):
            yield extract_entry(entry, engine, work)
        return
    yield from _in_workers(chain(head, it), engine, jobs, work)


def _chunks(entries: Iterator[Entry]) -> Iterator[list[Entry]]:
    chunk: list[Entry] = []
    size = 0
    for e in entries:
        chunk.append(e)
        size += len(e.data or b"")
        if len(chunk) >= CHUNK_FILES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _run_chunk(chunk: list[Entry], engine: str, work: Work) -> list[Extracted]:
    return [extract_entry(e, engine, work) for e in chunk]


def _ignore_interrupt() -> None:
    """Ctrl-C is the main process's to handle: it stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _in_workers(entries: Iterator[Entry], engine: str, jobs: int, work: Work) -> Iterator[Extracted]:
    from .engines import get_engine

    get_engine(engine)  # imported once here: forked workers start with it
    methods = multiprocessing.get_all_start_methods()
    # fork: workers start with jixiao already imported; they are all started here, before any
    # progress bar's thread exists
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_ignore_interrupt)
    try:
        pool.submit(int).result()  # start the workers now
        chunks = _chunks(entries)
        pending: deque[Future[list[Extracted]]] = deque()

        def submit_next() -> None:
            chunk = next(chunks, None)
            if chunk is not None:
                pending.append(pool.submit(_run_chunk, chunk, engine, work))

        for _ in range(2 * jobs):
            submit_next()
        while pending:
            done = pending.popleft().result()
            submit_next()
            yield from done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
