"""The review session's state without any UI: filters, the finding under review, progress.

The app holds one ``ReviewState`` and redraws from it; tests can drive it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import SEVERITY_RANK
from ..report.data import FindingRow, ProjectRow, ReportData
from ..report.evidence import FormRef
from ..store import Decision
from ..textnorm import key as text_key
from ..zh import SEVERITY_LABEL, UNDECIDED_LABEL, check_face

# the severity filter cycles through these minimum severities
SEVERITY_STEPS: tuple[str, ...] = ("info", "warning", "error")


@dataclass
class Filters:
    min_severity: str = "info"
    check: str | None = None
    undecided_only: bool = False

    def accepts(self, row: FindingRow) -> bool:
        f = row.finding
        if SEVERITY_RANK.get(f.severity, 0) < SEVERITY_RANK[self.min_severity]:
            return False
        if self.check and f.check != self.check:
            return False
        return not (self.undecided_only and row.decision_value)

    def describe(self) -> str:
        parts: list[str] = []
        if self.min_severity == "warning":
            parts.append("错误和警告")
        elif self.min_severity == "error":
            parts.append(f"仅{SEVERITY_LABEL['error']}")
        if self.check:
            parts.append(check_face(self.check))
        if self.undecided_only:
            parts.append(UNDECIDED_LABEL)
        return "，".join(parts)


@dataclass
class ReviewState:
    data: ReportData
    filters: Filters = field(default_factory=Filters)
    search: str = ""
    current: int | None = None  # position in data.findings
    selected: FormRef | None = None  # the form on screen
    # decision key -> changes on screen not yet in the database (shown as 未保存)
    unsaved: dict[str, int] = field(default_factory=dict)

    # while documents are still being read, findings not (yet) tied to a form are left out:
    # their form may be among those still to come
    reading: bool = False

    def __post_init__(self) -> None:
        self._index()
        self._search_keys: dict[FormRef, str] = {}  # search text of each form, made on first search
        self.visible: list[int] = []
        self.refilter()
        if self.visible:
            # resume where the reviewer stopped: the first finding still undecided
            undecided = [i for i in self.visible if not self.data.findings[i].decision_value]
            self.goto(undecided[0] if undecided else self.visible[0])
        elif self.data.projects:
            self.selected = self.data.projects[0].ref

    def _index(self) -> None:
        self._by_ref: dict[FormRef, ProjectRow] = {p.ref: p for p in self.data.projects}
        self._by_key: dict[str, int] = {r.key: i for i, r in enumerate(self.data.findings)}

    def replace(self, data: ReportData) -> None:
        """More findings arrived (the same forms): stay on the same form and, when it is
        still visible, the same finding; positions change, keys do not."""
        key = self.row.key if self.row is not None else None
        selected = self.selected
        self.data = data
        self._index()
        self._search_keys.clear()  # the forms may be new (more of a document was read)
        self.current = self._by_key.get(key) if key is not None else None
        self.refilter()
        self.selected = selected if selected in self._by_ref or not self.data.projects else self.data.projects[0].ref
        if self.selected is not None and (self.row is None or self.row.ref != self.selected):
            mine = self.findings_of(self.selected)
            if mine:
                self.current = mine[0]

    # -- lookups
    def position_of(self, key: str) -> int | None:
        """Where the finding with this decision key is now."""
        return self._by_key.get(key)

    def project(self, ref: FormRef | None) -> ProjectRow | None:
        return self._by_ref.get(ref) if ref is not None else None

    @property
    def row(self) -> FindingRow | None:
        return self.data.findings[self.current] if self.current is not None else None

    def projects(self) -> list[ProjectRow]:
        """Projects matching the search (all of them when there is none)."""
        if not self.search:
            return self.data.projects
        needle = text_key(self.search)
        return [p for p in self.data.projects if needle in self._search_key(p)]

    def _search_key(self, p: ProjectRow) -> str:
        k = self._search_keys.get(p.ref)
        if k is None:
            k = text_key(" ".join(filter(None, (p.name, p.form.department, p.form.implementing_unit, p.source))))
            self._search_keys[p.ref] = k
        return k

    def findings_of(self, ref: FormRef) -> list[int]:
        """Visible findings of one form, in order."""
        p = self._by_ref.get(ref)
        if p is None:
            return []
        return [pos for pos in p.findings if self.filters.accepts(self.data.findings[pos])]

    def progress(self) -> tuple[int, int]:
        rows = self.data.findings
        return sum(1 for r in rows if r.decision_value), len(rows)

    # -- filters
    def refilter(self) -> None:
        self.visible = [
            i
            for i, r in enumerate(self.data.findings)
            if self.filters.accepts(r) and (r.ref is not None or not self.reading)
        ]
        if self.current is not None and self.current not in self.visible:
            # stay near where the reviewer was
            later = [i for i in self.visible if i > self.current]
            self.current = later[0] if later else (self.visible[-1] if self.visible else None)
        elif self.current is None and self.visible:
            self.current = self.visible[0]
        if self.current is not None:
            self.selected = self.data.findings[self.current].ref or self.selected

    def cycle_severity(self) -> str:
        i = SEVERITY_STEPS.index(self.filters.min_severity)
        self.filters.min_severity = SEVERITY_STEPS[(i + 1) % len(SEVERITY_STEPS)]
        self.refilter()
        return self.filters.min_severity

    def set_check(self, check: str | None) -> None:
        self.filters.check = check
        self.refilter()

    def toggle_undecided(self) -> bool:
        self.filters.undecided_only = not self.filters.undecided_only
        self.refilter()
        return self.filters.undecided_only

    def checks(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for r in self.data.findings:
            counts[r.finding.check] = counts.get(r.finding.check, 0) + 1
        return sorted(counts.items())

    # -- moving
    def step(self, delta: int, *, undecided: bool = False) -> FindingRow | None:
        """Move to the next (delta=1) or previous (-1) visible finding; stays at the ends."""
        if not self.visible:
            return None
        if self.current is None or self.current not in self.visible:
            candidates = self.visible if delta > 0 else self.visible[::-1]
        else:
            k = self.visible.index(self.current)
            candidates = self.visible[k + 1 :] if delta > 0 else self.visible[:k][::-1]
        for pos in candidates:
            if undecided and self.data.findings[pos].decision_value:
                continue
            self.goto(pos)
            return self.row
        return None

    def goto(self, pos: int) -> None:
        self.current = pos
        if self.data.findings[pos].ref is not None:
            self.selected = self.data.findings[pos].ref

    def select(self, ref: FormRef) -> None:
        """Show a form; the finding under review becomes its first visible one (if any)."""
        self.selected = ref
        if self.current is not None and self.data.findings[self.current].ref == ref:
            return
        mine = self.findings_of(ref)
        if mine:
            self.current = mine[0]

    def position(self) -> tuple[int, int]:
        """1-based position of the current finding among the visible ones, and their count."""
        if self.current is None or self.current not in self.visible:
            return 0, len(self.visible)
        return self.visible.index(self.current) + 1, len(self.visible)

    # -- decisions
    def apply(self, pos: int, decision: Decision) -> None:
        """Take a decision the store has written into the rows and the project counts."""
        row = self.data.findings[pos]
        row.decision = decision
        p = self.project(row.ref)
        if p is not None:
            vals = [self.data.findings[i].decision_value for i in p.findings]
            p.confirmed = vals.count("confirmed")
            p.dismissed = vals.count("dismissed")
