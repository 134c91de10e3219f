"""End to end in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
paste a seed form and see its findings; upload the seed files, reconcile, record a decision,
download the xlsx and read it back; a hostile goal text shows as text.

The server is the real app under uvicorn on 127.0.0.1 and a free port, in a thread.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import FIXTURES, SEEDS
from jixiao.store import DecisionStore
from jixiao.web import WebSettings, create_app
from jixiao.zh import STATUS_LABEL

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
]

SELF_EVAL, DECLARATIONS = SEEDS  # 000: self-evaluations, 001: target declarations


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadedServer:
    """An app served by uvicorn in a thread on a free local port, for a ``with`` block."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class LiveServer(ThreadedServer):
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        super().__init__(create_app(WebSettings(data_dir=data_dir, allowed_hosts=("127.0.0.1", "localhost"))))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("web") / "data") as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Script errors and failed loads the page reported (a test expecting one clears it)."""
    return []


@pytest.fixture
def page(browser: object, console_errors: list[str]) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.on("pageerror", lambda e: console_errors.append(str(e)))
    pg.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    assert not console_errors, f"browser errors: {console_errors}"


def test_paste_a_seed_form_and_see_its_findings(live: LiveServer, page: object) -> None:
    pg = page  # type: ignore[assignment]
    text = "\n".join(SELF_EVAL.read_text(encoding="utf-8").split("\n")[:37])
    pg.goto(live.url + "/")
    pg.fill("#text", text)
    pg.click("#submit")
    pg.wait_for_url("**/runs/*")
    form = pg.locator("section.form").first
    assert "法律咨询与服务" in form.locator("h2").inner_text()
    copied = form.locator('article.finding[data-check="completion-copies-goal"]')
    assert copied.count() == 1
    assert "实际完成情况照抄预期目标" in copied.inner_text()
    # the copied text is marked in both goal boxes, and highlighted cells link to findings
    assert form.locator(".goal-expected mark.copied").count() >= 1
    assert form.locator(".goal-actual mark.copied").count() >= 1
    flagged = form.locator("table.indicators td.flag")
    assert flagged.count() >= 1
    ref = flagged.first.locator("a.ref").first
    target = ref.get_attribute("href")
    ref.click()
    assert pg.locator(f"{target}").is_visible()
    assert pg.evaluate("location.hash") == target


def test_a_script_in_a_goal_shows_as_text(live: LiveServer, page: object, tmp_path: Path) -> None:
    """The rules engine drops stray markup from the goal it reads, but the source lines shown
    as evidence keep it, and a run from any engine may carry it: it must read as text."""
    pg = page  # type: ignore[assignment]
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    text = "\n".join(SELF_EVAL.read_text(encoding="utf-8").split("\n")[:37])
    hostile = text.replace(
        "重点加强对区级医保部门", "<script>alert('xss')</script><b>粗体</b>重点加强对区级医保部门", 1
    )
    pg.goto(live.url + "/")
    pg.fill("#text", hostile)
    pg.click("#submit")
    pg.wait_for_url("**/runs/*")
    card = pg.locator('article.finding[data-check="completion-copies-goal"]')
    card.locator("details.source summary").click()
    source = card.locator("ol.evidence")
    assert "<script>alert('xss')</script><b>粗体</b>" in source.inner_text()
    assert source.locator("script, b").count() == 0

    # a stored run whose goal itself carries markup (as an LLM engine could return it)
    run_id = save_run_with_markup(live.data_dir)
    pg.goto(f"{live.url}/runs/{run_id}")
    goal = pg.locator("section.form .goal-expected .goal-text")
    assert goal.inner_text().startswith("<script>alert('goal')</script>")
    assert pg.locator("section.form h2").inner_text() == "<img src=x onerror=alert('name')>"
    assert pg.locator("section.form .goal script, section.form h2 img").count() == 0
    pg.wait_for_timeout(200)
    assert dialogs == []


def save_run_with_markup(data_dir: Path) -> str:
    from jixiao.models import Document, Form, Goal
    from jixiao.web.runs import Run, RunStore, new_run_id

    form = Form(
        kind="self_evaluation",
        project_name="<img src=x onerror=alert('name')>",
        goal=Goal(expected="<script>alert('goal')</script>目标", actual="<script>alert('goal')</script>目标"),
        lines=[1, 2],
    )
    run = Run(id=new_run_id(), created=0.0, documents=[Document(source="x.txt", forms=[form])])
    RunStore(data_dir / "runs").save(run)
    return run.id


def test_upload_reconcile_decide_and_download(live: LiveServer, page: object, tmp_path: Path) -> None:
    pg = page  # type: ignore[assignment]
    pg.goto(live.url + "/reconcile")
    pg.set_input_files("#declared_file", str(DECLARATIONS))
    pg.set_input_files("#evaluated_file", str(SELF_EVAL))
    pg.click("#submit")
    pg.wait_for_url("**/runs/*")
    assert "申报与自评核对结果" in pg.locator("h1").inner_text()
    section = pg.locator("#reconcile")
    assert section.is_visible()
    # the two seeds come from different units: every form is listed as unpaired, with why
    assert section.locator(".unpaired li").count() == 25
    assert pg.locator("section.form").count() == 25

    # decide on the first finding (saved in place by the page's script)
    undecided = int(pg.locator("#stat-undecided").inner_text())
    card = pg.locator("article.finding").first
    assert card.locator("input").count() == 0  # fields come on demand
    card.locator("a.note-link").click()
    card.locator('input[name="note"]').fill("请单位说明")
    card.locator("button.confirm").click()
    card.locator("[data-saved]", has_text="已保存").wait_for()
    assert card.locator("[data-status]").inner_text() == "确认问题"
    assert "decided-confirmed" in (card.get_attribute("class") or "")
    finding_id = card.get_attribute("id")
    assert pg.locator("#stat-confirmed").inner_text() == "1"
    assert int(pg.locator("#stat-undecided").inner_text()) == undecided - 1

    # it survives a reload, and it is in the shared SQLite store
    pg.reload()
    again = pg.locator(f"#{finding_id}")
    assert again.locator("[data-status]").inner_text() == "确认问题"
    assert again.locator("[data-note-text]").inner_text() == "备注：请单位说明"
    assert pg.locator("#stat-confirmed").inner_text() == "1"
    with DecisionStore(live.data_dir / "decisions.jixiao.sqlite") as store:
        assert [d.note for d in store.all().values() if d.decision == "confirmed"] == ["请单位说明"]

    # download the workbook and read it back
    with pg.expect_download() as info:
        pg.click("#download-xlsx")
    saved = tmp_path / "report.xlsx"
    info.value.save_as(saved)
    assert info.value.suggested_filename.endswith(".xlsx")
    ws = load_workbook(saved)["问题清单"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    decided = [r for r in rows if r["审核结论"]]
    assert len(decided) == 1 and decided[0]["审核结论"] == "确认问题" and decided[0]["备注"] == "请单位说明"
    assert len(rows) == pg.locator("article.finding").count()


def test_reconcile_pairs_show_indicator_changes(live: LiveServer, page: object) -> None:
    pg = page  # type: ignore[assignment]
    pg.goto(live.url + "/reconcile")
    pg.set_input_files("#declared_file", str(FIXTURES / "pairs" / "02_jiading_civil.declared.txt"))
    pg.fill("#evaluated_text", (FIXTURES / "pairs" / "02_jiading_civil.evaluated.txt").read_text(encoding="utf-8"))
    pg.click("#submit")
    pg.wait_for_url("**/runs/*")
    pairs = pg.locator("#reconcile .pair")
    assert pairs.count() >= 1
    statuses = set(pg.locator("#reconcile tbody .status-badge").all_inner_texts())
    assert statuses & {STATUS_LABEL["changed"], STATUS_LABEL["dropped"], STATUS_LABEL["added"]}
    # a pair links to its two forms
    link = pairs.first.locator("h3 a").first
    link.click()
    assert pg.locator(link.get_attribute("href") or "#none").is_visible()


def test_upload_both_seeds_to_first_result(live: LiveServer, page: object) -> None:
    """The issue's number (< 1 s on the dev machine) is measured by eval/web_latency.py;
    here only a loose bound, so a busy CI machine does not fail on timing alone."""
    pg = page  # type: ignore[assignment]
    pg.goto(live.url + "/")
    pg.set_input_files("#file", [str(p) for p in SEEDS])
    start = time.perf_counter()
    pg.click("#submit")
    pg.locator("section.form").first.wait_for()
    elapsed = time.perf_counter() - start
    assert pg.locator("section.form").count() == 25
    assert elapsed < float(os.environ.get("JIXIAO_WEB_MAX_SECONDS", "10"))


def test_unreadable_upload_gives_a_clear_error_page(
    live: LiveServer, page: object, tmp_path: Path, console_errors: list[str]
) -> None:
    pg = page  # type: ignore[assignment]
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    pg.goto(live.url + "/")
    pg.set_input_files("#file", str(bad))
    response_status: list[int] = []
    pg.on("response", lambda r: response_status.append(r.status) if r.url.endswith("/analyse") else None)
    pg.click("#submit")
    pg.locator("#error-message").wait_for()
    assert "不支持的文件类型" in pg.locator("#error-message").inner_text()
    assert response_status == [415]
    assert all("415" in e for e in console_errors)  # the browser logs the refused post
    console_errors.clear()


def test_page_works_without_javascript(browser: object, live: LiveServer) -> None:
    """Decisions are plain forms: with scripts off, a decision posts and the page comes back."""
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    pg = context.new_page()
    try:
        pg.goto(live.url + "/")
        pg.fill("#text", "\n".join(SELF_EVAL.read_text(encoding="utf-8").split("\n")[:37]))
        pg.click("#submit")
        pg.wait_for_url("**/runs/*")
        card = pg.locator("article.finding").last
        card_id = card.get_attribute("id")
        card.locator("button.dismiss").click()
        pg.wait_for_url(f"**#{card_id}")
        assert pg.locator(f"#{card_id} [data-status]").inner_text() == "不是问题"
        # a note without script: the link opens the finding's own page with the fields
        pg.locator(f"#{card_id} a.note-link").click()
        pg.fill('input[name="note"]', "无脚本备注")
        pg.click("button.confirm")
        pg.wait_for_url(f"**#{card_id}")
        assert pg.locator(f"#{card_id} [data-status]").inner_text() == "确认问题"
        assert pg.locator(f"#{card_id} [data-note-text]").inner_text() == "备注：无脚本备注"
    finally:
        context.close()
