"""The non-table parts of a form: header fields, funds, goals, totals.

Cells drift between columns in real documents, so fields are found by their labels
(``主管部门``, ``年度资金申请总额``…) and by the order of the numbers after them, and only
fall back on column positions where order is not enough.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..textnorm import clean, key, key_longer_than
from ..values import to_number
from .segment import Line

HEADER_LABELS: dict[str, str] = {
    "项目名称": "project_name",
    "主管部门": "department",
    "主管单位": "department",
    "预算部门": "department",
    "实施单位": "implementing_unit",
    "项目实施单位": "implementing_unit",
    "项目性质": "project_nature",
    "项目类别": "project_category",
    "项目类型": "project_category",
    "计划开始日期": "start_date",
    "计划完成日期": "end_date",
    "项目开始日期": "start_date",
    "项目完成日期": "end_date",
    "开始日期": "start_date",
    "完成日期": "end_date",
    "项目单位": "implementing_unit",
    "主管部门及代码": "department",
    "项目属性": "project_nature",
    "计划开工时间": "start_date",
    "计划竣工时间": "end_date",
    "项目起止时间": "period",
    "项目负责人": "",
    "联系电话": "",
    "项目期": "",
    "建设地点": "",
    "建设规模及主要内容": "",
    "建设规模": "",
    "项目总投资": "",
    "项目概况": "",
    "立项依据": "",
    "实施内容": "",
}
_LABELS_BY_LEN = sorted(HEADER_LABELS, key=len, reverse=True)
# one regex instead of a startswith per label: this runs on every cell of every header row
_LABEL_RE = re.compile("^(?:" + "|".join(map(re.escape, _LABELS_BY_LEN)) + ")")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")


@lru_cache(maxsize=1 << 14)
def header_label(cell: str) -> tuple[str, str] | None:
    """(field, inline value) when a cell is a header label, possibly with its value."""
    k = key(cell)
    m = _LABEL_RE.match(k)
    if m is None:
        return None
    label = m.group(0)
    rest = k[len(label) :].lstrip(":")
    if rest and not _inline_ok(cell, label):
        return None
    return HEADER_LABELS[label], _value_after(cell, label) if rest else ""


def _spaced(label: str) -> str:
    """A regex for a label printed with spaces between its characters."""
    return r"\s*".join(map(re.escape, label))


def _inline_ok(cell: str, label: str) -> bool:
    # '实施单位 上海市…' and '项目名称：xx' carry the value inline; '项目名称xx' does not
    return bool(re.match(r"^\s*" + _spaced(label) + r"\s*[:：:\s]", cell))


def _value_after(cell: str, label: str) -> str:
    m = re.match(r"^\s*" + _spaced(label) + r"\s*[:：:]?\s*", cell)
    return clean(cell[m.end() :] if m else cell) or ""


def iso_date(text: str | None) -> str | None:
    if not text:
        return None
    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


# Every header label holds one of these pairs; key() only removes spaces and markup, so a
# line without any of them (allowing spaces between the two characters) has no label.
_HEADER_HINT = re.compile(
    r"名\s*称|部\s*门|单\s*位|性\s*质|类\s*[别型]|日\s*期|负\s*责|电\s*话|属\s*性|时\s*间|项目期|地\s*点|规\s*模|投\s*资|概\s*况|依\s*据|内\s*容|[<&]"
)


def read_header(line: Line, out: dict[str, str], where: dict[str, list[int]]) -> bool:
    """Header fields in one row; True when the row held any header label."""
    if _HEADER_HINT.search(line.joined) is None:
        return False
    filled = _unglue_labels(line.values)
    found = False
    i = 0
    while i < len(filled):
        hit = header_label(filled[i])
        if hit is None:
            i += 1
            continue
        found = True
        fld, inline = hit
        value = inline
        j = i + 1
        if not value and j < len(filled) and header_label(filled[j]) is None:
            value = clean(filled[j]) or ""
            j += 1
        if fld and value and fld not in out:
            out[fld] = _header_value(fld, value)
            where[fld] = list(line.src)
        i = j
    return found


_TICKED = re.compile(r"[√☑■✓✔]\s*([^□☐√☑■✓✔]+)")
_CODE = re.compile(r"\s*[\d-]{4,}$")


def _header_value(fld: str, value: str) -> str:
    """A header value as the form means it: the ticked option of a checkbox row
    ('□一次性项目√经常性项目'), a department without its code ('…执法局 412007')."""
    if any(ch in value for ch in "□☐"):
        m = _TICKED.search(value)
        return m.group(1).strip() if m else ""
    if fld == "department":
        value = _CODE.sub("", value) or value
    return value


def date_range(text: str | None) -> tuple[str | None, str | None]:
    """'2024年1月1日至2024年12月31日', '2024.01-2024.12': the first and last day."""
    if not text:
        return None, None
    parts = [
        (int(y), int(m), int(d) if d else None)
        for y, m, d in re.findall(
            r"((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})(?:\s*[-./月]\s*(\d{1,2})(?!\d)\s*日?)?", text
        )
    ]
    if len(parts) != 2 or not all(1 <= m <= 12 for _, m, _ in parts):
        return None, None
    (y1, m1, d1), (y2, m2, d2) = parts
    last = calendar.monthrange(y2, m2)[1]
    return f"{y1:04d}-{m1:02d}-{d1 or 1:02d}", f"{y2:04d}-{m2:02d}-{d2 or last:02d}"


# a value that runs into the next label ('居村病媒生物防制项目性质'): a lost tab. Looked up
# by suffix length (longest first) rather than by a regex tried at every position of the cell.
_TRAILING_LABELS = frozenset(x for x in _LABELS_BY_LEN if len(x) >= 4)
_TRAILING_LENGTHS = sorted({len(x) for x in _TRAILING_LABELS}, reverse=True)


def _trailing_label(cell: str) -> str | None:
    """The longest header label the cell ends in, when at least two characters stand before it."""
    for n in _TRAILING_LENGTHS:
        if len(cell) > n and cell[-n:] in _TRAILING_LABELS:
            return cell[-n:] if len(cell) - n >= 2 else None
    return None


def _unglue_labels(cells: list[str]) -> list[str]:
    out: list[str] = []
    for c in cells:
        label = _trailing_label(c) if header_label(c) is None else None
        if label:
            out += [c[: -len(label)].rstrip(), label]
        else:
            out.append(c)
    return out


# ---- funds -------------------------------------------------------------------------------

FUNDS_COLUMNS: list[tuple[str, str]] = [
    ("年初预算数", "initial"),
    ("年初预算", "initial"),
    ("全年预算数", "annual"),
    ("调整后预算数", "annual"),
    ("全年预算", "annual"),
    ("全年执行数", "executed"),
    ("实际执行数", "executed"),
    ("执行数", "executed"),
    ("分数", "weight"),
    ("分值", "weight"),
    ("权重", "weight"),
    ("执行率", "rate"),
    ("得分", "score"),
    ("中期资金总额", "midterm"),
    ("年度资金总额", "annual_total"),
]
_COL_RE = re.compile("|".join(re.escape(label) for label, _ in FUNDS_COLUMNS))
_COL_FIELD = dict(FUNDS_COLUMNS)
FUNDS_ROWS: list[tuple[str, str]] = [
    ("年度资金申请总额", "requested_total"),
    ("资金申请总额", "requested_total"),
    ("年度资金总额", "total"),
    ("资金总额", "total"),
    ("当年财政拨款", "fiscal"),
    ("本年财政拨款", "fiscal"),
    ("财政衔接资金", "fiscal"),
    ("财政拨款", "fiscal"),
    ("上年结转资金", "carryover"),
    ("上年结转", "carryover"),
    ("结转资金", "carryover"),
    ("其他资金", "other"),
]
_ROW_LABELS = sorted(FUNDS_ROWS, key=lambda p: -len(p[0]))
_ROW_RE = re.compile("^(?:其中:?)?(" + "|".join(re.escape(label) for label, _ in _ROW_LABELS) + ")")
_ROW_FIELD = dict(FUNDS_ROWS)
# a character every label of each table holds (key() cannot add one, save from markup)
_COL_HINT = re.compile("[预执分权率得总<&]")
_ROW_HINT = re.compile("[资拨结<&]")


def funds_row_label(cell: str) -> str | None:
    if _ROW_HINT.search(cell) is None:
        return None  # amounts, mostly: no label character, no key to compute
    k = key(cell)
    m = _ROW_RE.match(k)
    if m is None or len(k) > m.end() + 2:
        return None
    return _ROW_FIELD[m.group(1)]


def funds_columns(line: Line) -> list[tuple[int, str]] | None:
    """(cell index, column) of a 年初预算数/全年预算数/… header row, or None."""
    cols: list[tuple[int, str]] = []
    for i, c in line.filled:
        if _COL_HINT.search(c) is None:
            continue
        k = key(c)
        if k == "年度资金总额" and not any(key(x) == "中期资金总额" for x in line.values):
            continue  # a row label here, a column head only beside 中期资金总额
        if _COL_RE.match(k):  # every label in it: a lost tab glues 年初预算数全年预算数
            cols.extend((i, _COL_FIELD[m.group(0)]) for m in _COL_RE.finditer(k))
    return cols if len(cols) >= 2 else None


_YUAN = re.compile(r"[(（]\s*元\s*[)）]")


def _amounts(cell: str) -> list[str]:
    """A cell of several amounts ('10.00  86.93', a lost tab) as its amounts; else itself."""
    parts = cell.split()
    if len(parts) > 1 and all(to_number(p) is not None or p in {"-", "—", "/"} for p in parts):
        return parts
    return [cell]


def _amount(cell: str) -> float | None:
    """An amount or a rate ('90.50%': the 执行率 column prints its sign)."""
    if "%" not in cell:
        return to_number(cell)
    c = cell.strip()
    return to_number(c[:-1] if c.endswith("%") else c)


def funds_scale(line: Line) -> float | None:
    """10000 when the block is in 万元, 1 in 元, None when the row does not say."""
    text = "".join(line.cells).replace("万兀", "万元")
    if "万元" in text:
        return 10000.0
    if _YUAN.search(text):
        return 1.0
    return None


# Every funds label, column head and unit holds one of these (see the tables above).
_FUNDS_HINT = re.compile(r"元|预\s*算|执\s*行|分\s*[数值]|权\s*重|得\s*分|资\s*金|拨\s*款|结\s*转|[<&]")


# an amount this large read as 万元 would be 50亿元 or more: a project's 元, under a wrong head
_WAN_IMPLAUSIBLE = 500_000


@dataclass
class FundsReader:
    """Reads the funds rows of both layouts; amounts scaled to yuan at the end."""

    scale: float = 1.0
    columns: list[tuple[int, str]] | None = None
    rows: dict[str, dict[str, float | None]] = field(default_factory=dict)
    plain: dict[str, float] = field(default_factory=dict)
    where: dict[str, list[int]] = field(default_factory=dict)
    unit_mismatch: bool = False

    def feed(self, line: Line) -> bool:
        """Take one line of the funds block; True when it was a funds line."""
        if _FUNDS_HINT.search(line.joined) is None:
            return False
        s = funds_scale(line)
        if s is not None:
            self.scale = s
        cols = funds_columns(line)
        if cols:
            self.columns = cols
            return True
        filled = line.filled
        labelled = [(n, funds_row_label(c)) for n, (_, c) in enumerate(filled)]
        labelled = [(n, f) for n, f in labelled if f]
        if not labelled:
            return s is not None
        if self.columns and len(labelled) == 1:
            n, fld = labelled[0]
            self._columnar(line, filled[n + 1 :], fld)
            return True
        # label -> the next number in the row (the 元 layout of the declarations)
        for n, fld in labelled:
            for _, c in filled[n + 1 :]:
                if funds_row_label(c):
                    break
                v = to_number(c)
                if v is not None:
                    self.plain[fld] = v
                    self.where[fld] = [line.no]
                    break
        return True

    def _columnar(self, line: Line, cells: list[tuple[int, str]], fld: str) -> None:
        assert self.columns is not None
        cells = [(i, part) for i, c in cells for part in _amounts(c)]
        read = [(c, _amount(c)) for _, c in cells]
        tokens = [v for c, v in read if v is not None or c.strip() in {"-", "—", "/"}]
        values: dict[str, float | None] = {}
        if len(tokens) == len(self.columns):
            for (_, col), v in zip(self.columns, tokens):
                values[col] = v
        else:  # fall back on column positions
            at = dict(cells)
            for i, col in self.columns:
                values[col] = _amount(at.get(i, ""))
        self.rows[fld] = values
        self.where[fld] = [line.no]

    def result(self) -> tuple[dict[str, float | None], dict[str, list[int]]]:
        out: dict[str, float | None] = {}
        where: dict[str, list[int]] = {}

        scale = self.scale
        amounts = [
            v for row in self.rows.values() for c, v in row.items() if c not in ("weight", "rate", "score") and v
        ]
        amounts += [v for v in self.plain.values() if v]
        self.unit_mismatch = scale == 10000.0 and bool(amounts) and max(amounts) >= _WAN_IMPLAUSIBLE
        if self.unit_mismatch:
            scale = 1.0  # '万元' over amounts that are plainly 元 (2380000.00 for a town project)

        def money(v: float | None) -> float | None:
            return None if v is None else round(v * scale, 2)

        total = self.rows.get("total")
        if total and "annual_total" in total:  # 中期资金总额 | 年度资金总额 (a declaration)
            out["requested_total"] = money(total.get("annual_total"))
            where["requested_total"] = self.where["total"]
            total = None
        if total:
            out["initial_budget"] = money(total.get("initial"))
            out["annual_budget"] = money(total.get("annual"))
            out["executed"] = money(total.get("executed"))
            out["execution_rate"] = total.get("rate")
            out["weight"] = total.get("weight")
            out["score"] = total.get("score")
            for f in ("initial_budget", "annual_budget", "executed", "execution_rate", "weight", "score"):
                where[f] = self.where["total"]
        for fld in ("fiscal", "carryover", "other"):
            row = self.rows.get(fld)
            if row:
                v = next(
                    (row.get(c) for c in ("executed", "annual_total", "annual", "initial") if row.get(c) is not None),
                    None,
                )
                out[fld] = money(v)
                where[fld] = self.where[fld]
        for fld, v in self.plain.items():
            target = "requested_total" if fld in ("requested_total", "total") else fld
            if target not in out or out[target] is None:
                out[target] = money(v)
                where[target] = self.where[fld]
        return out, where


# ---- goals -------------------------------------------------------------------------------

GOAL_COLUMNS = {
    "预期目标": "expected",
    "实际完成情况": "actual",
    "实际完成": "actual",
    "项目总目标": "overall",
    "中长期目标": "overall",
    "年度总体目标": "expected",
    "年度目标": "expected",
    "年度绩效目标": "expected",
    "总体目标": "expected",
}
_GOAL_HINT = re.compile(r"目\s*标|完\s*成")
GOAL_ROW_LABELS = {"年度总体目标", "项目绩效目标", "绩效目标", "总体目标", "项目总体目标", "年度绩效目标"}
# pieces of a row label split over lines ('年度总' / '体目标'), never a goal's text
_GOAL_PIECES = {w[:i] for w in GOAL_ROW_LABELS for i in range(2, len(w))} | {
    w[i:] for w in GOAL_ROW_LABELS for i in range(1, len(w) - 1)
}


def goal_columns(line: Line) -> list[tuple[int, str]] | None:
    """Column positions of a goal header row (预期目标 | 实际完成情况, 项目总目标 | 年度总体目标)."""
    if not _GOAL_HINT.search(line.joined):
        return None
    hits = [(i, key(c)) for i, c in line.filled if not key_longer_than(c, _GOAL_LABEL_MAX) and key(c) in GOAL_COLUMNS]
    if not hits:
        return None
    ks = {k for _, k in hits}
    cols: list[tuple[int, str]] = []
    for i, k in hits:
        if k == "年度总体目标" and "预期目标" in ks:
            continue  # a row label here, the columns are 预期目标/实际完成情况
        cols.append((i, GOAL_COLUMNS[k]))
    return cols or None


_GOAL_LABEL_MAX = max(map(len, [*GOAL_COLUMNS, *GOAL_ROW_LABELS]))


def _is_goal_label(k: str) -> bool:
    return k in GOAL_ROW_LABELS or k in GOAL_COLUMNS


@dataclass
class GoalReader:
    columns: list[tuple[int, str]]
    parts: dict[str, list[str]] = field(default_factory=dict)
    where: dict[str, list[int]] = field(default_factory=dict)
    last: str | None = None  # the goal the last text went to (a wrapped text continues it)

    def feed(self, line: Line) -> None:
        filled = line.filled
        first = key(filled[0][1]) if filled and not key_longer_than(filled[0][1], _GOAL_LABEL_MAX) else ""
        cells = [
            (i, c)
            for i, c in filled
            if key_longer_than(c, _GOAL_LABEL_MAX) or not (_is_goal_label(key(c)) or key(c) in _GOAL_PIECES)
        ]
        if not cells:
            return
        if first in GOAL_COLUMNS and len(cells) == 1:
            # a row label and its one text ('年度目标 | 完成…'): the label says which goal
            fld = GOAL_COLUMNS[first]
            text = clean(cells[0][1])
            if text:
                self.parts.setdefault(fld, []).append(text)
                self.where.setdefault(fld, []).extend(line.src)
                self.last = fld
            return
        fields = [f for _, f in self.columns]
        if len(cells) == len(self.columns) and len(set(fields)) == len(fields):
            assigned = [(f, c) for (_, f), (_, c) in zip(self.columns, cells)]
        else:
            assigned = [(self._nearest(i), c) for i, c in cells]
        if len(cells) == 1 and self.last is not None and len(self.columns) == 1:
            assigned = [(self.last, cells[0][1])]
        for fld, c in assigned:
            text = clean(c)
            if text:
                self.parts.setdefault(fld, []).append(text)
                self.where.setdefault(fld, []).extend(line.src)
                self.last = fld

    def _nearest(self, idx: int) -> str:
        return min(self.columns, key=lambda col: (abs(col[0] - idx), -col[0]))[1]

    def result(self) -> dict[str, str]:
        return {f: "".join(p) for f, p in self.parts.items()}


# ---- totals ------------------------------------------------------------------------------


# key() only removes and folds ASCII, so a 总分/合计/等级 cell holds one of these as printed
TOTALS_HINT = _TOTALS_HINT = re.compile("[总计级&]")


def totals(line: Line, review: bool = False) -> dict[str, float | str | None] | None:
    """总分 / 评分等级 rows of a self-evaluation."""
    filled = line.values
    if not filled or not _TOTALS_HINT.search(filled[0]):
        return None  # cheap test first: this runs on every table row
    k = key(filled[0])
    if k.startswith("总分") or k in {"合计", "总计"}:
        nums = [to_number(a) for c in filled[1:] for a in _amounts(c)]
        nums = [n for n in nums if n is not None]
        if review and len(nums) >= 3:
            return {"total_weight": nums[-3], "total_score": nums[-2], "review_total": nums[-1]}
        if len(nums) >= 2:
            return {"total_weight": nums[-2], "total_score": nums[-1]}
        if len(nums) == 1:
            return {"total_score": nums[0]}
        return {}
    if k.startswith("评分等级") or k.startswith("评价等级") or k == "等级":
        rest = k.split(":", 1)[1] if ":" in k else ""
        grade = rest or next((clean(c) for c in filled[1:] if clean(c)), None)
        return {"grade": grade}
    return None
