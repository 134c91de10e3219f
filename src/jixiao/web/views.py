"""What the results page shows, computed once per request from a run and the decisions.

Pure functions over the domain model: which cells and fields to highlight (the same
``report.evidence`` rules the exports and the terminal review use), the copied part of a
completion text, a finding's source lines. The templates only lay these out; every piece of
report text reaches them as plain strings and is escaped there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import PurePath
from typing import Any

from markupsafe import Markup

from ..models import SEVERITY_RANK, Form, Value
from ..render import LAYOUT_LABEL, fmt_value
from ..report.data import FindingRow, ProjectRow, ReportData, lines_text
from ..report.evidence import FormRef
from ..zh import CHECK_LABEL, KIND_LABEL, KIND_TAG, SEVERITY_LABEL, STATUS_LABEL
from .paging import Paging
from .runs import Run, SourceText

MAX_EVIDENCE_LINES = 8
MAX_LINE_CHARS = 300
MAX_UNREAD_LINES = 30  # per form; the rest are counted (a badly read form can leave hundreds)
MIN_COPIED_CHARS = 8  # shorter common runs are ordinary shared wording, not copying
MAX_COMPARED_CHARS = 2000  # the matcher is quadratic; goals are a few hundred characters

# which side of a reconciliation an input was given as, in the words of its kind
ROLE_LABEL: dict[str, str] = {
    "input": "",
    "declared": KIND_TAG["target_declaration"],
    "evaluated": KIND_TAG["self_evaluation"],
}


@dataclass(frozen=True)
class Segment:
    text: str
    copied: bool = False


@dataclass(frozen=True)
class Flag:
    """One finding marking one cell or field: the anchor, its severity and a tooltip."""

    pos: int
    severity: str
    title: str


@dataclass
class FindingView:
    pos: int  # position in ReportData.findings, the page anchor f-<pos>
    row: FindingRow
    source_lines: list[tuple[int, str]]

    @property
    def label(self) -> str:
        return CHECK_LABEL.get(self.row.finding.check, self.row.finding.check)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABEL.get(self.row.finding.severity, self.row.finding.severity)

    @property
    def lines(self) -> str:
        return lines_text(self.row.finding.lines)


@dataclass
class FormView:
    anchor: str
    project: ProjectRow
    role: str
    findings: list[FindingView]
    cells: dict[tuple[int, str], list[Flag]] = field(default_factory=dict)
    fields: dict[str, list[Flag]] = field(default_factory=dict)
    expected: list[Segment] = field(default_factory=list)
    actual: list[Segment] = field(default_factory=list)

    @property
    def form(self) -> Form:
        return self.project.form

    @property
    def kind_label(self) -> str:
        return KIND_LABEL.get(self.form.kind, self.form.kind)

    @property
    def worst(self) -> str | None:
        sevs = [fv.row.finding.severity for fv in self.findings]
        return max(sevs, key=lambda s: SEVERITY_RANK.get(s, 0)) if sevs else None

    @property
    def layout_label(self) -> str:
        return LAYOUT_LABEL.get(self.form.layout, self.form.layout)

    @property
    def confidence(self) -> str:
        return f"{self.form.confidence:.0%}"

    @property
    def unread(self) -> list[tuple[int, str]]:
        """The first lines of the form no reader could place, numbered, cells joined."""
        return [(u.line, line_text(u.text)) for u in self.form.unread[:MAX_UNREAD_LINES]]

    @property
    def unread_more(self) -> int:
        return max(0, len(self.form.unread) - MAX_UNREAD_LINES)


@dataclass
class PairView:
    declared: str
    evaluated: str
    score: float
    reasons: list[str]
    indicators: list[dict[str, Any]]
    declared_anchor: str | None  # links (href) to the forms' cards
    evaluated_anchor: str | None
    budget_change: float | None = None


@dataclass
class Unpaired:
    name: str
    anchor: str | None
    why: str


@dataclass
class ReconcileView:
    pairs: list[PairView]
    unmatched_declared: list[Unpaired]
    unmatched_evaluated: list[Unpaired]
    counts: dict[str, int]


@dataclass
class PageView:
    run: Run
    data: ReportData
    forms: list[FormView]  # the forms on this page
    unplaced: list[FindingView]
    reconcile: ReconcileView | None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (document, note): what it is, what was not read
    paging: Paging | None = None  # None: every form on one page

    def finding(self, pos: int) -> FindingView:
        """The view of the finding at ``pos`` (in a form, or among the unplaced)."""
        every = [fv for form in self.forms for fv in form.findings] + self.unplaced
        return next(fv for fv in every if fv.pos == pos)


def copied_segments(expected: str, actual: str, min_len: int = MIN_COPIED_CHARS) -> tuple[list[Segment], list[Segment]]:
    """Both texts cut into segments, the runs they share (≥ ``min_len`` chars) marked copied."""
    a, b = expected[:MAX_COMPARED_CHARS], actual[:MAX_COMPARED_CHARS]
    blocks = [m for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size >= min_len]
    return _cut(expected, [(m.a, m.size) for m in blocks]), _cut(actual, [(m.b, m.size) for m in blocks])


def _cut(text: str, spans: Sequence[tuple[int, int]]) -> list[Segment]:
    out: list[Segment] = []
    at = 0
    for start, size in sorted(spans):
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start : start + size], copied=True))
        at = start + size
    if at < len(text):
        out.append(Segment(text[at:]))
    return out


def line_text(line: str) -> str:
    """One source line for the page: cells joined with a bar, kept short."""
    text = " │ ".join(c.strip() for c in line.split("\t") if c.strip())
    return text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + "…"


def source_excerpt(src: SourceText | None, lines: Sequence[int]) -> list[tuple[int, str]]:
    """The numbered source lines a finding cites, cells joined with a bar, kept short."""
    if src is None:
        return []
    return [
        (n, line_text(src.lines[n - 1])) for n in sorted(set(lines))[:MAX_EVIDENCE_LINES] if 1 <= n <= len(src.lines)
    ]


def _source_for(run: Run, name: str | None) -> SourceText | None:
    if not name:
        return None
    for s in run.sources:
        if s.name == name:
            return s
    base = PurePath(name).name
    return next((s for s in run.sources if PurePath(s.name).name == base), None)


def _flag(pos: int, row: FindingRow) -> Flag:
    # a short tooltip: the numbered badge in the cell links to the full finding, and long
    # messages repeated on every cell a finding marks would double the page's size
    f = row.finding
    return Flag(pos=pos, severity=f.severity, title=f"问题 {pos + 1}：{CHECK_LABEL.get(f.check, f.check)}")


def _form_anchor(doc: int, form: int) -> str:
    return f"form-{doc}-{form}"


def build_page(run: Run, data: ReportData, paging: Paging | None = None) -> PageView:
    """The view of the run's page: every form, or with ``paging`` the forms of one page
    (their findings; the findings tied to no form go with the first page)."""
    roles = {s.name: s.role for s in run.sources}
    views: dict[tuple[int, int], FormView] = {}
    shown = paging.refs if paging is not None else None
    for p in data.projects:
        if shown is not None and p.ref not in shown:
            continue
        view = FormView(
            anchor=_form_anchor(p.ref.doc, p.ref.form),
            project=p,
            role=ROLE_LABEL.get(roles.get(p.source, "input"), ""),
            findings=[],
        )
        goal = p.form.goal
        if goal.expected and goal.actual:
            view.expected, view.actual = copied_segments(goal.expected, goal.actual)
        views[(p.ref.doc, p.ref.form)] = view

    unplaced: list[FindingView] = []
    first_page = paging is None or paging.number == 1
    for pos, row in enumerate(data.findings):
        if (row.ref is None and not first_page) or (row.ref is not None and (row.ref.doc, row.ref.form) not in views):
            continue
        f = row.finding
        doc_source = data.docs[row.ref.doc].source if row.ref else None
        fv = FindingView(
            pos=pos, row=row, source_lines=source_excerpt(_source_for(run, f.source or doc_source), f.lines)
        )
        if row.ref is None:
            unplaced.append(fv)
            continue
        view = views[(row.ref.doc, row.ref.form)]
        view.findings.append(fv)
        flag = _flag(pos, row)
        for ind, cols in row.evidence.cells.items():
            for col in cols:
                view.cells.setdefault((ind, col), []).append(flag)
        for name in row.evidence.fields:
            view.fields.setdefault(name, []).append(flag)

    return PageView(
        run=run,
        data=data,
        forms=list(views.values()),
        unplaced=unplaced,
        reconcile=reconcile_view(run.reconcile, data, paging) if run.reconcile is not None else None,
        notes=[(doc.source, note) for doc in data.docs for note in doc.notes] if first_page else [],
        paging=paging,
    )


def reconcile_view(result: dict[str, Any], data: ReportData, paging: Paging | None = None) -> ReconcileView:
    """The reconcile JSON with links to its forms. Its indexes count the forms of each kind
    in document order (``reconcile.split_by_kind`` over the run's documents). With
    ``paging``: the pairs and unpaired forms of the page's forms (counts over all of them),
    links to forms on other pages going there."""
    refs_of: dict[str, list[FormRef]] = {"target_declaration": [], "self_evaluation": []}
    for di, doc in enumerate(data.docs):
        for fi, form in enumerate(doc.forms):
            refs_of[form.kind].append(FormRef(di, fi))

    def ref(kind: str, index: object) -> FormRef | None:
        refs = refs_of.get(kind, [])
        return refs[index] if isinstance(index, int) and 0 <= index < len(refs) else None

    def on_page(*refs: FormRef | None) -> bool:
        if paging is None:
            return True
        known = [r for r in refs if r is not None]
        return any(r in paging.refs for r in known) if known else paging.number == 1

    def anchor(kind: str, index: object) -> str | None:
        r = ref(kind, index)
        if r is None:
            return None
        name = _form_anchor(r.doc, r.form)
        return f"#{name}" if paging is None else paging.href(r, name)

    counts = dict.fromkeys(STATUS_LABEL, 0)
    pairs: list[PairView] = []
    for pr in result.get("projects", []):
        inds = list(pr.get("indicators", []))
        for ind in inds:
            counts[ind.get("status", "")] = counts.get(ind.get("status", ""), 0) + 1
        if not on_page(
            ref("target_declaration", pr.get("declared_index")), ref("self_evaluation", pr.get("evaluated_index"))
        ):
            continue
        pairs.append(
            PairView(
                declared=str(pr.get("declared") or ""),
                evaluated=str(pr.get("evaluated") or ""),
                score=float(pr.get("score") or 0.0),
                reasons=[str(r) for r in pr.get("reasons", [])],
                indicators=inds,
                declared_anchor=anchor("target_declaration", pr.get("declared_index")),
                evaluated_anchor=anchor("self_evaluation", pr.get("evaluated_index")),
                budget_change=pr.get("budget_change"),
            )
        )
    # the unpaired forms, each with its own index (two forms may share a name)
    lone: dict[str, list[Unpaired]] = {"target_declaration": [], "self_evaluation": []}
    for u in result.get("unpaired", []):
        kind = str(u.get("kind"))
        if not on_page(ref(kind, u.get("index"))):
            continue
        lone.setdefault(kind, []).append(
            Unpaired(
                name=str(u.get("name") or "（未识别）"),
                anchor=anchor(kind, u.get("index")),
                why=str(u.get("why") or ""),
            )
        )
    if not result.get("unpaired"):  # contract-only JSON: names without indexes
        lone["target_declaration"] = [Unpaired(n, None, "") for n in result.get("unmatched_declared", [])]
        lone["self_evaluation"] = [Unpaired(n, None, "") for n in result.get("unmatched_evaluated", [])]
    return ReconcileView(
        pairs=pairs,
        unmatched_declared=lone["target_declaration"],
        unmatched_evaluated=lone["self_evaluation"],
        counts=counts,
    )


def cell_class(flags: Sequence[Flag] | None) -> str:
    """CSS class of a highlighted cell: its worst finding's severity."""
    if not flags:
        return ""
    worst = max(flags, key=lambda f: SEVERITY_RANK.get(f.severity, 0))
    return f"flag flag-{worst.severity}"


def cell_title(flags: Sequence[Flag] | None) -> str:
    return "\n".join(f.title for f in flags or [])


def flag_attrs(flags: Sequence[Flag] | None, extra: str = "") -> Markup:
    """` class="flag flag-warning extra" title="…"` for a marked cell (values escaped)."""
    if flags:
        return Markup(' class="{} {}" title="{}"').format(cell_class(flags), extra, cell_title(flags))
    return Markup(' class="{}"').format(extra) if extra else Markup("")


def flag_refs(flags: Sequence[Flag] | None) -> Markup:
    """The numbered links from a marked cell to its findings."""
    link = Markup('<a class="ref ref-{}" href="#f-{}" title="{}">{}</a>')
    return Markup("").join(link.format(f.severity, f.pos, f.title, f.pos + 1) for f in flags or [])


def value_td(v: Value | None, flags: Sequence[Flag] | None) -> Markup:
    """A target or actual cell: the parsed value, the source text in its tooltip."""
    text = fmt_value(v)
    titles = [f.title for f in flags or []]
    if v is not None and v.raw and v.raw != text:
        titles.append(f"原文：{v.raw}")
    title = Markup(' title="{}"').format("\n".join(titles)) if titles else Markup("")
    return Markup('<td class="{}"{}>{}{}</td>').format(
        f"{cell_class(flags)} value".strip(), title, text, flag_refs(flags)
    )
