"""Findings against the gold's ``findings``: recall and precision per check id.

A finding is identified by (check id, project), whitespace-insensitive: the gold lists a
cross-project finding once per involved project, and a check may report one finding per
row where the gold has one per project, so counting distinct keys is fair to both.
Gold findings marked ``"optional": true`` count neither as misses nor, when reported, as
false positives. ``line_recall`` adds how many of the gold's lines the reported findings
of the same key cover.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..models import Document, Finding
from .metrics import PRF, Acc, Error, norm

Key = tuple[str, str]


def load_checker() -> tuple[Callable[[list[Document]], Any] | None, str | None]:
    """``jixiao.checks.run_checks``, or None and why (the module is another part's)."""
    try:
        from ..checks import run_checks
    except ImportError as e:
        return None, f"检查模块不可用，跳过发现项评估 (jixiao.checks.run_checks: {e})"
    return run_checks, None


def findings_of(result: Any) -> list[Finding]:
    """run_checks may answer a list of findings or an object holding them."""
    if isinstance(result, list):
        return [f if isinstance(f, Finding) else Finding.model_validate(f) for f in result]
    inner = getattr(result, "findings", None)
    if inner is None and isinstance(result, dict):
        inner = result.get("findings")
    return findings_of(list(inner or []))


@dataclass
class FindingsScore:
    per_check: dict[str, PRF] = field(default_factory=dict)
    lines: Acc = field(default_factory=Acc)
    errors: list[Error] = field(default_factory=list)

    def check(self, cid: str) -> PRF:
        return self.per_check.setdefault(cid, PRF())

    @property
    def overall(self) -> PRF:
        out = PRF()
        for p in self.per_check.values():
            out.add(p)
        return out

    def add(self, other: FindingsScore) -> None:
        for cid, p in other.per_check.items():
            self.check(cid).add(p)
        self.lines.add(other.lines)
        self.errors.extend(other.errors)

    def summary(self) -> dict[str, float]:
        o = self.overall
        out = {
            "findings.precision": o.precision,
            "findings.recall": o.recall,
            "findings.f1": o.f1,
            "findings.line_recall": self.lines.rate,
        }
        for cid, p in sorted(self.per_check.items()):
            out[f"findings.{cid}.precision"] = p.precision
            out[f"findings.{cid}.recall"] = p.recall
        return {k: round(v, 4) for k, v in out.items()}


def _key(check: str, project: str | None) -> Key:
    return check, norm(project)


def score_findings(gold: Iterable[dict[str, Any]], found: Iterable[Finding], source: str = "") -> FindingsScore:
    sc = FindingsScore()
    required: dict[Key, set[int]] = {}
    optional: set[Key] = set()
    for g in gold:
        k = _key(str(g.get("check", "")), g.get("project"))
        if g.get("optional"):
            optional.add(k)
        else:
            required.setdefault(k, set()).update(int(x) for x in g.get("lines", []) if isinstance(x, int))
    reported: dict[Key, set[int]] = {}
    for f in found:
        reported.setdefault(_key(f.check, f.project), set()).update(f.lines)
    for k, lines in required.items():
        p = sc.check(k[0])
        if k in reported:
            p.tp += 1
            covered = lines & reported[k]
            sc.lines.correct += len(covered)
            sc.lines.total += len(lines)
        else:
            p.fn += 1
            sc.lines.total += len(lines)
            sc.errors.append(Error(2, f"finding missed: {k[0]}", k[1], min(lines, default=0), "required", "∅", source))
    for k, lines in reported.items():
        if k in required or k in optional:
            sc.check(k[0])  # keep the id visible in the table
            continue
        sc.check(k[0]).fp += 1
        sc.errors.append(Error(1, f"finding not in gold: {k[0]}", k[1], min(lines, default=0), "∅", "reported", source))
    return sc
