"""run_checks and CheckRun: every enabled check over every form of every document of one run."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ..models import SEVERITY_RANK, Document, Finding
from .config import CheckConfig
from .records import KeptForm
from .registry import ALL_IDS, CATALOG, RECONCILE_IDS, Ctx, Located


def locate(docs: Sequence[Document]) -> list[Located]:
    return [
        Located(source=doc.source, doc=d, index=i, form=form)
        for d, doc in enumerate(docs)
        for i, form in enumerate(doc.forms)
    ]


def run_checks(docs: Sequence[Document], config: CheckConfig | None = None) -> list[Finding]:
    """Findings of every enabled check, in document order (source, first line, check)."""
    run = CheckRun(config)
    found: list[Finding] = []
    for doc in docs:
        found += run.add(doc)
    return sort_findings(found + run.finish())


class CheckRun:
    """A check run fed one document at a time, so a batch of 10^5 forms is never held whole.

        run = CheckRun(config)
        for doc in documents:            # any iterator
            show(run.add(doc))           # per-form and per-document checks of this document
        show(run.finish())               # cross-document checks and the reconciliation

    Of each document only a ``KeptForm`` per form stays for the cross-document stages
    (names, numbers, indicator rows; not the Form models). Together, sorted, the findings
    are exactly ``run_checks``'s.
    """

    def __init__(self, config: CheckConfig | None = None) -> None:
        self.cfg = config or CheckConfig()
        specs = [spec for spec in CATALOG.values() if self.cfg.enabled(spec.id)]
        self._form_specs = [s for s in specs if s.scope == "form"]
        self._doc_specs = [s for s in specs if s.scope == "corpus" and s.per_document]
        self._run_specs = [s for s in specs if s.scope == "corpus" and not s.per_document]
        self._reconciles = any(self.cfg.enabled(i) for i in RECONCILE_IDS)
        self._kept: list[Located] = []
        self._kinds: set[str] = set()
        self.documents = 0
        self.forms = 0

    def add(self, doc: Document) -> list[Finding]:
        """The findings about this document's forms that need no other document."""
        d = self.documents
        self.documents += 1
        self.forms += len(doc.forms)
        located = [Located(source=doc.source, doc=d, index=i, form=form) for i, form in enumerate(doc.forms)]
        found: list[Finding] = []
        for spec in self._doc_specs:
            found.extend(spec.func(located, Ctx(spec, self.cfg)))
        for spec in self._form_specs:
            for at in located:
                found.extend(spec.func(at.form, Ctx(spec, self.cfg, at)))
        if self._run_specs or self._reconciles:
            self._kinds.update(f.kind for f in doc.forms)
            self._kept.extend(
                Located(source=at.source, doc=d, index=at.index, form=KeptForm(at.form))  # type: ignore[arg-type]
                for at in located
            )
        return found

    def finish(self) -> list[Finding]:
        """The cross-document findings: reuse across projects, duplicate forms, the
        reconciliation of declarations with self-evaluations."""
        found: list[Finding] = []
        for spec in self._run_specs:
            found.extend(spec.func(self._kept, Ctx(spec, self.cfg)))
        if self._reconciles and len(self._kinds) > 1:
            declared = [(at.form, at.source) for at in self._kept if at.form.kind == "target_declaration"]
            evaluated = [(at.form, at.source) for at in self._kept if at.form.kind != "target_declaration"]
            found += _reconciled(declared, evaluated, self.cfg)
        self._kept = []
        return found


def _reconciled(declared: list[Any], evaluated: list[Any], cfg: CheckConfig) -> list[Finding]:
    try:
        from ..reconcile import reconcile_sourced
    except ImportError:  # the reconciliation module is optional
        return []
    _, found = reconcile_sourced(declared, evaluated, explain=False)  # the findings need only the pairs
    return [
        f.model_copy(update={"severity": cfg.severity_of(f.check, f.severity)}) for f in found if cfg.enabled(f.check)
    ]


@dataclass(frozen=True)
class Stage:
    """One part of a run's findings (see ``check_stages``)."""

    findings: list[Finding]
    forms: tuple[tuple[int, int], ...] = ()  # (document, form) whose per-form checks ran in this stage
    corpus: bool = False  # the cross-form checks (over every form) ran in this stage
    reconciled: bool = False  # the declared/evaluated reconciliation ran in this stage
    reconciliation: Any = None  # its ReconcileResult, for a caller that also shows the pairs


