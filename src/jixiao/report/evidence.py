"""Where a finding points: which form, which indicator cells, which other fields.

Pure functions shared by the exports (highlighted workbook cells) and the review session
(highlighted table cells, "jump to evidence"). A finding carries its file, project, kind and
source lines; forms and indicators carry theirs, so the link is made by line overlap first
and by project name when a finding has no lines.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from ..models import Document, Finding, Form, Indicator
from ..textnorm import key as text_key

# Indicator table columns, in display order, with their Chinese headers.
INDICATOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("name", "三级指标"),
    ("target", "年度指标值"),
    ("actual", "实际完成值"),
    ("weight", "分值"),
    ("score", "得分"),
    ("deviation", "偏差原因分析及改进措施"),
)
ALL_COLUMNS = frozenset(c for c, _ in INDICATOR_COLUMNS)
_TEXT_COLUMNS = frozenset({"name", "target", "actual", "deviation"})

# Which cells of an indicator row a check is about; a check not listed marks the whole row.
CHECK_COLUMNS: dict[str, frozenset[str]] = {
    "score-exceeds-weight": frozenset({"weight", "score"}),
    "deduction-without-reason": frozenset({"score", "deviation"}),
    "achieved-but-deducted": frozenset({"actual", "score"}),
    "target-not-met-full-score": frozenset({"target", "actual", "score"}),
    "vague-actual": frozenset({"actual"}),
    "implausible-target": frozenset({"target"}),
    "unknown-category": frozenset({"level1", "level2"}),
    "duplicate-indicator": frozenset({"name"}),
    "cost-arithmetic": frozenset({"target"}),
    "over-achievement": frozenset({"target", "actual", "score"}),
    "target-changed": frozenset({"target"}),
    "target-dropped": frozenset({"name"}),
    "target-added": frozenset({"name"}),
    "template-placeholder": _TEXT_COLUMNS,
    "year-mismatch": _TEXT_COLUMNS,
    "score-sum-mismatch": frozenset({"weight", "score"}),
}

# Form fields a check is about even when its lines do not say so.
CHECK_FIELDS: dict[str, frozenset[str]] = {
    "completion-copies-goal": frozenset({"goal.expected", "goal.actual"}),
    "goal-reused-across-projects": frozenset({"goal.expected"}),
    "goal-names-other-project": frozenset({"goal.expected"}),
    "funds-arithmetic": frozenset({"funds"}),
    "budget-changed": frozenset({"funds"}),
    "grade-mismatch": frozenset({"grade", "total_score"}),
    "score-sum-mismatch": frozenset({"total_score"}),
}


@dataclass(frozen=True)
class FormRef:
    """A form by position: ``docs[doc].forms[form]``."""

    doc: int
    form: int


@dataclass
class Evidence:
    """What to highlight in one form for one finding."""

    cells: dict[int, frozenset[str]] = field(default_factory=dict)  # indicator index -> columns
    fields: set[str] = field(default_factory=set)  # 'goal.expected', 'funds', 'grade', ...

    @property
    def first_indicator(self) -> int | None:
        return min(self.cells) if self.cells else None


def same_source(a: str | None, b: str | None) -> bool:
    """Two source names for one file (findings may carry a bare name, documents a path)."""
    if not a or not b:
        return True
    return a == b or PurePath(a).name == PurePath(b).name


class FormIndex:
    """Finds the form of a finding without scanning every form (1,000-form reviews)."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self.docs = docs
        self._by_name: dict[str, list[int]] = {}
        # per document: (first line, last line, form index), sorted by first line
        self._spans: list[list[tuple[int, int, int]]] = []
        self._firsts: list[list[int]] = []
        self._names: list[dict[str, list[int]]] = []
        for di, doc in enumerate(docs):
            self._by_name.setdefault(PurePath(doc.source).name, []).append(di)
            spans: list[tuple[int, int, int]] = []
            names: dict[str, list[int]] = {}
            for fi, form in enumerate(doc.forms):
                first, last = [*form.lines, 0, 0][:2]
                spans.append((first, max(first, last), fi))
                names.setdefault(text_key(form.project_name), []).append(fi)
            spans.sort()
            self._spans.append(spans)
            self._firsts.append([sp[0] for sp in spans])
            self._names.append(names)

    def _docs_for(self, source: str | None) -> list[int]:
        if not source:
            return list(range(len(self.docs)))
        exact = [i for i in self._by_name.get(PurePath(source).name, []) if same_source(source, self.docs[i].source)]
        return exact

    def find(self, finding: Finding) -> FormRef | None:
        """Same file and kind; lines inside the form (and the project's name) first, else the name."""
        want = text_key(finding.project) if finding.project else ""
        best: tuple[int, FormRef] | None = None
        for di in self._docs_for(finding.source):
            forms = self.docs[di].forms
            candidates: dict[int, int] = {}
            spans = self._spans[di]
            firsts = self._firsts[di]
            for n in finding.lines:
                # forms do not overlap: only the last form starting at or before n can hold n
                k = bisect_right(firsts, n) - 1
                if k >= 0 and n <= spans[k][1]:
                    candidates[spans[k][2]] = candidates.get(spans[k][2], 0) | 2
            if want:
                for fi in self._names[di].get(want, []):
                    candidates[fi] = candidates.get(fi, 0) | 1
            for fi, score in sorted(candidates.items()):
                if finding.kind and forms[fi].kind != finding.kind:
                    continue
                if best is None or score > best[0]:
                    best = (score, FormRef(di, fi))
        return best[1] if best else None


