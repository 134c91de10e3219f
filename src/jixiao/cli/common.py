"""Helpers for commands: read every FILE (a folder, a zip: every file in it) through one
engine, one document at a time; print JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from itertools import chain
from typing import IO, Any

import click

from ..batch import expand
from ..errors import InputError, JixiaoError
from ..models import Document
from ..parallel import Extracted, Work, default_jobs, extract_entries
from ..progress import progress


def iter_extracted(
    files: tuple[str, ...] | list[str],
    engine: str,
    jobs: int | None = None,
    *,
    work: Work | None = None,
    unread: list[str] | None = None,
) -> Iterator[Extracted]:
    """Every document of every input, in input order (folders and zips expanded), as it is
    read. A file that cannot be read or holds no form is reported on stderr at the end and
    skipped (and added to ``unread``); when nothing at all was read, InputError. ``work``:
    what each is answered as (default: the Document), see ``jixiao.parallel.Work``."""
    errors: list[str] = []
    read = 0
    results = extract_entries(expand(files), engine, default_jobs() if jobs is None else jobs, work or Work())
    first = next(results, None)  # the workers are forked here, before a progress bar's thread exists
    with progress("读取文件", None) as bar:
        for got in chain(() if first is None else (first,), results):
            bar.advance()
            if got.error is not None:
                errors.append(got.error)
                continue
            if not (got.forms or got.notes):
                errors.append(f"{got.name}: 未找到绩效自评表或绩效目标申报表")
                continue
            for w in got.warnings:
                click.echo(f"警告：{w}", err=True)
            if not got.forms:
                click.echo(f"提示：{got.name}: {'；'.join(got.notes)}", err=True)
            read += 1
            yield got
    if not read:
        raise InputError("; ".join(errors) if errors else "没有输入文件")
    for e in errors:
        click.echo(f"警告：{e}", err=True)
    if unread is not None:
        unread.extend(errors)


def iter_documents(
    files: tuple[str, ...] | list[str], engine: str, jobs: int | None = None, *, unread: list[str] | None = None
) -> Iterator[Document]:
    """Every document of every input, in input order, one at a time (see ``iter_extracted``).
    ``jobs``: worker processes (None: one per usable core; 1: this process)."""
    for got in iter_extracted(files, engine, jobs, unread=unread):
        assert got.doc is not None
        yield got.doc


def load_documents(files: tuple[str, ...], engine: str, jobs: int | None = None) -> list[Document]:
    """Every document as a list, for commands that need them all at once."""
    return list(iter_documents(files, engine, jobs))


def echo_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def documents_json(docs: list[Document]) -> dict[str, Any]:
    """One file: the contract's document object. Several: {"documents": [...]}."""
    dumped = [d.model_dump(mode="json") for d in docs]
    return dumped[0] if len(dumped) == 1 else {"documents": dumped}


def write_documents_json(docs: Iterator[bytes], out: IO[bytes]) -> None:
    """``documents_json`` written as the documents come, each already JSON (indent 2): one
    document alone is the bare object, several stream as ``{"documents": [...]}``, laid out
    as ``json.dump(indent=2)`` lays out the whole."""
    first = next(docs, None)
    if first is None:
        return
    second = next(docs, None)
    if second is None:
        out.write(first + b"\n")
        return
    out.write(b'{\n  "documents": [\n    ')
    out.write(first.replace(b"\n", b"\n    "))
    for doc in chain((second,), docs):
        out.write(b",\n    ")
        out.write(doc.replace(b"\n", b"\n    "))
    out.write(b"\n  ]\n}\n")


__all__ = [
    "JixiaoError",
    "documents_json",
    "echo_json",
    "iter_documents",
    "iter_extracted",
    "load_documents",
    "write_documents_json",
]
