"""What a report's summary section shows: counts by check and by project, and their charts.

Pure: rows in, counts and SVG text out. Checks and severities are named in Chinese (zh.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..models import SEVERITY_RANK
from ..zh import SEVERITIES, check_label, severity_label
from .charts import Series, hbar_chart
from .data import ProjectRow, ReportData

# bar colours by severity (the tables use lighter fills of the same hues)
SEVERITY_COLOR: dict[str, str] = {"error": "#d64541", "warning": "#e8a317", "info": "#4a90c8"}
MAX_CHART_PROJECTS = 30  # a chart of a thousand forms is no picture; the tables list them all


@dataclass
class CheckCount:
    check: str
    counts: dict[str, int]  # severity -> findings

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def label(self) -> str:
        return check_label(self.check)


def by_check(data: ReportData) -> list[CheckCount]:
    """Every check with findings, most findings first (then the more severe, then by name)."""
    counts: dict[str, Counter[str]] = {}
    for fr in data.findings:
        counts.setdefault(fr.finding.check, Counter())[fr.finding.severity] += 1
    rows = [CheckCount(c, {s: n[s] for s in SEVERITIES}) for c, n in counts.items()]

    def worst(r: CheckCount) -> int:
        return max((SEVERITY_RANK.get(s, 0) for s, n in r.counts.items() if n), default=0)

    return sorted(rows, key=lambda r: (-r.total, -worst(r), r.label))


def projects_with_findings(data: ReportData) -> list[ProjectRow]:
    """Forms with findings, the most errors first, then the most findings."""
    rows = [p for p in data.projects if p.total]
    return sorted(rows, key=lambda p: (-p.counts.get("error", 0), -p.total, p.ref.doc, p.ref.form))


def project_labels(projects: list[ProjectRow]) -> list[str]:
    """Project names; a name that two forms share gets the form's first line to tell them apart."""
    seen = Counter(p.name for p in projects)
    return [f"{p.name}（第{p.form.lines[0]}行）" if seen[p.name] > 1 and p.form.lines else p.name for p in projects]


def check_chart(data: ReportData) -> str:
    rows = by_check(data)
    return hbar_chart(
        [r.label for r in rows],
        [Series("问题数", [r.total for r in rows], color="#4e79a7", css="check")],
        title="各检查项的问题数",
    )


def project_chart(data: ReportData) -> str:
    projects = projects_with_findings(data)[:MAX_CHART_PROJECTS]
    series = [
        Series(severity_label(s), [p.counts.get(s, 0) for p in projects], color=SEVERITY_COLOR[s], css=f"sev-{s}")
        for s in SEVERITIES
    ]
    return hbar_chart(project_labels(projects), series, title="各项目的问题数（按严重程度）", stacked=True)
