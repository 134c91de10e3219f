"""The work behind a page or an API call: extract, check, reconcile. The same core as the CLI.

``strict`` (the JSON API) refuses the whole request when one input cannot be read; the
page is lenient like ``jixiao check FILE...``: an unreadable input is skipped with a warning
unless nothing is left. A document that holds no project form but was recognised (a
部门整体绩效目标表, a narrative report) is kept on the page with its note, which says what it is.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..api import extract_source
from ..checks import CheckConfig, run_checks
from ..errors import ExtractionError, InputError
from ..intake import Source
from ..models import Document
from ..reconcile import load_settings, reconcile, split_by_kind
from .runs import Role, Run, SourceText, new_run_id, now
from .uploads import unique_names

NO_FORM_TAG = "(no form found)"  # how every no-form message ends, whoever says it
NO_FORM = f"未找到任何绩效表单（绩效目标申报表或绩效自评表） {NO_FORM_TAG}"


def no_form(name: str, doc: Document) -> str:
    """Why a document gave no form: NO_FORM, and what the document is when that is known."""
    return f"{name}: {NO_FORM}" + (f"：{'；'.join(doc.notes)}" if doc.notes else "")


def extract_all(sources: Sequence[Source], engine: str, *, strict: bool) -> tuple[list[Document], list[str]]:
    """Documents with at least one form (lenient: or with a note saying what they are), and
    a warning for every input left out."""
    docs: list[Document] = []
    warnings: list[str] = []
    unreadable = 0
    for src in sources:
        try:
            doc = extract_source(src, engine)
        except (InputError, ExtractionError) as e:
            if strict:
                raise
            unreadable += isinstance(e, InputError)
            warnings.append(str(e))
            continue
        # the engine's own no-form warning is left out: NO_FORM below says it, once
        said = doc.warnings if doc.forms else [w for w in doc.warnings if NO_FORM_TAG not in w]
        warnings.extend(w if w.startswith(src.name) else f"{src.name}: {w}" for w in said)
        if doc.forms or (doc.notes and not strict):
            docs.append(doc)  # a note-only document: the page shows its note, once, instead of a warning
        elif strict and len(sources) == 1:
            raise ExtractionError(no_form(src.name, doc))
        else:
            warnings.append(no_form(src.name, doc))
    if not docs:
        # nothing could be read at all (400), or something was read but held no form (422)
        error = InputError if unreadable == len(sources) else ExtractionError
        raise error("; ".join(warnings) if warnings else NO_FORM)
    return docs, warnings


def _texts(sources: Sequence[Source], role: Role) -> list[SourceText]:
    return [SourceText(name=s.name, kind=s.kind, role=role, lines=s.lines) for s in sources]


def check_run(sources: Sequence[Source], engine: str) -> Run:
    """Extract every input and run every check: the results page of the intake form."""
    start = time.perf_counter()
    docs, warnings = extract_all(sources, engine, strict=False)
    findings = run_checks(docs, CheckConfig.load())
    return Run(
        id=new_run_id(),
        created=now(),
        mode="check",
        engine=engine,
        documents=docs,
        sources=_texts(sources, "input"),
        findings=findings,
        warnings=warnings,
        seconds=time.perf_counter() - start,
    )


def reconcile_docs(declared: Sequence[Document], evaluated: Sequence[Document]) -> dict[str, Any]:
    """Every 申报 form against every 自评 form, as the contract's JSON (plus our fields).

    Like ``jixiao reconcile``, the forms of both sides are pooled and split by kind, so one
    upload holding both kinds works too. The pair indexes count forms in document order.
    """
    declared_forms, evaluated_forms = split_by_kind([*declared, *evaluated])
    # what the documents without a form are (their notes), as the reason
    why = "".join(f"；{d.source}: {n}" for d in [*declared, *evaluated] if not d.forms for n in d.notes)
    if not declared_forms:
        raise ExtractionError("申报材料中未找到绩效目标申报表 (no target declaration found)" + why)
    if not evaluated_forms:
        raise ExtractionError("自评材料中未找到绩效自评表 (no self-evaluation found)" + why)
    result = reconcile([f for f, _ in declared_forms], [f for f, _ in evaluated_forms], load_settings())
    return result.contract_json()


def distinct_from(declared: Sequence[Source], evaluated: Sequence[Source]) -> list[Source]:
    """The evaluated inputs, less those identical to a declared one (one file holding both
    kinds, given on both sides, is read once), renamed where a name is taken on the other side:
    findings name their file."""
    seen = {(s.name, tuple(s.lines)) for s in declared}
    rest = [s for s in evaluated if (s.name, tuple(s.lines)) not in seen]
    names = unique_names([s.name for s in declared] + [s.name for s in rest])[len(declared) :]
    return [s if s.name == n else replace(s, name=n) for s, n in zip(rest, names)]


def reconcile_run(declared: Sequence[Source], evaluated: Sequence[Source], engine: str) -> Run:
    """Both sides extracted, reconciled and checked together: the reconcile page."""
    start = time.perf_counter()
    evaluated = distinct_from(declared, evaluated)
    d_docs, d_warn = extract_all(declared, engine, strict=False)
    e_docs, e_warn = extract_all(evaluated, engine, strict=False) if evaluated else ([], [])
    result = reconcile_docs(d_docs, e_docs)
    docs = d_docs + e_docs
    return Run(
        id=new_run_id(),
        created=now(),
        mode="reconcile",
        engine=engine,
        documents=docs,
        sources=_texts(declared, "declared") + _texts(evaluated, "evaluated"),
        findings=run_checks(docs, CheckConfig.load()),
        reconcile=result,
        warnings=d_warn + e_warn,
        seconds=time.perf_counter() - start,
    )
