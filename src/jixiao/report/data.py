"""The rows every export (and the review session's project list) is made of.

``build`` joins documents, findings and stored decisions once; the writers only lay the
rows out. Pure: no files, no clock (the writers stamp the time they write).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..models import SEVERITY_RANK, Document, Finding, Form
from ..store import DECISION_LABEL, Decision, decision_keys
from ..zh import SEVERITIES, check_label
from .evidence import Evidence, FormRef, Located, locate


def file_name(source: str | None) -> str:
    """The file's name without its folders (a report is mailed; where the reviewer keeps the
    file is nobody else's business): 'C:\\表\\a.xlsx' and '/home/x/a.xlsx' both give 'a.xlsx'."""
    if not source:
        return ""
    return source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or source


def lines_text(lines: Sequence[int]) -> str:
    """'8-9' for a run, '8, 12' otherwise."""
    if not lines:
        return ""
    s = sorted(set(lines))
    if len(s) > 1 and s[-1] - s[0] == len(s) - 1:
        return f"{s[0]}-{s[-1]}"
    return ", ".join(map(str, s))


@dataclass
class FindingRow:
    index: int  # position in the run's finding list
    finding: Finding
    key: str
    decision: Decision | None
    ref: FormRef | None
    evidence: Evidence

    @property
    def decision_value(self) -> str | None:
        return self.decision.decision if self.decision else None

    @property
    def decision_label(self) -> str:
        return DECISION_LABEL.get(self.decision_value or "", "")

    @property
    def reason(self) -> str:
        return (self.decision.reason if self.decision else None) or ""

    @property
    def note(self) -> str:
        return (self.decision.note if self.decision else None) or ""

    @property
    def decided_at(self) -> str:
        d = self.decision
        return (d.decided_at or "") if d and (d.decision or d.note) else ""

    def as_json(self) -> dict[str, object]:
        f = self.finding
        return {
            "check": f.check,
            "check_label": check_label(f.check),
            "severity": f.severity,
            "project": f.project,
            "kind": f.kind,
            "message": f.message,
            "lines": list(f.lines),
            "related": list(f.related),
            "source": f.source,
            "evidence": list(f.evidence),
            "key": self.key,
            "decision": self.decision_value,
            "decision_label": self.decision_label or None,
            "reason": self.reason or None,
            "note": self.note or None,
            "decided_at": self.decided_at or None,
        }


@dataclass
class ProjectRow:
    ref: FormRef
    source: str
    form: Form
    findings: list[int] = field(default_factory=list)  # indexes into ReportData.findings
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    confirmed: int = 0
    dismissed: int = 0

    @property
    def decided(self) -> int:
        return self.confirmed + self.dismissed

    @property
    def total(self) -> int:
        return len(self.findings)

    @property
    def name(self) -> str:
        return self.form.project_name or "（未识别项目）"

    @property
    def file_name(self) -> str:
        return file_name(self.source)

    def as_json(self) -> dict[str, object]:
        f = self.form
        return {
            "source": self.source,
            "kind": f.kind,
            "project": f.project_name,
            "year": f.year,
            "department": f.department,
            "implementing_unit": f.implementing_unit,
            "lines": list(f.lines),
            "total_score": f.total_score,
            "grade": f.grade,
            "findings": self.total,
            **{sev: self.counts[sev] for sev in SEVERITIES},
            "confirmed": self.confirmed,
            "dismissed": self.dismissed,
            "undecided": self.total - self.decided,
        }


@dataclass(frozen=True)
class Summary:
    documents: int
    forms: int
    findings: int
    error: int
    warning: int
    info: int
    confirmed: int
    dismissed: int
    undecided: int
    notes: int

    def as_json(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "forms": self.forms,
            "findings": self.findings,
            "by_severity": {"error": self.error, "warning": self.warning, "info": self.info},
            "confirmed": self.confirmed,
            "dismissed": self.dismissed,
            "undecided": self.undecided,
            "notes": self.notes,
        }


@dataclass
class ReportData:
    docs: list[Document]
    findings: list[FindingRow]
    projects: list[ProjectRow]
    stale: list[Decision]  # stored decisions whose finding no longer exists
    unplaced: list[int]  # findings tied to no form (a whole-document finding)

    def summary(self) -> Summary:
        rows = self.findings
        return Summary(
            documents=len(self.docs),
            forms=len(self.projects),
            findings=len(rows),
            error=sum(r.finding.severity == "error" for r in rows),
            warning=sum(r.finding.severity == "warning" for r in rows),
            info=sum(r.finding.severity == "info" for r in rows),
            confirmed=sum(r.decision_value == "confirmed" for r in rows),
            dismissed=sum(r.decision_value == "dismissed" for r in rows),
            undecided=sum(r.decision_value is None for r in rows),
            notes=sum(bool(r.note) for r in rows),
        )

    def project_of(self, row: FindingRow) -> ProjectRow | None:
        return self._by_ref.get(row.ref) if row.ref else None

    def __post_init__(self) -> None:
        self._by_ref = {p.ref: p for p in self.projects}


def order(docs: Sequence[Document], findings: Sequence[Finding], located: Located) -> list[int]:
    """Findings in reading order: by document and form, then severity, then line."""

    def sort_key(i: int) -> tuple[int, int, int, int, int]:
        ref = located.refs[i]
        f = findings[i]
        return (
            ref.doc if ref else len(docs),
            ref.form if ref else 0,
            -SEVERITY_RANK.get(f.severity, 0),
            min(f.lines) if f.lines else 0,
            i,
        )

    return sorted(range(len(findings)), key=sort_key)


def build(docs: Sequence[Document], findings: Sequence[Finding], decisions: dict[str, Decision]) -> ReportData:
    keys = decision_keys(findings)
    located = locate(docs, findings)
    projects: dict[FormRef, ProjectRow] = {}
    for di, doc in enumerate(docs):
        for fi, form in enumerate(doc.forms):
            ref = FormRef(di, fi)
            projects[ref] = ProjectRow(ref=ref, source=doc.source, form=form)
    rows: list[FindingRow] = []
    unplaced: list[int] = []
    for i in order(docs, findings, located):
        row = FindingRow(
            index=i,
            finding=findings[i],
            key=keys[i],
            decision=decisions.get(keys[i]),
            ref=located.refs[i],
            evidence=located.evidence[i],
        )
        pos = len(rows)
        rows.append(row)
        if row.ref is None:
            unplaced.append(pos)
            continue
        p = projects[row.ref]
        p.findings.append(pos)
        p.counts[row.finding.severity] = p.counts.get(row.finding.severity, 0) + 1
        if row.decision_value == "confirmed":
            p.confirmed += 1
        elif row.decision_value == "dismissed":
            p.dismissed += 1
    live = set(keys)
    stale = [d for k, d in decisions.items() if k not in live and (d.decision or d.note)]
    return ReportData(list(docs), rows, list(projects.values()), stale, unplaced)
