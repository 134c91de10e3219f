"""The reports people read (html, md, xlsx, pdf): file names not paths, no internal keys,
local time with its zone, a summary first with charts as inline SVG, the PDF's text."""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.models import Document, Finding
from jixiao.report import render_report, write_report
from jixiao.report.data import build, file_name
from jixiao.report.overview import by_check, projects_with_findings
from jixiao.report.stamps import local_time
from jixiao.store import Decision, DecisionStore, decision_keys
from jixiao.zh import DECISION_LABEL, SEVERITIES, check_label
from test_review_support import ROOT, SEEDS, gold_findings, seed_documents

Run = tuple[list[Document], list[Finding], dict[str, Decision]]
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC[+-]\d\d:\d\d")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The seeds (read from their absolute paths) and their gold findings, two decided."""
    docs = list(seed_documents())
    assert all(Path(d.source).is_absolute() for d in docs), "the test needs sources given by path"
    findings = gold_findings()
    keys = decision_keys(findings)
    with DecisionStore(tmp_path_factory.mktemp("db") / "d.sqlite") as store:
        store.record(findings[0], "confirmed", note="请补充", key=keys[0])
        store.record(findings[3], "dismissed", reason="口径不同", key=keys[3])
        decisions = store.all()
    return docs, findings, decisions


def _forbidden(run: Run) -> list[str]:
    """What a mailed report must not show: a folder of the reviewer's disk, an internal key."""
    docs, findings, _ = run
    folders = {str(Path(d.source).parent) for d in docs} | {str(ROOT)}
    return [*folders, *decision_keys(findings)]


def _xlsx_text(body: bytes) -> Iterator[str]:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(io.BytesIO(body))
    for ws in wb.worksheets:
        yield ws.title
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield str(cell.value)
                if cell.comment is not None:
                    yield cell.comment.text


@pytest.mark.parametrize("fmt", ["html", "md", "xlsx"])
def test_no_path_and_no_internal_key(run: Run, fmt: str) -> None:
    docs, findings, decisions = run
    body = render_report(docs, findings, decisions, fmt)
    text = "\n".join(_xlsx_text(body)) if fmt == "xlsx" else body.decode("utf-8")
    for bad in _forbidden(run):
        assert bad not in text, f"{fmt} shows {bad!r}"
    assert "决定键" not in text
    for d in docs:
        name = file_name(d.source)
        assert (name.replace("_", "\\_") if fmt == "md" else name) in text, "each file is still named"


def test_json_keeps_keys_and_sources_for_programs(run: Run) -> None:
    import json

    docs, findings, decisions = run
    body = json.loads(render_report(docs, findings, decisions, "json"))
    assert {r["key"] for r in body["findings"]} == set(decision_keys(findings))
    assert body["sources"] == [d.source for d in docs]


def test_file_name_drops_folders_of_any_system() -> None:
    assert file_name("/home/审核/a.xlsx") == "a.xlsx"
    assert file_name("C:\\Users\\审核\\表 1.docx") == "表 1.docx"
    assert file_name("a.txt") == "a.txt"
    assert file_name(None) == "" and file_name("") == ""


@pytest.fixture
def shanghai() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_local_time_with_zone(shanghai: None) -> None:
    assert local_time("2026-12-04T08:30:05+00:00") == "2026-12-04 16:30 UTC+08:00"
    assert local_time("2026-12-04T08:30:05") == "2026-12-04 16:30 UTC+08:00", "a bare stored time is UTC"
    assert local_time("") == "" and local_time("不是时间") == "不是时间"
    assert TIME.fullmatch(local_time())


def test_html_times_are_local_with_zone(run: Run, shanghai: None) -> None:
    docs, findings, decisions = run
    page = render_report(docs, findings, decisions, "html").decode()
    stamps = TIME.findall(page)
    assert len(stamps) >= 3, "generated, and the two decisions"
    assert all(s.endswith("UTC+08:00") for s in stamps)
    assert not re.search(r"\d\dT\d\d:\d\d", page), "no ISO time is shown to people"


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.S)


