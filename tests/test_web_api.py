"""The JSON API and the server-rendered pages, through FastAPI's TestClient (httpx).

Real core underneath (rules engine, checks, reconciler, SQLite decision store, xlsx export);
only the network is in-process.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import FIXTURES, SEEDS
from jixiao.api import extract_path, extract_text
from jixiao.checks import CheckConfig, run_checks
from jixiao.reconcile import reconcile
from jixiao.store import DecisionStore, decision_keys
from jixiao.web import Limits, WebSettings, create_app

SELF_EVAL = SEEDS[0]  # 000: Songjiang self-evaluations (6 forms)
DECLARATIONS = SEEDS[1]  # 001: Songjiang target declarations (19 forms)
PAIRS = FIXTURES / "pairs"


def first_form_text(seed: Path = SELF_EVAL) -> str:
    """The first self-evaluation of seed 000 (lines 1-37), on its own."""
    return "\n".join(seed.read_text(encoding="utf-8").split("\n")[:37])


def with_script_goal(text: str) -> str:
    """The goal cell of a report carrying markup, as a hostile document could."""
    return text.replace("重点加强对区级医保部门", "<script>alert('x')</script>重点加强对区级医保部门", 1)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data_dir: Path) -> TestClient:
    with TestClient(create_app(WebSettings(data_dir=data_dir))) as c:
        yield c


def upload(path: Path, name: str | None = None) -> tuple[str, tuple[str, bytes]]:
    return ("file", (name or path.name, path.read_bytes()))


def post_run(client: TestClient, **kwargs: object) -> str:
    """Submit the intake form, follow the redirect, answer the results page's HTML."""
    r = client.post("/analyse", **kwargs)  # type: ignore[arg-type]
    assert r.status_code == 200, r.text
    assert re.search(r"/runs/[A-Za-z0-9_-]+$", str(r.url))
    return r.text


def run_id_of(html: str) -> str:
    m = re.search(r'action="/runs/([A-Za-z0-9_-]+)/findings/0/decide"', html)
    assert m, "the results page has decision forms"
    return m.group(1)


# ------------------------------------------------------------------ the JSON API


def test_extract_text_answers_contract_document(client: TestClient) -> None:
    r = client.post("/api/extract", data={"text": first_form_text()})
    assert r.status_code == 200
    doc = r.json()
    assert doc["source"].startswith("粘贴文本-") and doc["engine"] == "rules"
    (form,) = doc["forms"]
    assert form["kind"] == "self_evaluation"
    assert form["project_name"] == "法律咨询与服务"
    assert form["funds"]["initial_budget"] == 35000
    assert form["indicators"][0]["target"] == {
        "raw": "=800.00(元/件)",
        "op": "=",
        "value": 800.0,
        "unit": "元/件",
        "text": None,
    }


def test_extract_several_files_answers_documents(client: TestClient) -> None:
    r = client.post("/api/extract", files=[upload(p) for p in SEEDS])
    assert r.status_code == 200
    docs = r.json()["documents"]
    assert [d["source"] for d in docs] == [p.name for p in SEEDS]
    assert [len(d["forms"]) for d in docs] == [6, 19]


def test_extract_reads_gb18030_upload(client: TestClient) -> None:
    data = first_form_text().encode("gb18030")
    r = client.post("/api/extract", files=[("file", ("gbk.txt", data))])
    assert r.status_code == 200
    assert r.json()["forms"][0]["project_name"] == "法律咨询与服务"


def test_check_matches_the_core(client: TestClient) -> None:
    """The API is the core: the same findings as run_checks on the same text."""
    text = SELF_EVAL.read_text(encoding="utf-8")
    r = client.post("/api/check", files=[upload(SELF_EVAL)])
    assert r.status_code == 200
    got = [(f["check"], f["project"], f["lines"], f["message"]) for f in r.json()["findings"]]
    core = run_checks([extract_text(text, SELF_EVAL.name)], CheckConfig.load())
    assert got == [(f.check, f.project, f.lines, f.message) for f in core]
    assert ("completion-copies-goal", "法律咨询与服务") in {(c, p) for c, p, _, _ in got}
    assert all(f["source"] == SELF_EVAL.name for f in r.json()["findings"])


