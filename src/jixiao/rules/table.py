"""The indicator table: rows of 一级 | 二级 | 三级 | 指标值 [| 实际值 | 分值 | 得分 | 偏差原因].

The traps (all in the seed documents):
- merged category cells print once and stay empty below: carry 一级/二级 forward;
- a category in the wrong column (``时效指标`` under 一级; a name in the first column);
- vertical cells printed with spaces (``可持 续影 响指 标``);
- a page break cutting a row: ``效益``/``社会`` on one line and ``指标``/``效益 指标`` plus the
  rest of the name on the next; ``=956.00(元/`` continued by ``家)``; ``可持`` continued by a
  whole next row starting ``续影响指标``;
- a bare ``效益指标`` line (the merged cell's label split off by the break): not an indicator;
- OCR garbles (``双盲指标``): kept as ``level2_raw`` so a check can flag them, while the row
  takes the category carried from above.

Cells are classified by content first and by position only to break ties.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .. import framework as fw
from ..layout.resplit import resplit, trailing_qualitative
from ..layout.vocab import EMPTY_SCAFFOLD, POINTS_ONLY, SCAFFOLD, column_role, column_roles, strip_points
from ..models import Indicator, Value, negative_numbers
from ..textnorm import clean, key, key_longer_than
from ..values import (
    is_bare_number,
    is_value_cell,
    is_valueish,
    normalise_unit,
    parse_value,
    to_number,
    unbalanced,
)
from .segment import Line

TARGET_HEADS = ("年度指标值", "年度(/项目)指标值", "指标值", "目标值", "年度目标值", "预期指标值")
ACTUAL_HEADS = ("实际完成值", "实际值", "全年实际值", "完成值", "实际完成情况")


@dataclass
class Layout:
    """What the table's header row says its columns are."""

    actual: bool = False
    weight: bool = False
    score: bool = False
    deviation: bool = False
    # each header cell's role (None for the block label or an unknown head), and whether the
    # columns after 三级指标 differ from the seeds' (target, actual, weight, score, reason)
    cell_roles: list[str | None] = field(default_factory=list)
    nonstandard: bool = False

    roles_after: list[str] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.weight or self.score


# words of the table's column heads (and their wrapped pieces), never of a first row
_HEAD_WORDS = re.compile(r"指标值|措施|分析|原因|完成值|实际值|^\)|^）")
_HEADER_HINT = re.compile(r"[一二三]\s*级\s*指\s*标")


def table_header(line: Line) -> Layout | None:
    if not _HEADER_HINT.search(line.joined):
        return None
    ks = line.keys
    glued = any(k.startswith(("一级指标", "二级指标")) and "三级指标" in k for k in ks)  # a lost tab
    if not ("三级指标" in ks or ("一级指标" in ks and "二级指标" in ks) or glued):
        return None
    lay = Layout()
    lay.cell_roles, roles = _header_roles(tuple(line.cells))
    after = roles[roles.index("name") + 1 :] if "name" in roles else []
    std = ["target", "actual", "weight", "score", "deviation"]
    it = iter(std)
    lay.nonstandard = bool(after) and not all(r in it for r in after)
    if lay.nonstandard:
        lay.actual, lay.weight, lay.score = "actual" in after, "weight" in after, "score" in after
        lay.deviation = "deviation" in after
        lay.roles_after = after
        return lay
    # substrings of a cell, not prefixes: a lost tab glues heads ('年度指标值实际完成值'); the
    # cells joined by NUL, so a word is found inside one cell only
    heads = "\x00".join(ks)
    lay.actual = any(h in heads for h in ACTUAL_HEADS)
    lay.weight = "分值" in heads or "权重" in ks
    lay.score = "得分" in heads
    lay.deviation = "偏差" in heads or "原因" in heads
    return lay


@lru_cache(maxsize=256)
def _header_roles(cells: tuple[str, ...]) -> tuple[list[str | None], list[str]]:
    """Each header cell's role, and the roles in order (most tables of a batch share a header)."""
    return [column_role(c) if c else None for c in cells], column_roles([c for c in cells if c])


