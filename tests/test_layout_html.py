"""The HTML layout: page source with a <table> becomes rows of cells, each with its source line,
merged cells expanded into the grid (value top-left, covered positions empty)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from jixiao.layout.html import MAX_COLUMNS, html_rows, looks_like_html

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "layouts" / "07_html_hunan-decl.txt"


@pytest.fixture(scope="module")
def hunan() -> dict[int, list[str]]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert looks_like_html(lines)
    rows = html_rows(lines)
    assert [line for line, _ in rows] == sorted(line for line, _ in rows)
    by_line = dict(rows)
    assert len(by_line) == len(rows)  # one row per line in this fixture
    return by_line


def test_hunan_grid_from_rowspans(hunan: dict[int, list[str]]) -> None:
    # column 0: 绩效指标 spans 12 rows; column 1: 产出指标 5, 效益指标 4; column 2: 数量/质量指标 2 each
    assert hunan[16] == ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"]
    assert hunan[17] == ["", "产出指标", "数量指标", "管护公厕数量", "58座"]
    assert hunan[18] == ["", "", "", "日均保洁频次", "≥4次/座"]
    assert hunan[19] == ["", "", "质量指标", "公厕保洁达标率", "≥95%"]
    assert hunan[20] == ["", "", "", "设施完好率", "≥90%"]
    assert hunan[21] == ["", "", "时效指标", "设施故障修复时限", "≤24小时"]  # <td>s on lines 22-24
    assert hunan[26] == ["", "成本指标", "经济成本指标", "单座公厕年均管护成本", "≤1.66万元"]
    assert hunan[27] == ["", "效益指标", "经济效益指标"]  # two &nbsp; cells: empty, trailing, dropped
    assert hunan[28] == ["", "", "社会效益指标", "公厕免费开放率", "=100%"]
    assert hunan[30] == ["", "", "可持续影响指标", "长效管护机制", "持续有效"]
    assert hunan[31] == ["", "满意度指标", "服务对象满意度指标", "如厕群众满意度", "≥90%"]
    assert not {22, 23, 24, 25, 32, 33, 34, 35} & hunan.keys()  # closing tags and <p>&nbsp;</p>


def test_hunan_header_rows_titles_and_text(hunan: dict[int, list[str]]) -> None:
    assert hunan[2] == ["2024年度部门预算项目绩效目标公开"]
    assert hunan[3] == ["项目支出绩效目标申报表"]
    assert hunan[4] == ["(2024年度)"]
    assert hunan[7] == ["项目名称", "", "城区公厕运营管护经费"]
    assert hunan[8] == ["主管部门及代码", "", "芷澧县城市管理和综合执法局 412007"]
    assert hunan[10] == ["项目属性", "", "延续项目", "项目期", "1年"]
    # 项目资金 spans 2 columns and 3 rows: the next two rows start at column 2
    assert hunan[11] == ["项目资金(万元)", "", "年度资金总额", "", "96.00"]
    assert hunan[12] == ["", "", "其中:财政拨款", "", "96.00"]
    assert hunan[13] == ["", "", "其他资金", "", "0.00"]
    # the goal's <td> is on line 15, its <tr> on 14; <br/> joined without a space
    assert hunan[14] == [
        "年度总体目标",
        "",
        "保障城区58座公厕正常开放和日常保洁，公厕保洁达标率不低于95%，提升市容环境卫生水平。",
    ]
    assert 15 not in hunan


def test_colspan_and_rowspan_grid() -> None:
    html = """<table>
