"""Helpers for commands: read every FILE through one engine, print JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import click

from ..api import extract_source
from ..errors import InputError, JixiaoError
from ..intake import read_path
from ..models import Document


def iter_documents(
    files: tuple[str, ...] | list[str], engine: str, jobs: int | None = None, *, unread: list[str] | None = None
) -> Iterator[Document]:
    """Every file's document, in input order, one at a time: a file that fails is reported
    (at the end) and skipped, unless all fail (InputError). ``jobs`` is accepted for the
    parallel reader to come; here files are read in this process."""
    read = 0
    errors: list[str] = []
    for path in files:
        try:
            doc = extract_source(read_path(path), engine)
        except InputError as e:
            errors.append(str(e))
            continue
        if doc.forms or doc.notes:
            for w in doc.warnings:
                click.echo(f"警告：{w}", err=True)
            if not doc.forms:
                click.echo(f"提示：{doc.source}: {'；'.join(doc.notes)}", err=True)
            read += 1
            yield doc
        else:
            errors.append(f"{doc.source}: 未找到绩效自评表或绩效目标申报表 (no form found)")
    if not read:
        raise InputError("; ".join(errors) if errors else "没有输入文件 (no input)")
    for e in errors:
        click.echo(f"警告：{e}", err=True)
    if unread is not None:
        unread.extend(errors)


def load_documents(files: tuple[str, ...], engine: str, jobs: int | None = None) -> list[Document]:
    """Extract every file; a file that fails is reported and skipped, unless all fail."""
    return list(iter_documents(files, engine, jobs))


def echo_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def documents_json(docs: list[Document]) -> dict[str, Any]:
    """One file: the contract's document object. Several: {"documents": [...]}."""
    dumped = [d.model_dump(mode="json") for d in docs]
    return dumped[0] if len(dumped) == 1 else {"documents": dumped}


__all__ = ["JixiaoError", "documents_json", "echo_json", "iter_documents", "load_documents"]
