"""A team server in a real headless Chromium: a lead and a reviewer, each in their own
browser context, log in through the page; the lead uploads and assigns a batch, both decide
the same finding differently (a conflict, shown to both), the audit trail says who changed
what from what, and the lead signs the batch off. A batch not assigned to the reviewer stays
closed to them; a request without a login is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from conftest import SEEDS
from jixiao.store import DecisionStore
from jixiao.store.accounts import Accounts
from jixiao.store.schema import web_sessions
from jixiao.web import WebSettings, create_app
from test_web_e2e import CHROMIUM, CHROMIUM_ARGS, ThreadedServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]
PASSWORD = "team-pass-2026"


class TeamServer(ThreadedServer):
    def __init__(self, data_dir: Path) -> None:
        settings = WebSettings(data_dir=data_dir, allowed_hosts=("127.0.0.1", "localhost"))
        self.app = create_app(settings, accounts=True)
        with DecisionStore(settings.decisions_path) as store:
            accounts = Accounts(store)
            accounts.add_user("组长", "lead", PASSWORD)
            accounts.add_user("小王", "reviewer", PASSWORD)
        self.db = settings.decisions_path
        super().__init__(self.app)


@pytest.fixture
def team(tmp_path: Path) -> Iterator[TeamServer]:
    with TeamServer(tmp_path / "data") as server:
        yield server


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _page(browser: object, errors: list[str]):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    return context, pg


def _login(pg, url: str, name: str, then: str = "/team") -> None:  # type: ignore[no-untyped-def]
    pg.goto(url + then)
    assert "/login?next=" in pg.url, pg.url
    pg.fill("input[name=name]", name)
    pg.fill("input[name=password]", PASSWORD)
    pg.click("form.login-form button[type=submit]")
    pg.wait_for_url(url + then)


def _upload(pg, url: str, seed: Path) -> str:  # type: ignore[no-untyped-def]
    pg.goto(url + "/")
    pg.set_input_files("input[type=file]", str(seed))
    pg.locator("form[action='/analyse'] button[type=submit]").first.click()
    pg.wait_for_url("**/runs/*")
    m = re.search(r"/runs/([A-Za-z0-9_-]+)$", pg.url)
    assert m, pg.url
    return m.group(1)


def _decide(pg, url: str, run: str, button: str) -> None:  # type: ignore[no-untyped-def]
    pg.goto(f"{url}/runs/{run}")
    card = pg.locator("article.finding").first
    card.locator(f"button.{button}").click()
    card.locator("[data-saved]", has_text="已保存").wait_for()


def test_two_users_assign_decide_conflict_audit_sign_off(team: TeamServer, browser: object) -> None:
    errors: list[str] = []
    lead_ctx, lead = _page(browser, errors)
    rev_ctx, rev = _page(browser, errors)
    try:
        # nothing without a login: a page goes to the login page, the API answers 401
        rev.goto(team.url + "/")
        assert "/login?next=" in rev.url and rev.locator("form.login-form").count() == 1
        assert rev_ctx.request.post(team.url + "/api/check", multipart={"text": "x"}).status == 401
        rev.fill("input[name=name]", "小王")
        rev.fill("input[name=password]", "wrong password")
        rev.click("form.login-form button[type=submit]")
        assert "用户名或密码不正确" in rev.locator("#login-error").inner_text()

        _login(lead, team.url, "组长")
        run = _upload(lead, team.url, SEEDS[0])
        other = _upload(lead, team.url, SEEDS[1])
        lead.goto(team.url + "/team")
        row = lead.locator(f"tr[data-run='{run}']")
        row.locator("select[name=user]").select_option("小王")
        row.locator("button[value=assign]").click()
        lead.wait_for_url(team.url + "/team")
        assert "小王" in lead.locator(f"tr[data-run='{run}'] .reviewers").inner_text()

        _login(rev, team.url, "小王")
        assert rev.locator(f"tr[data-run='{run}']").count() == 1, "the assigned batch is listed"
        assert rev.locator(f"tr[data-run='{other}']").count() == 0, "the other one is not"
        assert rev_ctx.request.get(f"{team.url}/runs/{other}").status == 404, "nor can it be opened"
        _decide(rev, team.url, run, "confirm")

        # the lead sees the reviewer's decision, and decides otherwise: a conflict, not an overwrite
        lead.goto(f"{team.url}/runs/{run}")
        assert "确认问题" in lead.locator("article.finding").first.inner_text()
        _decide(lead, team.url, run, "dismiss")
        for pg in (rev, lead):
            pg.goto(f"{team.url}/runs/{run}/audit")
            text = pg.locator("section.audit").inner_text()
            assert "1 个问题的审核结论存在分歧" in text
            assert "小王：确认问题" in text and "组长：不是问题" in text
            trail = pg.locator("article.audit-finding.conflict table.changes tbody tr")
            cells = [trail.nth(i).locator("td").all_inner_texts()[1:] for i in range(trail.count())]
            assert ["小王", "结论", "（空）", "确认问题"] in cells and ["组长", "结论", "确认问题", "不是问题"] in cells

        # the reviewer's session ends mid-review: the decision is kept, they log in, it is saved
        with DecisionStore(team.db) as store, store.transaction() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.user_name == "小王"))
        rev.goto(f"{team.url}/runs/{run}")  # still the page from before? no: a new login first
        assert "/login?next=" in rev.url
        _login(rev, team.url, "小王", then=f"/runs/{run}")
        with DecisionStore(team.db) as store, store.transaction() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.user_name == "小王"))
        second = rev.locator("article.finding").nth(1)
        key = second.get_attribute("id")
        second.locator("button.dismiss").click()
        rev.wait_for_url("**/login?next=*")
        rev.fill("input[name=name]", "小王")
        rev.fill("input[name=password]", PASSWORD)
        rev.click("form.login-form button[type=submit]")
        rev.wait_for_url(f"**/runs/{run}*")
        rev.locator(f"#{key}.decided-dismissed").wait_for()
        with DecisionStore(team.db) as store:
            mine = [d for d in store.all().values() if d.decided_by == "小王"]
        assert [d.decision for d in mine] == ["dismissed"], "the decision made as the session ended was saved"

        lead.goto(team.url + "/team")
        lead.locator(f"tr[data-run='{run}'] .signoff button").click()
        lead.wait_for_url(team.url + "/team")
        assert "已签发（组长" in lead.locator(f"tr[data-run='{run}'] .signoff").inner_text()
        rev.goto(team.url + "/team")
        assert "已签发（组长" in rev.locator(f"tr[data-run='{run}'] .signoff").inner_text()
        assert rev.locator(f"tr[data-run='{run}'] .signoff button").count() == 0, "a reviewer cannot sign off"
        # logged out: the page is closed again
        rev.locator("form.account button").click()
        rev.wait_for_url("**/login")
        rev.goto(f"{team.url}/runs/{run}")
        assert "/login?next=" in rev.url
    finally:
        lead_ctx.close()
        rev_ctx.close()
    assert not errors, errors
    with DecisionStore(team.db) as store:
        decided = {d.decided_by: d for d in store.all().values() if d.decision}
        assert (decided["组长"].decision, decided["组长"].conflict) == ("dismissed", True)
