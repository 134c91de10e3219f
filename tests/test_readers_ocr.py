"""Scans: the table rebuilt from OCR boxes and ruling lines.

The grid logic is tested on a drawn grid with known boxes (no OCR, fast); the whole path
on one rendered, noised page of a seed form (RapidOCR, a few seconds; marked slow)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import filemaker as fm
from jixiao.api import extract_source
from jixiao.intake import read_path

pytest.importorskip("cv2")
PIL = pytest.importorskip("PIL")


def _grid_image() -> object:
    """A 3-row table: column 0 is one merged cell over rows 1-2 (its label drawn in the
    middle), column 2 of row 0 spans columns 2-3."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (420, 160), 255)
    d = ImageDraw.Draw(img)
    xs = [10, 110, 210, 310, 410]
    ys = [10, 50, 100, 150]
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    d.line([(xs[0], 10), (xs[0], 150)], fill=0, width=2)
    d.line([(xs[-1], 10), (xs[-1], 150)], fill=0, width=2)
    d.line([(xs[1], 10), (xs[1], 150)], fill=0, width=2)
    d.line([(xs[2], 10), (xs[2], 150)], fill=0, width=2)
    d.line([(xs[3], 50), (xs[3], 150)], fill=0, width=2)  # not in row 0: merged across there
    d.rectangle([xs[0] + 2, 51, xs[1] - 2, 149], fill=255)  # rows 1-2 merged in column 0
    return img


def test_grid_puts_merged_labels_in_their_first_row_and_cell() -> None:
    from jixiao.layout.positions import Box
    from jixiao.readers.ocr import find_rules, grid_lines

    boxes = [
        Box(15, 20, 80, 40, "一级指标"),
        Box(115, 20, 190, 40, "三级指标"),
        Box(215, 20, 300, 40, "指标值"),  # the merged 2-3 cell
        Box(15, 90, 95, 110, "产出指标"),  # middle of the merged cell (rows 1 and 2)
        Box(115, 60, 200, 80, "培训次数"),
        Box(215, 60, 300, 80, "=2.00(次)"),
        Box(315, 60, 400, 80, "达成"),
        Box(115, 115, 200, 135, "培训人数"),
        Box(215, 115, 290, 135, "≥300(人)"),
        Box(150, 0, 250, 8, "标题"),  # above the table: free text
    ]
    rules = find_rules(_grid_image(), boxes)
    assert rules.usable
    lines = [ln for _, ln in sorted(grid_lines(boxes, rules), key=lambda t: t[0])]
    assert lines == [
        "标题",
        "一级指标\t三级指标\t指标值",
        "产出指标\t培训次数\t=2.00(次)\t达成",
        "\t培训人数\t≥300(人)",
    ]


@pytest.mark.parametrize("tilt", [0.0, 1.2, -0.7])
def test_skew_is_measured_from_the_ruling_lines(tilt: float) -> None:
    from PIL import Image

    from jixiao.readers.ocr import level, skew_degrees

    img = _grid_image().rotate(tilt, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)  # type: ignore[attr-defined]
    angle = skew_degrees(img)
    assert angle == pytest.approx(-tilt, abs=0.1)
    assert abs(skew_degrees(level(img, angle))) <= 0.05


def test_a_sliver_of_the_neighbours_glyph_is_dropped() -> None:
    """On a tilted scan a box may start inside the cell to its left, and read the edge of
    that cell's last character as a glyph of its own ('标' -> '示'); a box over two whole
    cells is cut in two."""
    from jixiao.layout.positions import Box
    from jixiao.readers.ocr import Rule, Rules, grid_lines

    rules = Rules(
        horizontal=[Rule(10, [(0, 500)]), Rule(50, [(0, 500)])],
        vertical=[Rule(x, [(0, 60)]) for x in (10, 200, 300, 400)],
    )
    left = Box(15, 20, 205, 40, "服务对象满意度指标", [(20 + 20 * i, 38 + 20 * i) for i in range(9)])
    right = Box(190, 20, 290, 40, "示参保对象", [(192, 199), *[(205 + 20 * i, 223 + 20 * i) for i in range(4)]])
    assert [ln for _, ln in grid_lines([left, right], rules)] == ["服务对象满意度指标\t参保对象"]
    chars = (
        [(210 + 9 * i, 218 + 9 * i) for i in range(4)] + [(280, 282)] + [(310 + 9 * i, 318 + 9 * i) for i in range(4)]
    )
    both = Box(205, 20, 395, 40, "8.00 8.00", chars)
    assert [ln for _, ln in grid_lines([left, both], rules)] == ["服务对象满意度指标\t8.00\t8.00"]


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("《4.00（万元）", "≤4.00（万元）"),
        ("》90%", "≥90%"),
        ("L符合公务员补助条件的对象满意度", "符合公务员补助条件的对象满意度"),
        ("医疗费负担减轻程度|", "医疗费负担减轻程度"),
        ("B超检查人次", "B超检查人次"),  # a real letter stays
        ("$1geq90.001%s", "≥90.00%"),  # LaTeX from the recogniser, backslashes read as '1'
        ("$\\leq 5\\%$", "≤5%"),
        ("《中华人民共和国预算法》", "《中华人民共和国预算法》"),  # a real book title stays
    ],
)
def test_ocr_slips_fixed_only_where_unambiguous(read: str, meant: str) -> None:
    from jixiao.readers.ocr import fix_cell

    assert fix_cell(read) == meant


