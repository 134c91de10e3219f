"""What a document is when it holds no project form, so that a reviewer is never handed a
silently empty result: a department's whole-year targets (部门整体绩效目标表), a narrative
self-evaluation report quoting an indicator table, or a table with no project header."""

from __future__ import annotations

import re

_HEADING = re.compile(r"^\s*(?:#+\s*|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
_PROSE = re.compile("[，。；]")


def describe(lines: list[str]) -> list[str]:
    """Notes for a document in which no project form was found (empty when it says nothing)."""
    head = "".join(ln.strip() for ln in lines[:60] if ln.strip())
    text = "\n".join(lines[:5000])
    if "整体绩效目标" in head or "部门整体" in head:
        return ["该文档为部门整体绩效目标表（一个部门全年的整体目标，不是项目），未读取项目表单"]
    headings = sum(1 for ln in lines[:5000] if _HEADING.match(ln) and len(ln.strip()) < 60)
    prose = sum(1 for ln in lines[:5000] if len(_PROSE.findall(ln)) >= 2 and "|" not in ln and "\t" not in ln)
    if "自评报告" in head or "评价报告" in head or (headings >= 3 and prose >= 2):
        note = "该文档为叙述性的绩效自评报告，未读取项目表单"
        if "一级指标" in text or "三级指标" in text:
            note += "（其中引用的指标表不是项目表单）"
        return [note]
    if "三级指标" in text and "项目名称" not in text:
        return ["找到指标表，但没有项目名称等表头：可能是空白模板或表格片段，未读取项目表单"]
    return []
