"""Text with no separator at all (``项目名称河道保洁养护``, ``=46条46条1010``): where the
cells part, from the labels of the form and the shapes of values.

``atoms`` cuts such text into labels, values, text runs and bare digit runs; a digit run
may still hold several numbers (``1010`` = 分值 10, 得分 10), which ``split_numbers``
parts when the caller knows how many numbers stand there. Where the words cannot tell
(``建立健全建立健全``), the caller keeps the text and marks the row uncertain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .. import framework as fw
from ..textnorm import fold_all
from ..values import RESULT_WORDS
from .vocab import DATE_RE, DIGIT, EMPTY_SCAFFOLD, LABEL_KIND, LABELS_BY_LEN, NUM, OPS, SCAFFOLD, TWO_DECIMALS, UNITS

# the labels by their first character, longest first: a regex of the few that can start at a
# position instead of one of them all (this is tried at most positions of a glued text)
_LABELS_AT: dict[str, re.Pattern[str]] = {
    first: re.compile("|".join(re.escape(w) for w in LABELS_BY_LEN if len(w) >= 2 and w[0] == first))
    for first in {w[0] for w in LABELS_BY_LEN if len(w) >= 2}
}
_OP_CLASS = re.escape(OPS)
# an operator, a number, and what may follow it as a unit
_VALUE_HEAD = re.compile(rf"[{_OP_CLASS}]\s*-?\d|(?<![\d.,])\d")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SCAFFOLD_AT = re.compile(r"指标\s*\d+\s*[:：]")
_PER = re.compile(r"/[\u4e00-\u9fff]{1,3}(?:[(（][\u4e00-\u9fff]{1,2}[)）])?")
# a category's points printed after it ('产出指标(60分)', '成本指标(0-20)分')
_POINTS_AFTER = re.compile(r"\s*[(（]\s*\d+(?:\.\d+)?\s*(?:[-~～—]\s*\d+\s*)?分?\s*[)）]\s*分?")
_RUN = re.compile(r"-?\d[\d.,]*(?<![.,])")
_DASHES = "-—/–"
_CLOSE = re.compile(r"[)）]")
# UNITS in their order (longest first), so a match is the unit the loop over them would find
_UNIT = re.compile("|".join(map(re.escape, UNITS)))
_UNIT_NOT_PERCENT = re.compile("|".join(re.escape(u) for u in UNITS if u[0] != "%"))
_YEAR_PAREN = re.compile(r"[(（]\s*(?:19|20)\d{2}\s*年度?\s*[)）]")


@dataclass(slots=True)
class Atom:
    text: str
    kind: str  # label:<kind> | value | number | dash | text
    glued: bool = True  # a number that may hold several (digits run together)


def _unit_at(s: str, i: int) -> int:
    """The end of the unit that starts at i (a bracketed unit, a known unit, or a short run)."""
    if i >= len(s):
        return i
    if s[i] in "(（":
        close = _CLOSE.search(s, i)
        if close and close.start() - i <= 9 and not DIGIT.search(s, i, close.start()):
            return close.end()
        return i
    m = _UNIT.match(s, i)  # the first of UNITS (longest first) that starts at i
    if m is None:
        return i
    end = m.end()
    if end < len(s) - 1 and s[end] == "/" and _CJK.match(s, end + 1):  # '元/次', '万元/户'
        per = _UNIT_NOT_PERCENT.match(s, end + 1)
        return end + 1 + (len(per.group(0)) if per else 1)
    return end


# characters that may start something: a label's first character, a digit, an operator, a
# dash, a bracket, a year's paren, '指标N：' or '……'
_STARTS = "".join(sorted({w[0] for w in LABELS_BY_LEN} | set("0123456789-—/–(（…." + OPS + "指")))
_PLAIN = re.compile("[^" + re.escape(_STARTS) + "]+")


def _label_at(s: str, i: int) -> str | None:
    r = _LABELS_AT.get(s[i]) if i < len(s) else None
    m = r.match(s, i) if r is not None else None
    return m.group(0) if m else None


def atoms(text: str, *, labels: bool = True) -> list[Atom]:
    """Glued text as its atoms, left to right."""
    orig = text.replace(" ", "").replace("\u200b", "").replace("\ufeff", "")
    s = fold_all(orig)
    if len(s) != len(orig):
        orig = s  # folding changed the length: slice the folded text
    out: list[Atom] = []
    buf = ""
    i = 0

    def flush() -> None:
        nonlocal buf
        if buf:
            out.append(Atom(buf, "text"))
            buf = ""

    wording = False  # after a header or goal label: text up to the next label, no values
    while i < len(s):
        ch = s[i]
        if labels:
            lab = _label_at(s, i)
            if (
                lab is not None
                and (
                    not buf
                    or LABEL_KIND.get(lab) != "category"
                    or _category_pair(s, i, lab)
                    or _ends_wording(buf)
                    or EMPTY_SCAFFOLD.match(buf) is not None
                )
                and not (
                    wording and LABEL_KIND.get(lab) not in ("header", "funds", "goal", "totals", "tablehead", "block")
                )
            ):
                flush()
                kind = LABEL_KIND[lab]
                end = i + len(lab)
                pts = _POINTS_AFTER.match(s, end) if kind == "category" else None
                if pts is not None:
                    end = pts.end()
                out.append(Atom(orig[i:end], "label:" + kind))
                wording = (kind == "header" and not lab.startswith("项目资金")) or kind == "goal"
                i = end
                continue
        if buf and ch == "指" and not wording and _SCAFFOLD_AT.match(s, i):
            flush()  # '指标2：' starts a row: what ran before it is the last row's reason
        if buf[-1:] in ("…", ".") and buf.endswith(("……", "...")) and ch not in "….":
            flush()  # '……' is a blank template row of its own
        y = _YEAR_PAREN.match(s, i) if not buf and not out else None
        if y is not None:
            out.append(Atom(orig[y.start() : y.end()], "text"))
            i = y.end()
            continue
        if wording:
            buf += orig[i]
            i += 1
            continue
        if ch in _DASHES and (not buf or buf[-1] in _DASHES) and (i + 1 >= len(s) or not s[i + 1].isdigit() or out):
            if not (i + 1 < len(s) and s[i + 1].isdigit() and not out):
                flush()
                out.append(Atom(orig[i], "dash"))
                i += 1
                continue
        m = DATE_RE.match(s, i) if ch.isdigit() and not buf[-1:].isdigit() else None
        if m and m.end() > i + 4:
            flush()
            out.append(Atom(orig[m.start() : m.end()], "value"))
            i = m.end()
            continue
        if ch in OPS or (
            ch.isdigit()
            and not buf[-1:].isdigit()
            and not (buf.endswith("指标") and SCAFFOLD.match("指标" + s[i : i + 3]))
        ):
            j = i
            while j < len(s) and s[j] in OPS:
                j += 1
            run = _RUN.match(s, j)
            if run is not None and (j > i or not _inside_word(buf)):
                flush()
                end = _unit_at(s, run.end())
                if end > run.end() and j == i and end < len(s) and _CJK.match(s, end) and s[run.end()] not in "(（%":
                    end = run.end()  # '7.54个别环节…': a reason's first word, not a unit
                kind = "number" if j == i and end == run.end() else "value"
                out.append(Atom(orig[i:end], kind))
                i = end
                continue
        # a run of characters none of which can start a label, a value or a row: taken at once
        m = _PLAIN.match(s, i + 1)
        end = m.end() if m else i + 1
        buf += orig[i:end]
        i = end
    flush()
    return out


def _category_pair(s: str, i: int, lab: str) -> bool:
    """A 一级 name right before a 二级 name ('效益指标社会效益指标'): a row's categories, even
    in the middle of running text (the reason of the row before, glued to them)."""
    end = i + len(lab)
    pts = _POINTS_AFTER.match(s, end)
    end = pts.end() if pts else end
    if _SCAFFOLD_AT.match(s, end):
        return True  # '…时效指标指标1：': a category, then a row's '指标1：'
    nxt = _label_at(s, end)
    return nxt is not None and LABEL_KIND.get(nxt) == "category" and lab in fw.STANDARD and nxt in fw.LEVEL2_PARENT


def _ends_wording(buf: str) -> bool:
    """Text that ends in a wording target or result ('…情况达标'): a category may follow."""
    from .resplit import trailing_qualitative

    return trailing_qualitative(buf) is not None or any(buf.endswith(w) for w in RESULT_WORDS)


def _inside_word(buf: str) -> bool:
    """A digit right after letters of a name ('指标1', 'G20'): part of the name."""
    return bool(buf) and buf[-1].isascii() and buf[-1].isalpha()


# ---- several numbers run together ------------------------------------------------------------

_GROUPED = re.compile(NUM)
_PIECE = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d{1,2})?$|^0\.\d{1,2}$")


def split_numbers(blob: str, k: int, roles: tuple[str, ...] = ()) -> list[str] | None:
    """``blob`` ('1010', '1096.419.64') as k numbers, the likeliest split; None when none fits.

    Roles (weight, score, rate, amount) rank the candidates: a score not above its weight,
    a rate not above 100, amounts with two decimals."""
    if k <= 1:
        return [blob] if _PIECE.match(blob) or _GROUPED.fullmatch(blob) else None
    if len(blob) > 64 or k > 12:
        return None
    best = _best_split(blob, k, roles)
    return list(best) if best else None  # a copy: callers glue units to the last piece


@lru_cache(maxsize=4096)
def _best_split(blob: str, k: int, roles: tuple[str, ...]) -> tuple[str, ...] | None:
    best: tuple[float, list[str]] | None = None
    for parts in _splits(blob, k, 0, 20000):
        cost = _cost(parts, roles)
        if best is None or cost < best[0]:
            best = (cost, parts)
    return tuple(best[1]) if best else None


def _splits(blob: str, k: int, start: int, budget: int) -> list[list[str]]:
    """Every way to cut blob[start:] into k pieces that read as numbers (at most ``budget``)."""
    ends: dict[int, list[int]] = {}  # the ends of the pieces that can start at a position
    can: dict[tuple[int, int], bool] = {}  # (position, r): the rest cuts into r pieces

    def piece_ends(pos: int) -> list[int]:
        found = ends.get(pos)
        if found is None:
            found = ends[pos] = []
            for end in range(pos + 1, len(blob)):
                piece = blob[pos:end]
                if not _PIECE.match(piece):
                    if "." in piece and len(piece.split(".")[1]) > 2:
                        break
                    continue
                found.append(end)
        return found

    def cuts(pos: int, r: int) -> bool:
        if r == 1:
            return bool(_PIECE.match(blob[pos:]))
        hit = can.get((pos, r))
        if hit is None:
            hit = can[(pos, r)] = any(cuts(end, r - 1) for end in piece_ends(pos))
        return hit

    # depth first, a piece pushed only when the rest can still be cut: the paths that lead
    # nowhere (most of them, in a long run of digits) are never walked
    out: list[list[str]] = []
    stack: list[tuple[int, list[str]]] = [(start, [])] if k == 1 or cuts(start, k) else []
    steps = 0
    while stack and len(out) < budget and steps < 4 * budget:  # bounded whatever the blob
        steps += 1
        pos, parts = stack.pop()
        if len(parts) == k - 1:
            last = blob[pos:]
            if last and _PIECE.match(last):
                out.append([*parts, last])
            continue
        rest = k - len(parts) - 1
        for end in piece_ends(pos):
            if cuts(end, rest):
                stack.append((end, [*parts, blob[pos:end]]))
    return out


def _cost(parts: list[str], roles: tuple[str, ...]) -> float:
    nums = [float(p) for p in parts]
    cost = 0.0
    named = dict(zip(roles, nums))
    w, sc = named.get("weight", named.get("total_weight")), named.get("score")
    if w is not None and sc is not None and sc > w:
        cost += 10
    rv = named.get("review")
    if w is not None and rv is not None and rv > w:
        cost += 10
    if sc is not None and rv is not None:
        cost += 3 * abs(rv - sc) / max(sc, 1.0)  # a 复核分 re-checks the 自评分: close to it
    rate = named.get("rate")
    if rate is not None and rate > 100:
        cost += 5
    for role, p, v in zip(roles, parts, nums):
        if role in ("weight", "total_weight") and ("." in p or v > 100):
            cost += 2
        if role == "amount" and not TWO_DECIMALS.search(p):
            cost += 1
    if not roles:
        cost += abs(len(parts[0]) - len(parts[-1])) * 0.1
    # equal weight and score is the common case (full marks)
    if w is not None and sc is not None and w == sc:
        cost -= 0.5
    return cost
