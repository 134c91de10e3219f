"""Labelled fixtures: find them in a directory and load their gold.

An extraction fixture is a document (any input the intake reads: .txt, .pdf, .docx,
.xlsx …) and ``<name>.gold.json`` in the contract's ``extract`` shape plus ``findings``
(what a careful reviewer wants flagged; ``"optional": true`` ones are not required). The
document is ``<name>.<ext>`` beside the gold or anywhere under the directory (the bundled
fixtures keep ``seeds/`` and ``gold/`` apart).

A reconciliation pair is ``<name>.gold.json`` in the contract's ``reconcile`` shape
(``projects`` …) whose ``declared_file`` / ``evaluated_file`` name the two documents, or
``<name>.declared.<ext>`` and ``<name>.evaluated.<ext>`` beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..models import Form

GOLD_SUFFIX = ".gold.json"


@dataclass
class Fixture:
    name: str
    document: Path
    gold_path: Path
    forms: list[Form]
    findings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PairFixture:
    name: str
    declared: Path
    evaluated: Path
    gold_path: Path
    gold: dict[str, Any]


@dataclass
class FixtureSet:
    root: Path
    extraction: list[Fixture] = field(default_factory=list)
    pairs: list[PairFixture] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def default_dir() -> Path | None:
    """The project's fixtures/: beside the source tree (editable install), else ./fixtures."""
    here = Path(__file__).resolve()
    for base in (here.parents[3], Path.cwd()):
        cand = base / "fixtures"
        if cand.is_dir() and any(cand.rglob(f"*{GOLD_SUFFIX}")):
            return cand
    return None


def gold_forms(data: dict[str, Any]) -> list[Form]:
    """The gold's forms as models (the gold's extra keys dropped)."""
    return [Form.model_validate(f) for f in data.get("forms", [])]


def _stem(path: Path) -> str:
    return path.name[: -len(GOLD_SUFFIX)]


def _document_for(gold: Path, root: Path, files: list[Path]) -> Path | None:
    stem = _stem(gold)
    same = [p for p in files if p.parent == gold.parent and p.stem == stem]
    anywhere = [p for p in files if p.stem == stem]
    cands = same or anywhere
    return sorted(cands)[0] if cands else None


def _pair_side(gold: Path, data: dict[str, Any], side: str, files: list[Path]) -> Path | None:
    named = data.get(f"{side}_file")
    if isinstance(named, str):
        p = gold.parent / named
        if p.is_file():
            return p
    stem = _stem(gold)
    cands = [p for p in files if p.parent == gold.parent and p.name.startswith(f"{stem}.{side}.")]
    return sorted(cands)[0] if cands else None


def discover(root: Path) -> FixtureSet:
    if not root.is_dir():
        raise InputError(f"{root}: 不是目录 (fixture directory not found)")
    out = FixtureSet(root=root)
    everything = sorted(p for p in root.rglob("*") if p.is_file())
    files = [p for p in everything if not p.name.endswith(GOLD_SUFFIX) and p.suffix not in {".py", ".md", ".json"}]
    for gold in (p for p in everything if p.name.endswith(GOLD_SUFFIX)):
        try:
            data = json.loads(gold.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            out.notes.append(f"{gold}: 无法读取标注 ({e})")
            continue
        if not isinstance(data, dict):
            out.notes.append(f"{gold}: 标注不是 JSON 对象，已跳过")
            continue
        if "forms" in data:
            doc = _document_for(gold, root, files)
            if doc is None:
                out.notes.append(f"{gold.name}: 找不到对应的文档 ({_stem(gold)}.*)，已跳过")
                continue
            try:
                forms = gold_forms(data)
            except ValueError as e:
                out.notes.append(f"{gold.name}: 标注不符合契约格式 ({str(e).splitlines()[0]})，已跳过")
                continue
            out.extraction.append(Fixture(_stem(gold), doc, gold, forms, list(data.get("findings", []))))
        elif "projects" in data:
            dec = _pair_side(gold, data, "declared", files)
            ev = _pair_side(gold, data, "evaluated", files)
            if dec is None or ev is None:
                out.notes.append(f"{gold.name}: 找不到申报表/自评表文件，已跳过")
                continue
            out.pairs.append(PairFixture(_stem(gold), dec, ev, gold, data))
        else:
            out.notes.append(f"{gold.name}: 既无 forms 也无 projects，已跳过")
    return out