def form_of(finding: Finding, docs: Sequence[Document]) -> FormRef | None:
    """The form a finding is about (see ``FormIndex.find``)."""
    return FormIndex(docs).find(finding)


def _row_lines(ind: Indicator) -> list[int]:
    return ind.lines or [ind.line]


def evidence_in(finding: Finding, form: Form) -> Evidence:
    """The indicator cells and form fields a finding points at, within its form."""
    ev = Evidence()
    wanted = set(finding.lines)
    if wanted:
        cols = CHECK_COLUMNS.get(finding.check, ALL_COLUMNS)
        for i, ind in enumerate(form.indicators):
            rl = _row_lines(ind)
            if wanted & set(range(min(rl), max(rl) + 1)):
                ev.cells[i] = cols
        for name, lines in form.field_lines.items():
            if wanted & set(lines):
                ev.fields.add("funds" if name.startswith("funds.") else name)
    # indicators named in the message, for checks that speak of a row without its line
    if not ev.cells and finding.check in CHECK_COLUMNS:
        for i, ind in enumerate(form.indicators):
            if ind.name and len(ind.name) >= 2 and ind.name in finding.message:
                ev.cells[i] = CHECK_COLUMNS[finding.check]
    ev.fields |= CHECK_FIELDS.get(finding.check, frozenset())
    if ev.cells and finding.check in ("completion-copies-goal", "goal-reused-across-projects"):
        ev.cells.clear()  # a goal line never means an indicator row
    return ev


@dataclass
class Located:
    """Every finding tied to its form (or None) and its evidence there."""

    refs: list[FormRef | None]
    evidence: list[Evidence]

    def by_form(self) -> dict[FormRef, list[int]]:
        out: dict[FormRef, list[int]] = {}
        for i, ref in enumerate(self.refs):
            if ref is not None:
                out.setdefault(ref, []).append(i)
        return out


def locate(docs: Sequence[Document], findings: Sequence[Finding]) -> Located:
    index = FormIndex(docs)
    refs: list[FormRef | None] = []
    evs: list[Evidence] = []
    for f in findings:
        ref = index.find(f)
        refs.append(ref)
        evs.append(evidence_in(f, docs[ref.doc].forms[ref.form]) if ref else Evidence())
    return Located(refs, evs)
