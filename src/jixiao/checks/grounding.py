"""unsupported-value: what an LLM engine extracted but the source text does not contain."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Finding, Form
from .registry import Ctx, form_check
from .text import row_lines, snippet

_INDICATOR_PATH = re.compile(r"^indicators\[(\d+)\]")


def _lines_of(form: Form, path: str) -> list[int]:
    m = _INDICATOR_PATH.match(path)
    if m:
        i = int(m.group(1))
        return row_lines(form.indicators[i]) if i < len(form.indicators) else []
    return list(form.field_lines.get(path, []))


# Rule: every 'field path: value' the LLM engine could not find in the source is one finding.
@form_check(
    "unsupported-value",
    "error",
    "抽取值在原文中找不到（可能是模型编造）：{path} = {value}",
    rule="LLM 引擎抽取的值在原文中找不到（Form.unsupported 的每一项）",
)
def unsupported_value(form: Form, ctx: Ctx) -> Iterator[Finding]:
    for entry in form.unsupported:
        path, _, value = entry.partition(":")
        path, value = path.strip(), value.strip()
        lines = _lines_of(form, path) or [form.first_line]
        yield ctx.flag(lines=lines, evidence=[f"{path}: {snippet(value, 80)}"], path=path, value=snippet(value, 40))
