"""Faults of the hardening issue, one test each: bounded input from any source, write errors
named, lone surrogates cleaned at intake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.api import extract_text
from jixiao.errors import InputError
from jixiao.intake import read_limited

JIXIAO = [str(Path(sys.executable).with_name("jixiao"))]
SEED = str(Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / "000_dca73c19af058bd9.txt")


def _run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JIXIAO_MAX_INPUT_MB": "8"}
    return subprocess.run([*JIXIAO, *args], capture_output=True, text=True, timeout=60, env=env, **kw)  # type: ignore[call-overload]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_a_device_with_no_end_stops_at_the_limit() -> None:
    p = _run(["check", "/dev/zero"])
    assert p.returncode == 2 and "8 MB" in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_endless_stdin_stops_at_the_limit() -> None:
    with open("/dev/zero", "rb") as zero:
        p = _run(["extract", "-"], stdin=zero)
    assert p.returncode == 2 and "<stdin>" in p.stderr and "Traceback" not in p.stderr


def test_read_limited_reads_what_fits_and_refuses_more(tmp_path: Path) -> None:
    f = tmp_path / "x.bin"
    f.write_bytes(b"a" * 1000)
    with f.open("rb") as s:
        assert read_limited(s, "x", limit=1000) == b"a" * 1000
    with f.open("rb") as s, pytest.raises(InputError, match="上限"):
        read_limited(s, "x", limit=999)


def test_report_that_cannot_be_written_says_which_file(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    under_a_file = a_file / "报告.json"  # no folder can be made there
    p = _run(["report", SEED, "--out", str(under_a_file)])
    assert p.returncode == 2 and "无法写入报告文件" in p.stderr and "内部错误" not in p.stderr
    blocked = tmp_path / "taken.json"
    blocked.mkdir()  # a folder where the file should go
    p = _run(["report", SEED, "--out", str(blocked)])
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_lone_surrogates_are_cleaned_at_intake() -> None:
    text = open(SEED, encoding="utf-8").read().replace("法律咨询与服务", "法律咨询\ud800与服务", 1)
    doc = extract_text(text)
    dumped = doc.model_dump_json()  # raised a serialization error before
    assert "\ufffd" in dumped and "\\ud800" not in dumped


def _cost_form(n: int, length: int) -> object:
    import random

    from jixiao.models import Document, Form, Funds, Indicator, Value

    rnd = random.Random(0)
    rows = [
        Indicator(
            level1="成本指标",
            level2="经济成本指标",
            name="".join(rnd.choice("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉") for _ in range(length)) + "单位成本",
            target=Value(raw="≤10元/次", op="<=", value=10, unit="元/次"),
            line=k + 1,
        )
        for k in range(n)
    ]
    form = Form(kind="self_evaluation", project_name="x", funds=Funds(executed=1000), indicators=rows, lines=[1, n])
    return Document(source="x", forms=[form])


def test_cost_check_grows_linearly_with_long_cost_rows() -> None:
    """Hundreds of cost rows with long names: the common-subject comparison was quadratic in
    rows and names (29 s at 300 rows); 4x the rows now costs no more than ~4x the time."""
    import time

    from jixiao.checks import run_checks

    def cpu(n: int) -> float:
        doc = _cost_form(n, 300)
        best = 1e9
        for _ in range(3):
            t0 = time.process_time()
            run_checks([doc])  # type: ignore[list-item]
            best = min(best, time.process_time() - t0)
        return best

    small, big = cpu(60), cpu(240)
    assert big / max(small, 1e-3) < 8, (small, big)
