"""The layout stage on anything: never a traceback, a confidence in [0, 1], unread lines
inside their form, and time that grows with the input, not faster."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.api import extract_text
from jixiao.layout import read_grid
from jixiao.layout.glued import atoms, split_numbers

PIECES = [
    "项目支出绩效自评表", "项目名称", "主管部门", "实施单位", "年初预算数", "全年执行数", "年度资金总额",
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "产出指标", "数量指标",
    "满意度指标", "总分", "≥95%", "=100%", "10", "9.5", "1010", "12.3万元", "某某项目", "建立健全", "达成指标",
    "(50分)", "指标1：", "……", "|", "<td>", "</tr>", "\t", " ", "  ", "\n", "\n\n", "2023年11月底前", "45,260",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=120))
def test_any_mix_of_form_pieces_reads_without_error(pieces: list[str]) -> None:
    text = "".join(pieces)
    if not text.strip():
        return  # blank input is the intake's one-line error, tested elsewhere
    doc = extract_text(text)
    for form in doc.forms:
        assert 0.0 <= form.confidence <= 1.0
        for u in form.unread:
            assert form.lines[0] <= u.line <= form.lines[1]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_grid(text: str) -> None:
    grid = read_grid(text.split("\n"))
    for ln in grid.lines:
        assert ln.src and all(1 <= n <= text.count("\n") + 1 for n in ln.src)


def test_digit_runs_are_bounded() -> None:
    blob = "1" * 64
    t0 = time.process_time()
    split_numbers(blob, 12, ("weight", "score") * 6)
    atoms("9" * 5000 + "指标" * 2000)
    assert time.process_time() - t0 < 20  # generous: a bound, not a benchmark


def _one_line(n: int) -> str:
    row = "产出指标 数量指标 指标1:培训人数 ≥100人 120人 10 10 "
    head = "项目支出绩效自评表 (2023年度) 项目名称 某某项目 主管部门 某局 实施单位 某中心 一级指标 二级指标 三级指标 "
    return head + "年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 " + row * n + "总分 100 100"


def _cpu(text: str) -> float:
    best = 1e9
    for _ in range(3):
        t0 = time.process_time()
        extract_text(text)
        best = min(best, time.process_time() - t0)
    return best


def test_one_line_time_grows_linearly() -> None:
    small, big = _cpu(_one_line(200)), _cpu(_one_line(800))
    assert big / max(small, 1e-4) < 8  # 4x the input: ~4x the time, never ~16x
