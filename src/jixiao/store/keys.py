"""Identities of findings across runs and edits of a document, and where a review's database goes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path, PurePath

from ..models import Finding
from ..textnorm import key as text_key

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _fingerprint(text: str) -> str:
    """Message text with whitespace, markup and every number folded away."""
    return _NUMBER.sub("#", text_key(text))


def decision_key(finding: Finding) -> str:
    """A stable identity of a finding across runs and edits of the document.

    Line numbers and figures are left out on purpose (they move when the document is edited);
    the file's name (not its directory), the project, the kind and the wording stay. Two
    findings of one run that still collide are told apart by ``decision_keys``.
    """
    source = PurePath(finding.source).name if finding.source else ""
    related = ",".join(sorted(_fingerprint(r) for r in finding.related))
    digest = hashlib.sha1(f"{_fingerprint(finding.message)}\x1f{related}".encode()).hexdigest()[:12]
    return "|".join([finding.check, source, finding.project or "", finding.kind or "", digest])


def decision_keys(findings: Sequence[Finding]) -> list[str]:
    """Keys for a whole run: ``decision_key``, with ``#2``, ``#3``… for findings that collide
    (same check and wording, only numbers differ), numbered in source-line order."""
    base = [decision_key(f) for f in findings]
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(base):
        groups.setdefault(k, []).append(i)
    out = list(base)
    for k, idx in groups.items():
        if len(idx) < 2:
            continue
        for n, i in enumerate(sorted(idx, key=lambda i: (findings[i].lines or [0], i)), start=1):
            out[i] = k if n == 1 else f"{k}#{n}"
    return out


def default_db_path(first_input: str) -> Path:
    """``<first input>.jixiao.sqlite`` beside the input; pasted text goes to the current folder."""
    if first_input in ("-", ""):
        return Path("stdin.jixiao.sqlite")
    return Path(f"{first_input}.jixiao.sqlite")
