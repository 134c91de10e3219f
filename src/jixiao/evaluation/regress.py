"""The committed metric floor (eval/baseline.json): compare a run with it, or rewrite it.

The file holds, per engine, the flat metrics of ``jixiao eval`` on the bundled fixtures.
A metric that falls below its committed value (beyond ``TOLERANCE``) is a regression; a
metric the file has but the run lacks (a module that stopped importing) is one too.
Metrics the file does not list are new and ignored until the file is rewritten, which is
done on purpose only (``python eval/update_baseline.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import InputError

TOLERANCE = 1e-4


@dataclass
class Drop:
    metric: str
    committed: float
    now: float | None

    def __str__(self) -> str:
        now = "缺失 (missing)" if self.now is None else f"{self.now:.4f}"
        return f"{self.metric}: {self.committed:.4f} -> {now}"


def load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: 无法读取基准指标文件 ({e})") from e
    if not isinstance(data, dict) or not isinstance(data.get("engines"), dict):
        raise InputError(f"{path}: 基准指标文件缺少 'engines' (not a metrics baseline)")
    return data


def committed(path: Path, engine: str) -> dict[str, float]:
    return {k: float(v) for k, v in load(path)["engines"].get(engine, {}).items()}


def drops(floor: dict[str, float], now: dict[str, float], tolerance: float = TOLERANCE) -> list[Drop]:
    out: list[Drop] = []
    for k, v in sorted(floor.items()):
        got = now.get(k)
        if got is None or got < v - tolerance:
            out.append(Drop(k, v, got))
    return out


def write(path: Path, engine: str, metrics: dict[str, float], fixtures: list[str], pairs: list[str]) -> None:
    data: dict[str, Any] = {"engines": {}}
    if path.is_file():
        data = load(path)
    data["about"] = (
        "Metric floor of `jixiao eval` on the bundled fixtures; tests/test_eval_baseline.py fails when a "
        "metric drops below it. Rewrite on purpose only: python eval/update_baseline.py (see docs/eval.md)."
    )
    data["updated"] = date.today().isoformat()
    data["fixtures"] = fixtures
    data["pairs"] = pairs
    data["engines"][engine] = dict(sorted(metrics.items()))
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
