"""The run cache in the review database: documents read and findings found before, keyed by
the bytes read and the code that read them, so a reopened session skips the work.

A document is kept in parts (a small first one, then larger ones): parsing 10,000 cached
forms back into models takes as long as reading them did, so a reopened session parses the
first part, shows it, and parses the rest behind the first screen. Entries use the store's
``cache_get`` / ``cache_put`` / ``cache_keep`` (one key-value table); nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from .. import __version__
from ..models import Document, Finding, Form
from ..store import DecisionStore

FIRST_PART = 200  # forms in a document's first cached part: what a reopened session shows first
PART = 2000  # forms in each later part

T = TypeVar("T")
_FORMS = TypeAdapter(list[Form])
FINDINGS = TypeAdapter(list[Finding])


class DocHead(BaseModel):
    """A cached document without its forms, and how many parts its forms are in."""

    doc: Document
    parts: int
    forms: int


@cache
def code_fingerprint() -> str:
    """Changes whenever any module of jixiao changes: a cached result of older code is not reused."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha1(__version__.encode())
    for p in sorted(root.rglob("*.py")):
        st = p.stat()
        h.update(f"{p.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\x1f")
    return h.hexdigest()[:32]


def doc_key(path: str, engine: str) -> str | None:
    """The cache key of one input file (None when it cannot be read: the reader says why)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return "doc2|" + digest(path, engine, code_fingerprint(), data)


def parsed(parse: Callable[[bytes], T], data: bytes | None) -> T | None:
    """A cache entry parsed, or None when there is none or it no longer fits the models."""
    if data is None:
        return None
    try:
        return parse(data)
    except ValidationError:
        return None


def part_bounds(n: int) -> list[tuple[int, int]]:
    """Form index ranges of the parts of a document with ``n`` forms."""
    out = [(0, min(n, FIRST_PART))]
    while out[-1][1] < n:
        out.append((out[-1][1], min(n, out[-1][1] + PART)))
    return out


def part_key(key: str, i: int) -> str:
    return f"{key}|{i}"


def doc_entries(key: str, head: DocHead) -> list[str]:
    """Every cache key a document takes (to keep them)."""
    return [key, *(part_key(key, i) for i in range(head.parts))]


def put_document(store: DecisionStore, key: str, doc: Document) -> list[str]:
    """Cache one document in parts; answers the keys written."""
    bounds = part_bounds(len(doc.forms))
    head = DocHead(doc=doc.model_copy(update={"forms": []}), parts=len(bounds), forms=len(doc.forms))
    for i, (a, b) in enumerate(bounds):
        store.cache_put(part_key(key, i), _FORMS.dump_json(doc.forms[a:b]))
    store.cache_put(key, head.model_dump_json().encode())
    return doc_entries(key, head)


def get_head(store: DecisionStore, key: str) -> DocHead | None:
    return parsed(DocHead.model_validate_json, store.cache_get(key))


def get_part(store: DecisionStore, key: str, i: int) -> list[Form] | None:
    return parsed(_FORMS.validate_json, store.cache_get(part_key(key, i)))


def get_document(store: DecisionStore, key: str) -> tuple[Document, list[str]] | None:
    """A whole cached document and its keys, or None when any part is missing or broken."""
    head = get_head(store, key)
    if head is None:
        return None
    doc = head.doc
    for i in range(head.parts):
        forms = get_part(store, key, i)
        if forms is None:
            return None
        doc.forms.extend(forms)
    return (doc, doc_entries(key, head)) if len(doc.forms) == head.forms else None


def findings_key(config_json: str, doc_keys: Sequence[str]) -> str:
    return "findings|" + digest(code_fingerprint(), config_json, *doc_keys)


def pairs_key(findings: str) -> str:
    """The declared/evaluated pairs of the run whose findings are cached under ``findings``,
    with the reconciler's settings (the [reconcile] section) they also depend on."""
    from ..config import section

    settings = json.dumps(section("reconcile"), sort_keys=True, ensure_ascii=False, default=str)
    return "pairs|" + digest(findings, settings)
