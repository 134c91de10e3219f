"""The workbook, read back with openpyxl and checked cell by cell."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from jixiao.models import Document, Finding
from jixiao.render import fmt_num
from jixiao.report import render_report, write_report
from jixiao.report.data import build, lines_text
from jixiao.report.stamps import local_time
from jixiao.store import Decision, DecisionStore, decision_keys
from jixiao.zh import KIND_LABEL, SEVERITY_LABEL, check_label
from test_review_support import gold_findings, seed_documents

openpyxl = pytest.importorskip("openpyxl")

FINDING_HEADER = [
    "序号", "检查项", "检查项编号", "严重程度", "文件", "项目名称", "表单类型", "问题说明",
    "行号", "相关项目", "证据", "审核结论", "理由", "备注", "审核时间",
]  # fmt: skip


class Book(NamedTuple):
    wb: Any
    docs: list[Document]
    findings: list[Finding]
    decisions: dict[str, Decision]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Book:
    docs = list(seed_documents())
    findings = gold_findings()
    keys = decision_keys(findings)
    tmp = tmp_path_factory.mktemp("xlsx")
    with DecisionStore(tmp / "d.sqlite") as store:
        store.record(findings[0], "confirmed", note="第一条备注", key=keys[0])
        store.record(findings[5], "dismissed", reason="口径不同，不算问题", key=keys[5])
        store.set_note(findings[7], '=HYPERLINK("http://example.invalid")', key=keys[7])
        decisions = store.all()
    out = tmp / "审核结果.xlsx"
    write_report(docs, findings, decisions, out)
    return Book(openpyxl.load_workbook(out), docs, findings, decisions)


def test_sheets_headers_frozen_and_filtered(workbook: Book) -> None:
    wb, *_ = workbook
    assert wb.sheetnames == ["问题清单", "项目", "指标"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert all(ws.cell(1, c).font.b for c in range(1, ws.max_column + 1))
    assert [c.value for c in wb["问题清单"][1]] == FINDING_HEADER


def test_every_finding_row_cell_by_cell(workbook: Book) -> None:
    wb, docs, findings, decisions = workbook
    ws = wb["问题清单"]
    data = build(docs, findings, decisions)
    assert ws.max_row == len(findings) + 1
    for n, fr in enumerate(data.findings, start=1):
        f = fr.finding
        row = [c.value for c in ws[n + 1]]
        d = decisions.get(fr.key)
        expected = [
            n,
            check_label(f.check),
            f.check,
            SEVERITY_LABEL[f.severity],
            Path(f.source or "").name,
            f.project,
            KIND_LABEL[f.kind or ""],
            f.message,
            lines_text(f.lines),
            "；".join(f.related) or None,
            None,
            {"confirmed": "确认问题", "dismissed": "不是问题"}.get(d.decision or "") if d else None,
            d.reason if d else None,
            d.note if d else None,
            local_time(d.decided_at) if d and (d.decision or d.note) else None,
        ]
        assert row == [e if e != "" else None for e in expected], f"row {n + 1}"
    # rows in the order of build(): the n-th row is the n-th finding of the report
    decided = {fr.key: ws[n + 1] for n, fr in enumerate(data.findings, start=1)}
    keys = decision_keys(findings)
    assert decided[keys[0]][11].value == "确认问题" and decided[keys[0]][13].value == "第一条备注"
    assert decided[keys[5]][11].value == "不是问题" and decided[keys[5]][12].value == "口径不同，不算问题"
    assert decided[keys[0]][11].fill.fgColor.rgb == "FFF4B6B6"
    assert decided[keys[5]][11].fill.fgColor.rgb == "FFCDEBC5"


def test_text_is_never_a_formula(workbook: Book) -> None:
    wb, *_ = workbook
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} became a formula: {cell.value!r}"
    note = next(r for r in wb["问题清单"].iter_rows(min_row=2) if r[13].value and "HYPERLINK" in r[13].value)[13]
    assert note.value == '=HYPERLINK("http://example.invalid")' and note.data_type == "s"
    # the seeds' targets print as '=800.00(元/件)': text in the workbook, exactly as written
    targets = [c.value for c in wb["指标"]["H"][1:]]
    assert "=800.00(元/件)" in targets


def test_projects_sheet_counts(workbook: Book) -> None:
    wb, docs, findings, decisions = workbook
    ws = wb["项目"]
    header = [c.value for c in ws[1]]
    data = build(docs, findings, decisions)
    assert ws.max_row == len(data.projects) + 1
    col = {h: i for i, h in enumerate(header)}
    for n, p in enumerate(data.projects, start=2):
        row = [c.value for c in ws[n]]
        assert row[col["项目名称"]] == p.name
        assert row[col["表单类型"]] == KIND_LABEL[p.form.kind]
        assert row[col["问题数"]] == p.total
        assert (row[col["错误"]], row[col["警告"]], row[col["提示"]]) == (
            p.counts["error"],
            p.counts["warning"],
            p.counts["info"],
        )
        assert (row[col["已确认"]], row[col["已排除"]], row[col["未处理"]]) == (
            p.confirmed,
            p.dismissed,
            p.total - p.decided,
        )
        assert row[col["总分"]] == p.form.total_score
    assert sum(ws.cell(r, col["问题数"] + 1).value for r in range(2, ws.max_row + 1)) == len(findings)


def test_indicator_cells_a_finding_points_at_are_highlighted(workbook: Book) -> None:
    wb, docs, findings, _ = workbook
    ws = wb["指标"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["文件", "项目名称", "表单类型", "行号"]
    assert header[4:12] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    n_ind = sum(len(f.indicators) for d in docs for f in d.forms)
    assert ws.max_row == n_ind + 1
    # every row, every value, in order
    r = 2
    for d in docs:
        for form in d.forms:
            for ind in form.indicators:
                row = [c.value for c in ws[r]]
                assert row[1] == form.project_name and row[3] == ind.line and row[6] == ind.name, f"row {r}"
                assert row[9] == ind.weight and row[10] == ind.score
                assert row[7] == (ind.target.raw if ind.target else None)
                r += 1
    # the gold 'vague-actual' of 法律咨询与服务 points at five 实际完成值 cells (lines 25, 26, 27, 30, 35)
    vague = next(f for f in findings if f.check == "vague-actual" and f.project == "法律咨询与服务")
    actual_col = header.index("实际完成值") + 1
    marked = {
        ws.cell(r, 4).value
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, 2).value == "法律咨询与服务"
        and ws.cell(r, actual_col).comment is not None
        and check_label("vague-actual") in ws.cell(r, actual_col).comment.text
    }
    assert marked == set(vague.lines)
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 4).value in vague.lines and ws.cell(r, 2).value == "法律咨询与服务":
            assert ws.cell(r, actual_col).fill.fgColor.rgb != "00000000"
            assert ws.cell(r, header.index("三级指标") + 1).comment is None or check_label("vague-actual") not in (
                ws.cell(r, header.index("三级指标") + 1).comment.text
            ), "only the cells the check is about"
    related = header.index("相关问题") + 1
    # line 25, the tenth indicator of the first form
    assert check_label("vague-actual") in ws.cell(2 + 9, related).value
    assert fmt_num(ws.cell(2, 10).value) == "8"


def test_empty_run_still_makes_a_workbook() -> None:
    docs = list(seed_documents())
    body = render_report(docs, [], {}, "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb["问题清单"].max_row == 1
    assert wb["项目"].max_row == 1 + sum(len(d.forms) for d in docs)


def test_stale_decision_does_not_break_export(tmp_path: Path) -> None:
    docs = list(seed_documents())
    ghost = Finding(check="grade-mismatch", severity="error", project="不存在的项目", message="等级不符", lines=[1])
    with DecisionStore(tmp_path / "d.sqlite") as store:
        store.record(ghost, "confirmed")
        decisions = store.all()
    data = build(docs, gold_findings(), decisions)
    assert [d.project for d in data.stale] == ["不存在的项目"]
    assert render_report(docs, gold_findings(), decisions, "xlsx").startswith(b"PK")
