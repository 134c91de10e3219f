"""The results page says how each form was read: layout, confidence, 不完整, the lines no
reader could place, and the notes of a document that holds no project form.

Through FastAPI's TestClient on the real rules engine and checks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import FIXTURES, SEEDS
from jixiao.render import LAYOUT_LABEL
from jixiao.web import WebSettings, create_app
from jixiao.web.views import MAX_UNREAD_LINES

LAYOUTS = FIXTURES / "layouts"
STRAY = "扫描噪声 <b>qwzx</b> ###\t%%%"  # markup too: the page must show it, not obey it


def stray_form_text() -> str:
    """The first self-evaluation of seed 000 (tab-separated) with a nonsense line in its
    header part, at line 8: the one line of the form no reader can place."""
    lines = SEEDS[0].read_text(encoding="utf-8").split("\n")[:37]
    lines.insert(7, STRAY)
    return "\n".join(lines)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(WebSettings(data_dir=tmp_path / "data"))) as c:
        yield c


def results_page(client: TestClient, text: str) -> str:
    r = client.post("/analyse", data={"text": text})
    assert r.status_code == 200, r.text
    assert re.search(r"/runs/[A-Za-z0-9_-]+$", str(r.url))
    return r.text


def block(page: str, cls: str) -> str:
    m = re.search(rf'<div class="{cls}"[^>]*>(.*?)</div>', page, re.S)
    assert m, f"the page has a {cls} block"
    return m.group(1)


def test_unread_line_layout_and_confidence_on_the_form(client: TestClient) -> None:
    page = results_page(client, stray_form_text())
    unread = block(page, "unread")
    assert "未读取的行" in unread and "共 1 行" in unread
    # the line number and the line, its cells joined, its markup escaped
    assert '<span class="ln">8</span>' in unread
    assert "扫描噪声 &lt;b&gt;qwzx&lt;/b&gt; ### │ %%%" in unread
    assert "<b>qwzx</b>" not in page
    # how the form was read: the CLI's layout label, the confidence in percent
    m = re.search(r'<span class="reading[^"]*"[^>]*>版式 (.+?) · 置信度 (\d+)%</span>', page)
    assert m and m.group(1) == LAYOUT_LABEL["tabs"] == "制表符"
    assert 90 <= int(m.group(2)) < 100  # one line of the form was not read
    assert "不完整" not in page  # the form is whole
    # the document's note, once, in the summary
    assert page.count("1 行未能读取") == 1 and 'id="doc-notes"' in page


def test_form_without_unread_lines_has_no_unread_block(client: TestClient) -> None:
    text = "\n".join(SEEDS[0].read_text(encoding="utf-8").split("\n")[:37])
    page = results_page(client, text)
    assert 'class="unread"' not in page and 'id="doc-notes"' not in page
    assert "版式 制表符 · 置信度 100%" in page


def test_cut_off_form_says_incomplete(client: TestClient) -> None:
    page = results_page(client, (LAYOUTS / "11_spaces_chongqing-approval.txt").read_text(encoding="utf-8"))
    assert re.search(r'<span class="incomplete"[^>]*>不完整</span>', page)
    assert f"版式 {LAYOUT_LABEL['spaces']}" in page


def test_many_unread_lines_are_counted_beyond_the_first(client: TestClient) -> None:
    lines = SEEDS[0].read_text(encoding="utf-8").split("\n")[:37]
    n = MAX_UNREAD_LINES + 5
    lines[7:7] = [f"乱码行{k:03d} ###" for k in range(n)]
    page = results_page(client, "\n".join(lines))
    unread = html.unescape(re.search(r'<div class="unread".*?</div>', page, re.S).group(0))  # type: ignore[union-attr]
    assert f"共 {n} 行" in unread
    assert unread.count("<li>") == MAX_UNREAD_LINES
    assert "乱码行000" in unread and f"乱码行{n - 1:03d}" not in unread
    assert "另有 5 行未读取" in unread


def test_note_only_document_shows_its_note_once(client: TestClient) -> None:
    """A 部门整体绩效目标表 holds no project form: the page says what it is, once, instead
    of an empty result or the no-form error."""
    page = results_page(client, (LAYOUTS / "14_cell-per-line_negative-zhengti.txt").read_text(encoding="utf-8"))
    notes = block(page, "notes")
    assert "部门整体绩效目标表" in notes
    assert page.count("部门整体绩效目标表") == 1
    assert "未找到任何绩效表单" not in page and "部分材料未能识别" not in page
    assert 'id="no-forms"' in page
    assert re.search(r'<b id="stat-forms">0</b>', page)


def test_note_only_document_beside_a_form(client: TestClient) -> None:
    """Uploaded with a real form: that form is shown, the other file's note stays a note."""
    zhengti = LAYOUTS / "14_cell-per-line_negative-zhengti.txt"
    r = client.post(
        "/analyse",
        files=[("file", (SEEDS[0].name, SEEDS[0].read_bytes())), ("file", (zhengti.name, zhengti.read_bytes()))],
    )
    assert r.status_code == 200, r.text
    page = r.text
    assert "法律咨询与服务" in page and 'id="no-forms"' not in page
    assert f"{zhengti.name}：该文档为部门整体绩效目标表" in block(page, "notes")
    assert page.count("部门整体绩效目标表") == 1 and "部分材料未能识别" not in page


def test_api_no_form_error_names_what_the_document_is(client: TestClient) -> None:
    """The strict API still refuses a document without a project form, and says why."""
    r = client.post(
        "/api/extract", data={"text": (LAYOUTS / "14_cell-per-line_negative-zhengti.txt").read_text("utf-8")}
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert "未找到任何绩效表单" in error and "部门整体绩效目标表" in error
