"""What the cells of a form can be, by their words: the labels every template prints, the
category names of the framework, and the shapes of values.

The layout stage decides where cells part from this vocabulary (a label starts a cell, a
value ends one), never from the template: which column means what is the rules' business.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import framework as fw
from ..textnorm import fold_all, key

# label -> kind. Kinds: header (a field label, its value follows), funds (a funds row
# label), fundshead (a funds column head), goal (a goal label or column head), tablehead (an
# indicator table column head), block (the vertical 绩效指标 cell), totals (总分 / 等级).
_LABELS: dict[str, tuple[str, ...]] = {
    "header": (
        "项目名称", "主管部门", "主管部门及代码", "主管单位", "预算部门", "实施单位", "项目实施单位", "项目单位",
        "项目性质", "项目类别", "项目类型", "项目属性", "项目期", "计划开始日期", "计划完成日期", "项目开始日期",
        "项目完成日期", "项目负责人", "联系电话", "建设地点", "建设规模及主要内容", "建设规模", "计划开工时间",
        "计划竣工时间", "项目总投资", "项目起止时间", "项目概况", "立项依据", "实施内容", "部门(单位)名称",
        "项目资金(万元)", "项目资金(元)", "项目资金申请(万元)", "项目资金申请(元)", "项目资金",
    ),
    "funds": (
        "年度资金总额", "年度资金申请总额", "资金申请总额", "资金总额", "其中:当年财政拨款",
        "其中:本年财政拨款", "其中:财政拨款", "其中:财政衔接资金", "当年财政拨款", "本年财政拨款", "财政拨款",
        "上年结转资金", "上年结转", "其他资金", "金额合计",
    ),
    "fundshead": (
        "年初预算数", "全年预算数", "调整后预算数", "全年执行数", "执行数", "分值", "分数", "执行率", "执行率(%)",
        "得分", "预算金额(万元)", "总额", "中期资金总额",
    ),
    "goal": (
        "年度总体目标", "预期目标", "实际完成情况", "项目总目标", "年度目标", "总体目标", "中长期目标",
        "年度绩效目标", "项目绩效目标", "绩效目标",
    ),
    "tablehead": (
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "自评分", "复核分", "偏差原因分析及改进措施",
        "指标性质", "指标值", "度量单位", "完成值", "指标方向", "中长期指标值", "年度(/项目)指标值", "目标值",
        "实际值", "权重",
    ),
    "block": ("绩效指标", "年度绩效指标", "项目绩效指标"),
    "totals": ("总分", "评分等级", "评价等级", "自评等级"),
}  # fmt: skip

LABEL_KIND: dict[str, str] = {}
for _kind, _words in _LABELS.items():
    for _w in _words:
        LABEL_KIND.setdefault(key(_w), _kind)
for _name in fw.STANDARD:
    LABEL_KIND.setdefault(_name, "category")
for _alias in fw.ALIASES:
    LABEL_KIND.setdefault(_alias, "category")

# longest first, for splitting glued text at labels
LABELS_BY_LEN: tuple[str, ...] = tuple(sorted(LABEL_KIND, key=len, reverse=True))
# every proper prefix (2+ characters) of a label: a cell that may be its first half
_PREFIXES: set[str] = {w[:i] for w in LABEL_KIND for i in range(1, len(w))}

# a category printed with its points ('产出指标(50分)', '成本指标(0-20)分', '效益指标（30分）')
_POINTS = re.compile(r"^(?P<cat>.+?指标)\s*[(（]\s*\d+(?:\.\d+)?\s*(?:[-~～—]\s*\d+\s*)?分?\s*[)）]\s*分?$")
# the points alone, split off their category by a line break ('(50分)')
POINTS_ONLY = re.compile(r"^[(（]\s*\d+(?:\.\d+)?\s*(?:[-~～—]\s*\d+\s*)?分?\s*[)）]\s*分?$")
# '指标1：' scaffolding before a name (national template)
SCAFFOLD = re.compile(r"^指标\s*\d+\s*[:：]\s*")
# a template row left blank: '……', '...', '指标2：'
EMPTY_SCAFFOLD = re.compile(r"^(?:[.…。·\s]+|指标\s*\d+\s*[:：]?)$")
# single characters of a vertical label ('绩' / '效' / '指' / '标', '年' / '度')
VERTICAL_PIECES = frozenset("绩效指标年度主要任务")


def strip_points(cell: str) -> str:
    """'产出指标(50分)' -> '产出指标'; anything else unchanged."""
    m = _POINTS.match(cell.strip())
    return m.group("cat") if m else cell


@lru_cache(maxsize=1 << 14)
def label_kind(cell: str) -> str | None:
    """The kind of label a cell is (see LABEL_KIND), or None."""
    if len(cell) > 24:
        return None
    k = key(strip_points(cell)).rstrip(":")
    return LABEL_KIND.get(k)


def is_label_prefix(cell: str) -> bool:
    """A cell that may be the first part of a label split over two cells ('年初', '可持续影响')."""
    k = key(cell)
    return bool(k) and k in _PREFIXES


def joins_to_label(a: str, b: str) -> str | None:
    """'年初' + '预算数' -> '年初预算数' when the two halves make a label (and a alone is none)."""
    ka, kb = key(a), key(b)
    if not ka or not kb or len(ka) + len(kb) > 24:
        return None
    joined = ka + kb
    if joined in LABEL_KIND and (ka not in LABEL_KIND or len(joined) > len(ka) + 1):
        return joined
    if ka in LABEL_KIND and LABEL_KIND[ka] == "header" and POINTS_ONLY.match(b) is None and _UNIT_PAREN.match(kb):
        return ka + kb  # '项目资金' + '(万元)'
    return None


_UNIT_PAREN = re.compile(r"^\((?:万元|元|万兀|万)\)$")

# ---- value shapes --------------------------------------------------------------------------

OPS = "≥≤=<>≧≦＝＞＜"
NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"  # a number, thousands grouped or not
# a date or a deadline ('2023年11月底前', '2022年9月', '2024.01-2024.12', '2024年3月1日')
DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?(?:底前|底|前|以前|之前|末)?"
    r"|(?:19|20)\d{2}[.\-/]\d{1,2}(?:[.\-/]\d{1,2})?(?:\s*[-—~至]\s*(?:19|20)\d{2}[.\-/]\d{1,2}(?:[.\-/]\d{1,2})?)?"
)
# units a value may carry: % or a short run of CJK / '/' / brackets ('元/公里', '台(套)', '万平方米')
UNIT_RE = r"(?:%|百分比|‰|[(（][^()（）\d]{1,8}[)）]|[^\d\s" + OPS + r"%()（）,，:：;；。、]{1,6}?)"
VALUE_RE = re.compile(rf"[{OPS}]?\s*-?{NUM}")


_VALUE_SHAPE = re.compile(rf"[{OPS}]?\s*-?{NUM}\s*(?P<unit>.*)")
DIGIT = re.compile(r"\d")
TWO_DECIMALS = re.compile(r"\.\d\d$")  # an amount as forms print it


@lru_cache(maxsize=1 << 15)
def is_value_shape(cell: str) -> bool:
    """A cell that reads as a value: a number with an operator or a unit, a date, a rate."""
    s = fold_all(cell).strip()
    if not s:
        return False
    if DATE_RE.fullmatch(s):
        return True
    m = _VALUE_SHAPE.fullmatch(s)
    if not m:
        return False
    unit = m.group("unit")
    return len(unit) <= 8 and not DIGIT.search(unit)


def is_op(cell: str) -> bool:
    s = fold_all(cell).strip()
    return bool(s) and len(s) <= 2 and all(ch in OPS for ch in s)


# ---- the indicator table's columns ---------------------------------------------------------

COLUMN_ROLES: dict[str, str] = {
    "一级指标": "l1", "二级指标": "l2", "三级指标": "name",
    "年度指标值": "target", "指标值": "target", "目标值": "target", "年度目标值": "target",
    "预期指标值": "target", "年度(/项目)指标值": "target", "年度指标": "target",
    "中长期指标值": "midterm", "中期指标值": "midterm",
    "实际完成值": "actual", "完成值": "actual", "实际值": "actual", "全年实际值": "actual",
    "实际完成情况": "actual",
    "分值": "weight", "权重": "weight", "分数": "weight",
    "得分": "score", "自评分": "score", "自评得分": "score",
    "复核分": "review", "复核得分": "review",
    "偏差原因分析及改进措施": "deviation", "偏差原因分析": "deviation", "偏差原因": "deviation",
    "未完成原因分析": "deviation", "备注": "deviation",
    "指标性质": "nature", "指标方向": "direction", "度量单位": "unit", "计量单位": "unit",
}  # fmt: skip
_ROLE_KEYS = sorted(COLUMN_ROLES, key=len, reverse=True)


def column_role(cell: str) -> str | None:
    k = key(cell)
    if k in COLUMN_ROLES:
        return COLUMN_ROLES[k]
    if k.startswith(("偏差原因", "未完成原因")) and not any(k.endswith(h) for h in ("指标值", "完成值", "得分")):
        return "deviation"  # '偏差原因分析及改进措施（…）', a head with a note
    return None


def column_roles(cells: list[str]) -> list[str]:
    """The roles of a table header's cells, in order (unknown heads and the block label dropped)."""
    out: list[str] = []
    for c in cells:
        k = key(c)
        if not k or label_kind(c) == "block":
            continue
        role = column_role(c)
        if role is None:
            # heads glued by a lost separator ('年度指标值实际完成值')
            rest = k
            while rest:
                hit = next((h for h in _ROLE_KEYS if rest.startswith(h)), None)
                if hit is None:
                    break
                out.append(COLUMN_ROLES[hit])
                rest = rest[len(hit) :]
            continue
        out.append(role)
    return out


# units a value carries, longest first (for text that runs on after a value)
UNITS = tuple(
    sorted(
        (
            "%", "‰", "百分比", "个", "人", "人次", "万人次", "万人", "户", "万户", "所", "座", "处", "条", "艘", "公里", "千米",
            "米", "平方米", "万平方米", "亩", "万亩", "吨", "万吨", "件", "家", "盏", "道", "台", "台次", "台(套)",
            "套", "辆", "张", "名", "篇", "场", "场次", "本", "册", "份", "项", "批次", "期", "次", "次/座", "天",
            "日", "个工作日", "工作日", "年", "月", "小时", "分钟", "起", "元", "万元", "亿元", "元/件", "元/个",
            "元/亩", "元/人", "元/公里", "元/平方米", "万元/公里", "万元/个", "万元/户", "周", "班", "间", "棵", "株",
            "头", "只", "家次", "人/次", "m", "km", "kg", "分",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
