"""The command line on a reviewer's batch: ``jixiao extract`` and ``jixiao check`` run as a
user runs them, on a folder of generated forms (and on a zip of it), at growing sizes.

    .venv/bin/python eval/bench_cli.py                          # 5k / 40k / 100k forms
    .venv/bin/python eval/bench_cli.py --sizes 2000,8000 --jobs-n 4000 --check-max 8000
    .venv/bin/python eval/bench_cli.py --format json

The batch: ``--per-file`` generated forms per text file (the generator of eval/bench.py's
extract stage, its layouts and traps at noise 0.3), 1,000 forms per subfolder; a size n is
the first n/1,000 subfolders named on the command line, so every size is read from the same
files. The 5k batch is also zipped and read as one .zip.

Each run is a fresh ``jixiao`` process; its CPU time is its own plus its worker processes'
(``getrusage``), its peak memory the largest resident set of one process (the main process's
VmHWM and the largest worker's ru_maxrss, shown apart). Printed: forms per CPU-second, peak RSS per form, the
growth exponent k = log(t2/t1)/log(n2/n1) of CPU time between sizes, ``--jobs 2`` against
``--jobs 1`` (wall time, and the speed-up the CPU times allow on two idle cores:
cpu(jobs 1) / max(cpu(jobs 2) / 2, cpu of the main process)), and the share of an extract
run spent writing JSON (measured in process on a sample: pydantic's serializer per document
against the extraction). Wall times mean little on a loaded machine; CPU times hold.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PER_FOLDER = 1000

# the jixiao command as installed, with its CPU and memory (own and its workers') written
# to $BENCH_RUSAGE at exit
_WRAPPER = """
import atexit, json, os, resource, sys
def _usage():
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    # VmHWM, not ru_maxrss: the latter keeps the benchmark's own peak across fork and exec
    with open("/proc/self/status") as f:
        hwm = next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:"))
    with open(os.environ["BENCH_RUSAGE"], "w") as f:
        json.dump({"main_cpu": s.ru_utime + s.ru_stime, "workers_cpu": c.ru_utime + c.ru_stime,
                   "main_mb": hwm / 1024, "worker_mb": c.ru_maxrss / 1024}, f)
atexit.register(_usage)
sys.argv = ["jixiao", *sys.argv[1:]]
from jixiao.cli import run
run()
"""


def make_batch(root: Path, n: int, per_file: int) -> list[Path]:
    """n generated forms as text files, ``per_file`` forms each, PER_FOLDER forms a folder."""
    from jixiao.evaluation.generate import generate_forms, render_text

    folders = []
    for k in range(math.ceil(n / PER_FOLDER)):
        folder = root / f"单位{k:03d}"
        folders.append(folder)
        if folder.is_dir():
            continue
        tmp = root / f".tmp{k}"
        tmp.mkdir(parents=True, exist_ok=True)
        forms = generate_forms(PER_FOLDER, seed=k)
        for i in range(0, PER_FOLDER, per_file):
            text, _ = render_text(forms[i : i + per_file], noise=0.3, seed=k * PER_FOLDER + i)
            (tmp / f"表{i:04d}.txt").write_text(text, encoding="utf-8")
        tmp.rename(folder)
    return folders


def zip_folders(folders: list[Path], out: Path) -> Path:
    if not out.exists():
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for folder in folders:
                for p in sorted(folder.iterdir()):
                    zf.write(p, f"{folder.name}/{p.name}")
    return out


def run_cli(args: list[str], stdout: Any) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        usage_file = f.name
    env = {**os.environ, "BENCH_RUSAGE": usage_file, "PYTHONPATH": str(ROOT / "src")}
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", _WRAPPER, *args], stdout=stdout, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise SystemExit(f"jixiao {' '.join(args[:3])}… failed ({p.returncode}): {p.stderr.decode()[-2000:]}")
    usage = json.loads(Path(usage_file).read_text())
    os.unlink(usage_file)
    usage["cpu"] = usage["main_cpu"] + usage["workers_cpu"]
    usage["wall"] = wall
    return usage


def measure(stage: str, n: int, inputs: list[Path], jobs: int | None, out_dir: Path, keep: bool) -> dict[str, Any]:
    args = [stage, "--format", "json", *map(str, inputs)]
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    out_path = out_dir / f"{stage}-{n}-{jobs}.json"
    with open(out_path if keep else os.devnull, "wb") as out:
        u = run_cli(args, out)
    if keep and stage == "extract":
        data = json.loads(out_path.read_bytes())
        u["forms_read"] = sum(len(d["forms"]) for d in data.get("documents", [data]))
        out_path.unlink()
    peak = max(u["main_mb"], u["worker_mb"])
    return {
        "stage": stage,
        "input": inputs[0].suffix or "folder",
        "n": n,
        "jobs": jobs or "cores",
        "cpu_s": round(u["cpu"], 2),
        "main_cpu_s": round(u["main_cpu"], 2),
        "wall_s": round(u["wall"], 2),
        "forms_per_cpu_s": round(n / u["cpu"]),
        "main_mb": round(u["main_mb"]),
        "worker_mb": round(u["worker_mb"]),
        "kb_per_form": round(peak * 1024 / n, 1),
        "kb_per_form_over_300mb": round(max(peak - 300, 0) * 1024 / n, 2),
        **({"forms_read": u["forms_read"]} if "forms_read" in u else {}),
    }


def json_share(folders: list[Path], sample_forms: int) -> dict[str, Any]:
    """In process, on a sample: CPU of writing each document's JSON against reading it."""
    from jixiao.api import extract_source
    from jixiao.batch import expand
    from jixiao.models import Document

    files = [p for f in folders for p in sorted(f.iterdir())]
    t_extract = t_json = 0.0
    forms = 0
    sink = io.BytesIO()
    for entry in expand([str(p) for p in files]):
        t0 = time.process_time()
        doc = extract_source(entry.read(), "rules")
        t1 = time.process_time()
        sink.write(Document.__pydantic_serializer__.to_json(doc, indent=2).replace(b"\n", b"\n    "))
        t_json += time.process_time() - t1
        t_extract += t1 - t0
        sink.seek(0)
        sink.truncate()
        forms += len(doc.forms)
        if forms >= sample_forms:
            break
    return {"sample_forms": forms, "json_share": round(t_json / (t_json + t_extract), 4)}


