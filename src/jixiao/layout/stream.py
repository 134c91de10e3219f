"""Rows rebuilt from a stream of cells that lost their row breaks: a Word or PDF copy with
one cell per line, or a whole form dumped on one line.

The form's own words say where rows start: a header label starts a row and its value
follows; funds column heads and goal heads gather into one row; the indicator table's
header row says how many cells each indicator row has and what each one is (a weight is a
number, a 指标性质 an operator, a 偏差原因 text), so a row is a run of category cells, a
name, and that many cells. A blank line where a cell is expected is that cell, empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from ..values import RESULT_WORDS
from .glued import Atom, split_numbers
from .grid import Line
from .resplit import QUALITATIVE_BY_LEN, is_wording, trailing_qualitative
from .vocab import (
    EMPTY_SCAFFOLD,
    NUM,
    POINTS_ONLY,
    SCAFFOLD,
    TWO_DECIMALS,
    VERTICAL_PIECES,
    column_roles,
    is_op,
    is_value_shape,
    joins_to_label,
    label_kind,
    strip_points,
)

NUMERIC_ROLES = ("weight", "score", "review")
_RESULTS_BY_LEN = sorted(RESULT_WORDS, key=len, reverse=True)
_NATURE_WORDS = {"定性", "定量"}
_DIRECTION_WORDS = {"正向", "反向"}
_MAX_STEMS = 32
_PUNCT = re.compile("[，。；;,]")
_FOOTNOTE = re.compile(r"^(?:注|说明|备注|填表说明)\s*[:：]")


@dataclass(slots=True)
class Tok:
    text: str
    no: int
    kind: str  # label:<kind> | value | number | dash | op | text | empty
    glued: bool = False
    more: tuple[int, ...] = ()  # further source lines (a label split over two lines)


_NUMBER = re.compile(rf"-?{NUM}")


@lru_cache(maxsize=1 << 15)
def classify(text: str) -> str:
    """The kind of one token (cached: labels, amounts and dashes recur in every form)."""
    t = text.strip()
    if not t:
        return "empty"
    lk = label_kind(t)
    if lk:
        return "label:" + lk
    if t in {"-", "—", "/", "--", "——", "–"}:
        return "dash"
    if is_op(t):
        return "op"
    if _NUMBER.fullmatch(t):
        return "number"
    if is_value_shape(t):
        return "value"
    return "text"


def cell_tokens(cells: list[tuple[int, str]]) -> list[Tok]:
    """Tokens of separated cells, with labels split over two cells put back together."""
    out: list[Tok] = []
    for no, text in cells:
        t = text.strip()
        if out and t:
            prev = out[-1]
            joined = joins_to_label(prev.text, t) if prev.kind == "text" or prev.kind.startswith("label") else None
            if joined is not None and (prev.kind == "text" or label_kind(prev.text + t) is not None):
                out[-1] = Tok(joined, prev.no, "label:" + (label_kind(joined) or "header"), more=(no,))
                continue
        out.append(Tok(t, no, classify(t)))
    return out


def atom_tokens(items: list[Atom], no: int) -> list[Tok]:
    out: list[Tok] = []
    for a in items:
        if a.kind == "text" and not a.text.strip(":：,，;；、 "):
            continue
        out.append(Tok(a.text, no, a.kind, glued=True))
    return out


@dataclass
class _Row:
    toks: list[Tok] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    nos: set[int] = field(default_factory=set)
    uncertain: bool = False
    base: int = 0  # cells before the first value (categories and name)

    def add(self, tok: Tok, text: str | None = None) -> None:
        self.cells.append(tok.text if text is None else text)
        self.nos.add(tok.no)
        self.nos.update(tok.more)
        self.toks.append(tok)

    def empty(self) -> None:
        self.cells.append("")

    def line(self) -> Line:
        cells = list(self.cells)
        while cells and not cells[-1]:
            cells.pop()
        first = min(self.nos)
        return Line(first, cells, tuple(sorted(self.nos)), self.uncertain)


def build_rows(toks: list[Tok], *, rows_are_lines: bool = False) -> list[Line]:
    """Rows of a token stream (see the module docstring)."""
    return _Builder(toks, rows_are_lines).run()


class _Builder:
    def __init__(self, toks: list[Tok], rows_are_lines: bool = False) -> None:
        self.rows_are_lines = rows_are_lines
        self.toks = toks
        self.i = 0
        self.rows: list[_Row] = []
        self.roles: list[str] = []
        self.stems: dict[str, None] = {}  # first characters of the names read so far, oldest first

    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def run(self) -> list[Line]:
        self._head()
        if self.i < len(self.toks):
            self._table()
        _split_funds(self.rows)
        _split_goals(self.rows)
        return [r.line() for r in self.rows if r.nos and any(r.cells)]

    # -- above the indicator table ---------------------------------------------------------

    def _head(self) -> None:
        cur: _Row | None = None
        cur_kind = ""
        while (t := self.peek()) is not None:
            kind = t.kind
            if kind == "empty":
                self.i += 1
                continue
            if kind in ("label:tablehead", "label:block") and self._table_head_ahead():
                return
            if kind.startswith("label:") and kind != "label:category":
                lk = kind[6:]
                same = cur is not None and (
                    (lk == "fundshead" and cur_kind in ("fundshead", "header:funds"))
                    or (
                        lk == "funds"
                        and cur_kind in ("fundshead", "header:funds")
                        and cur.cells[-1:] == ["中期资金总额"]
                    )
                    or (lk == "goal" and cur_kind == "goal" and len(cur.cells) < 3 and _goal_column(t.text))
                )
                if not same:
                    cur = _Row()
                    self.rows.append(cur)
                    cur_kind = "header:funds" if lk == "header" and t.text.startswith("项目资金") else lk
                cur.add(t)
                self.i += 1
                continue
            if (
                cur is not None
                and cur_kind == "goal"
                and len(cur.cells) >= 2
                and all(x.kind.startswith("label") for x in cur.toks)
            ):
                cur = _Row()  # the goal texts under their heads: a row of their own
                self.rows.append(cur)
                cur_kind = "goaltext"
            if cur is None:
                cur = _Row()
                self.rows.append(cur)
                cur_kind = "text"
            cur.add(t)
            self.i += 1

    def _table_head_ahead(self) -> bool:
        """A run of column heads that includes 三级指标 (or 一级 and 二级) starts here."""
        seen: set[str] = set()
        j = self.i
        while j < len(self.toks) and self.toks[j].kind in (
            "label:tablehead",
            "label:block",
            "label:fundshead",
            "empty",
        ):
            seen.update(column_roles([self.toks[j].text]))
            j += 1
            if "name" in seen or {"l1", "l2"} <= seen:
                return True
        return False

    # -- the indicator table ---------------------------------------------------------------

    def _table(self) -> None:
        head = _Row()
        while (t := self.peek()) is not None and t.kind in (
            "label:tablehead", "label:block", "label:fundshead", "label:goal", "empty",
        ):  # fmt: skip
            if t.kind != "empty":
                head.add(t)
            self.i += 1
        self.rows.append(head)
        roles = column_roles(head.cells)
        after = roles[roles.index("name") + 1 :] if "name" in roles else [r for r in roles if r not in ("l1", "l2")]
        self.roles = after
        while (t := self.peek()) is not None:
            if t.kind == "label:totals":
                self._totals()
                continue
            if (
                t.kind == "empty"
                or t.kind == "label:block"
                or POINTS_ONLY.match(t.text)
                or (len(t.text) == 1 and t.text in VERTICAL_PIECES)
            ):
                self.i += 1
                continue
            self._indicator_row()

    def _indicator_row(self) -> None:
        row = _Row()
        start = self.i
        cats = 0
        while (t := self.peek()) is not None and t.kind == "label:category" and cats < 2:
            row.add(t, strip_points(t.text))
            cats += 1
            self.i += 1
            while (e := self.peek()) is not None and (e.kind == "empty" or POINTS_ONLY.match(e.text)):
                self.i += 1
        t = self.peek()
        if t is None or (t.kind in ("label:totals", "label:category") and cats):
            if cats:
                self.rows.append(row)  # category cells alone (a merged label printed apart)
            return
        if t.kind == "label:totals":
            return
        if _FOOTNOTE.match(t.text):
            note = _Row()
            note.add(t)
            self.rows.append(row) if cats else None
            self.rows.append(note)
            self.i += 1
            return
        name_tok = t
        self.i += 1
        if name_tok.glued and name_tok.kind == "text":
            self._part_reason(name_tok)
            self._part_names(name_tok)
        elif not _PUNCT.search(name_tok.text):
            self._stem(name_tok.text)
        if name_tok.kind in ("value", "number") and not cats:
            # a stray value with no name: keep it as its own row, the reader says what it is
            row.add(name_tok)
            self.rows.append(row)
            return
        if EMPTY_SCAFFOLD.match(name_tok.text):
            row.add(name_tok)
            while (e := self.peek()) is not None and EMPTY_SCAFFOLD.match(e.text) and e.kind != "empty":
                row.add(e)
                self.i += 1
            self.rows.append(row)
            return
        values = self._values(name_tok, row)
        row.add(name_tok)
        row.base = len(row.cells)
        for text, tok in values:
            if tok is None:
                row.empty()
            else:
                row.add(tok, text)
        if self.i == start:
            self.i += 1
        self.rows.append(row)

    def _values(self, name_tok: Tok, row: _Row) -> list[tuple[str, Tok | None]]:
        out: list[tuple[str, Tok | None]] = []
        roles = self.roles
        n = 0
        pending: list[str] = []  # pieces of a split number atom still to hand out
        pending_tok: Tok | None = None
        prefill: dict[str, str] = {}
        if roles and roles[0] in ("target", "actual", "unit", "nature", "direction", "midterm"):
            prefill.update(self._wording_tail(name_tok, roles, row))  # '…作用' '定性' '持续' '达成指标'
        prefill.update(self._sign_tail(name_tok, roles, row))
        while n < len(roles):
            role = roles[n]
            if role in prefill:
                out.append((prefill.pop(role), name_tok))
                n += 1
                continue
            if prefill and role == "midterm":
                out.append(("", None))  # the target came with the name: no 中长期 value
                n += 1
                continue
            if pending:
                out.append((pending.pop(0), pending_tok))
                n += 1
                continue
            t = self.peek()
            if t is None or t.kind in ("label:totals", "label:category"):
                break
            if self.rows_are_lines and t.no != name_tok.no:
                break  # the row ended with its line
            if t.kind == "empty":
                out.append(("", None))
                self.i += 1
                n += 1
                continue
            if role in NUMERIC_ROLES or role == "rate":
                if t.kind in ("number", "dash") or (t.kind == "value" and t.glued and t.text[:1].isdigit()):
                    k = _run_of(roles, n)
                    if t.glued and t.kind == "number" and k > 1:
                        parts = split_numbers(t.text, k, tuple(roles[n : n + k]))
                        if parts is None:
                            for kk in range(k - 1, 1, -1):
                                parts = split_numbers(t.text, kk, tuple(roles[n : n + kk]))
                                if parts:
                                    break
                        if parts and len(parts) > 1:
                            pending, pending_tok = parts[1:], t
                            out.append((parts[0], t))
                            self.i += 1
                            n += 1
                            continue
                    out.append((t.text, t))
                    self.i += 1
                    n += 1
                    continue
                if role == "review" or (role == "score" and "deviation" in roles[n:]):
                    out.append(("", None))  # not printed
                    n += 1
                    continue
                break
            if role in ("nature", "direction"):
                # 指标性质 (an operator, 定性/定量) or 指标方向 (正向/反向); anything else: blank
                words = _NATURE_WORDS if role == "nature" else _DIRECTION_WORDS
                if t.text in words or (role == "nature" and t.kind == "op"):
                    out.append((t.text, t))
                    self.i += 1
                else:
                    out.append(("", None))
                n += 1
                continue
            if role == "unit":
                if t.kind == "text" and len(t.text) <= 8 and not self._starts_row(1):
                    out.append((t.text, t))
                    self.i += 1
                else:
                    out.append(("", None))
                n += 1
                continue
            if role == "deviation":
                if (
                    t.kind == "text"
                    and not self._starts_row(0)
                    and not SCAFFOLD.match(t.text)
                    and not (EMPTY_SCAFFOLD.match(t.text))
                ):
                    out.append((t.text, t))
                    self.i += 1
                n += 1
                continue
            # target, actual, midterm: a value, a number, a date, or wording
            k = _run_of(roles, n + 1)
            if t.kind == "number" and t.glued and k and split_numbers(t.text, 1) is None:
                # '1003.53.5': a bare 完成值 glued to 分值 and 得分
                parts = split_numbers(t.text, k + 1, (role, *roles[n + 1 : n + 1 + k]))
                if parts:
                    out.append((parts[0], t))
                    pending, pending_tok = parts[1:], t
                    self.i += 1
                    n += 1
                    continue
            if t.kind in ("value", "number", "op", "dash"):
                out.append((t.text, t))
                self.i += 1
                n += 1
                continue
            if t.kind == "text":
                if role == "target" and t.glued and "actual" in roles[n + 1 :]:
                    word = next((w for w in _RESULTS_BY_LEN if t.text.endswith(w) and len(t.text) > len(w)), None)
                    if word is not None:  # '及时部分达成年度指标…': the target and its result, glued
                        out.append((t.text[: -len(word)], t))
                        pending, pending_tok = [word], t
                        self.i += 1
                        n += 1
                        row.uncertain = True
                        continue
                if name_tok.glued:
                    break  # glued text after a glued name is the next row's
                if role == "target" and "midterm" in roles and any(v for v, _ in out) and self._starts_row(0):
                    break  # one value read (中长期 | 年度, one printed), and this text starts the next row
                out.append((t.text, t))
                self.i += 1
                n += 1
                continue
            break
        if name_tok.glued and len(out) < len(roles) and any(r in ("target", "actual") for r in roles[len(out) :]):
            row.uncertain = True  # values the words could not part from the name
        return out

    def _part_reason(self, name_tok: Tok) -> None:
        """'…加强沟通' + '居村…份数' glued: the reason of the row before and the next name,
        with no separator. Parted where a name stem seen in this table starts after the
        reason's last clause; the reason goes back to its row. Otherwise left whole."""
        text = name_tok.text
        if not _PUNCT.search(text):
            self._stem(text)
            return
        last = max(m.end() for m in _PUNCT.finditer(text))
        cuts = [text.find(stem, last) for stem in self.stems if len(stem) == 4]
        cuts = [c for c in cuts if c > 0]
        prev = next((r for r in reversed(self.rows) if r.toks and r.toks[0].kind != "label:tablehead"), None)
        if not cuts or prev is None or "deviation" not in self.roles:
            return
        cut = min(cuts)
        reason, name_tok.text = text[:cut], text[cut:]
        while len(prev.cells) < prev.base + len(self.roles):
            prev.empty()
        prev.cells[prev.base + self.roles.index("deviation")] = reason
        prev.uncertain = True

    def _stem(self, name: str) -> None:
        """Remember a clean name's first characters (the most recent few: bounded work per row)."""
        stem = name[:4]
        if len(stem) == 4 and stem not in self.stems:
            self.stems[stem] = None
            if len(self.stems) > _MAX_STEMS:
                del self.stems[next(iter(self.stems))]

    def _part_names(self, name_tok: Tok) -> None:
        """'…长效管理机制建立健全' + '居村…制度体系建设健全': rows with wording targets and no
        numbers, glued. Parted where a name stem seen in this table follows a wording
        target; the rest goes back into the stream as the next row's name."""
        text = name_tok.text
        for stem in sorted(self.stems, key=len, reverse=True):
            at = text.find(stem, 4)
            while at > 0:
                head = text[:at]
                if trailing_qualitative(head) or any(head.endswith(w) for w in RESULT_WORDS):
                    name_tok.text = head
                    self.toks.insert(self.i, Tok(text[at:], name_tok.no, "text", glued=True))
                    return
                at = text.find(stem, at + 1)
        nxt = self.peek()
        if self.roles == ["target"] and len(text) >= 16 and nxt is not None and nxt.kind == "value":
            # a declaration: '…覆盖面扩大' + '群众对…知晓率' glued, the value after is the second's
            # the longest word, and of words as long the one that ends latest ('…规范化程度提高'
            # + '群众对…': 提高, not 规范): never the order a set happens to iterate in
            cuts = []
            for word in QUALITATIVE_BY_LEN:
                at = text.rfind(word)
                rest = len(text) - at - len(word)
                # both parts name-long: a word inside a project's name ('…耕地提升单位成本') is no cut
                if at >= 8 and rest >= 8 and not is_wording(text[at + len(word) :][:2]):
                    cuts.append((len(word), at + len(word)))
            if cuts:
                end = max(cuts)[1]
                name_tok.text = text[:end]
                self.toks.insert(self.i, Tok(text[end:], name_tok.no, "text", glued=True))
                return

    def _sign_tail(self, name_tok: Tok, roles: list[str], row: _Row) -> dict[str, str]:
        """'…单位成本定量反向' glued: the 指标性质 and 指标方向 words off the name's end."""
        if not (name_tok.glued and name_tok.kind == "text") or not {"nature", "direction"} & set(roles):
            return {}
        text, out = name_tok.text, {}
        if "direction" in roles and text[-2:] in _DIRECTION_WORDS and len(text) > 4:
            out["direction"], text = text[-2:], text[:-2]
        if "nature" in roles and text[-2:] in _NATURE_WORDS and len(text) > 4:
            out["nature"], text = text[-2:], text[:-2]
        if out:
            name_tok.text = text
        return out

    def _wording_tail(self, name_tok: Tok, roles: list[str], row: _Row) -> dict[str, str]:
        """A glued name that runs into a wording target and actual ('…开展及时性' + '及时' +
        '部分达成年度指标并具有一定效果', '…机制' + '建立健全' + '建立健全'): parted by the
        words targets and results are written in. Marked uncertain: only words tell."""
        nxt = self.peek()
        if not (name_tok.glued and name_tok.kind == "text" and "target" in roles):
            return {}
        if nxt is not None and nxt.kind == "value" and nxt.no == name_tok.no:
            return {}
        text = name_tok.text
        out: dict[str, str] = {}
        if "actual" in roles:
            word = next((w for w in _RESULTS_BY_LEN if text.endswith(w) and len(text) > len(w) + 3), None)
            if word is not None:
                text, out["actual"] = text[: -len(word)], word
            else:
                cut = _repeated_tail(text)
                if cut is not None:
                    name_tok.text = cut[0]
                    row.uncertain = True
                    return {"target": cut[1], "actual": cut[1]}
        cut2 = trailing_qualitative(text)
        if cut2 is not None:
            text, out["target"] = cut2
        if out:
            name_tok.text = text
            row.uncertain = True
        return out

    def _starts_row(self, k: int) -> bool:
        """Whether the token k ahead begins the next indicator row: a name whose values follow."""
        t = self.peek(k)
        if t is None:
            return True
        if t.kind.startswith("label:"):
            return True
        nxt = self.peek(k + 1)
        if t.kind != "text" or nxt is None:
            return False
        return nxt.kind in ("value", "number", "op") or (
            nxt.kind == "text" and (is_wording(nxt.text) or nxt.text in _NATURE_WORDS or nxt.text in _DIRECTION_WORDS)
        )

    # -- totals ----------------------------------------------------------------------------

    def _totals(self) -> None:
        t = self.peek()
        assert t is not None
        row = _Row()
        row.add(t)
        self.i += 1
        want = max(1, sum(r in NUMERIC_ROLES for r in self.roles)) if t.text.startswith("总分") else 1
        got = 0
        while (v := self.peek()) is not None and v.kind not in ("label:totals",) and got < max(want, 1):
            if v.kind == "empty":
                self.i += 1
                continue
            if t.text.startswith("总分") and v.kind == "number" and v.glued and want - got > 1:
                parts = split_numbers(v.text, want - got, ("total_weight", "score", "review")[: want - got])
                if parts:
                    for p in parts:
                        row.add(v, p)
                    got += len(parts)
                    self.i += 1
                    continue
            if t.text.startswith("总分") and v.kind not in ("number", "dash", "value"):
                break
            row.add(v)
            got += 1
            self.i += 1
        self.rows.append(row)


