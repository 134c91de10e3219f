"""Time to the first screen of `jixiao review` (target at 10,000 forms: ≤ 2 s, re-opened
≤ 1 s), to the first form that can be decided, and to every finding.

    .venv/bin/python eval/bench_review.py [--forms 10000] [--files 1]

Generates clean forms with ``jixiao.evaluation.generate``, plants findings by copying
goals into completions (so the session has findings to show), writes them as text files,
and starts the review app headless. For each run it prints:

- ``first_screen`` / ``wall``: from app start to the first drawn screen. Read afresh, that
  is a preview of the first file (its first lines; ``forms_checked`` 0), before the files
  are read; re-opened, the first cached part with every finding of the run;
- ``decidable``: until the first form on screen can be decided (its checks have run);
- ``all_findings`` / ``all_wall``: until every form is read and checked and every finding
  (the declared/evaluated reconciliation too) is merged into the screen; ``findings`` then;
- ``pairs``: until the declared/evaluated side panel is ready; ``cached``: until the run is
  written to the cache (the next opening is a re-opening);
- the parts: ``extract`` (before the first screen), ``join``, ``reconcile`` (the panel).

``*_cpu`` is the CPU time of all threads until then, what the wall time would be on an
idle machine (the GIL serialises loader and UI), as the wall time grows with the load of a
shared machine (printed as ``load_average``; CPU time grows too, less). ``reopened`` opens
the same files again (documents, findings and pairs from the SQLite cache);
``session_only`` starts from ready documents and findings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from jixiao.evaluation.generate import generate_forms, render_text
from jixiao.models import Document


async def first_screen(files: list[str], db: Path, **kw: object) -> dict[str, float]:
    from jixiao.review import create_app

    app = create_app(files, db, **kw)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        while not app.ready and not app.error:
            await pilot.pause(0.01)
        wall = time.perf_counter() - t0
        assert app.state is not None and app.loaded is not None
        first = {
            "forms_checked": len(app.state.data.projects) - len(app.loaded.unchecked),
            "findings_first": len(app.state.data.findings),
        }
        while not app.complete and not app.error:
            await pilot.pause(0.01)
        all_wall = time.perf_counter() - t0
        while ("reconcile" not in app.timings or "cached" not in app.timings) and not app.error:
            await pilot.pause(0.01)
        pairs = time.perf_counter() - t0
        n_forms, n_findings = len(app.state.data.projects), len(app.state.data.findings)
        await pilot.press("q")
    out = {k: round(v, 3) for k, v in app.timings.items() if k != "start"}
    out.update(first)
    out.update(
        wall=round(wall, 3), all_wall=round(all_wall, 3), pairs=round(pairs, 3), forms=n_forms, findings=n_findings
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", type=int, default=1000)
    ap.add_argument("--files", type=int, default=1)
    args = ap.parse_args()
    forms = generate_forms(args.forms, seed=7)
    for i, f in enumerate(forms):  # every 5th self-evaluation copies its goal: a finding to show
        if f.kind == "self_evaluation" and i % 5 == 0:
            f.goal.actual = f.goal.expected
    with tempfile.TemporaryDirectory() as tmp:
        per = -(-len(forms) // args.files)
        files: list[str] = []
        for k in range(args.files):
            text, _ = render_text(forms[k * per : (k + 1) * per])
            p = Path(tmp) / f"forms_{k:03d}.txt"
            p.write_text(text, encoding="utf-8")
            files.append(str(p))
        cold = asyncio.run(first_screen(files, Path(tmp) / "a.sqlite"))
        again = asyncio.run(first_screen(files, Path(tmp) / "a.sqlite"))
        from jixiao.api import extract_path
        from jixiao.checks import run_checks

        docs: list[Document] = [extract_path(f) for f in files]
        findings = run_checks(docs)
        ui = asyncio.run(first_screen(files, Path(tmp) / "b.sqlite", documents=docs, findings=findings))
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(
        json.dumps(
            {"from_files": cold, "reopened": again, "session_only": ui, "load_average": load1},
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
