"""What the cross-document stages keep of a form once its document has been checked.

A ``Form`` model of a generated or extracted form costs about 32 KB in memory, most of it
pydantic objects (indicators, values). The cross-document checks and the reconciliation
read a few fields of it: names, units, year, amounts, the annual goal, each indicator's
categories, name, target, actual value and lines. ``KeptForm`` holds those as plain
tuples (about 6 KB a form) and answers the same attribute names as ``Form``, building
the ``Funds``, ``Goal`` and ``Indicator`` models again only when asked (for the few
forms a finding or a pair is about), so the checks run unchanged on either.
"""

from __future__ import annotations

import sys
from typing import Any

from ..models import Form, Funds, Goal, Indicator, Value

_FUNDS = tuple(Funds.model_fields)
_VALUE = tuple(Value.model_fields)
# the field lines a cross-document finding points at (goal reuse, budget-changed, …)
_KEPT_LINES = ("goal.expected",)


def _value(v: Value | None) -> tuple[Any, ...] | None:
    return None if v is None else tuple(getattr(v, f) for f in _VALUE)


def _model_value(t: tuple[Any, ...] | None) -> Value | None:
    return None if t is None else Value.model_construct(**dict(zip(_VALUE, t)))


def _label(s: str | None) -> str | None:
    """Category names repeat in every form: keep one copy of each."""
    return sys.intern(s) if s is not None and len(s) < 40 else s


class KeptForm:
    """A form reduced to what the cross-document stages read (see the module doc)."""

    __slots__ = (
        "_funds",
        "_goal",
        "_indicators",
        "complete",
        "department",
        "field_lines",
        "implementing_unit",
        "kind",
        "lines",
        "project_name",
        "total_score",
        "year",
    )

    def __init__(self, form: Form) -> None:
        self.kind = form.kind
        self.year = form.year
        self.project_name = form.project_name
        self.department = form.department
        self.implementing_unit = form.implementing_unit
        self.total_score = form.total_score
        self.complete = form.complete
        self.lines = list(form.lines)
        self.field_lines = {k: v for k, v in form.field_lines.items() if k.startswith("funds.") or k in _KEPT_LINES}
        f = form.funds
        self._funds = tuple(getattr(f, name) for name in _FUNDS)
        self._goal = form.goal.expected
        self._indicators = tuple(
            (_label(i.level1), _label(i.level2), i.name, _value(i.target), _value(i.actual), i.line, tuple(i.lines))
            for i in form.indicators
        )

    @property
    def first_line(self) -> int:
        return self.lines[0] if self.lines else 0

    @property
    def funds(self) -> Funds:
        return Funds.model_construct(**dict(zip(_FUNDS, self._funds)))

    @property
    def goal(self) -> Goal:
        return Goal.model_construct(expected=self._goal, actual=None, overall=None)

    @property
    def goal_expected(self) -> str | None:
        return self._goal

    @property
    def indicator_names(self) -> list[str]:
        return [t[2] for t in self._indicators]

    @property
    def indicators(self) -> list[Indicator]:
        return [
            Indicator.model_construct(
                level1=l1,
                level2=l2,
                name=name,
                target=_model_value(target),
                actual=_model_value(actual),
                line=line,
                lines=list(lines),
            )
            for l1, l2, name, target, actual, line, lines in self._indicators
        ]


def indicator_names(form: Form | KeptForm) -> list[str]:
    """The indicator names of a form, without building indicator models for a kept one."""
    if isinstance(form, KeptForm):
        return form.indicator_names
    return [i.name for i in form.indicators]


def goal_expected(form: Form | KeptForm) -> str | None:
    return form.goal_expected if isinstance(form, KeptForm) else form.goal.expected
