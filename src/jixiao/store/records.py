"""What the store holds about one finding (``Decision``) and a change not written yet (``PendingChange``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import Finding
from ..zh import DECISION_LABEL
from .keys import decision_keys

DecisionValue = Literal["confirmed", "dismissed"]
DECISION_VALUES: tuple[str, ...] = ("confirmed", "dismissed")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def blank(s: str | None) -> str | None:
    s = (s or "").strip()
    return s or None


class Decision(BaseModel):
    """What the reviewer said about one finding (``decision`` None: not decided, maybe a note)."""

    model_config = ConfigDict(extra="forbid")

    key: str
    decision: DecisionValue | None = None
    reason: str | None = None
    note: str | None = None
    decided_at: str | None = None
    # who wrote the decision last (None: a store of before accounts, or an anonymous session)
    decided_by: str | None = None
    noted_by: str | None = None
    noted_at: str | None = None
    # reviewers hold different decisions of this finding (see ``DecisionStore.opinions``)
    conflict: bool = False
    # what the finding looked like when decided: lets an export show decisions whose finding
    # has since disappeared, and a reader of the database make sense of a row on its own
    check: str | None = None
    source: str | None = None
    project: str | None = None
    kind: str | None = None
    severity: str | None = None
    message: str | None = None
    lines: list[int] = []

    @property
    def label(self) -> str:
        return DECISION_LABEL.get(self.decision or "", "")


class Opinion(BaseModel):
    """One reviewer's standing decision of a finding."""

    user: str
    decision: DecisionValue
    reason: str | None = None
    at: str


class Change(BaseModel):
    """One line of the audit trail: ``field`` of a finding's decision went from ``old`` to ``new``."""

    key: str
    field: Literal["decision", "reason", "note"]
    old: str | None = None
    new: str | None = None
    by: str | None = None
    at: str


class PendingChange(BaseModel):
    """One change a reviewer made that is not in the database yet: a decision (with its
    reason) or a note. What a session keeps while the database is locked, and what the
    sidecar file holds when it had to stop before it could write them."""

    model_config = ConfigDict(extra="ignore")

    key: str
    what: Literal["decision", "note"]
    decision: DecisionValue | None = None
    text: str | None = None  # the reason of a decision, or the note
    finding: Finding
    made_at: str = ""
    session: str = ""  # which session made it (sessions sharing a database share the sidecar)
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])

    @classmethod
    def of_decision(
        cls, finding: Finding, key: str, decision: DecisionValue | None, reason: str | None = None
    ) -> PendingChange:
        return cls(key=key, what="decision", decision=decision, text=reason, finding=finding, made_at=now())

    @classmethod
    def of_note(cls, finding: Finding, key: str, note: str | None) -> PendingChange:
        return cls(key=key, what="note", text=note, finding=finding, made_at=now())

    def applied_to(self, old: Decision | None) -> Decision:
        """The decision as it will be once this change is written (for the screen)."""
        base = old or Decision(key=self.key)
        if self.what == "note":
            return base.model_copy(update={"note": blank(self.text)})
        return base.model_copy(update={"decision": self.decision, "reason": blank(self.text)})


def decisions_for(findings: Sequence[Finding], decisions: dict[str, Decision]) -> list[Decision | None]:
    """The decision of each finding of a run (aligned with ``findings``), None when none."""
    return [decisions.get(k) for k in decision_keys(findings)]
