"""TAB-layout extraction against an earlier commit: the same generated text read by both.

    .venv/bin/python eval/bench_tab_ratio.py --rev 4aafe67            # CPU time, alternating runs
    .venv/bin/python eval/bench_tab_ratio.py --rev 4aafe67 --callgrind  # instructions (valgrind)

The earlier commit is checked out into a temporary git worktree; the text (``--forms``
generated forms in the seeds' layout with the seeds' layout traps, noise 0.3) is made once by
this checkout and read by both, so both do the same work. CPU time is the best of ``--repeat``
extractions per process; each round runs old, new, new, old (so a load that comes and goes
touches both alike) and gives the ratio of its two new to its two old times. ``ratio`` is the
median of the rounds' ratios; ``ratio_of_best`` compares the best run of each side, which one
lucky run can swing on a shared VM. Instruction counts (callgrind, the run minus a warm-up-only
run) do not depend on the load at all.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys, time, gc
from jixiao.intake import from_bytes
from jixiao.rules.engine import extract
data = open(sys.argv[1], "rb").read()
extract(from_bytes(data[: data.index(b"\\n", 20000)], "warm.txt"))
if sys.argv[2] == "cpu":
    src = from_bytes(data, "bench.txt")
    best = float("inf")
    for _ in range(int(sys.argv[3])):
        gc.collect()
        t = time.process_time()
        extract(src)
        best = min(best, time.process_time() - t)
    print(best)
elif sys.argv[2] == "full":
    extract(from_bytes(data, "bench.txt"))
"""


def _env(src: Path) -> dict[str, str]:
    site = next(Path(sys.prefix, "lib").glob("python3*/site-packages"))
    return {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{site}"}


def cpu_seconds(src: Path, text: Path, repeat: int) -> float:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(text), "cpu", str(repeat)],
        env=_env(src), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.strip())


def instructions(src: Path, text: Path) -> int:
    def run(mode: str) -> int:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", CHILD, str(text), mode],
            env=_env(src), capture_output=True, text=True, check=True,
        )  # fmt: skip
        m = re.search(r"Collected : (\d+)", out.stderr)
        assert m, out.stderr[-500:]
        return int(m.group(1))

    return run("full") - run("warm")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", required=True, help="the earlier commit")
    ap.add_argument("--forms", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--callgrind", action="store_true", help="count instructions instead (slow: use ~400 forms)")
    args = ap.parse_args()

    from jixiao.evaluation.generate import generate_forms, render_text

    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "forms.txt"
        text.write_text(render_text(generate_forms(args.forms, seed=0), noise=0.3, seed=0)[0], encoding="utf-8")
        old = Path(tmp) / "old"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(old), args.rev], check=True)
        try:
            new_src, old_src = ROOT / "src", old / "src"
            if args.callgrind:
                o, n = instructions(old_src, text), instructions(new_src, text)
                result = {"forms": args.forms, "old_Mi": o // 10**6, "new_Mi": n // 10**6, "ratio": round(n / o, 3)}
            else:
                olds, news, ratios = [], [], []
                for _ in range(args.rounds):  # ABBA
                    a = cpu_seconds(old_src, text, args.repeat)
                    b = cpu_seconds(new_src, text, args.repeat)
                    c = cpu_seconds(new_src, text, args.repeat)
                    d = cpu_seconds(old_src, text, args.repeat)
                    olds += [a, d]
                    news += [b, c]
                    ratios.append((b + c) / (a + d))
                o, n = statistics.median(olds), statistics.median(news)
                result = {
                    "forms": args.forms,
                    "old_forms_per_cpu_s": round(args.forms / o),
                    "new_forms_per_cpu_s": round(args.forms / n),
                    "ratio": round(statistics.median(ratios), 3),
                    "round_ratios": [round(r, 3) for r in ratios],
                    "ratio_of_best": round(min(news) / min(olds), 3),
                    "load": round(os.getloadavg()[0], 2),
                }
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)
    print(json.dumps({"rev": args.rev, **result}, ensure_ascii=False))


if __name__ == "__main__":
    main()
