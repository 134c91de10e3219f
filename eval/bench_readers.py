"""Pages per second and accuracy of each file reader, on the seed forms.

Each seed document is written as .xlsx, .docx, a text-layer .pdf, a scanned .pdf (page
images, no text layer) and .png pages, by ``tests/filemaker.py``; every file is read back
through ``jixiao.api.extract_source`` and its indicator rows are scored against the gold
(matched on project + 一级指标 + 三级指标 name, as a multiset). "Pages" are the pages of
the rendered PDF, so the rates of all readers count the same content.

    .venv/bin/python eval/bench_readers.py                    # everything (OCR: minutes)
    .venv/bin/python eval/bench_readers.py --ocr-pages 3      # OCR on the first 3 pages only
    .venv/bin/python eval/bench_readers.py --no-ocr --format json

Needs the files and ocr extras, reportlab, and fonts-noto-cjk for the scanned pages.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import filemaker as fm  # noqa: E402
from jixiao.api import extract_source  # noqa: E402
from jixiao.intake import read_path  # noqa: E402

SEEDS = ("000_dca73c19af058bd9", "001_2ab7ec68b4388486")


CPU: dict[str, float] = {}  # CPU seconds of the last timed read, all threads (the machine may be shared)


def timed_read(path: Path, repeat: int) -> tuple[Any, float]:
    """The source of the best of ``repeat`` reads, and that read's wall-clock seconds."""
    best = float("inf")
    src = None
    for _ in range(repeat):
        t = time.perf_counter()
        c = time.process_time()
        src = read_path(str(path))
        wall = time.perf_counter() - t
        if wall < best:
            best = wall
            CPU["last"] = time.process_time() - c
    return src, best


def bench_seed(stem: str, tmp: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    lines = fm.seed_lines(stem)
    gold = fm.load_gold(stem)
    pages = fm.pages_of(lines)
    out: list[dict[str, Any]] = []
    text_doc = extract_source(read_path(str(fm.SEEDS / f"{stem}.txt")))
    s = fm.indicator_score(text_doc, gold)
    out.append(row(stem, "text", len(pages), None, s))
    for kind, writer in (("xlsx", fm.write_xlsx), ("docx", fm.write_docx), ("pdf", fm.write_pdf)):
        path = writer(lines, tmp / f"{stem}.{kind}")
        src, secs = timed_read(path, args.repeat)
        out.append(row(stem, kind, len(pages), secs, fm.indicator_score(extract_source(src), gold)))
    if args.no_ocr:
        return out
    n = len(pages) if args.ocr_pages is None else min(args.ocr_pages, len(pages))
    images = [fm.render_page(p, dpi=args.dpi, seed=k) for k, p in enumerate(pages[:n])]
    if args.skew:
        from PIL import Image

        images = [
            im.rotate(args.skew * (-1) ** k, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
            for k, im in enumerate(images)
        ]
    # all pages: the gold; some pages: what the text path reads from those pages
    ref = gold if n == len(pages) else fm.page_reference(stem, list(range(n)))
    scan = fm.write_scanned_pdf(images, tmp / f"{stem}.scan.pdf", dpi=args.dpi)
    src, secs = timed_read(scan, 1)
    out.append(row(stem, "scanned-pdf", n, secs, fm.indicator_score(extract_source(src), ref)))
    png = tmp / f"{stem}.p1.png"
    images[0].save(png)
    src, secs = timed_read(png, 1)
    out.append(
        row(stem, "png (page 1)", 1, secs, fm.indicator_score(extract_source(src), fm.page_reference(stem, [0])))
    )
    return out


def row(stem: str, kind: str, pages: int, secs: float | None, s: fm.Score) -> dict[str, Any]:
    return {
        "seed": stem,
        "reader": kind,
        "pages": pages,
        "seconds": None if secs is None else round(secs, 3),
        "cpu_seconds": None if secs is None else round(CPU.get("last", 0.0), 3),
        "pages_per_second": None if not secs else round(pages / secs, 2),
        "indicator_f1": round(s.f1, 4),
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "values_agree": round(s.values_agree, 4),  # matched rows whose target, weight and score are right
        "missing": ["/".join(k) for k in s.missing[:5]],
        "extra": ["/".join(k) for k in s.extra[:5]],
        "value_diffs": [f"{name}: gold {g} got {o}" for name, g, o in s.value_diffs[:8]],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", nargs="*", default=list(SEEDS))
    ap.add_argument("--ocr-pages", type=int, default=None, help="OCR only the first N pages of each seed")
    ap.add_argument("--no-ocr", action="store_true")
    ap.add_argument("--dpi", type=int, default=150, help="resolution of the rendered scans")
    ap.add_argument("--skew", type=float, default=0.0, help="tilt scanned pages by ±this many degrees")
    ap.add_argument("--repeat", type=int, default=3, help="reads per fast reader (best is kept)")
    ap.add_argument("--format", choices=("table", "json"), default="table")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as d:
        for stem in args.seeds:
            rows.extend(bench_seed(stem, Path(d), args))
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    print(
        f"{'seed':22} {'reader':14} {'pages':>5} {'s':>8} {'cpu s':>8} {'pages/s':>8} {'F1':>6} {'P':>6} {'R':>6} {'vals':>6}"
    )
    for r in rows:
        secs = "-" if r["seconds"] is None else f"{r['seconds']:.2f}"
        cpu = "-" if r["cpu_seconds"] is None else f"{r['cpu_seconds']:.2f}"
        pps = "-" if r["pages_per_second"] is None else f"{r['pages_per_second']:.2f}"
        print(
            f"{r['seed']:22} {r['reader']:14} {r['pages']:>5} {secs:>8} {cpu:>8} {pps:>8} "
            f"{r['indicator_f1']:>6.3f} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['values_agree']:>6.3f}"
        )
        for m in r["missing"]:
            print(f"{'':38}missing: {m}")
        for m in r["extra"]:
            print(f"{'':38}extra:   {m}")
        for m in r["value_diffs"]:
            print(f"{'':38}value:   {m}")


if __name__ == "__main__":
    main()
