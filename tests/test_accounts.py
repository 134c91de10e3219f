"""Accounts: users and passwords (argon2), the lockout, web sessions, batches assigned to
reviewers, the lead's sign-off; the team page's login, CSRF and access rules through
FastAPI's TestClient; ``jixiao user add`` and ``jixiao serve`` refusing to run unprotected.

Store-level tests take ``store_url``: SQLite and, with ``JIXIAO_TEST_PG_URL``, PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from conftest import SEEDS
from jixiao.errors import InputError
from jixiao.store import DecisionStore, decision_keys
from jixiao.store.accounts import MAX_FAILURES, Accounts, LoginRefused
from jixiao.store.schema import users, web_sessions
from jixiao.web import WebSettings, create_app
from jixiao.web.auth import COOKIE
from store_backends import store_url

__all__ = ["store_url"]  # a fixture, imported for pytest
PASSWORD = "correct horse 9"


# --------------------------------------------------------------------------- the store's accounts


def test_users_passwords_and_sessions(store_url: str) -> None:
    with DecisionStore(store_url) as store:
        acc = Accounts(store)
        acc.add_user("王审核", "reviewer", PASSWORD)
        acc.add_user("lead1", "lead", PASSWORD + "x")
        with pytest.raises(InputError, match="已存在"):
            acc.add_user("王审核", "lead", PASSWORD)
        for bad_name, role, pw in (("a b", "reviewer", PASSWORD), ("x", "boss", PASSWORD), ("y", "lead", "short")):
            with pytest.raises(InputError):
                acc.add_user(bad_name, role, pw)
        assert [(u.name, u.role) for u in acc.users()] == [("lead1", "lead"), ("王审核", "reviewer")]
        with store.reading() as conn:
            stored = conn.execute(users.select().where(users.c.name == "王审核")).first()
        assert stored is not None and stored.password_hash.startswith("$argon2id$") and PASSWORD not in str(stored)
        s = acc.login("王审核", PASSWORD)
        assert s.user.name == "王审核" and not s.user.is_lead and len(s.token) > 30 and len(s.csrf) > 30
        back = acc.session(s.token)
        assert back is not None and back.user == s.user and back.csrf == s.csrf
        with store.reading() as conn:  # only the token's hash is kept
            assert conn.execute(web_sessions.select().where(web_sessions.c.token_hash == s.token)).first() is None
        assert acc.session("forged") is None and acc.session(None) is None
        with pytest.raises(LoginRefused, match="用户名或密码不正确"):
            acc.login("nobody", PASSWORD)
        acc.logout(s.token)
        assert acc.session(s.token) is None
        s2 = acc.login("王审核", PASSWORD)
        with store.transaction() as conn:  # expired
            conn.execute(update(web_sessions).values(expires_at="2000-01-01T00:00:00+00:00"))
        assert acc.session(s2.token) is None


def test_lockout_after_five_failures(store_url: str) -> None:
    with DecisionStore(store_url) as store:
        acc = Accounts(store)
        acc.add_user("r1", "reviewer", PASSWORD)
        acc.login("r1", PASSWORD)
        for _ in range(MAX_FAILURES - 1):
            with pytest.raises(LoginRefused) as e:
                acc.login("r1", "wrong password")
            assert not e.value.locked
        acc.login("r1", PASSWORD)  # a success resets the count
        for _ in range(MAX_FAILURES):
            with pytest.raises(LoginRefused):
                acc.login("r1", "wrong password")
        with pytest.raises(LoginRefused, match="锁定") as e:
            acc.login("r1", PASSWORD)  # the right password, locked all the same
        assert e.value.locked
        with store.transaction() as conn:  # fifteen minutes later
            conn.execute(update(users).values(locked_until="2000-01-01T00:00:00+00:00"))
        assert acc.login("r1", PASSWORD).user.name == "r1"


def test_assignments_and_sign_off(store_url: str) -> None:
    with DecisionStore(store_url) as store:
        acc = Accounts(store)
        r1 = acc.add_user("r1", "reviewer", PASSWORD)
        r2 = acc.add_user("r2", "reviewer", PASSWORD)
        lead = acc.add_user("lead", "lead", PASSWORD)
        acc.assign("run-a", "r1", "lead")
        acc.assign("run-a", "r1", "lead")  # twice is once
        acc.assign("run-b", "r2", "lead")
        assert acc.assignments() == {"run-a": ["r1"], "run-b": ["r2"]}
        assert acc.may_see(r1, "run-a") and not acc.may_see(r1, "run-b") and acc.may_see(lead, "run-b")
        assert acc.runs_of("r2") == ["run-b"]
        acc.unassign("run-a", "r1")
        assert not acc.may_see(r1, "run-a")
        with pytest.raises(PermissionError):
            acc.sign_off("run-b", r2)
        signed = acc.sign_off("run-b", lead, "已复核")
        assert acc.signoff("run-b") == signed and signed.signed_by == "lead"
        assert acc.signoff("run-a") is None


# --------------------------------------------------------------------------- the team page


@pytest.fixture
def team(tmp_path: Path) -> Iterator[tuple[TestClient, Path]]:
    settings = WebSettings(data_dir=tmp_path / "data")
    app = create_app(settings, accounts=True)
    with DecisionStore(settings.decisions_path) as store:
        acc = Accounts(store)
        acc.add_user("r1", "reviewer", PASSWORD)
        acc.add_user("r2", "reviewer", PASSWORD)
        acc.add_user("lead", "lead", PASSWORD)
    with TestClient(app) as client:
        yield client, settings.decisions_path


def _login(client: TestClient, name: str) -> str:
    """Log in through the page; answers the session's CSRF token (from a page's meta tag)."""
    client.cookies.clear()
    r = client.post("/login", data={"name": name, "password": PASSWORD, "next": "/team"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/team", r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/" in cookie
    page = client.get("/team")
    m = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert m, page.text
    return m.group(1)


def _upload(client: TestClient, csrf: str) -> str:
    r = client.post(
        "/analyse",
        data={"csrf": csrf},
        files=[("file", (SEEDS[0].name, SEEDS[0].read_bytes()))],
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[1]


def test_every_page_and_api_needs_a_login(team: tuple[TestClient, Path]) -> None:
    client, _ = team
    for path in ("/", "/reconcile", "/docs", "/team", "/runs/abc", "/runs/abc/report.xlsx"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    for path in ("/api/check", "/api/extract", "/api/reconcile"):
        r = client.post(path, data={"text": "x"})
        assert r.status_code == 401 and "登录" in r.json()["error"], path
    r = client.post("/analyse", data={"text": "x"}, headers={"accept": "application/json"})
    assert r.status_code == 401
    assert client.get("/login").status_code == 200 and client.get("/static/app.css").status_code == 200
    r = client.post("/login", data={"name": "r1", "password": "wrong one"})
    assert r.status_code == 401 and "用户名或密码不正确" in r.text
    r = client.post(
        "/login", data={"name": "r1", "password": PASSWORD, "next": "//evil.example/x"}, follow_redirects=False
    )
    assert r.headers["location"] == "/", "never sent to another site after login"


def test_posts_need_the_sessions_csrf_token(team: tuple[TestClient, Path]) -> None:
    client, _ = team
    csrf = _login(client, "r1")
    r = client.post("/api/extract", data={"text": "x"})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    r = client.post("/api/extract", data={"text": "x", "csrf": "forged"})
    assert r.status_code == 403
    r = client.post("/api/extract", data={"text": SEEDS[0].read_text("utf-8"), "csrf": csrf})
    assert r.status_code == 200 and r.json()["forms"], "the form field, read again by the route"
    r = client.post(
        "/api/check", files=[("file", (SEEDS[0].name, SEEDS[0].read_bytes()))], headers={"x-csrf-token": csrf}
    )
    assert r.status_code == 200 and r.json()["findings"]
    other = _login(client, "r2")
    assert other != csrf
    r = client.post("/api/extract", data={"text": "x", "csrf": csrf})
    assert r.status_code == 403, "one session's token is no other's"


def test_reviewers_see_their_batches_and_decisions_are_signed(team: tuple[TestClient, Path]) -> None:
    client, db = team
    csrf = _login(client, "r1")
    run = _upload(client, csrf)
    page = client.get(f"/runs/{run}")
    assert page.status_code == 200 and "r1（审核人）" in page.text
    r = client.post(f"/runs/{run}/findings/0/decide", data={"decision": "confirmed", "csrf": csrf})
    assert r.status_code in (200, 303)
    # another reviewer: the batch is not theirs
    csrf2 = _login(client, "r2")
    for path in (f"/runs/{run}", f"/runs/{run}/findings/0", f"/runs/{run}/report.json"):
        assert client.get(path).status_code == 404, path
    r = client.post(f"/runs/{run}/findings/0/decide", data={"decision": "dismissed", "csrf": csrf2})
    assert r.status_code == 404
    assert run not in client.get("/team").text
    r = client.post("/team/assign", data={"run_id": run, "user": "r2", "csrf": csrf2})
    assert r.status_code == 403, "only a lead assigns"
    # the lead sees everything, assigns it to r2 and signs it off
    csrf_lead = _login(client, "lead")
    assert client.get(f"/runs/{run}").status_code == 200 and run in client.get("/team").text
    r = client.post("/team/assign", data={"run_id": run, "user": "r2", "csrf": csrf_lead}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"/runs/{run}/signoff", data={"csrf": csrf_lead}, follow_redirects=False)
    assert r.status_code == 303
    assert "已签发（lead" in client.get("/team").text
    _login(client, "r2")
    assert client.get(f"/runs/{run}").status_code == 200
    with DecisionStore(db) as store:
        (decided,) = [d for d in store.all().values() if d.decision]
        assert decided.decided_by == "r1" and store.history(key=decided.key)[-1]["by"] == "r1"
    assert decision_keys  # the key scheme is the store's, used by the page


def test_logout_ends_the_session(team: tuple[TestClient, Path]) -> None:
    client, _ = team
    csrf = _login(client, "r1")
    cookie = client.cookies.get(COOKIE)
    r = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set(COOKIE, cookie or "")
    assert client.get("/team", follow_redirects=False).status_code == 303, "the old cookie is dead"


def test_without_accounts_the_page_is_open_as_before(tmp_path: Path) -> None:
    with TestClient(create_app(WebSettings(data_dir=tmp_path / "d"))) as client:
        assert client.get("/").status_code == 200
        assert client.get("/team").status_code == 404


# --------------------------------------------------------------------------- the command line


def _jixiao(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "JIXIAO_DEBUG": "", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *args], input=stdin, capture_output=True, text=True, timeout=120, env=full
    )


def test_user_add_reads_the_password_from_a_pipe(tmp_path: Path) -> None:
    db = tmp_path / "team.sqlite"
    p = _jixiao("user", "add", "张三", "--role", "lead", "--db", str(db), stdin=PASSWORD + "\n")
    assert p.returncode == 0 and "已创建负责人 张三" in p.stderr, p.stderr
    assert PASSWORD not in p.stdout + p.stderr
    again = _jixiao("user", "add", "张三", "--role", "reviewer", "--db", str(db), stdin=PASSWORD + "\n")
    assert again.returncode == 2 and again.stderr.strip() == "错误：用户 张三 已存在"
    empty = _jixiao("user", "add", "李四", "--role", "reviewer", "--db", str(db), stdin="")
    assert empty.returncode == 2 and len(empty.stderr.strip().splitlines()) == 1 and "密码" in empty.stderr
    bad = _jixiao("user", "add", "李四", "--role", "boss", "--db", str(db), stdin=PASSWORD)
    assert bad.returncode == 2
    with DecisionStore(db) as store:
        assert Accounts(store).login("张三", PASSWORD).user.is_lead


def test_serve_refuses_an_open_address_without_accounts(tmp_path: Path) -> None:
    env = {"JIXIAO_HOME": str(tmp_path)}
    p = _jixiao("serve", "--host", "0.0.0.0", "--port", "1", env=env)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "127.0.0.1" in p.stderr, p.stderr
    p = _jixiao("serve", "--accounts", "--port", "1", env=env)
    assert p.returncode == 2 and "jixiao user add" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_conflict_and_audit_trail_on_the_page(team: tuple[TestClient, Path]) -> None:
    client, _ = team
    csrf_lead = _login(client, "lead")
    run = _upload(client, csrf_lead)
    for name in ("r1", "r2"):
        client.post("/team/assign", data={"run_id": run, "user": name, "csrf": csrf_lead})
    csrf1 = _login(client, "r1")
    client.post(f"/runs/{run}/findings/0/decide", data={"decision": "confirmed", "reason": "数值缺失", "csrf": csrf1})
    csrf2 = _login(client, "r2")
    page = client.get(f"/runs/{run}")
    assert "确认问题" in page.text, "r2 sees r1's decision before deciding"
    client.post(f"/runs/{run}/findings/0/decide", data={"decision": "dismissed", "reason": "口径不同", "csrf": csrf2})
    audit = client.get(f"/runs/{run}/audit")
    assert audit.status_code == 200
    text = audit.text
    assert "1 个问题的审核结论存在分歧" in text and "分歧" in text
    assert "r1：确认问题（理由：数值缺失）" in text and "r2：不是问题（理由：口径不同）" in text
    assert re.search(r"<td>r2</td><td>结论</td>\s*<td>确认问题</td>\s*<td>不是问题</td>", text), "from what to what"