def _goal_column(text: str) -> bool:
    return text in ("预期目标", "实际完成情况", "实际完成", "中长期目标", "年度目标", "项目总目标", "年度总体目标")


def _run_of(roles: list[str], n: int) -> int:
    k = 0
    while n + k < len(roles) and roles[n + k] in (*NUMERIC_ROLES, "rate"):
        k += 1
    return k


def _repeated_tail(text: str) -> tuple[str, str] | None:
    """'长效保洁机制建立健全建立健全' -> ('长效保洁机制', '建立健全'): a qualitative target and
    its actual glued to the name, told apart only because they repeat."""
    for size in range(min(12, len(text) // 2), 1, -1):
        tail = text[-size:]
        if text[-2 * size : -size] == tail and len(text) > 2 * size:
            return text[: -2 * size], tail
    return None


_FUNDS_ROLE = {"分值": "weight", "分数": "weight", "执行率": "rate", "执行率(%)": "rate", "得分": "score"}


def _split_funds(rows: list[_Row]) -> None:
    """Funds rows whose amounts ran together ('150.00150.00150.0010100.00%'): as many cells
    as the funds head has columns."""
    roles: list[str] = []
    for r in rows:
        if not r.toks:
            continue
        heads = [t for t in r.toks if t.kind in ("label:fundshead", "label:funds")]
        if any(t.kind == "label:fundshead" for t in r.toks) and len(heads) >= len(r.toks) - 1:
            roles = [_FUNDS_ROLE.get(t.text, "amount") for t in heads]  # '年度资金总额' beside '中期资金总额'
            continue
        if r.toks[0].kind != "label:funds" or not roles or not any(t.glued for t in r.toks[1:]):
            continue
        body = r.toks[1:]
        slots = len(roles)
        fixed = sum(1 for t in body if not (t.glued and t.kind in ("number", "value")))
        glued = [n for n, t in enumerate(body) if t.glued and t.kind in ("number", "value")]
        spare = slots - fixed
        if spare <= len(glued) or len(glued) > 3:
            continue
        best: tuple[float, list[list[str]]] | None = None
        for alloc in _allocations(spare, len(glued)):
            pieces: list[list[str]] = []
            pos = 0
            ok = True
            for n, t in enumerate(body):
                if n in glued:
                    k = alloc[glued.index(n)]
                    unit = t.text[len(t.text.rstrip("%")) :]
                    parts = split_numbers(t.text.rstrip("%"), k, tuple(roles[pos : pos + k]))
                    if parts is None:
                        ok = False
                        break
                    parts[-1] += unit
                    pieces.append(parts)
                    pos += k
                else:
                    pieces.append([t.text])
                    pos += 1
            if ok:
                cost = _alloc_cost(pieces, roles)
                if best is None or cost < best[0]:
                    best = (cost, pieces)
        if best is not None:
            r.cells = [r.cells[0], *(p for ps in best[1] for p in ps)]


def _allocations(total: int, n: int) -> list[list[int]]:
    if n == 1:
        return [[total]] if total >= 1 else []
    return [[k, *rest] for k in range(1, total) for rest in _allocations(total - k, n - 1)]


def _alloc_cost(pieces: list[list[str]], roles: list[str]) -> float:
    flat = [p for ps in pieces for p in ps]
    cost = 0.0
    for role, p in zip(roles, flat):
        if role == "amount" and not TWO_DECIMALS.search(p) and p not in ("-", "—"):
            cost += 1
        if role == "rate" and not p.endswith("%") and "%" in "".join(flat):
            cost += 1
    return cost


def _split_goals(rows: list[_Row]) -> None:
    """Two goal texts run together under 预期目标 | 实际完成情况: parted at the sentence end
    nearest the middle."""
    for head, r in pairwise(rows):
        heads = [
            t
            for t in head.toks
            if t.kind == "label:goal" and t.text in ("预期目标", "实际完成情况", "中长期目标", "年度目标")
        ]
        if len(heads) != 2 or len(r.cells) != 1 or not r.toks or not r.toks[0].glued or r.toks[0].kind != "text":
            continue
        text = r.cells[0]
        cuts = [m.end() for m in re.finditer("[。；;!！]", text) if m.end() < len(text)]
        if not cuts:
            continue
        cut = min(cuts, key=lambda c: abs(2 * c - len(text)))
        r.cells = [text[:cut], text[cut:]]
        r.uncertain = True
