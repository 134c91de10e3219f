"""The readers' small parts, on files built here: number formats, wrapped cell text,
Word's merged cells, Excel's merged ranges and sheets, a PDF table without ruling lines."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

import filemaker as fm
from jixiao.api import extract_source
from jixiao.intake import from_bytes, read_path
from jixiao.layout.positions import Box, boxes_to_lines
from jixiao.readers.cells import cell_text, join_wrapped, row_line
from jixiao.readers.xlsx import format_value

openpyxl = pytest.importorskip("openpyxl")
docx = pytest.importorskip("docx")


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (3.5, "0.00", "3.50"),
        (2586000, "#,##0.00", "2,586,000.00"),
        (0.95, "0.00%", "95.00%"),
        (1, "0%", "100%"),
        (8, "General", "8"),
        (99.8, "General", "99.8"),
        (0.1 + 0.2, "General", "0.3"),
        (1234.5, '"¥"#,##0.0;[Red]-"¥"#,##0.0', "1,234.5"),
        (dt.datetime(2024, 1, 1), "yyyy-mm-dd", "2024-01-01"),
        ("  法律\n培训 ", "General", "法律培训"),
    ],
)
def test_format_value(value: object, fmt: str, shown: str) -> None:
    assert format_value(value, fmt) == shown


@pytest.mark.parametrize(
    ("text", "one_line"),
    [
        ("=956.00(元/\n家)", "=956.00(元/家)"),
        ("持续提高参保人员对\n医保工作满意度", "持续提高参保人员对医保工作满意度"),
        ("10\n00", "1000"),
        ("Page\nLayout", "Page Layout"),
        ("a\tb", "a b"),
    ],
)
def test_wrapped_cell_text_joins_without_spaces_in_chinese(text: str, one_line: str) -> None:
    assert cell_text(text) == one_line
    assert "\n" not in join_wrapped(text)


def test_row_line_drops_trailing_empties_only() -> None:
    assert row_line(["", "a", "", "b", "", ""]) == "\ta\t\tb"


def _xlsx_bytes(wb: object) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)  # type: ignore[attr-defined]
    return buf.getvalue()


def test_xlsx_merged_range_keeps_value_in_first_cell_only() -> None:
    import zipfile

    wb = openpyxl.Workbook()
    ws = wb.active
    # a writer that copies the value into every covered cell (some exporters do)
    ws.append(["成本指标", "经济成本指标", "法律培训", "法律培训", "=3000.00(元/半天)"])
    ws.append(["成本指标", "经济成本指标", "法律咨询", None, "=800.00(元/件)"])
    ws["E1"].data_type = "s"
    ws["E2"].data_type = "s"
    zin = zipfile.ZipFile(io.BytesIO(_xlsx_bytes(wb)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zout:
        for n in zin.namelist():
            data = zin.read(n)
            if n == "xl/worksheets/sheet1.xml":
                merges = b'<mergeCells count="3"><mergeCell ref="A1:A2"/><mergeCell ref="B1:B2"/><mergeCell ref="C1:D1"/></mergeCells>'
                data = data.replace(b"</sheetData>", b"</sheetData>" + merges)
            zout.writestr(n, data)
    src = from_bytes(buf.getvalue(), "m.xlsx")
    assert src.lines == ["成本指标\t经济成本指标\t法律培训\t\t=3000.00(元/半天)", "\t\t法律咨询\t\t=800.00(元/件)"]


def test_xlsx_sheets_in_order_hidden_ones_skipped_and_uncached_formulas_reported() -> None:
    wb = openpyxl.Workbook()
    a = wb.active
    a.title = "一"
    a["A1"] = "第一张表"
    a["B3"] = "=SUM(1,2)"  # a formula saved without its result
    b = wb.create_sheet("二")
    b["A1"] = "第二张表"
    h = wb.create_sheet("隐藏")
    h["A1"] = "不应读到"
    h.sheet_state = "hidden"
    src = from_bytes(_xlsx_bytes(wb), "s.xlsx")
    assert src.lines == ["第一张表", "", "第二张表"]
    assert any("隐藏" in w for w in src.warnings)
    assert any("1 个公式单元格" in w for w in src.warnings)


def test_xlsx_far_away_styled_cell_does_not_blow_up() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "项目名称"
    ws["B1"] = "法律咨询"
    ws.cell(row=1_000_000, column=16_000).number_format = "0.00"  # styled, no value
    src = from_bytes(_xlsx_bytes(wb), "far.xlsx")
    assert src.lines == ["项目名称\t法律咨询"]


def _docx_bytes(d: object) -> bytes:
    buf = io.BytesIO()
    d.save(buf)  # type: ignore[attr-defined]
    return buf.getvalue()


def test_docx_merges_down_and_across_and_document_order() -> None:
    d = docx.Document()
    d.add_paragraph("财政项目支出绩效自评表")
    t = d.add_table(rows=3, cols=4)
    for r, row in enumerate(
        [
            ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "培训次数", "=2.00(次)"],
            ["", "", "培训人数", "≥300(人)"],
        ]
    ):
        for c, text in enumerate(row):
            if text:
                t.rows[r].cells[c].text = text
    t.cell(1, 0).merge(t.cell(2, 0))  # down: vMerge
    t.cell(1, 1).merge(t.cell(2, 1))
    d.add_paragraph("总分：100")
    t2 = d.add_table(rows=1, cols=3)
    t2.rows[0].cells[0].text = "项目名称"
    t2.rows[0].cells[1].merge(t2.rows[0].cells[2])  # across: gridSpan
    t2.cell(0, 1).text = "法律咨询"
    src = from_bytes(_docx_bytes(d), "t.docx")
    assert src.lines == [
        "财政项目支出绩效自评表",
        "一级指标\t二级指标\t三级指标\t指标值",
        "产出指标\t数量指标\t培训次数\t=2.00(次)",
        "\t\t培训人数\t≥300(人)",
        "总分：100",
        "项目名称\t法律咨询",
    ]


def test_pdf_table_without_ruling_lines_falls_back_to_positioned_words(tmp_path: Path) -> None:
    """A borderless table: rows from positions, columns from the header row."""
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "borderless.pdf"
    c = canvas.Canvas(str(path), pagesize=(842, 595))
    c.setFont("STSong-Light", 9)
    xs = [40, 120, 220, 420, 520, 600, 660]
    rows = [
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "法律培训次数", "=2.00(次)", "2.00(次)", "5.00", "5.00"],
        ["", "", "规范性文件起草次数", "=2.00(次)", "2.00(次)", "5.00", "5.00"],
    ]
    for k, row in enumerate(rows):
        for x, text in zip(xs, row):
            if text:
                c.drawString(x, 500 - 16 * k, text)
    c.save()
    lines = read_path(str(path)).lines
    assert lines[1].split("\t") == rows[1]
    assert lines[2].split("\t") == rows[2]


def test_boxes_to_lines_groups_rows_and_glues_close_words() -> None:
    boxes = [
        Box(10, 10, 60, 20, "项目"),
        Box(61, 10, 100, 20, "名称"),  # touching: same cell
        Box(200, 11, 300, 21, "法律咨询"),
        Box(10, 40, 60, 50, "主管部门"),
    ]
    assert [ln for _, ln in boxes_to_lines(boxes)] == ["项目名称\t法律咨询", "主管部门"]


def test_several_forms_in_one_sheet_all_extracted(tmp_path: Path) -> None:
    lines = fm.seed_lines("001_2ab7ec68b4388486")
    path = fm.write_xlsx(lines, tmp_path / "one_sheet.xlsx", forms_per_sheet=100)
    assert len(openpyxl.load_workbook(path).worksheets) == 1
    doc = extract_source(read_path(str(path)))
    assert len(doc.forms) == len(fm.load_gold("001_2ab7ec68b4388486")["forms"])
