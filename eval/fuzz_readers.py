"""The long fuzz run of every reader: mutated inputs of each kind through the intake and the
rules engine; prints per kind the runs, refusals, crashes and the slowest input, and writes
crashing and slowest inputs to eval/out/fuzz/.

    .venv/bin/python eval/fuzz_readers.py                      # 1,000,000 inputs per reader
    .venv/bin/python eval/fuzz_readers.py --runs 20000 --kinds text,html,pdf
    .venv/bin/python eval/fuzz_readers.py --seconds 600        # stop each kind after 10 minutes

A crash is any exception but jixiao's own one-line errors (``JixiaoError``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from jixiao.evaluation.fuzz import FuzzResult, fuzz_one, mutate, seeds

OUT = Path(__file__).resolve().parent / "out" / "fuzz"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1_000_000, help="inputs per reader")
    ap.add_argument("--seconds", type=float, default=None, help="stop each reader after this long")
    ap.add_argument("--kinds", default="", help="comma list (default: every reader installed)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    base = seeds()
    kinds = [k for k in (args.kinds.split(",") if args.kinds else sorted(base)) if k in base]
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"{'kind':8} {'runs':>9} {'refused':>9} {'crashes':>8} {'slowest s':>10}")
    failed = 0
    for kind in kinds:
        rng = random.Random(f"{args.seed}-{kind}")
        result = FuzzResult(kind)
        start = time.monotonic()
        data = base[kind]
        for n in range(args.runs):
            if args.seconds and time.monotonic() - start > args.seconds:
                break
            # mostly one mutation of the seed, sometimes a mutation of the last input (drift)
            data = mutate(base[kind] if n % 4 else data, rng)
            before = len(result.crashes)
            fuzz_one(data, result)
            if len(result.crashes) > before:
                (OUT / f"crash-{kind}-{n}.bin").write_bytes(data)
        (OUT / f"slowest-{kind}.bin").write_bytes(result.slowest_input)
        print(f"{kind:8} {result.runs:>9,} {result.refused:>9,} {len(result.crashes):>8} {result.slowest:>10.3f}")
        for c in result.crashes[:3]:
            print("   ", c.strip().splitlines()[-1])
        failed += len(result.crashes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