def test_a_box_across_a_cell_border_is_cut() -> None:
    from jixiao.layout.positions import Box
    from jixiao.readers.ocr import Rule, split_at_rules

    box = Box(100, 10, 300, 30, "8.00 8.00")
    parts = split_at_rules(box, [Rule(200, [(0, 100)])], slack=3)
    assert [p.text for p in parts] == ["8.00", "8.00"]


@pytest.fixture(scope="module")
def rendered_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    """Page 3 of seed 001: one whole declaration form (title, header, funds, goal, table)."""
    pytest.importorskip("rapidocr_onnxruntime")
    if fm.cjk_font_path() is None:
        pytest.skip("needs fonts-noto-cjk to render the page")
    stem = "001_2ab7ec68b4388486"
    lines = fm.seed_lines(stem)
    page = 2
    img = fm.render_page(fm.pages_of(lines)[page], dpi=150, seed=1)
    path = tmp_path_factory.mktemp("scan") / "page.png"
    img.save(path)
    return path, fm.page_reference(stem, [page]), stem


@pytest.mark.slow
def test_scanned_page_indicator_f1(rendered_page: tuple[Path, dict[str, Any], str]) -> None:
    path, ref, stem = rendered_page
    gold_rows = {(i["level1"], i["name"]) for f in fm.load_gold(stem)["forms"] for i in f["indicators"]}
    assert {(i["level1"], i["name"]) for f in ref["forms"] for i in f["indicators"]} <= gold_rows
    src = read_path(str(path))
    assert src.kind == "image"
    assert any("OCR" in w for w in src.warnings)
    doc = extract_source(src)
    s = fm.indicator_score(doc, ref)
    print(f"OCR page F1 {s.f1:.3f} P {s.precision:.3f} R {s.recall:.3f} values {s.values_agree:.3f}")
    assert s.f1 >= 0.9, (s.missing, s.extra)
    assert doc.forms[0].project_name == "医保宣传与推广"


@pytest.mark.slow
def test_skewed_scan_is_levelled(rendered_page: tuple[Path, dict[str, Any], str], tmp_path: Path) -> None:
    """A page fed into the scanner a little crooked (0.8°): the table is still rebuilt."""
    from PIL import Image

    path, ref, _ = rendered_page
    crooked = Image.open(path).rotate(0.8, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    crooked.save(tmp_path / "crooked.png")
    doc = extract_source(read_path(str(tmp_path / "crooked.png")))
    s = fm.indicator_score(doc, ref)
    print(f"skewed OCR page F1 {s.f1:.3f} values {s.values_agree:.3f}")
    assert s.f1 >= 0.9, (s.missing, s.extra)


@pytest.mark.slow
def test_scanned_pdf_pages_go_through_ocr(tmp_path: Path) -> None:
    """A PDF of page images (no text layer) is read by OCR, page by page."""
    pytest.importorskip("rapidocr_onnxruntime")
    if fm.cjk_font_path() is None:
        pytest.skip("needs fonts-noto-cjk to render the page")
    lines = fm.seed_lines("001_2ab7ec68b4388486")
    img = fm.render_page(fm.pages_of(lines)[1], dpi=150)  # a short page: three indicator rows
    path = fm.write_scanned_pdf([img], tmp_path / "scan.pdf")
    src = read_path(str(path))
    assert src.kind == "pdf"
    assert any("扫描页" in w for w in src.warnings)
    text = "\n".join(src.lines)
    for name in ("参保对象政策知晓度", "提升医保政策宣传效果", "参保对象对医保政策的满意度"):
        assert name in text.replace("\t", "")