@dataclass(frozen=True)
class Cat:
    kind: str  # full | prefix | unknown | block
    text: str  # de-spaced cell
    name: str | None = None  # the standard name, for full


def classify(cell: str) -> Cat | None:
    # the longest category spelling (服务对象满意度指标) has 9 characters; most cells are
    # longer names, and testing that first keeps them out of the cache below
    if key_longer_than(cell, 9) and "分" not in cell:
        return None
    return _classify(cell)


@lru_cache(maxsize=1 << 16)
def _classify(cell: str) -> Cat | None:
    if POINTS_ONLY.match(cell):
        return Cat("block", key(cell))  # '(50分)', its category's points on a line of their own
    k = key(strip_points(cell))
    if not k:
        return None
    if k in fw.BLOCK_LABELS:
        return Cat("block", k)
    std = k if k in fw.STANDARD else fw.ALIASES.get(k)
    if std:
        return Cat("full", k, std)
    if fw.prefix_of(k):
        return Cat("prefix", k)
    if fw.looks_like_category(k):
        return Cat("unknown", k)
    return None


@dataclass(slots=True)
class Row:
    line: int
    lines: list[int]
    name_parts: list[str]
    target: str | None = None
    actual: str | None = None
    weight: float | None = None
    score: float | None = None
    deviation: str | None = None
    level1: str | None = None
    level2: str | None = None
    level1_raw: str | None = None
    level2_raw: str | None = None
    explicit: bool = False  # the row printed its own category cells
    explicit2: bool = False  # … and its 二级 cell
    blank_before: bool = False
    review: float | None = None
    unit: str | None = None  # a 度量单位 column
    sign: str | None = None  # a 指标性质 or 指标方向 column
    uncertain: bool = False


