"""No exception escapes the rules engine, whatever the text (hypothesis), and bad input
gets a one-line message with exit status 2 at the command line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS
from jixiao.intake import from_text
from jixiao.rules import extract

SEED_LINES = SEEDS[0].read_text(encoding="utf-8").split("\n") + SEEDS[1].read_text(encoding="utf-8").split("\n")
CELLS = sorted({c for line in SEED_LINES for c in line.split("\t") if c})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1))
def test_arbitrary_text(text: str) -> None:
    if text.strip():
        extract(from_text(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(CELLS) | st.text(max_size=8), max_size=9), min_size=1, max_size=60))
def test_rows_made_of_seed_cells(rows: list[list[str]]) -> None:
    """Cells the engine knows (labels, categories, values) in any order and number."""
    text = "财政项目支出绩效自评表\n" + "\n".join("\t".join(r) for r in rows)
    doc = extract(from_text(text))
    for form in doc.forms:
        for ind in form.indicators:
            assert ind.line >= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_seed_with_lines_dropped_or_swapped(data: st.DataObject) -> None:
    lines = list(SEED_LINES)
    for _ in range(data.draw(st.integers(0, 25))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "swap", "cut"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, max(0, len(lines[i]))))]
    extract(from_text("\n".join(lines) or "x"))


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "jixiao", *args], input=stdin, capture_output=True, timeout=120)


def assert_one_line_error(p: subprocess.CompletedProcess[bytes]) -> str:
    err = p.stderr.decode("utf-8")
    assert p.returncode == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_empty_input() -> None:
    assert "空" in assert_one_line_error(run_cli("extract", "-", stdin=b""))


def test_binary_file(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_bytes(bytes(range(256)) * 10)
    assert_one_line_error(run_cli("extract", str(f)))


def test_text_without_form() -> None:
    err = assert_one_line_error(run_cli("extract", "-", stdin="这不是绩效表。\n只是一段话。".encode()))
    assert "未找到" in err


def test_missing_file() -> None:
    assert "不存在" in assert_one_line_error(run_cli("extract", "/nonexistent/x.txt"))


def test_bad_option_is_usage_error() -> None:
    p = run_cli("extract", "--format", "yaml", str(SEEDS[0]))
    assert p.returncode == 2 and b"Traceback" not in p.stderr


def test_gbk_and_bom_are_read(tmp_path: Path) -> None:
    text = SEEDS[0].read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(text.encode("gb18030"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for f in (gbk, bom):
        p = run_cli("extract", "--format", "json", str(f))
        assert p.returncode == 0, p.stderr.decode()
        assert p.stdout.decode().count('"kind": "self_evaluation"') == 6


def test_form_cut_off_in_the_middle() -> None:
    lines = SEEDS[0].read_text(encoding="utf-8").split("\n")[:27]  # stops inside the first table
    p = run_cli("extract", "--format", "json", "-", stdin="\n".join(lines).encode())
    assert p.returncode == 0
    assert "未找到总分行" in p.stdout.decode()  # the form says what is missing


def test_one_good_file_and_one_bad(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    p = run_cli("extract", "--format", "json", str(SEEDS[0]), str(bad))
    assert p.returncode == 0
    assert "警告" in p.stderr.decode() and "Traceback" not in p.stderr.decode()


def test_large_file_without_forms(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(("这是一行没有表格的说明文字\t" * 8 + "\n") * 100_000, encoding="utf-8")  # ~20 MB
    assert big.stat().st_size > 19_000_000
    assert "未找到" in assert_one_line_error(run_cli("extract", str(big)))


def test_negative_weight_keeps_the_row_and_says_so() -> None:
    """A minus sign before a 分值 (an OCR speck, a typo) once escaped as a validation error."""
    lines = SEEDS[0].read_text(encoding="utf-8").split("\n")[:30]
    lines[18] = lines[18].replace("\t5.00\t5.00", "\t-5.00\t5.00")
    doc = extract(from_text("\n".join(lines)))
    form = doc.forms[0]
    row = next(i for i in form.indicators if i.line == 19)
    assert row.weight is None and row.score == 5.0
    assert any("line 19" in p and "weight" in p for p in form.problems)