def growth(rows: list[dict[str, Any]]) -> None:
    """k between consecutive sizes of the same stage and jobs, on CPU time."""
    prev: dict[tuple[str, str, Any], dict[str, Any]] = {}
    for r in rows:
        key = (r["stage"], r["input"], r["jobs"])
        p = prev.get(key)
        if p and r["n"] > p["n"]:
            r["k"] = round(math.log(r["cpu_s"] / p["cpu_s"]) / math.log(r["n"] / p["n"]), 3)
        prev[key] = r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="5000,40000,100000", help="forms per batch, comma-separated")
    ap.add_argument("--per-file", type=int, default=5, help="forms per text file")
    ap.add_argument("--jobs-n", type=int, default=10000, help="batch size of the --jobs 1 vs 2 comparison (0: skip)")
    ap.add_argument("--check-max", type=int, default=100000, help="largest batch given to check")
    ap.add_argument("--workdir", type=Path, default=None, help="keep the generated batches here (reused)")
    ap.add_argument("--format", choices=["table", "json"], default="table")
    a = ap.parse_args()
    sizes = sorted(int(s) for s in a.sizes.split(","))
    work = a.workdir or Path(tempfile.mkdtemp(prefix="jixiao-bench-cli-"))
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    try:
        t0 = time.perf_counter()
        folders = make_batch(work / "batch", max([*sizes, a.jobs_n]), a.per_file)
        print(
            f"# batch of {max([*sizes, a.jobs_n])} forms made in {time.perf_counter() - t0:.0f} s: {work}",
            file=sys.stderr,
        )
        rows: list[dict[str, Any]] = []

        def step(stage: str, n: int, inputs: list[Path], jobs: int | None, keep: bool = False) -> None:
            r = measure(stage, n, inputs, jobs, work, keep)
            print(json.dumps(r, ensure_ascii=False), file=sys.stderr)
            rows.append(r)

        for i, n in enumerate(sizes):
            step("extract", n, folders[: n // PER_FOLDER], 1, keep=i == 0)
        if a.jobs_n:
            batch = folders[: a.jobs_n // PER_FOLDER]
            step("extract", a.jobs_n, batch, 1)
            step("extract", a.jobs_n, batch, 2)
        z = zip_folders(folders[: sizes[0] // PER_FOLDER], work / "batch.zip")
        step("extract", sizes[0], [z], 1, keep=True)
        for n in sizes:
            if n <= a.check_max:
                step("check", n, folders[: n // PER_FOLDER], None)
        growth(rows)
        share = json_share(folders, 2000)
        speed = _speedup(rows, a.jobs_n)
    finally:
        if a.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    if a.format == "json":
        print(json.dumps({"runs": rows, **share, **speed}, ensure_ascii=False, indent=2))
        return
    cols = [
        "stage",
        "input",
        "n",
        "jobs",
        "cpu_s",
        "main_cpu_s",
        "wall_s",
        "forms_per_cpu_s",
        "main_mb",
        "worker_mb",
        "kb_per_form",
        "kb_per_form_over_300mb",
        "k",
        "forms_read",
    ]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    print(f"\nJSON writing share of extract (sample of {share['sample_forms']} forms): {share['json_share']:.1%}")
    if speed:
        print(
            f"--jobs 2 vs --jobs 1 at {a.jobs_n} forms: wall {speed['wall_speedup']}×, "
            f"CPU-bound estimate on 2 idle cores {speed['cpu_speedup_estimate']}×"
        )


def _speedup(rows: list[dict[str, Any]], n: int) -> dict[str, Any]:
    one = next(
        (r for r in rows if r["stage"] == "extract" and r["n"] == n and r["jobs"] == 1 and r["input"] == "folder"), None
    )
    two = next((r for r in rows if r["stage"] == "extract" and r["n"] == n and r["jobs"] == 2), None)
    if not one or not two:
        return {}
    bound = max(two["cpu_s"] / 2, two["main_cpu_s"])
    return {
        "wall_speedup": round(one["wall_s"] / two["wall_s"], 2),
        "cpu_speedup_estimate": round(one["cpu_s"] / bound, 2),
    }


if __name__ == "__main__":
    main()
