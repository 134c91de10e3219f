"""Run an engine (and the naive baseline) over labelled fixtures and collect every metric."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ExtractionError, InputError
from ..intake import Source, read_path
from ..models import Document, Form
from ..progress import progress
from . import baseline as naive
from .findings_eval import FindingsScore, findings_of, load_checker, score_findings
from .fixtures import FixtureSet, discover
from .metrics import Error, ExtractionScore, score_forms, worst
from .reconcile_eval import ReconcileScore, as_dict, load_reconciler, score_reconcile
from .usage import add_usage, usage_of

Extractor = Callable[[Source], Document]
BASELINE = "baseline"


def extractor(engine: str) -> Extractor:
    if engine == BASELINE:
        return naive.extract
    from ..engines import get_engine

    return get_engine(engine)


@dataclass
class EngineResult:
    engine: str
    extraction: ExtractionScore = field(default_factory=ExtractionScore)
    findings: FindingsScore | None = None
    reconcile: ReconcileScore | None = None
    usage: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0  # the whole run: extraction, checks, reconciliation
    extract_seconds: float = 0.0  # extraction of the extraction fixtures only
    forms: int = 0
    per_fixture: dict[str, dict[str, float]] = field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        out = dict(self.extraction.summary())
        if self.findings is not None:
            out.update(self.findings.summary())
        if self.reconcile is not None:
            out.update(self.reconcile.summary())
        return out

    def errors(self) -> list[Error]:
        errs = list(self.extraction.errors)
        if self.findings is not None:
            errs.extend(self.findings.errors)
        if self.reconcile is not None:
            errs.extend(self.reconcile.errors)
        return errs


@dataclass
class EvalReport:
    root: Path
    result: EngineResult
    baseline: EngineResult | None
    fixtures: list[str]
    pairs: list[str]
    notes: list[str]

    def gains(self) -> dict[str, float]:
        if self.baseline is None:
            return {}
        base = self.baseline.metrics()
        return {k: round(v - base[k], 4) for k, v in self.result.metrics().items() if k in base}

    def worst(self, n: int = 20) -> list[Error]:
        return worst(self.result.errors(), n)

    def to_json(self, n_errors: int = 30) -> dict[str, Any]:
        r = self.result
        out: dict[str, Any] = {
            "fixtures_dir": str(self.root),
            "engine": r.engine,
            "fixtures": self.fixtures,
            "pairs": self.pairs,
            "forms": r.forms,
            "seconds": round(r.seconds, 3),
            "extract_seconds": round(r.extract_seconds, 3),
            "metrics": r.metrics(),
            "counts": _counts(r),
            "per_fixture": r.per_fixture,
        }
        if self.baseline is not None:
            out["baseline"] = {"engine": BASELINE, "metrics": self.baseline.metrics()}
            out["gain_over_baseline"] = self.gains()
        if r.findings is not None:
            out["findings_by_check"] = {cid: p.as_dict() for cid, p in sorted(r.findings.per_check.items())}
        if r.reconcile is not None:
            out["reconcile_status"] = {k: a.as_dict() for k, a in sorted(r.reconcile.per_status.items())}
        if r.usage:
            out["usage"] = r.usage
        out["worst_errors"] = [_error_json(e) for e in self.worst(n_errors)]
        out["notes"] = self.notes
        return out


def _counts(r: EngineResult) -> dict[str, Any]:
    x = r.extraction
    out: dict[str, Any] = {"forms": x.forms.as_dict(), "indicators": x.rows.as_dict()}
    out.update({k: a.as_dict() for k, a in x.acc.items()})
    out["fields"] = {k: a.as_dict() for k, a in sorted(x.fields.items())}
    return out


def _error_json(e: Error) -> dict[str, Any]:
    return {
        "what": e.what,
        "severity": e.severity,
        "source": e.source,
        "form": e.form,
        "line": e.line,
        "gold": e.gold,
        "got": e.got,
        "text": e.text,
    }


def _line_text(lines: list[str], no: int | None, width: int = 100) -> str:
    if not no or no < 1 or no > len(lines):
        return ""
    t = lines[no - 1].replace("\t", " ⇥ ").strip()
    return t if len(t) <= width else t[: width - 1] + "…"


def _extract(fn: Extractor, path: Path, notes: list[str]) -> tuple[Document | None, Source | None]:
    try:
        src = read_path(str(path))
    except InputError as e:
        notes.append(f"{path.name}: {e}")
        return None, None
    try:
        return fn(src), src
    except (InputError, ExtractionError) as e:  # an LLM that gave up, a budget spent …
        notes.append(f"{path.name}: {e}")
        return None, src


def evaluate_engine(
    fs: FixtureSet, engine: str, notes: list[str], on_step: Callable[[], object] | None = None
) -> EngineResult:
    """Score one engine on every fixture; ``on_step`` is called after each fixture and pair."""
    fn = extractor(engine)
    res = EngineResult(engine)
    checker, why = load_checker()
    if why and engine != BASELINE:
        notes.append(why)
    if checker is not None:
        res.findings = FindingsScore()
    t0 = time.perf_counter()
    for fx in fs.extraction:
        t1 = time.perf_counter()
        doc, src = _extract(fn, fx.document, notes)
        res.extract_seconds += time.perf_counter() - t1
        forms = doc.forms if doc else []
        res.forms += len(forms)
        sc = score_forms(fx.forms, forms)
        lines = src.lines if src else []
        for e in sc.errors:
            e.source = fx.document.name
            e.text = _line_text(lines, e.got_line if e.what.startswith("row extra") else e.line)
        res.extraction.add(sc)
        res.per_fixture[fx.name] = {
            "forms.recall": round(sc.forms.recall, 4),
            "indicators.f1": round(sc.rows.f1, 4),
            "target.accuracy": round(sc.acc["target"].rate, 4),
        }
        if doc is not None:
            res.usage = add_usage(res.usage, usage_of(doc))
        if checker is not None and res.findings is not None:
            try:
                found = findings_of(checker([doc])) if doc is not None else []
            except Exception as e:  # another part's bug must not hide the other metrics
                notes.append(f"{fx.name}: run_checks 出错 ({type(e).__name__}: {e})")
                found = []
            fsc = score_findings(fx.findings, found, fx.document.name)
            for e in fsc.errors:
                e.text = _line_text(lines, e.line)
            res.findings.add(fsc)
            res.per_fixture[fx.name]["findings.recall"] = round(fsc.overall.recall, 4)
        if on_step:
            on_step()
    if fs.pairs:
        res.reconcile = _evaluate_pairs(fs, fn, engine, notes, res, on_step)
    res.seconds = time.perf_counter() - t0
    return res


def _evaluate_pairs(
    fs: FixtureSet,
    fn: Extractor,
    engine: str,
    notes: list[str],
    res: EngineResult,
    on_step: Callable[[], object] | None = None,
) -> ReconcileScore | None:
    reconcile, why = load_reconciler()
    if reconcile is None:
        if why and engine != BASELINE:
            notes.append(why)
        return None
    total = ReconcileScore()
    for pf in fs.pairs:
        dec, _ = _extract(fn, pf.declared, notes)
        ev, _ = _extract(fn, pf.evaluated, notes)
        for d in (dec, ev):
            if d is not None:
                res.usage = add_usage(res.usage, usage_of(d))
        declared: list[Form] = [f for f in (dec.forms if dec else []) if f.kind == "target_declaration"]
        evaluated: list[Form] = [f for f in (ev.forms if ev else []) if f.kind == "self_evaluation"]
        try:
            got = as_dict(reconcile(declared, evaluated))
        except Exception as e:  # another part's bug must not hide the other metrics
            notes.append(f"{pf.name}: reconcile 出错 ({type(e).__name__}: {e})")
            got = {}
        total.add(score_reconcile(pf.gold, got, pf.name))
        if on_step:
            on_step()
    return total


def run_eval(root: Path, engine: str = "rules", with_baseline: bool = True) -> EvalReport:
    fs = discover(root)
    notes = list(fs.notes)
    if not fs.extraction and not fs.pairs:
        raise InputError(f"{root}: 没有找到任何标注样例（*.gold.json）(no labelled fixtures)")
    with_base = with_baseline and engine != BASELINE
    steps = (len(fs.extraction) + len(fs.pairs)) * (2 if with_base else 1)
    with progress("评估标注样例", total=steps) as bar:
        result = evaluate_engine(fs, engine, notes, bar.advance)
        base = evaluate_engine(fs, BASELINE, [], bar.advance) if with_base else None
    return EvalReport(
        root=root,
        result=result,
        baseline=base,
        fixtures=[f.name for f in fs.extraction],
        pairs=[p.name for p in fs.pairs],
        notes=notes,
    )
