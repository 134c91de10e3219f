"""Faults of the hardening issue, one test each: spreadsheets and Word documents are sized
while streaming (rows, cells, ranges openpyxl fills, XML elements) before any library
builds them, and an archive's uncompressed size is bounded from its central directory.

The hostile files are built here, small: they cross a limit by a little and show the
refusal comes fast and without building anything, not the minutes the full ones took."""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

import filemaker as fm
from jixiao.errors import InputError
from jixiao.intake import from_bytes
from jixiao.readers import Limits, read_binary

openpyxl = pytest.importorskip("openpyxl")
docx = pytest.importorskip("docx")

MB = 1024 * 1024
JIXIAO = [str(Path(sys.executable).with_name("jixiao"))]
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORD = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _package(base: bytes, parts: dict[str, bytes], stored: bool = False) -> bytes:
    """``base`` (a real .xlsx/.docx) with some members replaced or added."""
    zin = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as zf:
        for n in zin.namelist():
            zf.writestr(n, parts.pop(n, None) or zin.read(n))
        for n, body in parts.items():
            zf.writestr(n, body)
    return out.getvalue()


def _tiny_xlsx(comment: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目名称"
    if comment:
        wb.active["A1"].comment = openpyxl.comments.Comment("说明", "审核人")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _tiny_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("项目名称")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _sheet(rows: bytes, dimension: str | None = None, after: bytes = b"") -> bytes:
    dim = b'<dimension ref="%s"/>' % dimension.encode() if dimension else b""
    return b'<worksheet xmlns="%s">%s<sheetData>%s</sheetData>%s</worksheet>' % (MAIN, dim, rows, after)


def _refused(data: bytes, name: str) -> tuple[str, float, int]:
    """The one-line Chinese message, the seconds it took (for a reader; tests assert the peak
    of Python allocations, which shows the count stopped early, not time) and that peak."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(InputError) as e:
            from_bytes(data, name)
    finally:
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    msg = str(e.value)
    assert "\n" not in msg and any("\u4e00" <= ch <= "\u9fff" for ch in msg)
    return msg, elapsed, peak


def _paragraphs(size: int) -> bytes:
    """About ``size`` bytes of Word paragraphs of text."""
    p = "<w:p><w:r><w:t>项目名称：绩效目标完成情况</w:t></w:r></w:p>".encode()
    return p * (size // len(p) + 1)


def _rows(n: int) -> bytes:
    """``n`` rows of one tiny cell each."""
    return b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r % 97) for r in range(1, n + 1))


# -- spreadsheets: counted while streaming, before openpyxl builds a cell ----------------------


@pytest.mark.parametrize("dimension", ["A1:A1000000", "A1:A1", None], ids=["declares-1M", "lies-small", "absent"])
def test_a_sheet_of_too_many_rows_is_refused_while_streaming(dimension: str | None) -> None:
    """The 1,000,000-row sheet took 42 s and 1.18 GB to be refused after openpyxl built it.
    Here 50,001 rows (one over max_rows): the count stops at the limit whatever the sheet's
    <dimension> says, so refusal takes a fraction of a second and a few MB."""
    data = _package(_tiny_xlsx(), {"xl/worksheets/sheet1.xml": _sheet(_rows(50_001), dimension)})
    msg, _, peak = _refused(data, "rows.xlsx")
    assert "行数过多" in msg and "max_rows" in msg
    assert peak < 32 * MB, peak


def test_a_wide_sheet_is_refused_by_its_cell_count() -> None:
    """16,384 columns x 100 rows was accepted after 41 s and 953 MB. 16,384 x 19 = 311,296
    cells (just over max_cells) is refused while streaming, before any cell is built."""
    cols = [openpyxl.utils.get_column_letter(c).encode() for c in range(1, 16_385)]
    rows = b"".join(
        b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, r) for c in cols) + b"</row>"
        for r in range(1, 20)
    )
    data = _package(_tiny_xlsx(), {"xl/worksheets/sheet1.xml": _sheet(rows, "A1:XFD19")})
    msg, _, peak = _refused(data, "wide.xlsx")
    assert "单元格" in msg and "max_cells" in msg
    assert peak < 32 * MB, peak


@pytest.mark.parametrize(
    ("what", "ref"),
    [
        ("merge", b"A1:T20000"),
        ("hyperlink", b"A1:T20000"),
        ("comment", b"A1:T20000"),
        ("merge", b"A1:XFD1048576"),
        ("merge", b"$A$1:$A$99999999"),  # openpyxl accepts rows past the grid
    ],
    ids=["merge", "hyperlink", "comment", "merge-whole-sheet", "merge-past-the-grid"],
)
def test_ranges_openpyxl_fills_with_cells_are_counted(what: str, ref: bytes) -> None:
    """A few bytes of reference make openpyxl build a cell for every cell they cover: a merged
    range (MergedCell each), a ranged hyperlink, a comment's ref. A1:T20000 is 400,000 cells
    (seconds and hundreds of MB before); A1:XFD1048576 is 17 billion (never finished)."""
    one = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    if what == "merge":
        parts = {"xl/worksheets/sheet1.xml": _sheet(one, after=b'<mergeCells><mergeCell ref="%s"/></mergeCells>' % ref)}
        base = _tiny_xlsx()
    elif what == "hyperlink":
        link = b'<hyperlinks><hyperlink ref="%s" location="Sheet!A1"/></hyperlinks>' % ref
        parts = {"xl/worksheets/sheet1.xml": _sheet(one, after=link)}
        base = _tiny_xlsx()
    else:
        base = _tiny_xlsx(comment=True)
        names = zipfile.ZipFile(io.BytesIO(base)).namelist()
        part = next(n for n in names if "comment" in n and n.endswith(".xml"))
        xml = zipfile.ZipFile(io.BytesIO(base)).read(part)
        assert b'ref="A1"' in xml
        parts = {part: xml.replace(b'ref="A1"', b'ref="%s"' % ref)}
    msg, _, peak = _refused(_package(base, parts), f"{what}.xlsx")
    assert "max_cells" in msg
    assert peak < 32 * MB, peak


def _gbk(xml: str) -> bytes:
    return ('<?xml version="1.0" encoding="GBK"?>' + re.sub(r"^<\?xml[^>]*\?>", "", xml)).encode("gbk")


def test_a_part_the_stdlib_parser_cannot_read_is_counted_with_lxml() -> None:
    """openpyxl parses styles with lxml, which reads GBK; expat does not. A styles part of
    310,000 formats in GBK (seconds and ~600 MB in openpyxl before) is still counted and
    refused, and a small one is still read."""
    base = _tiny_xlsx()
    styles = zipfile.ZipFile(io.BytesIO(base)).read("xl/styles.xml").decode()
    assert read_binary(_package(base, {"xl/styles.xml": _gbk(styles)}), "gbk.xlsx", "zip").lines == ["项目名称"]
    rnd = random.Random(0)  # uneven spacing keeps the part's compression ratio ordinary
    xfs = "".join(f'<xf numFmtId="{i % 50}"{" " * rnd.randint(1, 9)}fontId="0"/>' for i in range(310_000))
    styles = re.sub(r'<cellXfs count="\d+">', f'<cellXfs count="310000">{xfs}', styles)
    msg, _, peak = _refused(_package(base, {"xl/styles.xml": _gbk(styles)}), "styles.xlsx")
    assert "max_cells" in msg
    assert peak < 32 * MB, peak


def test_a_sheet_that_declares_the_whole_grid_but_holds_little_is_read() -> None:
    """The declared <dimension> is not trusted either way: a sheet saying A1:XFD1048576 (one
    styled empty cell far away, as Excel writes after Ctrl+End accidents) is still read."""
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>项目名称</t></is></c></row>'.encode()
    rows += b'<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    data = _package(_tiny_xlsx(), {"xl/worksheets/sheet1.xml": _sheet(rows, "A1:XFD1048576")})
    src = read_binary(data, "sparse.xlsx", "zip")
    assert src.lines == ["项目名称"]


def test_real_forms_fit_far_inside_the_counts(tmp_path: Path) -> None:
    """A workbook and a document of real forms (the seed: 224 lines, several forms) are read
    with limits cut to a thirtieth: the defaults leave room for batches of hundreds of forms."""
    lines = fm.seed_lines("000_dca73c19af058bd9")
    small = Limits(max_cells=Limits().max_cells // 30, max_elements=Limits().max_elements // 30, max_rows=1_000)
    for kind in ("xlsx", "docx"):
        data = getattr(fm, f"write_{kind}")(lines, tmp_path / f"a.{kind}").read_bytes()
        src = read_binary(data, f"a.{kind}", "zip", small)
        assert any(ln.startswith("项目名称") for ln in src.lines)


# -- archives: the uncompressed size, from the central directory -----------------------------


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_main_part_too_big_to_unpack_is_refused_from_the_directory(kind: str) -> None:
    """A 24 MB .docx held 160 MB of paragraphs (ratio 6, so no zip bomb) and took 2.2 GB.
    Here the main part is 40 MB, stored (ratio 1): about a million paragraphs for the docx
    (parsed in seconds and hundreds of MB before), a sheet padded with an XML comment for the
    xlsx. Refused from the zip's directory, before a byte of it is inflated or parsed."""
    if kind == "docx":
        base, part = _tiny_docx(), "word/document.xml"
        body = b'<w:document xmlns:w="%s"><w:body>%s</w:body></w:document>' % (WORD, _paragraphs(40 * MB))
    else:
        pad = b"<!--" + b"x" * (40 * MB) + b"-->"
        base, part = _tiny_xlsx(), "xl/worksheets/sheet1.xml"
        body = _sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>').replace(
            b"<sheetData>", pad + b"<sheetData>"
        )
    data = _package(base, {part: body}, stored=True)
    msg, _, peak = _refused(data, f"big.{kind}")
    assert "过大" in msg and part in msg and "zip_max_member" in msg
    assert peak < 8 * MB, peak


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_the_total_uncompressed_size_is_bounded(kind: str) -> None:
    """Members each under the per-part limit but 66 MB together (stored: ratio 1)."""
    base = _tiny_docx() if kind == "docx" else _tiny_xlsx()
    folder = "word" if kind == "docx" else "xl"
    blob = bytes(22 * MB)
    data = _package(base, {f"{folder}/media/image{i}.png": blob for i in range(3)}, stored=True)
    msg, _, peak = _refused(data, f"media.{kind}")
    assert "过大" in msg and "zip_max_total" in msg
    assert peak < 8 * MB, peak


