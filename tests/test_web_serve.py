"""``jixiao serve``: the command starts the page on 127.0.0.1, and says why when it cannot."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.cli.serve_cmd import allowed_hosts_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_help_names_its_options() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for opt in ("--host", "--port", "--data-dir", "--db"):
        assert opt in result.output
    assert "127.0.0.1" in result.output


def test_allowed_hosts() -> None:
    assert allowed_hosts_for("127.0.0.1") == ("127.0.0.1", "localhost", "::1", "[::1]")
    assert allowed_hosts_for("0.0.0.0") is None
    assert allowed_hosts_for("192.168.1.5") is not None and "192.168.1.5" in allowed_hosts_for("192.168.1.5")  # type: ignore[operator]


def test_serve_starts_on_loopback_and_writes_only_its_data_dir(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao", "serve", "--port", str(port), "--data-dir", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(url + "/", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"serve did not start: {proc.communicate()}") from None
                time.sleep(0.1)
        assert r.status_code == 200 and "审核绩效报表" in r.text
        # a rebound DNS name pointing at 127.0.0.1 is refused
        assert httpx.get(url + "/", headers={"host": "attacker.example"}).status_code == 400
        r = httpx.post(url + "/api/check", data={"text": "只是一句话，不是报表。"}, timeout=10)
        assert r.status_code == 422 and "error" in r.json()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_serve_on_a_taken_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "jixiao", "serve", "--port", str(port), "--data-dir", str(tmp_path / "d")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "端口" in proc.stderr
