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


def test_credentials_in_the_base_url_are_never_printed(tmp_path: Path) -> None:
    """An endpoint given as https://user:key@host/v1: the failure says which host, not the key."""
    env = {
        **os.environ,
        "JIXIAO_HOME": str(tmp_path),
        "JIXIAO_LLM_BASE_URL": "http://reviewer:s3cretKey99@127.0.0.1:9/v1",  # nothing listens on port 9
        "JIXIAO_LLM_MODEL": "m",
        "JIXIAO_LLM_HTTP_RETRIES": "0",
        "JIXIAO_LLM_CACHE": "off",
        "JIXIAO_LLM_TIMEOUT": "5",
    }
    env.pop("JIXIAO_LLM_API_KEY", None)
    p = subprocess.run(
        [*JIXIAO, "extract", "--engine", "llm", SEED], capture_output=True, text=True, timeout=120, env=env
    )
    assert p.returncode == 2
    assert "s3cretKey99" not in p.stderr + p.stdout and "***@127.0.0.1" in p.stderr


def test_redact_hides_url_credentials_and_key_parameters() -> None:
    from jixiao.llm.settings import redact

    assert redact("x https://a:b@h/v1 y") == "x https://***@h/v1 y"
    assert redact("https://h/v1?api_key=abc&m=1") == "https://h/v1?api_key=***&m=1"


def test_pastes_are_named_by_their_content() -> None:
    """Two different pastes must not share review decisions: their names (part of every
    decision key) differ; the same text pasted again keeps its name."""
    from jixiao.web.settings import Limits
    from jixiao.web.uploads import to_sources

    a = open(SEED, encoding="utf-8").read()
    b = a.replace("法律咨询与服务", "法律咨询服务", 1)
    limits = Limits()
    name_a = to_sources([], a, limits)[0].name
    assert name_a.startswith("粘贴文本-")
    assert to_sources([], b, limits)[0].name != name_a
    assert to_sources([], a, limits)[0].name == name_a


def test_forms_the_llm_could_not_read_are_no_clean_result(tmp_path: Path) -> None:
    """Every LLM call failing (HTTP 500, retries exhausted: not an endpoint error) used to give
    `{"findings": []}` and exit 0; now the failed forms are listed and the run exits 2 (1 with
    --fail-on), with one line per form and no library chatter."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from openai_stub_server import Reply, StubServer

    with StubServer() as stub:
        stub.default = None
        stub.push(*[Reply(status=500) for _ in range(40)])
        env = {
            **os.environ,
            "JIXIAO_HOME": str(tmp_path),
            "JIXIAO_LLM_BASE_URL": stub.url,
            "JIXIAO_LLM_MODEL": "m",
            "JIXIAO_LLM_HTTP_RETRIES": "0",
            "JIXIAO_LLM_CACHE": "off",
        }
        head = "\n".join(open(SEED, encoding="utf-8").read().split("\n")[:38])  # one form
        form = tmp_path / "one.txt"
        form.write_text(head, encoding="utf-8")
        args = [*JIXIAO, "check", "--engine", "llm", "--format", "json", str(form)]
        p = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
        assert p.returncode == 2, (p.returncode, p.stderr)
        assert "failed_forms" in p.stdout and "未能读取" in p.stderr
        assert "API call failed" not in p.stderr
        p = subprocess.run([*args, "--fail-on", "warning"], capture_output=True, text=True, timeout=120, env=env)
        assert p.returncode == 1


def test_many_forms_of_one_project_check_in_linear_time() -> None:
    """Hundreds of forms under one project name (a programme's year): duplicate-form compared
    every pair (quadratic); 8x the forms now cost about 8x the time."""
    import time

    from jixiao.checks import run_checks
    from jixiao.evaluation.generate import generate_forms
    from jixiao.models import Document

    def cpu(n: int) -> float:
        # one kind only: declared-vs-evaluated pairing in one unit is the scale issue's
        forms = [
            f.model_copy(update={"project_name": "同一项目"})
            for f in generate_forms(2 * n, 0)
            if f.kind == "self_evaluation"
        ][:n]
        doc = Document(source="x", forms=forms)
        best = 1e9
        for _ in range(2):
            t0 = time.process_time()
            run_checks([doc])
            best = min(best, time.process_time() - t0)
        return best

    small, big = cpu(100), cpu(800)
    assert big / max(small, 1e-3) < 14, (small, big)  # 8x the forms: ~8x linear, ~64x by pairs