@dataclass
class TableReader:
    layout: Layout
    blank_after: set[int]
    # merged category cells printed at the vertical middle of their rows (pdftotext): a row
    # without its own 二级 takes the nearest printed one, not the one above
    middle_labels: bool = False
    # … or, when category labels stand on lines of their own (OCR reads a merged cell at its
    # vertical middle), only then: rows that print their own labels keep carrying them down
    labels_apart: bool = False
    # cells keep their columns from line to line (tabs, spaces, files): a lone cell under the
    # last row's name can be its wrapped rest; in rebuilt rows (a stream, a glued line) not
    positional: bool = True
    rows: list[Row] = field(default_factory=list)
    l1: str | None = None
    l2: str | None = None
    # page-break fragments waiting for their continuation: (slot, text, rows sharing it)
    frag1: tuple[str, list[Row]] | None = None
    frag2: tuple[str, list[Row]] | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)  # footnote lines under the table
    marks: list[tuple[float, str]] = field(default_factory=list)  # category lines alone: (position, 二级)
    _prev_no: int = 0
    # the last row as read (line, category cells, row, body), to find which column held its
    # name, target… when a wrapped cell's rest follows alone in one of them (see _wrapped_tail)
    _last: tuple[Line, int, Row, list[str]] | None = None
    _columns: dict[int, str] | None = None

    # -- driving ---------------------------------------------------------------------------

    def feed(self, line: Line) -> None:
        cells = resplit(line.values)  # cells glued by a lost tab, apart again
        if cells and cells[0][:1] in _SCAFFOLD_START and all(EMPTY_SCAFFOLD.match(c) for c in cells):
            return  # a template row left blank ('……', '指标2：'): no indicator, no name's rest
        blank_before = self._prev_no in self.blank_after
        follows_row = bool(self.rows) and self._prev_no == self.rows[-1].lines[-1] and not blank_before
        self._prev_no = line.no
        last, self._last = self._last, None
        columns, self._columns = self._columns, None
        if follows_row and len(cells) == 1 and (last or columns) and self.positional:
            if columns is None and last is not None:
                columns = _column_fields(*last)
            if columns and self._wrapped_tail(line, columns):
                return
        if not self.rows and self._header_tail(cells):
            return
        if self.rows and self._pending():
            cells = self._continue(line, cells)
            if not cells:
                return
        else:
            self._settle_fragments()
        cats, body = self._split_categories(cells)
        if not body:
            self._apply_categories(cats, row=None)
            if (
                (self.middle_labels or self.labels_apart)
                and self.l2
                and any(c.kind != "block" and fw.is_level2(c.name or fw.resolve_fragment(c.text) or "") for c in cats)
            ):
                self.marks.append((len(self.rows) - 0.5, self.l2))  # a label between its rows
            return
        if body[0][:1] in _SCAFFOLD_START and all(EMPTY_SCAFFOLD.match(c) for c in body):
            self._apply_categories(cats, row=None)
            return  # a blank template row under its categories ('经济效益指标 | 指标1：')
        if not cats and body[0][:1] in _FOOTNOTE_START and _FOOTNOTE.match(body[0]):
            self.notes.append(line.no)
            return  # '注：请根据…' under the table
        if not cats and self._is_text_continuation(body, blank_before):
            self._append_text(line, body)
            return
        if self.layout.nonstandard:
            row = self._roles_row(line, len(line.values) - len(body))
        else:
            row = self._body_row(line, body)
        row.uncertain = line.uncertain
        row.blank_before = blank_before
        self._apply_categories(cats, row)
        self.rows.append(row)
        if cells is line.values:  # cells still in their columns: their fields can be told
            self._last = (line, len(cells) - len(body), row, body)

    def _header_tail(self, cells: list[str]) -> bool:
        """Before the first row: the rest of a wrapped head ('…分析' + '及改进措施')."""
        return len(cells) <= 3 and all(_HEAD_WORDS.search(c) and classify(c) is None for c in cells)

    def _wrapped_tail(self, line: Line, columns: dict[int, str]) -> bool:
        """A lone cell in the column of the last row's name, target, actual or reason, on
        the very next line: the rest of that cell, wrapped (a long name, '≥178.0' + '0(次)')."""
        ((col, text),) = line.filled
        fld = columns.get(col)
        if fld is None or classify(text) is not None:
            return False
        last = self.rows[-1]
        if fld == "name":
            last.name_parts.append(clean(text) or "")
        elif fld == "deviation":
            last.deviation = (last.deviation or "") + text.strip()
        else:
            setattr(last, fld, (getattr(last, fld) or "") + text.strip())
        last.lines.append(line.no)
        self._columns = columns  # a third line may continue the same cell
        return True

    def finish(self) -> list[Indicator]:
        self._settle_fragments()
        if self.middle_labels or (self.labels_apart and self.marks):
            self._nearest_labels()
        else:
            self._relabel_page_break_rows()
        out: list[Indicator] = []
        nonstandard = self.layout.nonstandard
        for r in self.rows:
            name = "".join(r.name_parts)
            if name[:1] in _SCAFFOLD_START:  # (a C-speed test first: this runs on every row)
                if EMPTY_SCAFFOLD.match(name) and not r.target:
                    continue  # a template row left blank ('……', '指标2：')
                name = SCAFFOLD.sub("", name)
            if not name:
                self.problems.append(f"第{r.line}行：指标行缺少三级指标名称，已跳过")
                continue
            weight, score = r.weight, r.score
            if (weight is not None and weight < 0) or (score is not None and score < 0):
                # keep the row, drop the impossible number, say so
                self.problems.extend(negative_numbers(name, r.line, weight, score))
                weight = None if weight is not None and weight < 0 else weight
                score = None if score is not None and score < 0 else score
            # only the fields the row has: pydantic validates every keyword given, and most
            # rows have no review score, deviation, raw category or second line
            fields: dict[str, Any] = {
                "level1": r.level1,
                "level2": r.level2,
                "name": name,
                "target": _target(r) if nonstandard else _plain_target(r, name),
                "line": r.line,
                "lines": r.lines if len(r.lines) == 1 else sorted(set(r.lines)),
            }
            if self.layout.actual or r.actual:
                fields["actual"] = _actual(r)
            if weight is not None:
                fields["weight"] = weight
            if score is not None:
                fields["score"] = score
            if r.review is not None:
                fields["review_score"] = r.review
            if r.uncertain:
                fields["uncertain"] = True
            if r.deviation is not None:
                fields["deviation"] = clean(r.deviation)
            if r.level1_raw is not None:
                fields["level1_raw"] = r.level1_raw
            if r.level2_raw is not None:
                fields["level2_raw"] = r.level2_raw
            out.append(Indicator(**fields))
        return out

    # -- categories ------------------------------------------------------------------------

    def _split_categories(self, cells: list[str]) -> tuple[list[Cat], list[str]]:
        """Leading category cells and the rest of the row."""
        cats: list[Cat] = []
        i = 0
        while i < len(cells) and len(cats) < 3:
            c = classify(cells[i])
            if c is None:
                break
            rest = len(cells) - i - 1
            if c.kind == "block" and POINTS_ONLY.match(cells[i]):
                i += 1  # '(10分)' split off its category: no cell of its own
                continue
            if rest == 0 and all(classify(x) for x in cells):
                cats.append(c)  # a line of category cells only
                i += 1
                continue
            if rest < 2 and c.kind != "full":
                break  # a short row: this is a name, not a category
            if c.kind == "unknown" and rest < self.min_body:
                break  # '考核指标' with too few cells after it is an indicator name
            if rest < 1:
                break
            if c.kind != "block" and len(cats) >= 2 and sum(x.kind != "block" for x in cats) >= 2:
                break  # 一级 and 二级 are taken: a third category-like cell is the name
            if rest == 1 and is_valueish(cells[i + 1]):
                break  # '服务对象满意度  ≥90%': a name that reads like a category, then its value
            cats.append(c)
            i += 1
        return cats, cells[i:]

    @property
    def min_body(self) -> int:
        lay = self.layout
        return 2 + int(lay.actual) + 2 * int(lay.scored)

    def _apply_categories(self, cats: list[Cat], row: Row | None) -> None:
        if not cats:  # most rows: the merged cells above carry
            if row is not None:
                row.level1 = self.l1
                row.level2 = self.l2
            return
        got1: Cat | None = None
        got2: Cat | None = None
        cats = [c for c in cats if c.kind != "block"]
        for n, c in enumerate(cats):
            if c.kind == "full":
                assert c.name is not None
                cost_under_output = c.name == "成本指标" and (
                    n > 0
                    or (len(cats) == 1 and self.l1 == "产出指标" and self.l2 in ("数量指标", "质量指标", "时效指标"))
                )  # old forms: 成本指标 a 二级 under 产出指标
                if fw.is_level1(c.name) and got1 is None and got2 is None and not cost_under_output:
                    got1 = c
                else:
                    got2 = c
            elif c.kind == "prefix":
                l1_cands = [x for x in fw.prefix_of(c.text) if fw.is_level1(x)]
                if got1 is None and got2 is None and l1_cands and n == 0 and len(cats) > 1:
                    got1 = c
                elif (
                    got1 is None
                    and got2 is None
                    and l1_cands
                    and len(cats) == 1
                    and not [x for x in fw.prefix_of(c.text) if fw.is_level2(x)]
                ):
                    got1 = c
                else:
                    got2 = c
            else:  # unknown
                if got1 is None and got2 is None and len(cats) > 1 and n == 0:
                    got1 = c
                else:
                    got2 = c
        if got1 is not None:
            self._set_level1(got1, row)
        if got2 is not None:
            self._set_level2(got2, row)
        if row is not None:
            row.explicit = got1 is not None or got2 is not None
            row.explicit2 = got2 is not None
            row.level1 = self.l1
            row.level2 = self.l2
            if got1 is not None:
                row.level1_raw = got1.text
            if got2 is not None:
                row.level2_raw = got2.text

    def _set_level1(self, c: Cat, row: Row | None) -> None:
        rows = [row] if row else []
        if c.kind == "full":
            self.l1 = c.name
            if c.text != c.name and fw.prefix_of(c.text):
                self.frag1 = (c.text, rows)  # '满意度' may still be '满意度' + '指标' after a break
        elif c.kind == "prefix":
            self.l1 = fw.resolve_fragment(c.text)
            self.frag1 = (c.text, rows)
        else:
            self.l1 = None
        if self.l2 and fw.parent(self.l2) != self.l1 and self.l2 not in fw.children(self.l1):
            kids = fw.children(self.l1)
            self.l2 = kids[0] if len(kids) == 1 else None

    def _set_level2(self, c: Cat, row: Row | None) -> None:
        rows = [row] if row else []
        if c.kind == "full":
            self.l2 = c.name
            if c.text != c.name and fw.prefix_of(c.text):
                self.frag2 = (c.text, rows)
        elif c.kind == "prefix":
            self.l2 = fw.resolve_fragment(c.text, self.l1)
            self.frag2 = (c.text, rows)
        else:
            # unknown (OCR garble): keep the category carried from above if it fits
            if self.l2 is not None and self.l1 is not None and self.l2 not in fw.children(self.l1):
                self.l2 = None
        if self.l2 and (self.l1 is None or self.l2 not in fw.children(self.l1)):
            self.l1 = fw.parent(self.l2)

    def _settle_fragments(self) -> None:
        self.frag1 = None
        self.frag2 = None

    # -- page-break continuations ----------------------------------------------------------

    def _pending(self) -> bool:
        if self.frag1 or self.frag2:
            return True
        last = self.rows[-1]
        return unbalanced(last.target) or unbalanced(last.actual)

    def _continue(self, line: Line, cells: list[str]) -> list[str]:
        """Consume the cells that complete the last row; return what is left."""
        last = self.rows[-1]
        i = 0
        consumed = False
        for slot in ("1", "2"):
            frag = self.frag1 if slot == "1" else self.frag2
            if frag is None or i >= len(cells):
                continue
            text, rows = frag
            done = fw.complete(text, cells[i])
            if done is None and slot == "2" and i + 1 < len(cells):
                # '效益指标 | 指标 | …': the 一级 label of this block printed in its column, the rest
                # of the 二级 label ('社会效益' + '指标') in the next
                c = classify(cells[i])
                nxt = fw.complete(text, cells[i + 1])
                if c is not None and c.kind == "full" and c.name and fw.is_level1(c.name) and nxt:
                    self.l1 = c.name
                    for r in rows:
                        r.level1 = c.name
                    i += 1
                    done = nxt
            if done is None and fw.prefix_of(text + key(cells[i])):
                # still incomplete ('可持' + '续影'): extend and wait for more
                if slot == "1":
                    self.frag1 = (text + key(cells[i]), rows)
                else:
                    self.frag2 = (text + key(cells[i]), rows)
                i += 1
                consumed = True
                continue
            if done is None:
                continue
            i += 1
            consumed = True
            for r in rows:
                if slot == "1":
                    r.level1, r.level1_raw = done, text + key(cells[i - 1])
                else:
                    r.level2, r.level2_raw = done, text + key(cells[i - 1])
                    if r.level1 is None or done not in fw.children(r.level1):
                        r.level1 = fw.parent(done)
            if slot == "1":
                self.l1 = done
                self.frag1 = None
            else:
                self.l2 = done
                self.l1 = rows[0].level1 if rows else self.l1
                self.frag2 = None
        for attr in ("target", "actual"):
            if (
                i < len(cells)
                and unbalanced(getattr(last, attr))
                and not is_value_cell(cells[i])
                and classify(cells[i]) is None
            ):
                setattr(last, attr, (getattr(last, attr) or "") + cells[i].strip())
                i += 1
                consumed = True
        if consumed:
            last.lines.append(line.no)
        rest = cells[i:]
        if not consumed:
            self._settle_fragments()
            return rest
        if rest and not any(is_valueish(c) for c in rest):
            last.name_parts.extend(clean(c) or "" for c in rest)
            return []
        # what follows is a row of its own, sharing the categories just completed
        return rest

    # -- body ------------------------------------------------------------------------------

    def _body_row(self, line: Line, body: list[str]) -> Row:
        row = Row(line.no, [line.no], [])  # (positional: this runs on every row)
        lay = self.layout
        cells = body  # only sliced below, never changed in place
        if lay.scored:
            pair = _last_number_pair(cells)
            if pair is not None:
                j = pair
                row.weight = _num(cells[j - 1])
                row.score = _num(cells[j])
                row.deviation = "".join(cells[j + 1 :]) or None
                cells = cells[: j - 1]
            elif cells and is_bare_number(cells[-1]) and len(cells) >= 3:
                row.weight = _num(cells[-1])
                cells = cells[:-1]
        want = 2 if lay.actual else 1
        if len(cells) > want:
            values = cells[-want:]
            names = cells[:-want]
        elif len(cells) == want and want == 2:
            names, values = cells[:1], cells[1:]
        else:
            names, values = cells[:1], cells[1:]
        row.name_parts = [clean(c) or "" for c in names]
        if not values and not lay.scored and len(row.name_parts) == 1:
            # a declaration row with no target cell: the target may be glued to the name
            cut = trailing_qualitative(row.name_parts[0])
            if cut:
                row.name_parts, values = [cut[0]], [cut[1]]
        if values:
            row.target = values[0]
        if len(values) > 1:
            row.actual = values[1]
        return row

    def _roles_row(self, line: Line, ncats: int) -> Row:
        """A row of a template whose columns are not the seeds' (指标性质 / 度量单位, 分值
        before 指标值, 复核分 …): cells after the name read by the header's roles, blank
        cells kept; rows the layout stage aligned under the header read by column."""
        row = Row(line=line.no, lines=list(line.src), name_parts=[])
        lay = self.layout
        cells = [c.strip() for c in line.cells]
        got: dict[str, str] = {}
        if getattr(line, "aligned", False) and len(lay.cell_roles) >= len([c for c in cells if c]):
            seen = 0
            for col, c in enumerate(cells):
                if not c:
                    continue
                if seen < ncats:
                    seen += 1
                    continue
                role = lay.cell_roles[col] if col < len(lay.cell_roles) else "deviation"
                if role in ("l1", "l2"):
                    continue  # a category column: its cells are categories or their pieces
                if role in (None, "name") and not row.name_parts:
                    row.name_parts = [clean(c) or ""]
                elif role and role not in ("l1", "l2", "name"):
                    got[role] = (got.get(role, "") + c) if role == "deviation" else c
        else:
            i, seen = 0, 0
            while i < len(cells) and (not cells[i] or seen < ncats):
                seen += bool(cells[i])
                i += 1
            if i < len(cells):
                row.name_parts = [clean(cells[i]) or ""]
            rest = cells[i + 1 :]
            roles = lay.roles_after
            filled = [c for c in rest if c]
            if (
                "midterm" in roles
                and len(filled) < sum(r in ("midterm", "target") for r in roles)
                and len(rest) < len(roles)
            ):
                # one value where 中长期指标值 | 年度指标值 stand (the first often left blank, and a
                # blank cell leaves no trace in a stream): it is the year's target
                roles = [r for r in roles if r != "midterm"]
            for n, c in enumerate(rest):
                role = roles[n] if n < len(roles) else "deviation"
                if c:
                    got[role] = (got.get(role, "") + c) if role == "deviation" else c
        row.target = got.get("target")
        row.actual = got.get("actual")
        row.weight = to_number(got["weight"]) if "weight" in got else None
        row.score = to_number(got["score"]) if "score" in got else None
        row.review = to_number(got["review"]) if "review" in got else None
        row.deviation = got.get("deviation")
        row.unit = got.get("unit")
        nature = got.get("nature")
        direction = got.get("direction")
        row.sign = nature if nature in _SIGNS else direction if direction in _DIRECTION_OP else None
        return row

    def _is_text_continuation(self, body: list[str], blank_before: bool) -> bool:
        """A line that only continues the previous row's name (or its deviation text)."""
        if not self.rows:
            return False
        last = self.rows[-1]
        if self.layout.scored:
            shape = last.weight is not None and len(body) <= 2
        else:
            shape = len(body) == 1 and (last.target is None or blank_before)
        # the shape first: it is cheap and rules out most rows before any cell is parsed
        return shape and not any(is_valueish(c) for c in body)

    def _append_text(self, line: Line, body: list[str]) -> None:
        last = self.rows[-1]
        text = "".join(clean(c) or "" for c in body)
        if last.deviation:
            last.deviation += text
        else:
            last.name_parts.append(text)
        last.lines.append(line.no)

    # -- after the table -------------------------------------------------------------------

    def _nearest_labels(self) -> None:
        """Rows without their own 二级 take the nearest printed one (a tie goes to the one
        above, unless the name does not fit it): pdftotext prints a merged cell's label at
        the vertical middle of its rows."""
        marks = sorted([(float(n), r.level2) for n, r in enumerate(self.rows) if r.explicit2 and r.level2] + self.marks)
        if not marks:
            return
        positions = [m for m, _ in marks]
        for n, r in enumerate(self.rows):
            if r.explicit2:
                continue
            # a row that printed its own 一级 takes a 二级 of that 一级 only
            name = "".join(r.name_parts)
            # the few marks around the row (bounded: a long table is not scanned per row)
            at = bisect.bisect_left(positions, n)
            near = marks[max(0, at - _NEAR) : at + _NEAR]
            fits = [(m, l2) for m, l2 in near if not r.level1_raw or l2 in fw.children(r.level1)] or near
            fits = [(m, l2) for m, l2 in fits if _compatible(name, l2)] or fits
            above = next(((m, l2) for m, l2 in reversed(fits) if m < n), None)
            below = next(((m, l2) for m, l2 in fits if m > n), None)
            if above is None and below is None:
                continue
            if below is None or (above is not None and n - above[0] < below[0] - n):
                pick = above
            elif above is None or below[0] - n < n - above[0]:
                pick = below
            else:
                name = "".join(r.name_parts)
                pick = above if fw.fits_level2(name, above[1]) and not _names_level(name, below[1]) else below
            assert pick is not None
            l2 = pick[1]
            if l2 != r.level2:
                r.level2 = l2
                if r.level1 is None or l2 not in fw.children(r.level1):
                    r.level1 = fw.parent(l2)
                elif not r.level1_raw and fw.parent(l2) != r.level1 and l2 not in fw.children(r.level1):
                    r.level1 = fw.parent(l2)

    def _relabel_page_break_rows(self) -> None:
        """A row carried into 时效指标 that does not speak of time, just before a page break
        after which new category labels print, belongs to those labels: the merged cell's
        label is printed at its vertical middle, which the break pushed onto the next page."""
        for a, b in zip(self.rows, self.rows[1:]):
            if (
                not a.explicit
                and a.level2 == "时效指标"
                and b.explicit
                and b.blank_before
                and b.level2 != a.level2
                and not fw.fits_level2("".join(a.name_parts), a.level2)
            ):
                a.level1, a.level2 = b.level1, b.level2