def test_a_word_document_of_dense_elements_is_refused_while_streaming() -> None:
    """Bytes do not bound the work: 6.6 MB of <w:p/> is 1.1 million paragraphs (30 MB of them
    took 20 s and 790 MB). Counted while streaming and refused at max_elements."""
    body = b'<w:document xmlns:w="%s"><w:body>%s</w:body></w:document>' % (WORD, b"<w:p/>" * 1_100_000)
    data = _package(_tiny_docx(), {"word/document.xml": body}, stored=True)
    msg, _, peak = _refused(data, "dense.docx")
    assert "max_elements" in msg
    assert peak < 32 * MB, peak


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_cli_refuses_with_exit_2_and_one_line(tmp_path: Path, kind: str) -> None:
    if kind == "xlsx":
        data = _package(_tiny_xlsx(), {"xl/worksheets/sheet1.xml": _sheet(_rows(50_001), "A1:A1000000")})
        word = "行数过多"
    else:
        body = b'<w:document xmlns:w="%s"><w:body>%s</w:body></w:document>' % (WORD, _paragraphs(40 * MB))
        data = _package(_tiny_docx(), {"word/document.xml": body}, stored=True)
        word = "过大"
    path = tmp_path / f"hostile.{kind}"
    path.write_bytes(data)
    p = subprocess.run([*JIXIAO, "extract", str(path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    err = p.stderr.strip()
    assert word in err and "\n" not in err and "Traceback" not in err
