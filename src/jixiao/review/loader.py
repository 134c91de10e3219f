"""Everything the session reads before it can show a form: documents, findings, decisions,
and (when both kinds are loaded and the reconciler is installed) the declared/evaluated pairs.

``Loading.start`` answers what the first screen needs (the documents, the cross-form checks
and the per-form checks of the first forms); ``Loading.rest`` yields the other forms'
findings and the reconciliation as they are computed; ``Loading.save`` fills the cache.
``load`` does all three at once. Runs in a worker thread; no UI here.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from pydantic import TypeAdapter, ValidationError

from .. import __version__
from ..errors import InputError, JixiaoError
from ..gcpause import gc_paused
from ..models import Document, Finding, Form
from ..report.data import ReportData, build
from ..report.evidence import FormRef
from ..store import Decision, DecisionStore, PendingChange

if TYPE_CHECKING:
    from ..checks.runner import Stage

Checker = Callable[[list[Document]], list[Finding]]

# The first screen waits for the per-form checks of this many forms (a screenful of the
# project list and more); the others are checked afterwards, this many at a time.
FIRST_FORMS = 60
CHUNK_FORMS = 250


@runtime_checkable
class StagedChecker(Protocol):
    """A checker that can also deliver its findings in stages (``jixiao.checks.check_stages``)."""

    def __call__(self, docs: list[Document]) -> list[Finding]: ...

    def stages(self, docs: list[Document], *, first_forms: int, chunk_forms: int) -> Iterator[Stage]: ...


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
    decisions: dict[str, Decision] = field(default_factory=dict)  # stored when loading began
    unchecked: set[FormRef] = field(default_factory=set)  # forms whose own checks are still to come
    reconciling: bool = False  # the declared/evaluated findings are still to come
    # changes an earlier session could not write, still not in the database (on screen already)
    unsaved: list[PendingChange] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unchecked and not self.reconciling


@dataclass(frozen=True)
class Batch:
    """Findings computed after the first screen: the forms they complete, or the reconciliation."""

    findings: list[Finding]
    checked: list[FormRef]
    reconciled: bool
    reconciliation: Any = None  # the checks' ReconcileResult: the side panel reuses it


@dataclass(frozen=True)
class CheckRunner:
    """``jixiao.checks.run_checks`` with the config file's [checks] section; ``fingerprint``
    names what the findings depend on, for the run cache."""

    config_json: str

    def __call__(self, docs: list[Document]) -> list[Finding]:
        from ..checks import CheckConfig, run_checks

        return run_checks(docs, CheckConfig.from_mapping(json.loads(self.config_json)))

    def stages(self, docs: list[Document], *, first_forms: int, chunk_forms: int) -> Iterator[Stage]:
        from ..checks import CheckConfig
        from ..checks.runner import check_stages

        cfg = CheckConfig.from_mapping(json.loads(self.config_json))
        return check_stages(docs, cfg, first_forms=first_forms, chunk_forms=chunk_forms)


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
    files: Sequence[str],
    engine: str,
    warnings: list[str],
    store: DecisionStore | None = None,
    deferred: list[tuple[str, Document]] | None = None,
) -> tuple[list[Document], list[str]]:
    """Every file through the engine, or from the store's cache when the same bytes were read
    by the same code before. Answers the documents and their cache keys. With ``deferred``,
    the documents to cache are put there instead (the caller caches them later)."""
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
                if deferred is not None:
                    deferred.append((key, doc))
                else:
                    store.cache_put(key, doc.model_dump_json().encode())
        warnings.extend(doc.warnings)
        if doc.forms:
            docs.append(doc)
            if key:
                keys.append(key)
        else:
            # what the document is, when the reader could tell (a 部门整体绩效目标表, a report)
            why = f"：{'；'.join(doc.notes)}" if doc.notes else ""
            warnings.append(f"{path}: 未找到任何绩效表单 (no form found){why}")
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


def _as_dict(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


def reconcile_pairs(docs: Sequence[Document], warnings: list[str], result: Any = None) -> list[Pair]:
    """Pairs from ``jixiao.reconcile.reconcile`` (contract JSON shape plus the form indexes),
    or [] when the reconciler is not installed or only one kind is loaded. ``result``: a
    reconciliation of these documents already run (by the checks), used instead of a new one."""
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
        if result is None:
            result = reconcile([form(r) for r in declared], [form(r) for r in evaluated], load_settings())
        result = _as_dict(result)
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


class Loading:
    """One session's loading in stages (see the module docstring). Findings given, found in
    the run cache, or from a checker without stages all come with the first screen."""

    def __init__(
        self,
        files: Sequence[str],
        db_path: Path,
        engine: str = "rules",
        *,
        documents: Sequence[Document] | None = None,
        findings: Sequence[Finding] | None = None,
        checker: Checker | None = None,
        first_forms: int = FIRST_FORMS,
        chunk_forms: int = CHUNK_FORMS,
    ) -> None:
        self.files, self.db_path, self.engine = list(files), Path(db_path), engine
        self.documents, self.findings, self.checker = documents, findings, checker
        self.first_forms, self.chunk_forms = first_forms, chunk_forms
        self.store: DecisionStore | None = None
        self._later: Iterator[Stage] | None = None
        self._found: list[Finding] = []
        self._doc_puts: list[tuple[str, Document]] = []
        self._doc_keys: list[str] = []
        self._keep: list[str] = []
        self._findings_key: str | None = None
        self._findings_json: bytes | None = None

    @property
    def found(self) -> list[Finding]:
        """Every finding so far (all of them, sorted, once ``rest`` is exhausted)."""
        return self._found

    def start(self) -> Loaded:
        """Read (or take) the documents, open the store, run the first stage of the checks
        and join it all: what the first screen shows."""
        timings: dict[str, float] = {}
        warnings: list[str] = []
        t0 = time.perf_counter()
        self.store = store = DecisionStore(self.db_path)
        with gc_paused():
            try:
                if self.documents is not None:
                    docs = list(self.documents)
                else:
                    docs, self._doc_keys = extract_all(self.files, self.engine, warnings, store, self._doc_puts)
                self._keep = list(self._doc_keys)
                timings["extract"] = time.perf_counter() - t0
                t1 = time.perf_counter()
                found, unchecked, reconciling = self._first_findings(docs, store, warnings)
                self._found = found
                timings["checks"] = time.perf_counter() - t1
                t2 = time.perf_counter()
                decisions = store.all()
                for change in store.unsaved:  # shown as the reviewer left them (and marked unsaved)
                    decisions[change.key] = change.applied_to(decisions.get(change.key))
                data = build(docs, found, decisions)
                timings["join"] = time.perf_counter() - t2
            except BaseException:
                store.close()
                raise
        warnings.extend(store.warnings)
        where = store.unsaved_path.name if store.unsaved_path else ""
        if store.recovered:
            warnings.append(f"已补存上次未能写入数据库的 {store.recovered} 个审核结论（来自 {where}）")
        if store.unsaved:
            warnings.append(f"上次有 {len(store.unsaved)} 个审核结论仍未能写入数据库（暂存于 {where}），将自动重试")
        # a copy: ``rest`` adds to self._found, the session merges into its own list
        return Loaded(
            docs,
            list(found),
            data,
            store,
            [],
            warnings,
            timings,
            decisions,
            unchecked,
            reconciling,
            list(store.unsaved),
        )

    def _first_findings(
        self, docs: list[Document], store: DecisionStore, warnings: list[str]
    ) -> tuple[list[Finding], set[FormRef], bool]:
        if self.findings is not None:
            return list(self.findings), set(), False
        run = self.checker
        if run is None:
            run = default_checker()
            if run is None:
                warnings.append("检查模块（jixiao.checks）尚未安装，仅显示表单 (checks not available)")
                return [], set(), False
            if self._doc_keys and len(self._doc_keys) == len(docs):
                assert isinstance(run, CheckRunner)
                self._findings_key = "findings|" + _digest(code_fingerprint(), run.config_json, *self._doc_keys)
                self._keep.append(self._findings_key)
                cached = _cached(_FINDINGS.validate_json, store.cache_get(self._findings_key))
                if cached is not None:
                    self._findings_key = None  # nothing to write back
                    return cached, set(), False
        if not isinstance(run, StagedChecker):
            found = list(run(docs))
            self._put_findings(found)
            return found, set(), False
        from ..checks.runner import sort_findings

        self._later = run.stages(docs, first_forms=self.first_forms, chunk_forms=self.chunk_forms)
        first = next(self._later)
        checked = {FormRef(d, f) for d, f in first.forms}
        unchecked = {FormRef(d, f) for d, doc in enumerate(docs) for f in range(len(doc.forms))} - checked
        return sort_findings(list(first.findings)), unchecked, not first.reconciled

    def rest(self) -> Iterator[Batch]:
        """The later stages of the checks, each as soon as it is computed."""
        if self._later is None:
            return
        while True:
            with gc_paused():
                stage = next(self._later, None)
                if stage is None:
                    break
                self._found += stage.findings
            yield Batch(
                list(stage.findings),
                [FormRef(d, f) for d, f in stage.forms],
                stage.reconciled,
                getattr(stage, "reconciliation", None),
            )
        self._later = None
        from ..checks.runner import sort_findings

        self._found = sort_findings(self._found)
        self._put_findings(self._found)

    def _put_findings(self, found: list[Finding]) -> None:
        if self._findings_key is not None:
            self._findings_json = _FINDINGS.dump_json(found)

    def save(self) -> None:
        """Cache what was read and found, so the next opening of the same files is quick.
        Quietly nothing when the session has already closed the store."""
        store = self.store
        if store is None or not self._doc_keys:
            return
        try:
            for key, doc in self._doc_puts:
                store.cache_put(key, doc.model_dump_json().encode())
            self._doc_puts = []
            if self._findings_key is not None and self._findings_json is not None:
                store.cache_put(self._findings_key, self._findings_json)
            store.cache_keep(self._keep)
        except sqlite3.ProgrammingError:  # closed: the app was quit before loading finished
            pass
        except sqlite3.Error:  # locked or read-only: the cache is only a speed-up, never needed
            pass


def load(
    files: Sequence[str],
    db_path: Path,
    engine: str = "rules",
    *,
    documents: Sequence[Document] | None = None,
    findings: Sequence[Finding] | None = None,
    checker: Checker | None = None,
) -> Loaded:
    """Read (or take) the documents, run every check, open the store and join it all.

    Documents read from files and the findings of the default checks are cached in the
    store, so a reviewer re-opening a large batch waits only for the screen.
    """
    loading = Loading(files, db_path, engine, documents=documents, findings=findings, checker=checker)
    loaded = loading.start()
    try:
        t = time.perf_counter()
        later = list(loading.rest())
        if later:
            with gc_paused():
                loaded.findings = loading.found
                loaded.data = build(loaded.docs, loaded.findings, loaded.decisions)
            loaded.unchecked, loaded.reconciling = set(), False
            loaded.timings["checks"] += time.perf_counter() - t
        loading.save()
    except BaseException:
        loaded.store.close()
        raise
    return loaded