def check_stages(
    docs: Sequence[Document], config: CheckConfig | None = None, *, first_forms: int = 0, chunk_forms: int = 0
) -> Iterator[Stage]:
    """The findings of ``run_checks`` in stages, for a session that shows the first forms
    while the rest are checked: the cross-form checks and the per-form checks of the first
    ``first_forms`` forms, then the per-form checks of ``chunk_forms`` more forms at a time,
    then the reconciliation (0 = everything in one stage each).

    Findings that could share a decision key (same check, file, project and form kind)
    always come in one stage: a stage holds whole checks or every form of a (file, project,
    kind); so keys numbered over what has arrived never change when more arrives. The
    stages' findings together, sorted, are exactly ``run_checks``'s.
    """
    cfg = config or CheckConfig()
    forms = locate(docs)
    specs = [spec for spec in CATALOG.values() if cfg.enabled(spec.id)]
    corpus: list[Finding] = []
    for spec in specs:
        if spec.scope == "corpus":
            corpus.extend(spec.func(forms, Ctx(spec, cfg)))
    form_specs = [spec for spec in specs if spec.scope == "form"]
    first = True
    for chunk in _form_chunks(forms, first_forms, chunk_forms):
        found = corpus if first else []
        for spec in form_specs:
            for at in chunk:
                found.extend(spec.func(at.form, Ctx(spec, cfg, at)))
        yield Stage(found, tuple((at.doc, at.index) for at in chunk), corpus=first)
        first = False
    if first:  # no forms at all
        yield Stage(corpus, corpus=True)
    result, found = _reconciliation(docs, cfg)
    yield Stage(found, reconciled=True, reconciliation=result)


def _form_chunks(forms: Sequence[Located], first: int, size: int) -> Iterator[list[Located]]:
    """Forms in order, ``first`` then ``size`` at a time (0: all), each chunk completed with
    the other forms of its (file name, project, kind): findings about them may share keys."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for i, at in enumerate(forms):
        # what a decision key names: the file's name (not its folder), the project, the kind
        groups.setdefault((PurePath(at.source).name, at.form.project_name or "", at.form.kind), []).append(i)
    group_of = {i: g for g in groups.values() for i in g}
    taken = [False] * len(forms)
    start, limit = 0, first
    while start < len(forms):
        chunk: list[int] = []
        while start < len(forms) and (limit <= 0 or len(chunk) < limit):
            if not taken[start]:
                for i in group_of[start]:
                    if not taken[i]:
                        taken[i] = True
                        chunk.append(i)
            start += 1
        if chunk:
            yield [forms[i] for i in sorted(chunk)]
        limit = size


def _reconciliation(docs: Sequence[Document], cfg: CheckConfig) -> tuple[Any, list[Finding]]:
    """target-dropped/-added/-changed and budget-changed, when both kinds of form are given;
    with the ReconcileResult they come from (None when nothing was reconciled)."""
    kinds = {f.kind for d in docs for f in d.forms}
    if len(kinds) < 2 or not any(cfg.enabled(i) for i in RECONCILE_IDS):
        return None, []
    try:
        from ..reconcile import reconcile_with_findings
    except ImportError:  # the reconciliation module is optional
        return None, []
    result, found = reconcile_with_findings(list(docs))
    out: list[Finding] = []
    for f in found:
        if cfg.enabled(f.check):
            out.append(f.model_copy(update={"severity": cfg.severity_of(f.check, f.severity)}))
    return result, out


_ORDER = {cid: i for i, cid in enumerate(ALL_IDS)}


def finding_order(f: Finding) -> tuple[str, int, int, str]:
    """Where a finding stands in a run's output: source, first line, check, project."""
    return (f.source or "", f.lines[0] if f.lines else 0, _ORDER.get(f.check, len(_ORDER)), f.project or "")


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_order)


def at_least(findings: Sequence[Finding], severity: str) -> list[Finding]:
    """Findings of ``severity`` or worse."""
    floor = SEVERITY_RANK[severity]
    return [f for f in findings if SEVERITY_RANK[f.severity] >= floor]
