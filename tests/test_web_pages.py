"""The results page of a large run comes in pages; what the page says to a reviewer (no server
paths or commands, Chinese names, one message per problem); a refused form keeps its text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import SEEDS
from jixiao.api import extract_text
from jixiao.checks import run_checks
from jixiao.evaluation.generate import generate_forms, render_text
from jixiao.web import WebSettings, create_app
from jixiao.web.paging import MAX_FORMS
from jixiao.web.runs import Run, SourceText, new_run_id
from jixiao.zh import DECISION_LABEL, STATUS_LABEL, UNDECIDED_LABEL

FORMS = 1000
FIRST_PAGE_LIMIT = 500_000


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data_dir: Path) -> TestClient:
    with TestClient(create_app(WebSettings(data_dir=data_dir))) as c:
        yield c


@pytest.fixture(scope="module")
def large_run() -> Run:
    """1,000 generated forms as one upload would give them: extracted, checked, with source lines."""
    forms = generate_forms(FORMS, seed=7)
    for i, f in enumerate(forms):
        if f.kind == "self_evaluation" and i % 5 == 0:
            f.goal.actual = f.goal.expected
    text, _ = render_text(forms)
    doc = extract_text(text, "批量.txt")
    lines = text.split("\n")
    return Run(
        id=new_run_id(),
        created=0.0,
        documents=[doc],
        findings=run_checks([doc]),
        sources=[SourceText(name="批量.txt", lines=lines)],
    )


def _next(page: str) -> str | None:
    m = re.search(r'<a class="button secondary" rel="next" href="([^"]+)"', page)
    return html.unescape(m.group(1)) if m else None


def test_first_page_of_a_large_run_is_small_and_links_to_the_rest(client: TestClient, large_run: Run) -> None:
    client.app.state.ctx.runs.save(large_run)  # type: ignore[attr-defined]
    first = client.get(f"/runs/{large_run.id}")
    assert first.status_code == 200
    assert len(first.content) <= FIRST_PAGE_LIMIT
    assert _next(first.text) == f"/runs/{large_run.id}?page=2"
    # every form and every finding is on exactly one page, reached by following "next"
    forms: list[str] = []
    findings: list[int] = []
    page, pages = first.text, 0
    while True:
        pages += 1
        assert len(page.encode()) <= FIRST_PAGE_LIMIT
        forms += re.findall(r'<section class="card form [^"]*" id="(form-\d+-\d+)"', page)
        findings += [int(n) for n in re.findall(r'<article class="finding[^"]*" id="f-(\d+)"', page)]
        url = _next(page)
        if url is None:
            break
        page = client.get(url).text
    assert len(forms) == len(set(forms)) == FORMS
    assert sorted(findings) == list(range(len(large_run.findings))) and findings
    assert pages >= FORMS // MAX_FORMS
    assert f"第 {pages} / {pages} 页" in page and 'rel="prev"' in page


def test_a_decision_on_a_later_page_returns_to_that_page(client: TestClient, large_run: Run) -> None:
    client.app.state.ctx.runs.save(large_run)  # type: ignore[attr-defined]
    page2 = client.get(f"/runs/{large_run.id}?page=2").text
    pos = int(re.findall(r'id="f-(\d+)"', page2)[0])
    r = client.post(
        f"/runs/{large_run.id}/findings/{pos}/decide", data={"decision": "confirmed"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"/runs/{large_run.id}?page=2#f-{pos}"
    card = re.search(rf'id="f-{pos}".*?</article>', client.get(f"/runs/{large_run.id}?page=2").text, re.S)
    assert card and DECISION_LABEL["confirmed"] in card.group(0)
    own = client.get(f"/runs/{large_run.id}/findings/{pos}").text
    assert f'href="/runs/{large_run.id}?page=2#f-{pos}"' in own
    # a page past the end shows the last; a page that is not a number is refused in Chinese
    last = client.get(f"/runs/{large_run.id}?page=9999").text
    assert _next(last) is None and 'rel="prev"' in last
    bad = client.get(f"/runs/{large_run.id}?page=x")
    assert bad.status_code == 422 and "page" in bad.text


def test_small_run_is_one_page_without_a_page_list(client: TestClient) -> None:
    r = client.post("/analyse", files=[("file", (p.name, p.read_bytes())) for p in SEEDS])
    assert r.status_code == 200
    assert 'class="pager"' not in r.text and r.text.count('<section class="card form') == 25


def test_results_name_no_server_path_and_no_command(client: TestClient, data_dir: Path) -> None:
    page = client.post("/analyse", files=[("file", (SEEDS[0].name, SEEDS[0].read_bytes()))]).text
    assert str(data_dir) not in page and ".sqlite" not in page
    assert "jixiao review" not in page and "--db" not in page
    # and the words for decisions and the undecided are the review session's
    assert UNDECIDED_LABEL in page and DECISION_LABEL["confirmed"] in page


def test_menu_says_what_the_api_page_is(client: TestClient) -> None:
    for path in ("/", "/docs"):
        page = client.get(path).text
        assert '<a href="/docs">接口说明</a>' in page and "JSON 接口" not in page


def test_no_form_message_once(client: TestClient) -> None:
    files = [("file", (SEEDS[0].name, SEEDS[0].read_bytes())), ("file", ("a.txt", "随便写点什么".encode()))]
    page = client.post("/analyse", files=files).text
    assert page.count("未找到任何绩效表单") == 1 and "a.txt: a.txt" not in page
    assert "未找到绩效自评表或绩效目标申报表" not in page
    r = client.post("/analyse", data={"text": "这不是一张绩效表，只是一句话。"})
    assert r.status_code == 422 and r.text.count("未找到") == 1


def test_a_refused_form_keeps_the_pasted_text(client: TestClient) -> None:
    text = "这不是一张绩效表 <b>只是</b> 一句话。\n第二行"
    r = client.post("/analyse", data={"text": text})
    assert r.status_code == 422
    area = re.search(r'<textarea id="text" name="text"[^>]*>(.*?)</textarea>', r.text, re.S)
    assert area and html.unescape(area.group(1)) == text
    assert 'id="error-message"' in r.text and "未找到任何绩效表单" in r.text
    assert "<b>只是</b>" not in r.text, "the text comes back escaped"
    # the reconcile form keeps both sides
    r = client.post("/reconcile", data={"declared_text": "申报的文字", "evaluated_text": ""})
    assert r.status_code == 400 and "请提供绩效自评表" in r.text
    assert re.search(r'<textarea id="declared_text" name="declared_text"[^>]*>申报的文字</textarea>', r.text)
    # a JSON asker still gets JSON
    r = client.post("/analyse", data={"text": "只是一句话。"}, headers={"accept": "application/json"})
    assert r.status_code == 422 and "未找到任何绩效表单" in r.json()["error"]


def test_reconcile_statuses_use_the_shared_words(client: TestClient) -> None:
    pairs = Path(__file__).resolve().parent.parent / "fixtures" / "pairs"
    r = client.post(
        "/reconcile",
        files=[
            ("declared_file", ("d.txt", (pairs / "02_jiading_civil.declared.txt").read_bytes())),
            ("evaluated_file", ("e.txt", (pairs / "02_jiading_civil.evaluated.txt").read_bytes())),
        ],
    )
    assert r.status_code == 200
    badges = set(re.findall(r'<span class="status-badge status-\w+">([^<]+?)(?: \d+)?</span>', r.text))
    assert badges and badges <= set(STATUS_LABEL.values())
