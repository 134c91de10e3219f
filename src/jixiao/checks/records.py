"""What the cross-document stages keep of a form once its document has been checked.

A ``Form`` model of a generated or extracted form costs about 32 KB in memory, most of it
pydantic objects (indicators, values). The cross-document checks and the reconciliation
read a few fields of it: names, units, year, amounts, the annual goal, each indicator's
categories, name, target, actual value and lines. ``KeptForm`` holds those marshalled
(about 2–3 KB a form) and answers the same attribute names as ``Form``, building
the ``Funds``, ``Goal`` and ``Indicator`` models again only when asked (for the few
forms a finding or a pair is about), so the checks run unchanged on either.
"""

from __future__ import annotations

import marshal
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
    """A form reduced to what the cross-document stages read (see the module doc): the
    names it is looked up by as attributes, the rest marshalled into one bytes object (one
    allocation a form, which the allocator packs and releases well, unlike thousands of
    small tuples interleaved with the freed models of the document)."""

    __slots__ = ("_blob", "department", "implementing_unit", "kind", "project_name", "year")

    def __init__(self, form: Form) -> None:
        self.kind = form.kind
        self.year = form.year
        self.project_name = form.project_name
        self.department = _label(form.department)
        self.implementing_unit = _label(form.implementing_unit)
        f = form.funds
        self._blob = marshal.dumps(
            (
                form.total_score,
                form.complete,
                list(form.lines),
                {k: v for k, v in form.field_lines.items() if k.startswith("funds.") or k in _KEPT_LINES},
                tuple(getattr(f, name) for name in _FUNDS),
                form.goal.expected,
                tuple(
                    (i.level1, i.level2, i.name, _value(i.target), _value(i.actual), i.line, tuple(i.lines))
                    for i in form.indicators
                ),
            )
        )

    def _part(self, k: int) -> Any:
        return marshal.loads(self._blob)[k]

    @property
    def total_score(self) -> float | None:
        return self._part(0)

    @property
    def complete(self) -> bool:
        return self._part(1)

    @property
    def lines(self) -> list[int]:
        return self._part(2)

    @property
    def first_line(self) -> int:
        lines = self.lines
        return lines[0] if lines else 0

    @property
    def field_lines(self) -> dict[str, list[int]]:
        return self._part(3)

    @property
    def funds(self) -> Funds:
        return Funds.model_construct(**dict(zip(_FUNDS, self._part(4))))

    @property
    def goal(self) -> Goal:
        return Goal.model_construct(expected=self._part(5), actual=None, overall=None)

    @property
    def goal_expected(self) -> str | None:
        return self._part(5)

    @property
    def indicator_names(self) -> list[str]:
        return [t[2] for t in self._part(6)]

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
            for l1, l2, name, target, actual, line, lines in self._part(6)
        ]


def indicator_names(form: Form | KeptForm) -> list[str]:
    """The indicator names of a form, without building indicator models for a kept one."""
    if isinstance(form, KeptForm):
        return form.indicator_names
    return [i.name for i in form.indicators]


def goal_expected(form: Form | KeptForm) -> str | None:
    return form.goal_expected if isinstance(form, KeptForm) else form.goal.expected