_SIGNS = {"≥": "≥", "≤": "≤", "=": "=", ">": ">", "<": "<", "≧": "≥", "≦": "≤", "＝": "="}
_DIRECTION_OP = {"正向": ">=", "反向": "<="}


def _target(r: Row) -> Value | None:
    """The target as printed, or made of its 指标性质 / 指标值 / 度量单位 cells (raw = the
    three joined); a 指标方向 (正向/反向) gives the operator a bare number lacks."""
    raw = r.target
    if raw is None:
        return None
    sign = _SIGNS.get((r.sign or "").strip())
    if sign:
        raw = sign + raw.strip()
    v = parse_value(raw)
    if v is None:
        return None
    if unreadable(v, "".join(r.name_parts)):
        return Value(raw=v.raw, text=v.raw)  # kept as printed, flagged by unreadable-value
    if r.unit and v.value is not None and v.unit is None:
        v = parse_value(raw.strip() + r.unit.strip()) or v
    if v is not None and v.op is None and v.value is not None and r.sign in _DIRECTION_OP:
        v = v.model_copy(update={"op": _DIRECTION_OP[r.sign]})
    return v


_RATE_NAME = re.compile(r"率|比例|度$")


def unreadable(v: Value, name: str) -> bool:
    """A target that is no value: an Excel date serial typed into a date's cell (45,260 for
    2023-11-30), or an OCR '2' standing for '≥' before a rate ('298%')."""
    if v.value is None or v.op is not None or v.value < 100:
        return False  # (the cheap tests first: most targets carry an operator)
    if v.unit is None and 30000 <= v.value <= 60000 and any(w in name for w in ("时间", "日期", "完成时限", "时限")):
        return True
    raw = v.raw.strip()
    return (
        v.unit == "%"
        and 100 < v.value < 300
        and raw.startswith("2")
        and bool(_RATE_NAME.search(name))
        and 0 < float(raw[1:].rstrip("%") or 0) <= 100
    )


