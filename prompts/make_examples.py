"""Regenerate prompts/examples/*.json from the fixtures and their gold labels.

    .venv/bin/python prompts/make_examples.py

One whole form per kind: the source lines as printed (blank lines left out, as in a request)
and the answer the model should give, i.e. the gold form written back *as printed* (values
as raw cells, amounts in the unit the form prints). tests/test_llm_prompts.py checks that the
files still match the fixtures and the gold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jixiao.evaluation.metrics import HEADER_FIELDS
from jixiao.models import AMOUNT_FIELDS

ROOT = Path(__file__).resolve().parents[1]
# (kind, seed, form index in the gold file, funds unit printed on the form)
CHOICES = [
    ("self_evaluation", "000_dca73c19af058bd9", 1, "万元"),
    ("target_declaration", "001_2ab7ec68b4388486", 0, "元"),
]


def as_printed(form: dict[str, Any], unit: str) -> dict[str, Any]:
    scale = 10000 if unit == "万元" else 1
    funds: dict[str, Any] = {"unit": unit}
    for k, v in form["funds"].items():
        if v is None:
            continue
        funds[k] = round(v / scale, 2) if k in AMOUNT_FIELDS else v
    out: dict[str, Any] = {k: form[k] for k in HEADER_FIELDS if form.get(k) is not None}
    out["funds"] = funds
    out["goal"] = {k: v for k, v in form["goal"].items() if v is not None}
    out["indicators"] = []
    for ind in form["indicators"]:
        row = {"line": ind["line"], "level1": ind["level1"], "level2": ind["level2"], "name": ind["name"]}
        for k in ("target", "actual"):
            if ind.get(k):
                row[k] = ind[k]["raw"]
        for k in ("weight", "score", "deviation"):
            if ind.get(k) is not None:
                row[k] = ind[k]
        out["indicators"].append(row)
    for k in ("total_weight", "total_score", "grade"):
        if form.get(k) is not None:
            out[k] = form[k]
    if form["kind"] == "self_evaluation" and "total_weight" not in out:
        out["total_weight"] = 100.0
    return out


def dump(example: dict[str, Any]) -> str:
    """JSON with one source line per text line, so a diff shows which line changed."""
    rows = ",\n".join("  " + json.dumps(line, ensure_ascii=False) for line in example["lines"])
    output = json.dumps(example["output"], ensure_ascii=False, indent=1)
    return f'{{\n "source": {json.dumps(example["source"])},\n "lines": [\n{rows}\n ],\n "output": {output}\n}}\n'


def main() -> None:
    for kind, seed, index, unit in CHOICES:
        gold = json.loads((ROOT / "fixtures/gold" / f"{seed}.gold.json").read_text(encoding="utf-8"))
        form = gold["forms"][index]
        source = ROOT / "fixtures/seeds" / f"{seed}.txt"
        text = source.read_text(encoding="utf-8").split("\n")
        first, last = form["lines"]
        lines = [[no, text[no - 1].rstrip()] for no in range(first, last + 1) if text[no - 1].strip()]
        example = {"source": f"fixtures/seeds/{seed}.txt", "lines": lines, "output": as_printed(form, unit)}
        path = ROOT / "prompts/examples" / f"{kind}.json"
        path.write_text(dump(example), encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: lines {first}-{last}, {len(form['indicators'])} indicators")


if __name__ == "__main__":
    main()
