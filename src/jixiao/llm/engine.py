"""The ``llm`` and ``hybrid`` engines: ``get(name)`` returns ``(Source) -> Document``.

The rules engine segments the document into forms first; each form's lines (with their line
numbers) go to the model in one request, several forms at once up to the configured
concurrency. Answers are validated (instructor re-asks), grounded in the form's own lines,
converted with the rules engine's parsers and cached. ``hybrid`` sends only the forms whose
rules reading fails its self-checks (``sanity``). A form the model cannot read is kept with the
reason, never dropped; when every form fails because the endpoint itself is wrong (no server,
bad key, unknown model) the ``llm`` engine raises ``ExtractionError`` (exit 2).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ..errors import ConfigError, ExtractionError
from ..intake import Source
from ..models import Document, Form, FormKind
from ..progress import Tracker, progress
from ..rules.engine import extract_segment, segments_of
from ..templates import by_id
from . import prompts, sanity
from . import settings as settings_mod
from .cache import Cache, cache_key
from .client import Asker, LLMFailure
from .convert import failed_form, to_form
from .grounding import Evidence, ground
from .injection import suspicious_lines
from .schema import FormOut
from .settings import Settings
from .usage import Budget, Usage, summary

T = TypeVar("T")
Lines = list[tuple[int, str]]


@dataclass
class Job:
    """One form for the model."""

    kind: FormKind | None  # from the form's title; None: the model decides
    lines: Lines  # (line number, source text) of the form's content lines
    year: int | None = None
    rules: Form | None = None  # the rules engine's reading of the same lines
    reasons: list[str] = field(default_factory=list)  # hybrid: why the rules reading was not kept
    hint: str = ""  # the template and its columns, as the rules engine recognised them

    @property
    def span(self) -> list[int]:
        return [self.lines[0][0], self.lines[-1][0]]


@dataclass
class Run:
    """What one process spends: the budget, and the total printed when the process ends."""

    budget: Budget
    documents: int = 0


_RUNS: dict[tuple[int | None, int | None], Run] = {}


def run_state(s: Settings) -> Run:
    k = (s.max_requests, s.max_tokens)
    if k not in _RUNS:
        _RUNS[k] = Run(Budget(s.max_requests, s.max_tokens))
    return _RUNS[k]


def reset_runs() -> None:
    """Forget the totals and the budget spent (a new run; used by tests)."""
    _RUNS.clear()


def get(name: str) -> Callable[[Source], Document]:
    if name not in ("llm", "hybrid"):
        raise ConfigError(f"未知引擎 {name!r} (unknown engine)")
    try:
        s = settings_mod.load()
    except ConfigError as e:
        if name == "hybrid" and str(e) == settings_mod.MISSING_ENDPOINT:
            return rules_only_hybrid  # no endpoint: the rules' reading, low-confidence forms listed
        raise
    return Extractor(s, prompts.load(), hybrid=name == "hybrid")


def rules_only_hybrid(source: Source) -> Document:
    """``--engine hybrid`` with no LLM endpoint: the rules engine's reading, each form marked
    as read by the rules, and the forms the LLM would have been asked about listed."""
    from ..rules.engine import extract

    doc = extract(source)
    doc.engine = "hybrid"
    threshold = settings_mod.Settings.hybrid_threshold
    low = []
    for form in doc.forms:
        form.engine = "rules"
        if form.confidence < threshold:
            low.append(f"{form.project_name or '（未识别项目）'}（第{form.lines[0]}行，置信度 {form.confidence:.0%}）")
    if low:
        doc.notes.append(
            f"未配置 LLM 服务，混合引擎只用规则引擎读取；以下 {len(low)} 张表置信度低于 {threshold:.0%}，"
            f"配置 LLM 后将交由 LLM 读取：" + "、".join(low)
        )
    return doc


class Extractor:
    def __init__(self, s: Settings, ps: prompts.PromptSet, *, hybrid: bool = False, report: bool = True) -> None:
        self.settings = s
        self.prompts = ps
        self.hybrid = hybrid
        self.report = report  # print the usage line on stderr after each document

    @property
    def name(self) -> str:
        return "hybrid" if self.hybrid else "llm"

    def __call__(self, source: Source) -> Document:
        doc = run_sync(lambda: self.extract(source))
        run = run_state(self.settings)
        run.documents += 1
        if self.report and doc.usage is not None:
            print(summary(f"LLM 用量（{source.name}）", _usage_from(doc.usage), self.settings), file=sys.stderr)
            if run.documents == 2:  # a run of several documents: one total when the process ends
                atexit.register(_print_total, self.settings)
        return doc

    async def extract(self, source: Source) -> Document:
        doc = Document(source=source.name, engine=self.name, warnings=list(source.warnings))
        doc.prompt_version = self.prompts.version
        slots: list[Form | Job] = self._plan(source, doc)
        jobs = [j for j in slots if isinstance(j, Job)]
        used = Usage()
        started = time.monotonic()
        results: list[Form | LLMFailure] = []
        if jobs:
            results = await self._run_jobs(jobs, used, doc)
        latency = time.monotonic() - started if jobs else 0.0
        done = iter(zip(jobs, results))
        fatal: list[str] = []
        for slot in slots:
            if isinstance(slot, Form):
                doc.forms.append(slot)
                continue
            job, result = next(done)
            if isinstance(result, LLMFailure):
                if result.fatal:
                    fatal.append(result.reason)
                failed = self._failed(job, result.reason, doc)
                if result.usage is not None:
                    failed.usage = _form_usage(result.usage)
                doc.forms.append(failed)
            else:
                doc.forms.append(result)
        if not self.hybrid and jobs and len(fatal) == len(jobs):
            raise ExtractionError(fatal[0])
        if not doc.forms:
            doc.warnings.append(f"{source.name}: 未找到绩效自评表或绩效目标申报表 (no form found)")
        usage = used.as_dict(self.settings)
        usage["latency_s"] = round(latency, 3)
        doc.usage = usage
        return doc

    def _plan(self, source: Source, doc: Document) -> list[Form | Job]:
        """Forms kept from the rules engine, and jobs for the model, in document order."""
        slots: list[Form | Job] = []
        segments = segments_of(source)
        for seg in segments:
            rules = extract_segment(seg, source.lines)
            if rules is None and seg.kind is None:
                continue  # nothing that looks like a form (the rules engine skips it too)
            nos = sorted({n for ln in seg.lines for n in ln.src if 0 < n <= len(source.lines)})
            lines = [(n, source.lines[n - 1]) for n in nos]  # every source line of the form's rows
            job = Job(seg.kind, lines, seg.year, rules)
            if self.hybrid and rules is not None:
                tpl = by_id(rules.template)
                job.hint = prompts.template_hint(tpl.name if tpl else None, tpl.columns[0] if tpl else [])
            if self.hybrid:
                job.reasons = sanity.reasons(rules)
                if rules is not None and rules.confidence < self.settings.hybrid_threshold:
                    job.reasons.insert(
                        0, f"规则引擎置信度 {rules.confidence:.0%}，低于 {self.settings.hybrid_threshold:.0%}"
                    )
                if not job.reasons and rules is not None:
                    rules.engine = "rules"
                    slots.append(rules)
                    continue
            slots.append(job)
        if not segments:
            # no title and no 项目名称 row: prose or an unknown layout; the whole text is one form
            lines = [(i, t) for i, t in enumerate(source.lines, start=1) if t.strip()]
            if lines:
                slots.append(Job(None, lines, reasons=["规则引擎未识别出表单结构"]))
        return slots

    async def _run_jobs(self, jobs: list[Job], used: Usage, doc: Document) -> list[Form | LLMFailure]:
        s = self.settings
        run = run_state(s)
        cache = None
        if s.cache:
            try:
                cache = Cache(s.cache)
            except (OSError, sqlite3.Error) as e:  # an unwritable home must not stop the run
                doc.warnings.append(f"LLM 缓存不可用（{s.cache}：{e}），本次不使用缓存")
        asker = Asker(s, self.prompts.version)
        gate = asyncio.Semaphore(s.concurrency)
        for job in jobs:
            for no in suspicious_lines(job.lines):
                text = dict(job.lines)[no].strip()
                doc.warnings.append(
                    f"{doc.source} 第 {no} 行疑似提示注入（“{text[:30]}”），已按普通数据处理，不作为抽取依据"
                )

        def done(bar: Tracker) -> None:
            bar.advance()
            bar.update(
                requests=used.requests,
                tokens=used.prompt_tokens + used.completion_tokens,
                cache_hits=used.cache_hits,
                **({"failed": used.failed} if used.failed else {}),
            )

        async def one(job: Job, bar: Tracker) -> Form | LLMFailure:
            mine = Usage(forms=1)
            try:
                form = await self._one(job, asker, cache, gate, [mine, used, run.budget.used])
            except LLMFailure as failure:
                for u in (mine, used, run.budget.used):
                    u.failed += 1
                failure.usage = mine
                done(bar)
                return failure
            form.usage = _form_usage(mine)
            done(bar)
            return form

        used.forms += len(jobs)
        run.budget.used.forms += len(jobs)
        try:
            with progress(f"LLM 读取 {doc.source}", total=len(jobs)) as bar:
                return list(await asyncio.gather(*(one(j, bar) for j in jobs)))
        finally:
            await asker.close()
            if cache:
                cache.close()

    async def _one(
        self, job: Job, asker: Asker, cache: Cache | None, gate: asyncio.Semaphore, usages: list[Usage]
    ) -> Form:
        s = self.settings
        messages = prompts.messages(self.prompts, job.kind, job.lines, job.hint)
        k = cache_key(s.model, self.prompts.version, s.mode, job.kind, job.hint + messages[-1]["content"])
        hit = cache.get(k) if cache else None
        out: FormOut
        if hit is not None:
            out = hit[0]
            for u in usages:
                u.cache_hits += 1
        else:
            async with gate:
                # checked inside the gate: forms waiting for a slot see what the others spent
                spent = run_state(s).budget.exhausted()
                if spent:
                    raise LLMFailure(spent)
                mine = usages[0]
                before = (mine.prompt_tokens, mine.completion_tokens)
                out = await asker.ask(messages, {"lines": [n for n, _ in job.lines], "kind": job.kind}, usages)
            if cache:
                cache.put(
                    k,
                    model=s.model,
                    prompt_version=self.prompts.version,
                    mode=s.mode,
                    answer=out,
                    prompt_tokens=mine.prompt_tokens - before[0],
                    completion_tokens=mine.completion_tokens - before[1],
                )
        ev = Evidence.build(job.lines, ignore=set(suspicious_lines(job.lines)))
        form = to_form(out, ground(out, ev), ev, kind=job.kind, lines=job.span, year=job.year)
        if job.reasons and self.hybrid:
            form.problems.insert(0, "规则引擎结果未通过自检，改用 LLM：" + "；".join(job.reasons))
        return form

    def _failed(self, job: Job, reason: str, doc: Document) -> Form:
        where = f"第 {job.span[0]}–{job.span[1]} 行"
        name = job.rules.project_name if job.rules and job.rules.project_name else "（未识别项目）"
        if self.hybrid and job.rules is not None:
            doc.warnings.append(f"{doc.source} {where}（{name}）：LLM 抽取失败，保留规则引擎结果：{reason}")
            problems = [*job.rules.problems, f"LLM 抽取失败，保留规则引擎结果：{reason}"]
            return job.rules.model_copy(update={"problems": problems})
        doc.warnings.append(f"{doc.source} {where}（{name}）：LLM 抽取失败：{reason}")
        kind: FormKind = job.kind or (job.rules.kind if job.rules else "self_evaluation")
        return failed_form(f"LLM 抽取失败：{reason}", kind=kind, lines=job.span, identity=job.rules)


def _print_total(s: Settings) -> None:
    run = _RUNS.get((s.max_requests, s.max_tokens))
    if run is not None and run.documents > 1:
        print(summary(f"LLM 用量（本次运行合计，{run.documents} 份文档）", run.budget.used, s), file=sys.stderr)


def _form_usage(u: Usage) -> dict[str, float]:
    return {
        "requests": u.requests,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "cache_hits": u.cache_hits,
    }


def _usage_from(d: dict[str, float]) -> Usage:
    return Usage(
        requests=int(d.get("requests", 0)),
        prompt_tokens=int(d.get("prompt_tokens", 0)),
        completion_tokens=int(d.get("completion_tokens", 0)),
        cache_hits=int(d.get("cache_hits", 0)),
        forms=int(d.get("forms", 0)),
        failed=int(d.get("failed", 0)),
    )


def run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine from synchronous code, also when called from inside an event loop
    (the web server): then it runs on a worker thread with a loop of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_await(make))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(_await(make))).result()


async def _await(make: Callable[[], Awaitable[T]]) -> T:
    return await make()