def _plain_target(r: Row, name: str) -> Value | None:
    v = parse_value(r.target)
    if v is not None and v.op is None and v.value is not None and v.value >= 100 and unreadable(v, name):
        return Value(raw=v.raw, text=v.raw)
    return v


def _actual(r: Row) -> Value | None:
    v = parse_value(r.actual)
    if v is not None and r.unit and v.value is not None and v.unit is None:
        v = v.model_copy(update={"unit": normalise_unit(r.unit)})  # '102' under 度量单位 场次
    return v


def _column_fields(line: Line, skip: int, row: Row, body: list[str]) -> dict[int, str]:
    """Which column held the row's name, target, actual and reason (the first ``skip``
    filled cells are its categories). Read back from the row: a cell is known by its text."""
    cols = [i for i, _ in line.filled][skip:]
    out: dict[int, str] = {}
    n_names = len(row.name_parts)
    if n_names and n_names <= len(cols):
        out[cols[n_names - 1]] = "name"
    for fld in ("target", "actual", "deviation"):
        text = getattr(row, fld)
        if text is not None and text in body:
            out[cols[body.index(text)]] = fld
    return out


_FOOTNOTE = re.compile(r"^(?:注|说明|备注|填表说明)\s*[:：]")
_NEAR = 4  # marks looked at on each side of a row
_SCAFFOLD_START = frozenset(".…。·指 ")  # how a blank template row's cells begin
_FOOTNOTE_START = frozenset("注说备填")


def _compatible(name: str, level2: str) -> bool:
    """Whether a name can stand under a 二级 at all: only a satisfaction is a 满意度指标 (and
    a satisfaction nothing else), and a 时效指标 speaks of time."""
    if ("满意" in name) != (level2 == "服务对象满意度指标"):
        return False
    return fw.fits_level2(name, level2)


def _names_level(name: str, level2: str | None) -> bool:
    """A name that says its 二级 ('…成本' under 成本指标, '…满意度' under 满意度)."""
    if not level2:
        return False
    stem = level2.removesuffix("指标")
    return stem[-2:] in name


def _num(cell: str) -> float:
    v = to_number(cell)
    return 0.0 if v is None else v


def _last_number_pair(cells: list[str]) -> int | None:
    for j in range(len(cells) - 1, 0, -1):
        if is_bare_number(cells[j]) and is_bare_number(cells[j - 1]):
            return j
    return None
