"""The seed forms written as xlsx, docx and a text-layer PDF must extract exactly as the
seed text does: same indicator rows against the gold, and the same model field for field
(only source line numbers may differ, since a PDF page or a sheet counts lines its way)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import filemaker as fm
from jixiao.api import extract_path, extract_source
from jixiao.intake import read_path

pytest.importorskip("openpyxl")
pytest.importorskip("docx")
pytest.importorskip("pdfplumber")
pytest.importorskip("reportlab")  # draws the text-layer PDF

STEMS = [p.stem for p in sorted(fm.SEEDS.glob("*.txt"))]
WRITERS = {"xlsx": fm.write_xlsx, "docx": fm.write_docx, "pdf": fm.write_pdf}
# where each reader's own line numbers live; the rest of the model must match the text path
# where things stand, and how the cells were laid out (the file type, by design), differ
POSITIONAL = {"line", "lines", "field_lines", "problems", "layout", "unread"}


def _without_positions(o: Any) -> Any:
    if isinstance(o, dict):
        return {k: _without_positions(v) for k, v in o.items() if k not in POSITIONAL}
    if isinstance(o, list):
        return [_without_positions(x) for x in o]
    return o


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    d = tmp_path_factory.mktemp("roundtrip")
    return {
        (stem, kind): write(fm.seed_lines(stem), d / f"{stem}.{kind}")
        for stem in STEMS
        for kind, write in WRITERS.items()
    }


@pytest.mark.parametrize("kind", list(WRITERS))
@pytest.mark.parametrize("stem", STEMS, ids=[s[:3] for s in STEMS])
def test_round_trip_matches_the_text_path(built: dict[tuple[str, str], Path], stem: str, kind: str) -> None:
    gold = fm.load_gold(stem)
    text_doc = extract_path(str(fm.SEEDS / f"{stem}.txt"))
    src = read_path(str(built[(stem, kind)]))
    assert src.kind == kind
    doc = extract_source(src)
    want = fm.indicator_score(text_doc, gold)
    got = fm.indicator_score(doc, gold)
    assert (got.f1, got.values_agree) == (want.f1, want.values_agree), (got.missing[:5], got.extra[:5])
    assert got.f1 == pytest.approx(1.0)
    assert _without_positions(doc.model_dump(mode="json")["forms"]) == _without_positions(
        text_doc.model_dump(mode="json")["forms"]
    )
    assert not doc.warnings
    assert {f.layout for f in doc.forms} == {kind}


def test_xlsx_spreads_forms_over_sheets_and_keeps_them_all(built: dict[tuple[str, str], Path]) -> None:
    import openpyxl

    path = built[(STEMS[1], "xlsx")]
    wb = openpyxl.load_workbook(path)
    assert len(wb.worksheets) >= 3  # several sheets, several forms on each
    assert sum(len(ws.merged_cells.ranges) for ws in wb.worksheets) > 50
    gold = fm.load_gold(STEMS[1])
    assert len(extract_path(str(path)).forms) == len(gold["forms"])


def test_xlsx_rows_are_the_seed_lines(built: dict[tuple[str, str], Path]) -> None:
    """Merged cells read back as the text layout has them: value first, the rest empty."""
    from jixiao.readers.cells import row_line, tidy_blank_runs

    stem = STEMS[0]
    seed = tidy_blank_runs([row_line(ln.split("\t")) for ln in fm.seed_lines(stem)])
    assert tidy_blank_runs(read_path(str(built[(stem, "xlsx")])).lines) == seed


def test_docx_keeps_paragraphs_and_tables_in_order(built: dict[tuple[str, str], Path]) -> None:
    lines = read_path(str(built[(STEMS[0], "docx")])).lines
    title = lines.index("财政项目支出绩效自评表")
    name_row = next(i for i, ln in enumerate(lines) if ln.startswith("项目名称"))
    assert title < name_row
    assert lines[name_row] == "项目名称\t\t法律咨询与服务"  # merged across: value, then empties
