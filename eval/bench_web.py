"""Time from uploading both seed documents to the first rendered result, in real Chromium
(issue 8: under 1 s on the dev machine), and screenshots of the pages under eval/screenshots/.

    .venv/bin/python eval/bench_web.py [--runs 10] [--no-screenshots]

Starts the real app (``jixiao.web.create_app``) under uvicorn on 127.0.0.1, drives Debian's
/usr/bin/chromium with Playwright: choose both files in the intake form, click submit, stop
the clock when the first project card of the results page is visible. The first upload of a
fresh server is reported apart (after the warm-up `jixiao serve` does at start).

``large_run``: the results page of a run of ``--large`` generated forms (default 1,000):
bytes of its first page (target ≤ 500 KB) and of every page, the server's CPU for the first
page, Chromium's time to show it. ``--large-only`` measures only that.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import CDPSession, Page, sync_playwright

from jixiao.web import WebSettings, create_app, warm_up
from jixiao.web.runs import Run, SourceText, new_run_id

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
SHOTS = ROOT / "eval" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def serve(data_dir: Path) -> tuple[uvicorn.Server, threading.Thread, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(WebSettings(data_dir=data_dir))
    warm_up(app)  # as `jixiao serve` does
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


# the browser's own clock, from the navigation the submit starts (the POST, then its redirect)
NAV_TIMING = """() => { const n = performance.getEntriesByType('navigation')[0];
  const p = performance.getEntriesByName('first-contentful-paint')[0];
  return [n.responseStart / 1000, n.responseEnd / 1000, n.domContentLoadedEventEnd / 1000,
          p ? p.startTime / 1000 : NaN]; }"""


TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu() -> float:
    """CPU seconds (user + system) used so far by this process and all its descendants that
    are still running: the server thread, Playwright's driver and every Chromium process."""
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        used[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    me = os.getpid()

    def mine(pid: int) -> bool:
        while pid > 1:
            if pid == me:
                return True
            pid = parent.get(pid, 1)
        return False

    return sum(t for pid, t in used.items() if mine(pid))


def busy(cdp: CDPSession) -> float:
    """Seconds the renderer's main thread has worked so far (parse, style, layout, paint, script)."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return float(metrics["TaskDuration"])


def upload_both(
    page: Page, url: str, timings: list[list[float]] | None = None, *, navigate: bool = True
) -> tuple[float, float]:
    """(seconds from click to the first project card, server seconds shown on the page);
    ``timings`` collects the browser's own clock: first byte, last byte, DOM ready, first paint."""
    if navigate:
        page.goto(url + "/")
    page.set_input_files("#file", [str(p) for p in SEEDS])
    start = time.perf_counter()
    page.click("#submit")
    page.locator("section.form").first.wait_for(state="visible")
    wall = time.perf_counter() - start
    if timings is not None:
        timings.append(page.evaluate(NAV_TIMING))
    hint = page.locator("#summary p.hint").inner_text()
    server = float(hint.split("用时 ")[1].split(" 秒")[0])
    return wall, server


def screenshots(page: Page, url: str) -> list[str]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = []
    page.goto(url + "/")
    page.screenshot(path=SHOTS / "intake.png")
    out.append("intake.png")
    upload_both(page, url)
    page.screenshot(path=SHOTS / "results.png")
    page.locator("section.form").first.screenshot(path=SHOTS / "results-form.png")
    out += ["results.png", "results-form.png"]
    page.goto(url + "/reconcile")
    page.set_input_files("#declared_file", str(ROOT / "fixtures/pairs/02_jiading_civil.declared.txt"))
    page.set_input_files("#evaluated_file", str(ROOT / "fixtures/pairs/02_jiading_civil.evaluated.txt"))
    page.click("#submit")
    page.locator("#reconcile").wait_for()
    page.locator("#reconcile").screenshot(path=SHOTS / "reconcile.png")
    out.append("reconcile.png")
    return out


def large_run(forms: int) -> Run:
    """A run of ``forms`` generated forms (every 5th self-evaluation copying its goal, so
    there are findings), extracted and checked as an upload would be."""
    from jixiao.api import extract_text
    from jixiao.checks import run_checks
    from jixiao.evaluation.generate import generate_forms, render_text

    made = generate_forms(forms, seed=7)
    for i, f in enumerate(made):
        if f.kind == "self_evaluation" and i % 5 == 0:
            f.goal.actual = f.goal.expected
    text, _ = render_text(made)
    doc = extract_text(text, "forms.txt")
    return Run(
        id=new_run_id(),
        created=time.time(),
        documents=[doc],
        findings=run_checks([doc]),
        sources=[SourceText(name="forms.txt", lines=text.split("\n"))],
    )


def large_page(app: FastAPI, page: Page, url: str, forms: int) -> dict[str, object]:
    """The results page of a ``forms``-form run: bytes and server CPU of its first page (and
    of every page), and Chromium's time to show the first page."""
    run = large_run(forms)
    app.state.ctx.runs.save(run)
    base = f"{url}/runs/{run.id}"
    p0 = time.process_time()
    with urllib.request.urlopen(base) as r:
        first = r.read()
    cpu_first = time.process_time() - p0
    pages = max((int(n) for n in re.findall(rb"[?]page=(\d+)", first)), default=1)
    sizes = [len(first)]
    for n in range(2, pages + 1):
        with urllib.request.urlopen(f"{base}?page={n}") as r:
            sizes.append(len(r.read()))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    start = time.perf_counter()
    page.goto(base)
    page.locator("section.form").first.wait_for(state="visible")
    wall = time.perf_counter() - start
    nav = page.evaluate(NAV_TIMING)
    return {
        "forms": forms,
        "findings": len(run.findings),
        "pages": pages,
        "first_page_bytes": len(first),
        "largest_page_bytes": max(sizes),
        "all_pages_bytes": sum(sizes),
        "first_page_server_cpu_s": round(cpu_first, 3),
        "first_page_browser_wall_s": round(wall, 3),
        "first_page_dom_ready_s": round(nav[2], 3),
        "first_page_renderer_busy_s": round(busy(cdp), 3),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--no-screenshots", action="store_true")
    ap.add_argument("--large", type=int, default=1000, help="forms of the large run whose results page is measured")
    ap.add_argument("--large-only", action="store_true", help="measure only the large run's page")
    args = ap.parse_args()
    if args.large_only:
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            server, thread, url = serve(Path(tmp) / "data")
            try:
                large = large_page(server.config.app, page, url, args.large)
            finally:
                server.should_exit = True
                thread.join(timeout=10)
                browser.close()
        large["load_average_1min"] = round(os.getloadavg()[0], 2)
        json.dump({"large_run": large}, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        server, thread, url = serve(Path(tmp) / "data")
        try:
            cold = upload_both(page, url)
            nav: list[list[float]] = []
            cpu: list[tuple[float, float, float]] = []  # server process, renderer busy, all processes
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            warm = []
            for _ in range(args.runs):
                page.goto(url + "/")
                p0, t0 = time.process_time(), tree_cpu()
                warm.append(upload_both(page, url, nav, navigate=False))
                # the renderer's counters start again with each document: this is the results page's
                cpu.append((time.process_time() - p0, busy(cdp), tree_cpu() - t0))
            shots = [] if args.no_screenshots else screenshots(page, url)
            large = large_page(server.config.app, page, url, args.large) if args.large else None
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            browser.close()
    walls = [w for w, _ in warm]
    report = {
        "documents": [p.name for p in SEEDS],
        "first_upload_of_a_fresh_server_s": round(cold[0], 3),
        "warm_runs": len(walls),
        "wall_median_s": round(statistics.median(walls), 3),
        "wall_min_s": round(min(walls), 3),
        "wall_max_s": round(max(walls), 3),
        "server_extract_and_check_median_s": round(statistics.median(s for _, s in warm), 3),
        "browser_first_byte_median_s": round(statistics.median(t[0] for t in nav), 3),
        "browser_last_byte_median_s": round(statistics.median(t[1] for t in nav), 3),
        "browser_dom_ready_median_s": round(statistics.median(t[2] for t in nav), 3),
        "browser_first_contentful_paint_median_s": round(statistics.median(t[3] for t in nav), 3),
        # the work itself: CPU time of this process (the server, mostly: a busy machine
        # stretches its wall time, not this) and the results page's main-thread task time in
        # the renderer (Chromium counts it in wall time, so load inflates it)
        "cpu_server_process_median_s": round(statistics.median(c[0] for c in cpu), 3),
        "renderer_busy_median_s": round(statistics.median(c[1] for c in cpu), 3),
        # CPU of everything involved (server, driver, every Chromium process) per upload
        "cpu_all_processes_median_s": round(statistics.median(c[2] for c in cpu), 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "screenshots": [str(SHOTS.relative_to(ROOT) / s) for s in shots],
        "large_run": large,
    }
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
