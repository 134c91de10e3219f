"""Load test of a team server: ten reviewers deciding at once over a big store.

    PYTHONPATH=src .venv/bin/python eval/load_store.py [--url postgresql://…] [--forms 100000]
        [--decisions 100000] [--reviewers 10] [--rounds 10] [--json]

The store (PostgreSQL at ``--url``, in a schema of its own dropped afterwards; without it a
SQLite file) is first filled with ``--forms`` archived forms (the checks across years look
them up) and ``--decisions`` decisions of earlier batches. Then the real app runs under
uvicorn in a child process with accounts on, a lead uploads one batch per reviewer plus one
batch shared by all (so that reviewers decide the same findings at once: conflicts), and each
reviewer, in a thread of its own, logs in and does ``--rounds`` rounds of: the team page
(batch list), their batch's results page (finding list), the shared batch's page, and one
decision in each (confirm / dismiss / undo, at random), posted with the CSRF token.

Reported: p50 / p95 / max of each list page (wall clock, client side: on a shared machine
these include waiting for the CPU), decisions posted, and the check that nothing was lost or
doubled: every accepted post is one event by that reviewer, and each reviewer's last word on
each finding is what the store holds as their opinion (and the finding's decision is the
last word of whoever posted last).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from jixiao.evaluation.generate import generate_forms
from jixiao.store import DecisionStore
from jixiao.store.accounts import Accounts
from jixiao.store.schema import decisions, events, forms, opinions

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
PASSWORD = "load-test-pass"
SERVER = """
import sys, uvicorn
from pathlib import Path
from jixiao.web import WebSettings, create_app
db = sys.argv[3] or None
settings = WebSettings(data_dir=Path(sys.argv[1]), db_path=Path(db) if db else None)
uvicorn.run(create_app(settings, accounts=True), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fill(store: DecisionStore, n_forms: int, n_decisions: int) -> float:
    """Archived forms and earlier decisions, in bulk; answers the seconds it took."""
    t = time.perf_counter()
    templates = [zlib.compress(f.model_dump_json().encode(), 1) for f in generate_forms(200, seed=7)]
    now = "2026-01-01T00:00:00+00:00"
    batch: list[dict[str, Any]] = []
    with store.transaction() as conn:
        for i in range(n_forms):
            batch.append(
                {
                    "fingerprint": hashlib.sha1(f"load-{i}".encode()).hexdigest(),
                    "source": f"历年/{2015 + i % 10}/file-{i // 50}.txt",
                    "first_line": 1 + (i % 50) * 40,
                    "year": 2015 + i % 10,
                    "kind": "self_evaluation" if i % 2 else "target_declaration",
                    "project": f"项目{i}",
                    "project_key": f"项目{i % 20000}",
                    "unit_key": f"单位{i % 700}",
                    "amount": float(1000 + i),
                    "data": templates[i % len(templates)],
                    "added_at": now,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(forms), batch)
                batch = []
        if batch:
            conn.execute(insert(forms), batch)
        rows = [
            {
                "key": f"vague-actual|历年-{i // 40}.txt|项目{i}|self_evaluation|{i:012x}",
                "decision": "confirmed" if i % 3 else "dismissed",
                "decided_at": now,
                "decided_by": f"往年{i % 7}",
                "check_id": "vague-actual",
                "source": f"历年-{i // 40}.txt",
                "project": f"项目{i}",
                "kind": "self_evaluation",
                "severity": "warning",
                "message": "只写了达成指标",
                "lines": "[1]",
                "conflict": 0,
            }
            for i in range(n_decisions)
        ]
        for i in range(0, len(rows), 5000):
            conn.execute(insert(decisions), rows[i : i + 5000])
    return time.perf_counter() - t


class Reviewer(threading.Thread):
    def __init__(self, base: str, name: str, runs: list[str], rounds: int, seed: int) -> None:
        super().__init__(daemon=True)
        self.base, self.name, self.runs, self.rounds = base, name, runs, rounds
        self.rng = random.Random(seed)
        self.timings: dict[str, list[float]] = {"team": [], "batch": [], "shared": [], "decide": []}
        self.accepted = 0
        self.failed: list[str] = []
        self.last: dict[tuple[str, int], str] = {}  # (run, pos) -> my last word (undo: "")

    def run(self) -> None:
        try:
            self._review()
        except Exception as e:  # a server that fell over: counted, not a thread's traceback
            self.failed.append(f"{type(e).__name__}: {e}")

    def _review(self) -> None:
        with httpx.Client(base_url=self.base, timeout=120, follow_redirects=False) as c:
            r = c.post("/login", data={"name": self.name, "password": PASSWORD, "next": "/team"})
            assert r.status_code == 303, r.text
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/team").text).group(1)  # type: ignore[union-attr]
            counts = {run: len(re.findall(r'class="decide"', c.get(f"/runs/{run}").text)) for run in self.runs}
            for _ in range(self.rounds):
                self._timed(c, "team", "/team")
                for label, run in zip(("batch", "shared"), self.runs):
                    self._timed(c, label, f"/runs/{run}")
                    pos = self.rng.randrange(counts[run])
                    word = self.rng.choice(["confirmed", "dismissed", "undo"])
                    t = time.perf_counter()
                    r = c.post(
                        f"/runs/{run}/findings/{pos}/decide",
                        data={"decision": word, "csrf": csrf},
                        headers={"accept": "application/json"},
                    )
                    self.timings["decide"].append(time.perf_counter() - t)
                    if r.status_code == 200:
                        self.accepted += 1
                        self.last[(run, pos)] = "" if word == "undo" else word
                    else:
                        self.failed.append(f"{r.status_code} {r.text[:100]}")

    def _timed(self, c: httpx.Client, label: str, path: str) -> None:
        t = time.perf_counter()
        r = c.get(path)
        self.timings[label].append(time.perf_counter() - t)
        if r.status_code != 200:
            self.failed.append(f"GET {path}: {r.status_code}")


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=os.environ.get("JIXIAO_TEST_PG_URL"), help="PostgreSQL URL (default: SQLite)")
    ap.add_argument("--forms", type=int, default=100_000)
    ap.add_argument("--decisions", type=int, default=100_000)
    ap.add_argument("--reviewers", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="jixiao-load-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "JIXIAO_HOME": str(tmp / "home")}
    env.pop("JIXIAO_DATABASE_URL", None)
    schema = None
    db_arg = str(tmp / "team.sqlite")
    if args.url:
        import psycopg

        schema = f"load_{uuid.uuid4().hex[:10]}"
        admin = make_url(args.url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        target = make_url(args.url).update_query_dict({"options": f"-csearch_path={schema}"})
        env["JIXIAO_DATABASE_URL"] = target.render_as_string(hide_password=False)
        db_arg = ""
        store_at: str = env["JIXIAO_DATABASE_URL"]
    else:
        store_at = db_arg
    server = None
    try:
        with DecisionStore(store_at) as store:
            filled = fill(store, args.forms, args.decisions)
            accounts = Accounts(store)
            accounts.add_user("lead", "lead", PASSWORD)
            names = [f"reviewer{i}" for i in range(args.reviewers)]
            for name in names:
                accounts.add_user(name, "reviewer", PASSWORD)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(tmp / "data"), str(port), db_arg], env=env, stderr=subprocess.PIPE
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.2)
        # the lead uploads one batch per reviewer and one shared by all, and assigns them
        with httpx.Client(base_url=base, timeout=120) as lead:
            lead.post("/login", data={"name": "lead", "password": PASSWORD})
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', lead.get("/team").text).group(1)  # type: ignore[union-attr]
            batches = []
            for i in range(args.reviewers + 1):
                seed = SEEDS[i % len(SEEDS)]
                r = lead.post(
                    "/analyse",
                    data={"csrf": csrf},
                    files=[("file", (f"{i}-{seed.name}", seed.read_bytes()))],
                    follow_redirects=False,
                )
                batches.append(r.headers["location"].rsplit("/", 1)[1])
            shared = batches[-1]
            for name, own in zip(names, batches):
                for run in (own, shared):
                    lead.post("/team/assign", data={"run_id": run, "user": name, "csrf": csrf})
        cpu0 = _cpu(server.pid)
        t0 = time.perf_counter()
        crowd = [Reviewer(base, n, [own, shared], args.rounds, i) for i, (n, own) in enumerate(zip(names, batches))]
        for r in crowd:
            r.start()
        for r in crowd:
            r.join()
        wall = time.perf_counter() - t0
        server_cpu = _cpu(server.pid) - cpu0

        # nothing lost, nothing doubled
        with DecisionStore(store_at) as store, store.reading() as conn:
            by_user = Counter(
                u
                for (u,) in conn.execute(select(events.c.by).where(events.c.by.in_(names)))  # type: ignore[arg-type]
            )
            held = {
                (k, u): d for k, u, d in conn.execute(select(opinions.c.key, opinions.c.user_name, opinions.c.decision))
            }
        lost_or_doubled = {
            r.name: (r.accepted, by_user.get(r.name, 0)) for r in crowd if r.accepted != by_user.get(r.name, 0)
        }
        keys = _keys(tmp / "data" / "runs", crowd)
        wrong = 0
        for r in crowd:
            for (run, pos), word in r.last.items():
                stored = held.get((keys[(run, pos)], r.name), "")
                wrong += stored != word
        timings: dict[str, list[float]] = {}
        for r in crowd:
            for label, xs in r.timings.items():
                timings.setdefault(label, []).extend(xs)
        report = {
            "backend": "postgresql" if args.url else "sqlite",
            "forms": args.forms,
            "earlier_decisions": args.decisions,
            "fill_seconds": round(filled, 1),
            "reviewers": args.reviewers,
            "rounds": args.rounds,
            "wall_seconds": round(wall, 1),
            "server_cpu_seconds": round(server_cpu, 1),
            "decisions_posted": sum(r.accepted for r in crowd),
            "failed_requests": sum(len(r.failed) for r in crowd),
            "events_not_matching_posts": lost_or_doubled,
            "opinions_not_matching_last_word": wrong,
            "ms": {
                label: {
                    "n": len(xs),
                    "p50": round(statistics.median(xs) * 1000),
                    "p95": round(pct(xs, 0.95) * 1000),
                    "max": round(max(xs) * 1000),
                }
                for label, xs in timings.items()
            },
        }
        failures = [f for r in crowd for f in r.failed][:5]
        if failures:
            report["first_failures"] = failures
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        if schema is not None:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for k, v in report.items():
            print(f"{k}: {v}")
    ok = not report["events_not_matching_posts"] and not report["opinions_not_matching_last_word"]
    return 0 if ok and not report["failed_requests"] else 1


def _keys(runs_dir: Path, crowd: list[Reviewer]) -> dict[tuple[str, int], str]:
    """The decision key of each (run, position) decided, as the page numbers findings."""
    from jixiao.report.data import build
    from jixiao.web.runs import RunStore

    out: dict[tuple[str, int], str] = {}
    store = RunStore(runs_dir)
    for run_id in {run for r in crowd for run, _ in r.last}:
        run = store.load(run_id)
        assert run is not None, run_id
        rows = build(run.documents, run.findings, {}).findings
        for r in crowd:
            for rid, pos in r.last:
                if rid == run_id:
                    out[(rid, pos)] = rows[pos].key
    return out


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())
