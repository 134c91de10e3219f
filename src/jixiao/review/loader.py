"""Everything the session reads before it can show a form: documents, findings, decisions,
and (when both kinds are loaded and the reconciler is installed) the declared/evaluated pairs.

Runs in a worker thread; no UI here.
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from .. import __version__
from ..errors import InputError, JixiaoError
from ..models import Document, Finding, Form
from ..report.data import ReportData, build
from ..report.evidence import FormRef
from ..store import DecisionStore

Checker = Callable[[list[Document]], list[Finding]]


@dataclass
class Pair:
    """One declared project and its self-evaluation, with indicator statuses from the reconciler."""

    declared: FormRef | None
    evaluated: FormRef | None
    declared_name: str | None
    evaluated_name: str | None
    score: float | None
    indicators: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Loaded:
    docs: list[Document]
    findings: list[Finding]
    data: ReportData
    store: DecisionStore
    pairs: list[Pair]
    warnings: list[str]
    timings: dict[str, float]


@dataclass(frozen=True)
class CheckRunner:
    """``jixiao.checks.run_checks`` with the config file's [checks] section; ``fingerprint``
    names what the findings depend on, for the run cache."""

    config_json: str

    def __call__(self, docs: list[Document]) -> list[Finding]:
        from ..checks import CheckConfig, run_checks

        return run_checks(docs, CheckConfig.from_mapping(json.loads(self.config_json)))


def default_checker() -> CheckRunner | None:
    """The installed checks with the user's configuration, or None when they are missing."""
    try:
        from ..checks import run_checks  # noqa: F401
    except ImportError:
        return None
    from ..config import section

    return CheckRunner(json.dumps(section("checks"), sort_keys=True, ensure_ascii=False, default=str))


@cache
def code_fingerprint() -> str:
    """Changes whenever any module of jixiao changes: a cached result of older code is not reused."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha1(__version__.encode())
    for p in sorted(root.rglob("*.py")):
        st = p.stat()
        h.update(f"{p.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\x1f")
    return h.hexdigest()[:32]


def extract_all(
    files: Sequence[str], engine: str, warnings: list[str], store: DecisionStore | None = None
) -> tuple[list[Document], list[str]]:
    """Every file through the engine, or from the store's cache when the same bytes were read
    by the same code before. Answers the documents and their cache keys."""
    from ..api import extract_source
    from ..intake import read_path

    docs: list[Document] = []
    keys: list[str] = []
    for path in files:
        key = None
        if store is not None:
            try:
                key = "doc|" + _digest(path, engine, code_fingerprint(), Path(path).read_bytes())
            except OSError:
                key = None  # read_path below says why, in one line
        hit = store.cache_get(key) if store is not None and key else None
        doc = _cached(Document.model_validate_json, hit)
        if doc is None:
            try:
                doc = extract_source(read_path(path), engine)
            except InputError as e:
                warnings.append(str(e))
                continue
            if store is not None and key and doc.forms:
                store.cache_put(key, doc.model_dump_json().encode())
        warnings.extend(doc.warnings)
        if doc.forms:
            docs.append(doc)
            if key:
                keys.append(key)
        else:
            warnings.append(f"{path}: 未找到任何绩效表单 (no form found)")
    if not docs:
        raise InputError("; ".join(warnings) if warnings else "没有输入文件 (no input)")
    return docs, keys


_FINDINGS = TypeAdapter(list[Finding])
T = TypeVar("T")


def _cached(parse: Callable[[bytes], T], data: bytes | None) -> T | None:
    """A cache entry parsed, or None when there is none or it no longer fits the models."""
    if data is None:
        return None
    try:
        return parse(data)
    except ValidationError:
        return None


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building ~100,000 model objects triggers the cyclic GC over and over (3x the time);
    none of them is garbage yet, so collect once afterwards instead."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _as_dict(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


def reconcile_pairs(docs: Sequence[Document], warnings: list[str]) -> list[Pair]:
    """Pairs from ``jixiao.reconcile.reconcile`` (contract JSON shape plus the form indexes),
    or [] when the reconciler is not installed or only one kind is loaded."""
    refs: dict[str, list[FormRef]] = {"target_declaration": [], "self_evaluation": []}
    for di, d in enumerate(docs):
        for fi, f in enumerate(d.forms):
            refs[f.kind].append(FormRef(di, fi))
    declared, evaluated = refs["target_declaration"], refs["self_evaluation"]
    if not declared or not evaluated:
        return []
    try:
        from ..reconcile import load_settings, reconcile
    except ImportError:
        return []

    def form(r: FormRef) -> Form:
        return docs[r.doc].forms[r.form]

    try:
        settings = load_settings()
        result = _as_dict(reconcile([form(r) for r in declared], [form(r) for r in evaluated], settings))
    except JixiaoError as e:
        warnings.append(f"申报与自评核对失败：{e}")
        return []
    pairs: list[Pair] = []
    for p in result.get("projects", []) if isinstance(result, dict) else []:
        p = _as_dict(p)
        di, ei = p.get("declared_index"), p.get("evaluated_index")
        pairs.append(
            Pair(
                declared=declared[di] if isinstance(di, int) and 0 <= di < len(declared) else None,
                evaluated=evaluated[ei] if isinstance(ei, int) and 0 <= ei < len(evaluated) else None,
                declared_name=p.get("declared"),
                evaluated_name=p.get("evaluated"),
                score=p.get("score"),
                indicators=[_as_dict(i) for i in p.get("indicators", [])],
            )
        )
    return pairs


def load(
    files: Sequence[str],
    db_path: Path,
    engine: str = "rules",
    *,
    documents: Sequence[Document] | None = None,
    findings: Sequence[Finding] | None = None,
    checker: Checker | None = None,
) -> Loaded:
    """Read (or take) the documents, run the checks, open the store and join it all.

    Documents read from files and the findings of the default checks are cached in the
    store, so a reviewer re-opening a large batch waits only for the screen.
    """
    timings: dict[str, float] = {}
    warnings: list[str] = []
    t0 = time.perf_counter()
    store = DecisionStore(db_path)
    with _gc_paused():
        try:
            doc_keys: list[str] = []
            if documents is not None:
                docs = list(documents)
            else:
                docs, doc_keys = extract_all(files, engine, warnings, store)
            timings["extract"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            keep = list(doc_keys)
            if findings is not None:
                found = list(findings)
            elif checker is not None:
                found = list(checker(docs))
            else:
                run = default_checker()
                if run is None:
                    warnings.append("检查模块（jixiao.checks）尚未安装，仅显示表单 (checks not available)")
                    found = []
                elif doc_keys and len(doc_keys) == len(docs):
                    key = "findings|" + _digest(code_fingerprint(), run.config_json, *doc_keys)
                    keep.append(key)
                    cached = _cached(_FINDINGS.validate_json, store.cache_get(key))
                    if cached is not None:
                        found = cached
                    else:
                        found = run(docs)
                        store.cache_put(key, _FINDINGS.dump_json(found))
                else:
                    found = run(docs)
            if doc_keys:
                store.cache_keep(keep)
            timings["checks"] = time.perf_counter() - t1
            t2 = time.perf_counter()
            data = build(docs, found, store.all())
            timings["join"] = time.perf_counter() - t2
        except BaseException:
            store.close()
            raise
        return Loaded(docs, found, data, store, [], warnings, timings)