def test_check_min_severity_filters(client: TestClient) -> None:
    every = client.post("/api/check", files=[upload(SELF_EVAL)]).json()["findings"]
    warnings = client.post("/api/check", files=[upload(SELF_EVAL)], data={"min_severity": "warning"}).json()
    assert {f["severity"] for f in warnings["findings"]} <= {"warning", "error"}
    assert len(warnings["findings"]) == sum(f["severity"] != "info" for f in every) < len(every)


def test_reconcile_file_against_text_matches_the_core(client: TestClient) -> None:
    declared = PAIRS / "01_qingpu_cdc.declared.txt"
    evaluated = PAIRS / "01_qingpu_cdc.evaluated.txt"
    r = client.post(
        "/api/reconcile",
        files={"declared": (declared.name, declared.read_bytes())},
        data={"evaluated": evaluated.read_text(encoding="utf-8")},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    d = extract_text(declared.read_text(encoding="utf-8"), declared.name)
    e = extract_text(evaluated.read_text(encoding="utf-8"), evaluated.name)
    core = reconcile(d.forms, e.forms).contract_json()
    assert body["projects"] == core["projects"]
    assert body["projects"], "the pair fixture has matching projects"
    assert {"matched", "changed", "dropped", "added"} >= {
        i["status"] for p in body["projects"] for i in p["indicators"]
    }
    assert body["declared_file"] == declared.name and body["evaluated_file"] == "自评文本"


def test_openapi_schema_describes_the_three_endpoints(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/extract", "/api/check", "/api/reconcile"):
        body = schema["paths"][path]["post"]["requestBody"]["content"]
        assert "multipart/form-data" in body
    props = {
        name: schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
        for name, ref in (
            (p, schema["paths"][p]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"])
            for p in ("/api/extract", "/api/reconcile")
        )
    }
    assert {"file", "text", "engine"} <= set(props["/api/extract"])
    assert {"declared", "evaluated"} <= set(props["/api/reconcile"])
    assert "422" in schema["paths"]["/api/check"]["post"]["responses"]


# ------------------------------------------------------------------ bad input: 4xx JSON, never a 500


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "x")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("kwargs", "status", "words"),
    [
        ({}, 400, "请上传文件或粘贴"),
        ({"data": {"text": "   \n  "}}, 400, "请上传文件或粘贴"),
        ({"data": {"text": "这不是一张绩效表，只是一句话。"}}, 422, "未找到任何绩效表单"),
        ({"files": [("file", ("a.bin", b"\x00\x01\x02binary" * 10))]}, 415, "不支持的文件类型"),
        ({"files": [("file", ("a.zip", _zip(["readme.txt"])))]}, 415, "不支持的文件类型"),
        ({"files": [("file", ("old.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 100))]}, 415, ".doc"),
        ({"files": [("file", ("empty.txt", b""))]}, 400, "为空"),
        ({"files": [("file", ("bad.txt", b"\xff\xfe\xfd" * 50))]}, 400, "编码"),
        ({"data": {"text": "x", "engine": "gpt"}}, 400, "未知引擎"),
        # broken files of every readable kind: the readers' one-line reasons, never a 500
        ({"files": [("file", ("a.pdf", b"%PDF-1.4\n garbage"))]}, 400, "损坏"),
        ({"files": [("file", ("a.png", b"\x89PNG\r\n\x1a\n" + bytes(100)))]}, 400, "损坏"),
        ({"files": [("file", ("a.jpg", b"\xff\xd8\xff" + b"\x01" * 100))]}, 400, "损坏"),
        ({"files": [("file", ("a.docx", _zip(["[Content_Types].xml", "word/document.xml"])))]}, 400, "损坏"),
        ({"files": [("file", ("a.xlsx", _zip(["[Content_Types].xml", "xl/workbook.xml"])))]}, 400, "损坏"),
    ],
)
def test_bad_input_answers_4xx_json(client: TestClient, kwargs: dict[str, object], status: int, words: str) -> None:
    r = client.post("/api/extract", **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status, r.text
    assert words in r.json()["error"]


def test_llm_engine_without_settings_says_what_to_set(client: TestClient) -> None:
    r = client.post("/api/check", data={"text": first_form_text(), "engine": "llm"})
    assert r.status_code == 400
    assert "JIXIAO_LLM_BASE_URL" in r.json()["error"]


def test_reconcile_needs_both_sides_and_both_kinds(client: TestClient) -> None:
    r = client.post("/api/reconcile", data={"declared": first_form_text()})
    assert r.status_code == 422 and "evaluated" in r.json()["error"]
    # two self-evaluations: no declaration on either side
    r = client.post("/api/reconcile", data={"declared": first_form_text(), "evaluated": first_form_text()})
    assert r.status_code == 422 and "申报" in r.json()["error"]


def test_size_and_count_limits(tmp_path: Path) -> None:
    limits = Limits(max_files=2, max_file_bytes=30_000, max_request_bytes=200_000, max_text_chars=5_000)
    with TestClient(create_app(WebSettings(data_dir=tmp_path / "d", limits=limits))) as c:
        small = first_form_text().encode()
        assert len(small) < 30_000
        r = c.post("/api/extract", files=[("file", (f"{i}.txt", small)) for i in range(3)])
        assert r.status_code == 413 and "文件过多" in r.json()["error"]
        r = c.post("/api/extract", files=[("file", ("big.txt", b"a" * 40_000))])
        assert r.status_code == 413 and "文件过大" in r.json()["error"]
        for chars in (6_000, 20_000):  # over our limit; over the form parser's too
            r = c.post("/api/extract", data={"text": "表" * chars})
            assert r.status_code == 413 and "过长" in r.json()["error"]
        r = c.post("/api/extract", files=[("file", ("huge.txt", b"a" * 300_000))])
        assert r.status_code == 413 and "error" in r.json()
        r = c.post("/analyse", files=[("file", ("huge.txt", b"a" * 300_000))], headers={"accept": "text/html"})
        assert r.status_code == 413 and "上传内容过大" in r.text

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\n'
            for _ in range(30):
                yield b"a" * 10_000

        r = c.post("/api/extract", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
        assert r.status_code == 413 and "上传内容过大" in r.json()["error"]


def test_unknown_routes_and_methods_answer_json_on_the_api(client: TestClient) -> None:
    r = client.get("/api/extract")
    assert r.status_code == 405 and "error" in r.json()
    r = client.get("/api/nothing")
    assert r.status_code == 404 and "error" in r.json()


# ------------------------------------------------------------------ pages, decisions, downloads


def test_paste_renders_findings_and_marks_copied_text(client: TestClient) -> None:
    html = post_run(client, data={"text": first_form_text()})
    assert "法律咨询与服务" in html
    assert 'data-check="completion-copies-goal"' in html
    assert '<mark class="copied"' in html
    assert re.search(r'class="flag flag-(warning|error|info)', html), "a highlighted cell"
    assert "实际完成情况照抄预期目标" in html


def test_report_text_is_escaped_everywhere(client: TestClient) -> None:
    html = post_run(
        client,
        files=[("file", ('<img src=x onerror="alert(1)">.txt', with_script_goal(first_form_text()).encode()))],
    )
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html
    # the only scripts on the page are our own file
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/static/app.js" defer>']


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_decide_then_download_xlsx(client: TestClient, data_dir: Path) -> None:
    html = post_run(client, files=[upload(SELF_EVAL)])
    run_id = run_id_of(html)
    n = html.count('<article class="finding ')
    assert n >= 2
    # the script path (fetch, JSON), with the fields the script adds
    r = client.post(
        f"/runs/{run_id}/findings/0/decide",
        data={"decision": "confirmed", "reason": "照抄目标", "note": "请单位重填"},
        headers={"accept": "application/json"},
    )
    assert r.status_code == 200
    answer = r.json()
    assert answer["decision"] == "confirmed" and answer["label"] == "确认问题" and answer["note"] == "请单位重填"
    key = answer["key"]
    # the no-script path: the buttons alone post and answer a redirect to the finding
    r = client.post(f"/runs/{run_id}/findings/1/decide", data={"decision": "dismissed"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/runs/{run_id}#f-1"
    page = client.get(f"/runs/{run_id}").text
    assert page.count("decided-confirmed") == 1 and page.count("decided-dismissed") == 1
    assert 'data-reason="照抄目标" data-note="请单位重填"' in page

    # the same SQLite store the terminal review opens
    with DecisionStore(data_dir / "decisions.jixiao.sqlite") as store:
        saved = store.all()
    assert saved[key].decision == "confirmed" and saved[key].note == "请单位重填"

    r = client.get(f"/runs/{run_id}/report.xlsx")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content))["问题清单"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    confirmed = [r for r in rows if r["审核结论"] == "确认问题"]  # the workbook shows no internal key
    assert len(confirmed) == 1 and confirmed[0]["备注"] == "请单位重填" and confirmed[0]["理由"] == "照抄目标"
    assert len(rows) == n
    assert sorted(r["审核结论"] or "" for r in rows)[-2:] == ["不是问题", "确认问题"]


def test_buttons_alone_keep_reason_and_note_and_empty_fields_clear_them(client: TestClient) -> None:
    run_id = run_id_of(post_run(client, data={"text": first_form_text()}))
    url = f"/runs/{run_id}/findings/0/decide"
    json_ = {"accept": "application/json"}
    client.post(url, data={"decision": "confirmed", "reason": "理由一", "note": "备注一"}, headers=json_)
    r = client.post(url, data={"decision": "dismissed"}, headers=json_).json()
    assert (r["decision"], r["reason"], r["note"]) == ("dismissed", "理由一", "备注一")
    r = client.post(url, data={"decision": "undo", "fields": "1", "reason": "", "note": ""}, headers=json_).json()
    assert (r["decision"], r["reason"], r["note"]) == (None, None, None)


def test_finding_page_has_the_fields(client: TestClient) -> None:
    run_id = run_id_of(post_run(client, data={"text": first_form_text()}))
    client.post(f"/runs/{run_id}/findings/0/decide", data={"decision": "confirmed", "note": "<b>备注</b>"})
    page = client.get(f"/runs/{run_id}/findings/0").text
    assert 'name="reason"' in page and 'name="note"' in page
    assert 'value="&lt;b&gt;备注&lt;/b&gt;"' in page
    assert f'href="/runs/{run_id}#f-0"' in page
    assert client.get(f"/runs/{run_id}/findings/999").status_code == 404


def test_terminal_decisions_show_on_the_page(client: TestClient, data_dir: Path) -> None:
    """A review started in the terminal (same store, same keys) is finished on the page."""
    # as `jixiao review fixtures/seeds/000_….txt --db …` sees it: the source is a path
    findings = run_checks([extract_path(str(SELF_EVAL))], CheckConfig.load())
    keys = decision_keys(findings)
    with DecisionStore(data_dir / "decisions.jixiao.sqlite") as store:
        store.record(findings[0], "dismissed", "模板如此", key=keys[0])
    page = post_run(client, files=[upload(SELF_EVAL)])
    assert page.count("decided-dismissed") == 1
    assert 'data-reason="模板如此"' in page and "理由：模板如此" in page


def test_decide_refuses_unknown_findings_and_runs(client: TestClient) -> None:
    run_id = run_id_of(post_run(client, data={"text": first_form_text()}))
    json_ = {"accept": "application/json"}
    r = client.post(f"/runs/{run_id}/findings/999/decide", data={"decision": "confirmed"}, headers=json_)
    assert r.status_code == 404 and "error" in r.json()
    r = client.post(f"/runs/{run_id}/findings/0/decide", data={"decision": "maybe"}, headers=json_)
    assert r.status_code == 422
    r = client.post(f"/runs/{run_id}/findings/x/decide", data={"decision": "confirmed"}, headers=json_)
    assert r.status_code == 422
    r = client.get("/runs/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert r.status_code == 404 and "找不到这次审核结果" in r.text
    r = client.get(f"/runs/{run_id}/report.exe")
    assert r.status_code == 404


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_other_downloads(client: TestClient, fmt: str) -> None:
    run_id = run_id_of(post_run(client, data={"text": with_script_goal(first_form_text())}))
    r = client.get(f"/runs/{run_id}/report.{fmt}")
    assert r.status_code == 200 and len(r.content) > 100
    if fmt == "html":
        assert b"<script>alert(" not in r.content


def test_reconcile_page_shows_pairs(client: TestClient) -> None:
    declared = PAIRS / "02_jiading_civil.declared.txt"
    evaluated = PAIRS / "02_jiading_civil.evaluated.txt"
    r = client.post(
        "/reconcile",
        files={
            "declared_file": (declared.name, declared.read_bytes()),
            "evaluated_file": (evaluated.name, evaluated.read_bytes()),
        },
    )
    assert r.status_code == 200, r.text
    assert 'id="reconcile"' in r.text and 'class="pair"' in r.text
    assert "申报与自评核对结果" in r.text
    assert re.search(r'class="status-badge status-(changed|dropped|added)">', r.text)


def test_reconcile_page_lists_unpaired_forms_each_with_its_own_link(client: TestClient) -> None:
    """The two seeds come from different units: nothing pairs, and every form says why."""
    r = client.post(
        "/reconcile",
        files={
            "declared_file": (DECLARATIONS.name, DECLARATIONS.read_bytes()),
            "evaluated_file": (SELF_EVAL.name, SELF_EVAL.read_bytes()),
        },
    )
    assert r.status_code == 200
    unpaired = r.text[r.text.index('class="unpaired"') :]
    links = re.findall(r'<li><a href="#(form-\d+-\d+)">', unpaired)
    assert len(links) == 25 and len(set(links)) == 25
    r = client.post("/reconcile", data={"declared_text": first_form_text()}, files={"evaluated_file": ("", b"")})
    assert r.status_code == 400 and "绩效自评表" in r.text


def test_one_file_with_both_kinds_on_both_sides_is_read_once(client: TestClient) -> None:
    both = (
        (PAIRS / "03_fengxian_env.declared.txt").read_text(encoding="utf-8")
        + "\n\n"
        + (PAIRS / "03_fengxian_env.evaluated.txt").read_text(encoding="utf-8")
    )
    upload_both = ("全部.txt", both.encode())
    r = client.post("/reconcile", files={"declared_file": upload_both, "evaluated_file": upload_both})
    assert r.status_code == 200, r.text
    assert 'class="pair"' in r.text
    assert "duplicate-form" not in r.text
    # same name, different content: both kept, told apart by name
    r = client.post(
        "/reconcile",
        files={
            "declared_file": ("报表.txt", (PAIRS / "03_fengxian_env.declared.txt").read_bytes()),
            "evaluated_file": ("报表.txt", (PAIRS / "03_fengxian_env.evaluated.txt").read_bytes()),
        },
    )
    assert r.status_code == 200 and "报表 (2).txt" in r.text and 'class="pair"' in r.text


def test_uploads_are_never_written_under_their_names(client: TestClient, data_dir: Path, tmp_path: Path) -> None:
    html = post_run(client, files=[("file", ("../../escape.txt", first_form_text().encode()))])
    assert "escape.txt" in html and "../" not in html
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert all(p.parts[0] == "data" for p in written), written
    assert not any("escape" in str(p) for p in written)
    for bad in ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "a" * 200):
        assert client.get(f"/runs/{bad}").status_code == 404


def test_lenient_page_skips_an_unreadable_file_with_a_warning(client: TestClient) -> None:
    html = post_run(client, files=[upload(SELF_EVAL), ("file", ("note.txt", "只是一句话。".encode()))])
    assert "部分材料未能识别" in html and "note.txt" in html
    assert "法律咨询与服务" in html


def test_page_status_says_whose_problem_it_is(client: TestClient) -> None:
    r = client.post("/analyse", files=[("file", ("a.txt", b"\xff\xfe\xfd" * 50))])
    assert r.status_code == 400 and "编码" in r.text
    r = client.post("/analyse", data={"text": "只是一句话。"})
    assert r.status_code == 422 and "未找到任何绩效表单" in r.text


def test_error_pages_are_pages(client: TestClient) -> None:
    r = client.post("/analyse", files=[("file", ("a.bin", b"\x00\x01" * 50))])
    assert r.status_code == 415
    assert r.headers["content-type"].startswith("text/html")
    assert 'id="error-message"' in r.text and "不支持的文件类型" in r.text


# ------------------------------------------------------------------ request guards


def test_host_and_origin_guards(tmp_path: Path) -> None:
    app = create_app(WebSettings(data_dir=tmp_path / "d", allowed_hosts=("127.0.0.1", "localhost")))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"host": "evil.example"}).status_code == 400
        text = {"text": first_form_text()}
        r = c.post("/api/extract", data=text, headers={"origin": "http://evil.example"})
        assert r.status_code == 403 and "其他网站" in r.json()["error"]
        assert c.post("/api/extract", data=text, headers={"origin": "null"}).status_code == 403
        assert c.post("/api/extract", data=text, headers={"origin": "http://127.0.0.1:8000"}).status_code == 200
        assert c.post("/api/extract", data=text).status_code == 200  # scripts send no Origin


# ------------------------------------------------------------------ other file types, and no 500 on anything


@pytest.mark.parametrize("ext", ["xlsx", "docx", "pdf"])
def test_office_and_pdf_uploads_are_read_by_content(client: TestClient, tmp_path: Path, ext: str) -> None:
    import filemaker

    writer = {"xlsx": filemaker.write_xlsx, "docx": filemaker.write_docx, "pdf": filemaker.write_pdf}[ext]
    path = writer(filemaker.seed_lines(SELF_EVAL.stem), tmp_path / f"seed.{ext}")
    # a misleading name: the type is taken from the content
    r = client.post("/api/extract", files=[("file", ("报表.txt", path.read_bytes()))])
    assert r.status_code == 200, r.text
    assert [f["project_name"] for f in r.json()["forms"]][:2] == ["法律咨询与服务", "网络信息系统运行与维护"]


def test_blank_image_is_a_400(client: TestClient) -> None:
    Image = pytest.importorskip("PIL.Image", reason="pillow comes with the 'ocr' extra")

    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buf, "PNG")
    r = client.post("/api/check", files=[("file", ("blank.png", buf.getvalue()))])
    assert r.status_code == 400 and "error" in r.json()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=300),
    text=st.text(max_size=200),
    engine=st.sampled_from(["rules", "", "llm", "../x"]),
    path=st.sampled_from(["/api/extract", "/api/check", "/analyse"]),
)
def test_no_input_makes_a_500(client: TestClient, data: bytes, text: str, engine: str, path: str) -> None:
    r = client.post(path, files=[("file", ("f", data))], data={"text": text, "engine": engine})
    assert r.status_code < 500, r.text
    r = client.post("/api/reconcile", data={"declared": text, "evaluated": text, "engine": engine})
    assert r.status_code < 500, r.text


def test_markup_in_any_model_field_is_escaped(client: TestClient) -> None:
    """Another engine may hand back markup in a goal, a name or a cell: the page escapes it."""
    from jixiao.models import Document, Finding, Form, Goal, Indicator, Value
    from jixiao.web.runs import Run, new_run_id

    evil = "<script>alert(1)</script>"
    form = Form(
        kind="self_evaluation",
        project_name=f"{evil}项目",
        department=evil,
        goal=Goal(expected=f"{evil}目标相同的文字内容", actual=f"{evil}目标相同的文字内容"),
        indicators=[Indicator(name=evil, target=Value(raw=evil, text=evil), deviation=evil, line=2)],
        lines=[1, 3],
    )
    finding = Finding(
        check="vague-actual", severity="warning", project=f"{evil}项目", message=evil, lines=[2], evidence=[evil]
    )
    run = Run(id=new_run_id(), created=0.0, documents=[Document(source="x.txt", forms=[form])], findings=[finding])
    client.app.state.ctx.runs.save(run)  # type: ignore[attr-defined]
    html = client.get(f"/runs/{run.id}").text
    assert "<script>alert(1)" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8
