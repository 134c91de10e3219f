"""goal-names-other-project: a goal that speaks of another project of the same file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..models import Finding
from .crossform import MAX_RELATED, project_key, related_text
from .goals import goal_label
from .registry import Ctx, Located, corpus_check
from .text import field_evidence, field_lines, name_key, norm


@dataclass(frozen=True)
class _Pattern:
    text: str  # normalised
    owners: tuple[str, ...]  # project keys
    names: tuple[str, ...]  # project names as printed
    needs_suffix: bool  # short names and stems count only as '…项目'


_STEM_CUT = ("（", "(", "“", '"', "「", "『", "-", "—", "－", "——")


def _stem(name: str) -> str:
    cut = len(name)
    for ch in _STEM_CUT:
        i = name.find(ch)
        if 0 < i < cut:
            cut = i
    return name[:cut]


def name_patterns(names: Sequence[str], min_chars: int, stem_min_chars: int) -> list[_Pattern]:
    """What counts as a mention of each project: its full name, and its stem before a bracket
    ('综合救助（医保补贴）' -> '综合救助'), the stem and short names only when '项目' follows."""
    found: dict[tuple[str, bool], dict[str, str]] = defaultdict(dict)
    for name in names:
        owner = name_key(name)
        full = norm(name)
        if len(full) >= stem_min_chars:
            found[(full, len(full) < min_chars)][owner] = name
        stem = norm(_stem(name))
        if stem != full and len(stem) >= stem_min_chars:
            found[(stem, True)][owner] = name
    return [_Pattern(text, tuple(owners), tuple(owners.values()), needs) for (text, needs), owners in found.items()]


class NameIndex:
    """Every pattern, found by its first characters and then by exact lookup per length:
    scanning a text costs one dict lookup per position (plus a few per candidate), however
    many names there are (a bucket of 'patterns sharing a prefix' would grow with them)."""

    def __init__(self, patterns: Sequence[_Pattern]) -> None:
        self.width = min((len(p.text) for p in patterns), default=0)
        self.lengths: dict[str, set[int]] = defaultdict(set)
        self.by_text: dict[str, list[_Pattern]] = defaultdict(list)
        for p in patterns:
            self.lengths[p.text[: self.width]].add(len(p.text))
            self.by_text[p.text].append(p)

    def find(self, text: str) -> list[tuple[int, int, _Pattern]]:
        spans: list[tuple[int, int, _Pattern]] = []
        w = self.width
        if not w:
            return spans
        for pos in range(len(text) - w + 1):
            sizes = self.lengths.get(text[pos : pos + w])
            if not sizes:
                continue
            for size in sizes:
                for p in self.by_text.get(text[pos : pos + size], ()):
                    end = pos + size
                    if not p.needs_suffix or text.startswith("项目", end):
                        spans.append((pos, end, p))
        return spans


def mentions(text: str, patterns: Sequence[_Pattern], own: str) -> list[_Pattern]:
    """Patterns of other projects that ``text`` (normalised) mentions, outside mentions of
    the project ``own`` itself and outside longer mentions of another name."""
    return _scan(text, NameIndex(patterns), own) if patterns and text else []


def _scan(text: str, index: NameIndex, own: str) -> list[_Pattern]:
    spans = index.find(text)
    out: list[_Pattern] = []
    for s, e, p in spans:
        # the project itself, or a name inside its own ('社区社会组织培育' in '大型社区社会组织培育补助')
        if own in p.owners or (p.text in own and p.text != own):
            continue
        # inside a mention of the project itself, or of a longer name: not a mention of p
        if any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans):
            continue
        if p not in out:
            out.append(p)
    return out


# Rule: a goal text names another project of the same document (its full name, or '<stem>项目').
@corpus_check(
    "goal-names-other-project",
    "warning",
    "{label}写的是另一个项目：{others}",
    rule="目标文字中出现同一文件中另一项目的名称（≥ name_min_chars 字的全名，或“名称主干+项目”），本项目名称中的除外",
    per_document=True,
)
def goal_names_other_project(forms: Sequence[Located], ctx: Ctx) -> Iterator[Finding]:
    by_doc: dict[int, list[Located]] = defaultdict(list)
    for at in forms:
        by_doc[at.doc].append(at)
    for doc_forms in by_doc.values():
        names = list(dict.fromkeys(at.form.project_name for at in doc_forms if at.form.project_name))
        patterns = name_patterns(names, ctx.cfg.name_min_chars, ctx.cfg.name_stem_min_chars)
        if len(names) < 2 or not patterns:
            continue
        index = NameIndex(patterns)
        for at in doc_forms:
            own = project_key(at.form)
            lines: list[int] = []
            evidence: list[str] = []
            named: dict[str, None] = {}
            said: dict[str, None] = {}
            for fld in ("goal.expected", "goal.actual", "goal.overall"):
                raw = getattr(at.form.goal, fld.split(".")[1])
                found = _scan(norm(raw), index, own) if raw else []
                if found:
                    lines += field_lines(at.form, fld)
                    evidence.append(field_evidence(at.form, fld, goal_label(at.form, fld), raw))
                    for p in found:
                        said[p.text + ("项目" if p.needs_suffix else "")] = None
                        for n in p.names:
                            named[n] = None
            if named:
                yield ctx.flag(
                    at=at,
                    lines=lines,
                    evidence=evidence,
                    related=list(named)[:MAX_RELATED],
                    label=goal_label(at.form, "goal.expected"),
                    others="、".join(f"「{t}」" for t in said) + f"（{related_text(list(named))}）",
                )
