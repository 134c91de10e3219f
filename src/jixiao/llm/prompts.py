"""Prompts are data: files under ``prompts/`` rendered by pure functions.

The report goes into the user message only, between ``<report>`` and ``</report>``, each line
prefixed with its source line number ``[L17]``; the system prompt says everything between the
tags is data. A report that itself contains the delimiter cannot close the block early:
``neutralise`` defuses it.

The version sent with every request and stored with every result is ``<manifest version>+<hash
of the prompt files>``, so editing a prompt without bumping the version still misses the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

from .. import framework
from ..errors import ConfigError

PROMPTS_ENV = "JIXIAO_PROMPTS"
KIND_LABELS = {
    "self_evaluation": "财政项目支出绩效自评表",
    "target_declaration": "财政项目支出绩效目标申报表",
    "unknown": "绩效表单",
}
_DELIMITER = re.compile(r"<\s*(/?)\s*report", re.IGNORECASE)

Lines = list[tuple[int, str]]


@dataclass(frozen=True)
class Example:
    source: str
    lines: Lines
    output: dict[str, Any]


@dataclass(frozen=True)
class PromptSet:
    version: str
    system: str
    user: str
    kinds: dict[str, str]
    examples: dict[str, Example]
    directory: Path


def prompts_dir() -> Path:
    """``$JIXIAO_PROMPTS``, else ``prompts/`` of the source tree, else one shipped in the package."""
    env = os.environ.get(PROMPTS_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "prompts", here.parent / "prompts"):
        if (candidate / "manifest.toml").is_file():
            return candidate
    raise ConfigError(
        f"找不到 LLM 提示词目录（prompts/manifest.toml），可用环境变量 {PROMPTS_ENV} 指定 (prompts not found)"
    )


def load(directory: Path | None = None) -> PromptSet:
    """The prompt set of ``directory`` (default ``prompts_dir()``), re-read when a file changes."""
    d = directory or prompts_dir()
    try:
        stamp = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in d.rglob("*") if p.is_file()))
    except OSError:
        stamp = ()
    return _load(d, stamp)


@lru_cache(maxsize=8)
def _load(d: Path, stamp: tuple[tuple[str, int, int], ...]) -> PromptSet:
    try:
        manifest = tomllib.loads((d / "manifest.toml").read_text(encoding="utf-8"))
        files = [manifest["system"], manifest["user"], *manifest["kinds"].values(), *manifest["examples"].values()]
        texts = {name: (d / name).read_text(encoding="utf-8") for name in files}
    except (OSError, KeyError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"LLM 提示词目录 {d} 不完整或无法读取：{e} (bad prompts directory)") from e
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    examples = {}
    for kind, name in manifest["examples"].items():
        data = json.loads(texts[name])
        examples[kind] = Example(data["source"], [(int(n), str(t)) for n, t in data["lines"]], data["output"])
    return PromptSet(
        version=f"{manifest['version']}+{digest.hexdigest()[:8]}",
        system=texts[manifest["system"]],
        user=texts[manifest["user"]],
        kinds={k: texts[v] for k, v in manifest["kinds"].items()},
        examples=examples,
        directory=d,
    )


def neutralise(text: str) -> str:
    """A report line cannot open or close the report block ('</report>' -> '‹/report>')."""
    return _DELIMITER.sub(lambda m: "‹" + m.group(1) + "report", text)


def render_lines(lines: Lines) -> str:
    """'[L17] cell\\tcell' per line: the line number the model must give back."""
    return "\n".join(f"[L{no}] {neutralise(text.rstrip())}" for no, text in lines)


def render_report(ps: PromptSet, lines: Lines) -> str:
    first, last = (lines[0][0], lines[-1][0]) if lines else (0, 0)
    return Template(ps.user).substitute(first=first, last=last, report=render_lines(lines)).rstrip("\n")


def system_message(ps: PromptSet, kind: str | None) -> str:
    k = kind if kind in ps.kinds else "unknown"
    example = ps.examples.get(k) or ps.examples["self_evaluation"]
    level2 = [n for children in framework.LEVEL1.values() for n in children]
    return (
        Template(ps.system)
        .substitute(
            version=ps.version,
            kind_label=KIND_LABELS.get(k, KIND_LABELS["unknown"]),
            kind_rules=ps.kinds[k].strip(),
            level1="、".join(framework.LEVEL1),
            level2="、".join(dict.fromkeys(level2)),
            example_input=render_report(ps, example.lines),
            example_output=json.dumps(example.output, ensure_ascii=False, separators=(",", ":")),
        )
        .rstrip("\n")
    )


ROLE_LABELS = {
    "l1": "一级指标", "l2": "二级指标", "name": "三级指标", "target": "指标值（→ target）",
    "actual": "实际完成值（→ actual）", "weight": "分值（→ weight）", "score": "得分/自评分（→ score）",
    "review": "复核分（不是 score）", "deviation": "偏差原因（→ deviation）",
    "nature": "指标性质（≥/≤/=/定性，并入 target）", "direction": "指标方向（正向 ≥ / 反向 ≤）",
    "unit": "度量单位（并入 target）", "midterm": "中长期指标值（不填）",
}  # fmt: skip


def template_hint(name: str | None, columns: list[str]) -> str:
    """What the rules engine knows of the form's template: its name and its table's columns."""
    if not name and not columns:
        return ""
    out = f"本表模板：{name or '未知模板'}。"
    if columns:
        out += "三级指标之后各列依次为：" + "、".join(ROLE_LABELS.get(c, c) for c in columns) + "。"
    return out


def messages(ps: PromptSet, kind: str | None, lines: Lines, hint: str = "") -> list[dict[str, str]]:
    """The chat messages for one form: instructions in the system message (with the template's
    columns when known), the report (data) alone in the user message."""
    system = system_message(ps, kind)
    if hint:
        system += "\n\n" + hint
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": render_report(ps, lines)},
    ]