def test_summary_first_with_chinese_check_names_and_charts(run: Run) -> None:
    docs, findings, decisions = run
    page = render_report(docs, findings, decisions, "html").decode()
    assert page.index("概况") < page.index("问题清单") < page.index('id="projects"')
    summary = page[page.index('id="summary"') : page.index('id="findings"')]
    data = build(docs, findings, decisions)
    checks = by_check(data)
    assert {c.check for c in checks} == {f.check for f in findings}
    for c in checks:
        assert f">{check_label(c.check)}</td>" in summary
    for word in ("错误", "警告", "提示", "已确认", "已排除", "未处理"):
        assert word in summary
    # two charts, inline: one bar per check, one stacked segment per project and severity
    assert "<script" not in page and "xlink:href" not in page
    check_svg, project_svg = _svgs(summary)
    assert check_svg.count('class="bar check"') == len(checks)
    projects = projects_with_findings(data)
    segments = sum(1 for p in projects for s in SEVERITIES if p.counts.get(s))
    assert len(re.findall(r'class="bar sev-(?:error|warning|info)"', project_svg)) == segments
    assert project_svg.count('class="label"') == len(projects)
    biggest = checks[0]
    assert f"{check_label(biggest.check)}｜问题数：{biggest.total}" in check_svg


def test_findings_table_has_sensible_widths(run: Run) -> None:
    docs, findings, decisions = run
    page = render_report(docs, findings, decisions, "html").decode()
    table = page[page.index('id="findings"') :]
    table = table[: table.index("</table>")]
    widths = re.findall(r'<col style="width:([\d.]+)(em|%)">', table)
    assert all(float(w) >= 3 for w, unit in widths if unit == "em"), "no column narrower than three characters"
    assert "<col>" in table, "the message column takes what is left"
    assert "table-layout:fixed" in page and "overflow-wrap:anywhere" in page


def test_xlsx_decision_drop_down(run: Run) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    docs, findings, decisions = run
    ws = openpyxl.load_workbook(io.BytesIO(render_report(docs, findings, decisions, "xlsx")))["问题清单"]
    header = [c.value for c in ws[1]]
    col = ws.cell(1, header.index("审核结论") + 1).column_letter
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"' + ",".join(DECISION_LABEL.values()) + '"'
    assert str(dv.sqref) == f"{col}2:{col}{len(findings) + 1}"
    assert header[1:3] == ["检查项", "检查项编号"], "the Chinese name first, the id beside it"
    assert {ws.cell(r, 2).value for r in range(2, ws.max_row + 1)} == {check_label(f.check) for f in findings}


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_export_mode_follows_umask(tmp_path: Path, run: Run, mask: int) -> None:
    docs, findings, decisions = run
    old = os.umask(mask)
    try:
        out = tmp_path / "报告.html"
        write_report(docs, findings, decisions, out)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["报告.html"], "written atomically, nothing left behind"


@pytest.mark.slow
def test_pdf_text_has_every_finding_project_and_check(tmp_path: Path) -> None:
    """The CLI on the seeds with the real checks: the PDF, read back, names every finding."""
    pytest.importorskip("weasyprint")
    pdfium = pytest.importorskip("pypdfium2")
    pdfplumber = pytest.importorskip("pdfplumber")
    from jixiao.checks import run_checks
    from jixiao.cli import main

    found = run_checks(list(seed_documents()))
    out = tmp_path / "报告.pdf"
    res = CliRunner().invoke(main, ["report", *map(str, SEEDS), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"%PDF")
    doc = pdfium.PdfDocument(out)
    text = "".join("".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))
    doc.close()
    for f in found:
        assert "".join((f.project or "").split()) in text, f.project
        assert check_label(f.check) in text, f.check
    assert "绩效表审核报告" in text and "各检查项的问题数" in text
    for bad in (str(ROOT), *decision_keys(found)):
        assert bad not in text
    with pdfplumber.open(out) as pdf:  # the Chinese is set in a CJK font, not boxes
        fonts = {c["fontname"] for c in pdf.pages[0].chars if ord(c["text"]) > 0x2E7F}
    assert fonts and all("CJK" in f or "Han" in f for f in fonts), fonts


def test_empty_run_says_so_without_charts() -> None:
    docs = list(seed_documents())
    page = render_report(docs, [], {}, "html").decode()
    assert "没有发现问题" in page and "<svg" not in page
    assert page.count("<h3>文件：") == len(docs), "the projects are still listed by file"


def test_every_export_names_the_check_id(run: Run) -> None:
    """The contract: every export lists each finding's check id (beside its Chinese name)."""
    docs, findings, decisions = run
    for fmt in ("html", "md"):
        text = render_report(docs, findings, decisions, fmt).decode()
        for f in findings:
            assert f.check.replace("_", "\\_") in text or f.check in text, (fmt, f.check)
