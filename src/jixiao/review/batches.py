"""What the loader hands the session: the first screen's ``Loaded``, then ``Batch``es."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models import Document, Finding
from ..report.data import ReportData
from ..report.evidence import FormRef
from ..store import Decision, DecisionStore, PendingChange
from .pairs import Pair


@dataclass
class Loaded:
    docs: list[Document]
    findings: list[Finding]
    data: ReportData
    store: DecisionStore
    pairs: list[Pair]
    warnings: list[str]
    timings: dict[str, float]
    decisions: dict[str, Decision] = field(default_factory=dict)  # stored when loading began
    unchecked: set[FormRef] = field(default_factory=set)  # forms whose own checks are still to come
    reconciling: bool = False  # the declared/evaluated findings are still to come
    # changes an earlier session could not write, still not in the database (on screen already)
    unsaved: list[PendingChange] = field(default_factory=list)
    reading: str = ""  # what is still being read ("" when every document is in ``docs``)
    no_form: list[str] = field(default_factory=list)  # files that hold no form, known so far

    @property
    def complete(self) -> bool:
        return not self.unchecked and not self.reconciling and not self.reading


@dataclass(frozen=True)
class Batch:
    """What arrived after the first screen: more documents (every one read so far, the forms
    still to check, what is left to read), and findings that complete forms or reconcile."""

    findings: list[Finding]
    checked: list[FormRef]
    reconciled: bool
    reconciliation: Any = None  # the checks' ReconcileResult: the side panel reuses it
    docs: list[Document] | None = None
    pending: frozenset[FormRef] = frozenset()  # with docs: forms whose checks are still to come
    reading: str = ""  # with docs: what is still being read
    warnings: tuple[str, ...] = ()
    no_form: tuple[str, ...] = ()  # files found to hold no form
