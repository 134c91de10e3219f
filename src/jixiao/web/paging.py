"""The results page in pages: a run of a thousand forms is megabytes of HTML, so the page
shows a slice of the forms (whole forms, in order, with their findings) and links to the
others. Pure functions of the report rows: the same run always cuts at the same places, so
a finding's page can be found again from its position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..report.data import ProjectRow, ReportData
from ..report.evidence import FormRef

# A page holds forms until about this many bytes of HTML (estimated), and never more than
# MAX_FORMS forms: the first page stays small enough to open at once on any machine.
PAGE_BUDGET = 300_000
MAX_FORMS = 50
# bytes a form card takes, roughly: its frame, each indicator row, each finding card
FORM_BYTES, INDICATOR_BYTES, FINDING_BYTES = 3000, 400, 1500


def form_weight(p: ProjectRow) -> int:
    return FORM_BYTES + INDICATOR_BYTES * len(p.form.indicators) + FINDING_BYTES * len(p.findings)


def cut(projects: Sequence[ProjectRow], budget: int = PAGE_BUDGET, most: int = MAX_FORMS) -> list[tuple[int, int]]:
    """Index ranges of the projects on each page (one page, possibly empty, at least)."""
    pages: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, p in enumerate(projects):
        w = form_weight(p)
        if i > start and (used + w > budget or i - start >= most):
            pages.append((start, i))
            start, used = i, 0
        used += w
    pages.append((start, len(projects)))
    return pages


@dataclass(frozen=True)
class PageLink:
    number: int  # 1-based
    first: str  # the first and last project names on it, for the page list's tooltips
    last: str
    forms: int


@dataclass
class Paging:
    """Which page is shown, which forms are on it, and where every form is."""

    number: int
    pages: list[PageLink]
    refs: set[FormRef]  # the forms on this page
    page_of_form: dict[FormRef, int]

    @property
    def count(self) -> int:
        return len(self.pages)

    def url(self, number: int) -> str:
        """The query part of a page's address ('' for the first: its plain address)."""
        return "" if number <= 1 else f"?page={number}"

    def href(self, ref: FormRef | None, anchor: str) -> str:
        """A link to a form's card: on this page an anchor, else the other page's address."""
        page = self.page_of_form.get(ref, 1) if ref is not None else 1
        return f"#{anchor}" if page == self.number else f"{self.url(page) or '?page=1'}#{anchor}"


def paging(data: ReportData, number: int = 1) -> Paging:
    """The page ``number`` of the run's forms (clamped to the pages there are)."""
    ranges = cut(data.projects)
    number = min(max(1, number), len(ranges))
    page_of: dict[FormRef, int] = {}
    links: list[PageLink] = []
    for n, (a, b) in enumerate(ranges, start=1):
        for p in data.projects[a:b]:
            page_of[p.ref] = n
        names = [p.name for p in data.projects[a:b]] or [""]
        links.append(PageLink(n, names[0], names[-1], b - a))
    a, b = ranges[number - 1]
    return Paging(number, links, {p.ref for p in data.projects[a:b]}, page_of)


def page_of_finding(data: ReportData, pos: int) -> int:
    """The page that shows the finding at ``pos`` (findings tied to no form: the first)."""
    ref = data.findings[pos].ref
    if ref is None:
        return 1
    for n, (a, b) in enumerate(cut(data.projects), start=1):
        if any(p.ref == ref for p in data.projects[a:b]):
            return n
    return 1
