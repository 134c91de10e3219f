"""Everything the session reads before it can show a form: documents, findings, decisions.

``Loading.start`` answers the first screen, quickly at any size:

- reopened (every file and the findings in the run cache): the first cached part of the
  first document with every finding of the run; its forms can be decided at once;
- read afresh: a preview of the first file (its first ``PREVIEW_LINES`` lines through the
  rules engine), shown while every file is read and checked; nothing on it can be decided
  until its checks have run;
- given documents (tests, the web page): the documents and the first stage of the checks.

``Loading.rest`` yields ``Batch``es as they are ready: the documents read so far, then the
findings in stages; ``Loading.save`` fills the cache. ``load`` does all three at once.
Runs in a worker thread; no UI here. A document handed out is never changed afterwards
(the screen reads it from another thread): more forms come as a new document.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from ..errors import InputError
from ..gcpause import gc_paused
from ..intake import Source
from ..models import Document, Finding
from ..report.data import build
from ..report.evidence import FormRef
from ..store import DecisionStore
from .batches import Batch, Loaded
from .cache import (
    FINDINGS,
    DocHead,
    doc_entries,
    doc_key,
    findings_key,
    get_document,
    get_head,
    get_part,
    pairs_key,
    parsed,
    put_document,
)
from .checking import Checker, StagedChecker, default_checker
from .pairs import PAIRS, Pair, reconcile_pairs

if TYPE_CHECKING:
    from ..checks.runner import Stage

# The first screen waits for the per-form checks of this many forms (a screenful of the
# project list and more); the others are checked afterwards, this many at a time.
FIRST_FORMS = 60
CHUNK_FORMS = 250
# ... or in about this many stages, when that makes them larger (each one redraws the list)
STAGES = 10
# A file read afresh is previewed from this many of its first lines (some 40 forms).
PREVIEW_LINES = 4000
# While many files or cached parts are read, the screen is told at most this often.
SNAPSHOT_SECONDS = 0.5

__all__ = [
    "CHUNK_FORMS",
    "FIRST_FORMS",
    "Batch",
    "Checker",
    "Loaded",
    "Loading",
    "Pair",
    "default_checker",
    "load",
    "reconcile_pairs",
]


def refs_of(docs: Sequence[Document]) -> set[FormRef]:
    return {FormRef(d, f) for d, doc in enumerate(docs) for f in range(len(doc.forms))}


def no_form_note(path: str, doc: Document) -> str:
    """One file that holds no form, and what it is when the reader could tell."""
    return PurePath(path).name + (f"（{'；'.join(doc.notes)}）" if doc.notes else "")


def said_warnings(doc: Document, forms: int | None = None) -> list[str]:
    """A document's warnings less the engine's no-form one: the summary of the files without
    a form says that, once for all of them."""
    if forms if forms is not None else doc.forms:
        return list(doc.warnings)
    return [w for w in doc.warnings if "(no form found)" not in w]


class Loading:
    """One session's loading in stages (see the module docstring)."""

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
        self.docs: list[Document] = []  # every document read so far
        self.plan = "given"  # given | cache | read
        self._keys: list[str | None] = []
        self._heads: list[DocHead | None] = []
        self._first: tuple[Source, Document | None] | None = None  # the first file, read for the preview
        self._later: Iterator[Stage] | None = None
        self._found: list[Finding] = []
        self._doc_puts: list[tuple[str, Document]] = []
        self._keep: list[str] = []
        self._findings_key: str | None = None
        self._findings_json: bytes | None = None
        self._pairs_key: str | None = None

    @property
    def found(self) -> list[Finding]:
        """Every finding so far (all of them, sorted, once ``rest`` is exhausted)."""
        return self._found

    # ------------------------------------------------------------------ the first screen
    def start(self) -> Loaded:
        """What the first screen shows (see the module docstring)."""
        timings: dict[str, float] = {}
        warnings: list[str] = []
        no_form: list[str] = []
        t0 = time.perf_counter()
        self.store = store = DecisionStore(self.db_path)
        unchecked: set[FormRef] = set()
        reconciling, reading = False, ""
        with gc_paused():
            try:
                if self.documents is not None:
                    docs = self.docs = list(self.documents)
                    timings["extract"] = time.perf_counter() - t0
                    t1 = time.perf_counter()
                    self._found, unchecked, reconciling = self._first_findings(docs, store, warnings)
                    timings["checks"] = time.perf_counter() - t1
                else:
                    docs, reading = self._open_files(store, warnings, no_form)
                    if self.plan == "read":
                        unchecked, reconciling = refs_of(docs), True
                    timings["extract"] = time.perf_counter() - t0
                t2 = time.perf_counter()
                decisions = store.all()
                for change in store.unsaved:  # shown as the reviewer left them (and marked unsaved)
                    decisions[change.key] = change.applied_to(decisions.get(change.key))
                data = build(docs, self._found, decisions)
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
        # copies: ``rest`` adds to self._found, the session merges into its own list
        return Loaded(
            list(docs),
            list(self._found),
            data,
            store,
            [],
            warnings,
            timings,
            decisions,
            unchecked,
            reconciling,
            list(store.unsaved),
            reading,
            no_form,
        )

    def _open_files(self, store: DecisionStore, warnings: list[str], no_form: list[str]) -> tuple[list[Document], str]:
        """The first screen's documents: the first cached part (reopened), else a preview."""
        self._keys = [doc_key(f, self.engine) for f in self.files]
        heads = [get_head(store, k) if k else None for k in self._keys]
        with_forms = [i for i, h in enumerate(heads) if h is not None and h.forms]
        if self.files and with_forms and all(h is not None for h in heads):
            found = self._known_findings(store, warnings)
            first = get_part(store, str(self._keys[with_forms[0]]), 0) if found is not None else None
            if found is not None and first is not None:
                self.plan, self._heads, self._found = "cache", heads, found
                for path, h in zip(self.files, heads):
                    assert h is not None
                    warnings.extend(said_warnings(h.doc, h.forms))
                    if not h.forms:
                        no_form.append(no_form_note(path, h.doc))
                head = heads[with_forms[0]]
                assert head is not None
                self.docs = [head.doc.model_copy(update={"forms": first})]
                left = sum(h.forms for h in heads if h is not None) - len(first)
                return list(self.docs), f"其余 {left} 个表" if left else ""
        self.plan = "read"
        return self._preview(), f"文件 0/{len(self.files)}"

    def _preview(self) -> list[Document]:
        """The first file's first forms (rules engine only: quick and offline), or nothing."""
        if self.engine != "rules" or not self.files:
            return []
        from ..api import extract_source
        from ..intake import read_path

        try:
            src = read_path(self.files[0])
        except InputError:
            return []  # ``rest`` says why
        if len(src.lines) <= PREVIEW_LINES:
            doc = extract_source(src, "rules")
            self._first = (src, doc)
            return [doc] if doc.forms else []
        self._first = (src, None)
        doc = extract_source(replace(src, lines=src.lines[:PREVIEW_LINES]), "rules")
        forms = doc.forms[:-1]  # the last one may be cut off by the preview
        return [doc.model_copy(update={"forms": forms})] if forms else []

    # ------------------------------------------------------------------ findings
    def _known_findings(self, store: DecisionStore, warnings: list[str]) -> list[Finding] | None:
        """The run's findings without checking: given, or in the cache (None: to compute)."""
        if self.findings is not None:
            return list(self.findings)
        if self.checker is not None:
            return None
        run = default_checker()
        if run is None:
            warnings.append("检查模块（jixiao.checks）尚未安装，仅显示表单 (checks not available)")
            return []
        if not self._keys or any(k is None for k in self._keys):
            return None
        self._findings_key = findings_key(run.config_json, [str(k) for k in self._keys])
        self._pairs_key = pairs_key(self._findings_key)
        self._keep += [self._findings_key, self._pairs_key]
        cached = parsed(FINDINGS.validate_json, store.cache_get(self._findings_key))
        if cached is not None:
            self._findings_key = None  # nothing to write back
        return cached

    def _first_findings(
        self, docs: list[Document], store: DecisionStore, warnings: list[str]
    ) -> tuple[list[Finding], set[FormRef], bool]:
        """Every finding when known or quick, else the first stage of the staged checks."""
        from ..checks.runner import sort_findings

        known = self._known_findings(store, warnings)
        if known is not None:
            return known, set(), False
        run = self.checker or default_checker()
        assert run is not None  # else the findings are known: none
        if not isinstance(run, StagedChecker):
            found = list(run(docs))
            self._put_findings(found)
            return found, set(), False
        # every stage redraws the whole list: a large batch is checked in some ten stages
        chunk = max(self.chunk_forms, sum(len(d.forms) for d in docs) // STAGES)
        self._later = run.stages(docs, first_forms=self.first_forms, chunk_forms=chunk)
        first = next(self._later)
        unchecked = refs_of(docs) - {FormRef(d, f) for d, f in first.forms}
        return sort_findings(list(first.findings)), unchecked, not first.reconciled

    # ------------------------------------------------------------------ after the first screen
    def rest(self) -> Iterator[Batch]:
        """The other documents, then the later stages of the checks, each when ready."""
        if self.plan == "cache":
            yield from self._rest_cached()
        elif self.plan == "read":
            yield from self._rest_read()
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

    def _rest_cached(self) -> Iterator[Batch]:
        """The other cached parts (the findings are all known already)."""
        store = self.store
        assert store is not None
        docs = list(self.docs)
        total = sum(h.forms for h in self._heads if h is not None)
        told = time.perf_counter()
        first = True
        for path, key, head in zip(self.files, self._keys, self._heads):
            assert key is not None and head is not None
            self._keep += doc_entries(key, head)
            if not head.forms:
                continue
            if not first:
                docs.append(head.doc.model_copy(update={"forms": []}))
            for i in range(1 if first else 0, head.parts):
                with gc_paused():
                    forms = get_part(store, key, i)
                    if forms is None:  # a broken part: this file is read again
                        doc = self._read_one(path, key, [], [])
                        if doc is not None and doc.forms:
                            docs[-1] = doc
                        break
                    docs[-1] = docs[-1].model_copy(update={"forms": docs[-1].forms + forms})
                left = total - sum(len(d.forms) for d in docs)
                if left > 0 and time.perf_counter() - told >= SNAPSHOT_SECONDS:
                    self.docs = list(docs)
                    yield Batch([], [], False, docs=list(docs), reading=f"其余 {left} 个表")
                    told = time.perf_counter()
            first = False
        self.docs = docs
        yield Batch([], [], False, docs=list(docs))

    def _read_one(self, path: str, key: str | None, warnings: list[str], errors: list[str]) -> Document | None:
        """One file from the cache, or through the engine (cached on ``save``)."""
        from ..api import extract_source
        from ..intake import read_path

        store = self.store
        assert store is not None
        cached = get_document(store, key) if key else None
        if cached is not None:
            self._keep += cached[1]
            return cached[0]
        try:
            if self._first is not None and path == self.files[0]:
                src, doc = self._first
                self._first = None
                doc = doc or extract_source(src, self.engine)
            else:
                doc = extract_source(read_path(path), self.engine)
        except InputError as e:
            errors.append(str(e))
            return None
        if key:
            self._doc_puts.append((key, doc))
        return doc

    def _rest_read(self) -> Iterator[Batch]:
        """Every file read (or found in the cache), then the first stage of the checks."""
        assert self.store is not None
        docs: list[Document] = []
        no_form: list[str] = []
        warnings: list[str] = []
        errors: list[str] = []
        told = time.perf_counter()
        for n, path in enumerate(self.files, start=1):
            with gc_paused():
                doc = self._read_one(path, self._keys[n - 1] if self._keys else None, warnings, errors)
            if doc is None:
                continue
            warnings.extend(said_warnings(doc))
            if doc.forms:
                docs.append(doc)
            else:
                no_form.append(no_form_note(path, doc))
            if docs and n < len(self.files) and time.perf_counter() - told >= SNAPSHOT_SECONDS:
                self.docs = list(docs)
                yield Batch(
                    [], [], False, docs=list(docs), pending=frozenset(refs_of(docs)),
                    reading=f"文件 {n}/{len(self.files)}", warnings=tuple(warnings), no_form=tuple(no_form),
                )  # fmt: skip
                warnings, no_form = [], []
                told = time.perf_counter()
        if not docs:
            why = errors + [f"{note}: 未找到任何绩效表单 (no form found)" for note in no_form]
            raise InputError("; ".join(why) if why else "没有输入文件 (no input)")
        self.docs = docs
        warnings = errors + warnings
        yield Batch(
            [], [], False, docs=list(docs), pending=frozenset(refs_of(docs)), warnings=tuple(warnings),
            no_form=tuple(no_form),
        )  # fmt: skip
        with gc_paused():
            self._found, unchecked, reconciling = self._first_findings(docs, self.store, [])
        yield Batch(list(self._found), list(refs_of(docs) - unchecked), not reconciling)

    def cached_pairs(self) -> list[Pair] | None:
        """The side panel's pairs as an earlier session of the same run left them."""
        if self.store is None or self._pairs_key is None:
            return None
        try:
            return parsed(PAIRS.validate_json, self.store.cache_get(self._pairs_key))
        except sqlite3.Error:
            return None

    def put_pairs(self, pairs: list[Pair]) -> None:
        """Keep the side panel's pairs for the next session (a speed-up only: errors pass)."""
        if self.store is None or self._pairs_key is None:
            return
        try:
            self.store.cache_put(self._pairs_key, PAIRS.dump_json(pairs))
        except sqlite3.Error:  # closed, locked or read-only
            pass

    def _put_findings(self, found: list[Finding]) -> None:
        if self._findings_key is not None:
            self._findings_json = FINDINGS.dump_json(found)

    def save(self) -> None:
        """Cache what was read and found, so the next opening of the same files is quick.
        Quietly nothing when the session has already closed the store."""
        store = self.store
        if store is None or not self._keys:
            return
        try:
            for key, doc in self._doc_puts:
                self._keep += put_document(store, key, doc)
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
        for batch in later:
            loaded.warnings.extend(batch.warnings)
            loaded.no_form.extend(batch.no_form)
        if later:
            with gc_paused():
                loaded.docs, loaded.findings = loading.docs, loading.found
                loaded.data = build(loaded.docs, loaded.findings, loaded.decisions)
            loaded.unchecked, loaded.reconciling, loaded.reading = set(), False, ""
            loaded.timings["checks"] = loaded.timings.get("checks", 0.0) + time.perf_counter() - t
        loading.save()
    except BaseException:
        loaded.store.close()
        raise
    return loaded