<tr><td rowspan="2" colspan="2">A</td><td>B</td><td rowspan="3">C</td></tr>
<tr><td>D</td></tr>
<tr><td>E</td><td colspan="2">F</td><td>G</td></tr>
<tr><td>H</td><td>&nbsp;</td><td>I</td></tr>
</table>"""
    assert html_rows(html.splitlines()) == [
        (2, ["A", "", "B", "C"]),
        (3, ["", "", "D"]),  # the covered C column is a trailing empty cell
        (4, ["E", "F", "", "", "G"]),
        (5, ["H", "", "I"]),
    ]


def test_rowspan_stops_at_row_group() -> None:
    html = "<table><thead><tr><td rowspan=5>X</td><td>a</td></tr></thead><tbody><tr><td>b</td></tr></tbody></table>"
    assert [cells for _, cells in html_rows([html])] == [["X", "a"], ["b"]]


def test_broken_html() -> None:
    lines = [
        "<TABLE BORDER=1>",
        "<TR><TD COLSPAN=2>项目名称<TD>测试项目",
        "<tr><th>a<td>b</b><td>c</span>",
        "</td></td></tr></tr><p>尾注",
        "<td>无表格的单元格",
        "</TABLE></table></div>",
    ]
    assert html_rows(lines) == [
        (2, ["项目名称", "", "测试项目"]),
        (3, ["a", "b", "c"]),
        (4, ["尾注"]),
        (5, ["无表格的单元格"]),
    ]
    # <tr>/<td> without any <table>
    assert html_rows(["<tr><td>x</td><td>y</td></tr>", "<tr>", "<td>z"]) == [(1, ["x", "y"]), (2, ["z"])]
    # a truncated paste: an unfinished tag or comment is dropped, not read as text
    assert html_rows(["<table><tr><td>ok</td><td colspan='2"]) == [(1, ["ok"])]
    assert html_rows(["<p>前</p><!-- 未闭合"]) == [(1, ["前"])]
    # HTMLParser itself raises on this declaration: the rows read before it are kept
    assert html_rows(["<table><tr><td>a</td></tr>", "<![ foo"]) == [(1, ["a"])]


def test_huge_spans_capped_and_fast() -> None:
    first = "<table><tr>" + '<td colspan="999999999" rowspan="999999999">x</td>' * 50 + "</tr>"
    html = [first] + ["<tr><td>y</td></tr>"] * 3000 + ["</table>"]
    rows = html_rows(html)
    first_row = rows[0][1]
    assert len(first_row) <= MAX_COLUMNS
    # spans are capped, so the grid stays the size of the text, not of the spans' claims
    assert len(rows) <= 3001 and sum(len(cells) for _, cells in rows) <= 3001 * MAX_COLUMNS
    assert [i for i, c in enumerate(first_row) if c] == [0, 200, 400]  # colspan capped at 200
    # rowspan capped at 1000: the y of rows 2-1000 is pushed past the width cap (dropped, rows empty);
    # from the 1001st row on, y is back in column 0
    assert rows[1:] == [(line, ["y"]) for line in range(1001, 3002)]


def test_empty_input() -> None:
    assert html_rows([]) == []
    assert html_rows(["", "   ", "<table></table>", "<tr><td>&nbsp;</td><td> </td></tr>"]) == []
    assert not looks_like_html([])


def test_text_without_table() -> None:
    lines = ["项目支出绩效自评表", "", "  (2023年度)  ", "金额 <b>96</b> 万元"]
    assert not looks_like_html(lines)
    assert looks_like_html(["<div>", "<TD>x"])
    assert html_rows(lines) == [(1, ["项目支出绩效自评表"]), (3, ["(2023年度)"]), (4, ["金额 96 万元"])]


def test_blocks_outside_cells_and_skipped_content() -> None:
    lines = [
        "<html><head><style>td { color: red }</style><script>var s = '<td>no</td>';</script></head>",
        "<body><!-- <table><tr><td>comment</td></tr></table> -->",
        "<h2>项目支出",
        "绩效自评表</h2><span>（2023年度）</span>",
        "<div>单位：万元<br>填报日期：2024年</div>",
        "<p>&nbsp;</p>",
    ]
    assert html_rows(lines) == [
        (3, ["项目支出绩效自评表"]),  # a heading wrapped over two source lines is one row
        (4, ["（2023年度）"]),
        (5, ["单位：万元"]),
        (5, ["填报日期：2024年"]),
    ]


def test_cell_text_breaks_entities_and_no_tabs() -> None:
    html = (
        "<table><tr><td>绩<br>效<BR/>指<p>标</p></td><td>Total<br>amount</td>"
        "<td>&ge;95%\t&#8804;1&#x4E07;</td><td>项\n   目 a\n b</td><td>&nbsp;&amp;&nbsp;</td></tr></table>"
    )
    [(line, cells)] = html_rows([html])
    assert line == 1
    assert cells == ["绩效指标", "Total amount", "≥95% ≤1万", "项目 a b", "&"]


def test_nested_table_rows_in_document_order() -> None:
    lines = [
        "<table><tr><td>外</td><td>",
        "<table><tr><td>内1</td></tr>",
        "<tr><td>内2</td></tr></table>",
        "尾</td></tr>",
        "<tr><td>下</td></tr></table>",
    ]
    assert html_rows(lines) == [(1, ["外", "尾"]), (2, ["内1"]), (3, ["内2"]), (5, ["下"])]


def test_random_tag_soup_never_raises() -> None:
    rng = random.Random(7)
    bits = [
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td rowspan=3>",
        "<TD colspan='2'>",
        "</td>",
        "<th>",
        "<p>",
        "</p>",
        "<br>",
        "<!--",
        "-->",
        "<script>",
        "</script>",
        "&nbsp;",
        "&ge;",
        "&#",
        "<",
        ">",
        "文本",
        "\t",
        "\n",
        " ",
        "<td rowspan=0>",
        "<tbody>",
        "<![CDATA[",
        "<!DOCTYPE",
        "</",
        "<td colspan=x>",
    ]
    for _ in range(300):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(0, 60)))
        lines = text.split("\n")
        rows = html_rows(lines)
        for line, cells in rows:
            assert 1 <= line <= len(lines)
            assert cells and cells[-1]
            assert all("\t" not in c and "\n" not in c and c == c.strip() for c in cells)


def test_plain_tag_fast_path_reads_as_the_standard_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain tags skip HTMLParser's general tag parsing; the rows must not change."""
    import re

    import jixiao.layout.html as html_mod
    from jixiao.evaluation.generate import generate_forms
    from jixiao.evaluation.layouts_render import render_documents

    rng = random.Random(11)
    bits = ['<td rowspan="2">', '<td colspan="3">', "<td>", "</td>", "<tr>", "</tr>", "<table>", "</table>",
            "<p>", "</p>", "<br>", '<p style="x">', "<script>", "<td>x</script>", "</script>", "文本", "\n", " ",
            '<td class="">', "<TD>", '<td rowspan="0">', "&amp;", '<td title="a&amp;b">']  # fmt: skip
    texts = [(text.split("\n")) for text, _ in render_documents(generate_forms(8, seed=2), "html", seed=2, noise=0.3)]
    texts.append(FIXTURE.read_text(encoding="utf-8").splitlines())
    texts += ["".join(rng.choice(bits) for _ in range(rng.randint(0, 80))).split("\n") for _ in range(300)]
    fast = [html_rows(lines) for lines in texts]
    never = re.compile(r"(?!)")
    monkeypatch.setattr(html_mod, "_PLAIN_START", never)
    monkeypatch.setattr(html_mod, "_PLAIN_END", never)
    assert [html_rows(lines) for lines in texts] == fast
