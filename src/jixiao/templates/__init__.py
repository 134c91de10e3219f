"""Province templates as data: one TOML file per template in ``data/`` (adding a template is
adding a file), validated by a pydantic model, and recognised per form from its title, its
indicator table's columns and the words only that template prints.

The readers do not need a template to read a form (they read cells by their meaning and the
table's columns by its own header row); the template names what was read, so a reviewer
knows which province's rules apply, and carries the scoring rule the checks follow.
``JIXIAO_TEMPLATES`` may name a folder of more template files.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError

DATA = Path(__file__).with_name("data")
UNKNOWN = "unknown"


class Funds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = "万元"
    rows: list[str] = Field(default_factory=list)


class Scoring(BaseModel):
    model_config = ConfigDict(extra="forbid")
    funds_row_in_total: bool = True  # the funds row's 分值/得分 count towards 总分
    weights_total: float = 100  # what 分值 (with the funds row, if counted) add up to; 0: unscored


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    titles: list[str] = Field(min_length=1, description="words of the form's title that name the template")
    columns: list[list[str]] = Field(description="roles of the indicator columns after 三级指标, per variant")
    marks: list[str] = Field(default_factory=list, description="words only this template prints")
    unmarks: list[str] = Field(default_factory=list, description="words this template never prints")
    funds: Funds = Field(default_factory=Funds)
    scoring: Scoring = Field(default_factory=Scoring)


@lru_cache(maxsize=4)
def _load(folders: tuple[str, ...]) -> tuple[Template, ...]:
    out: list[Template] = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.toml")):
            try:
                out.append(Template.model_validate(tomllib.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError) as e:
                raise InputError(f"{path}: 模板文件无效 ({str(e).splitlines()[0]})") from e
    return tuple(out)


def templates() -> tuple[Template, ...]:
    extra = os.environ.get("JIXIAO_TEMPLATES")
    return _load((str(DATA), extra) if extra else (str(DATA),))


def by_id(template_id: str) -> Template | None:
    return next((t for t in templates() if t.id == template_id), None)


def recognise(
    title: str, columns: list[str], text: str | Callable[[], str], known: tuple[Template, ...] | None = None
) -> str:
    """The template id of a form: its title words (the longest match weighs most), the roles
    of its table's columns, and its marks (``text``, or a function that makes it: only read
    when several templates are candidates); ``unknown`` when nothing speaks for any.
    ``known``: the templates to choose from (``templates()``, looked up once per document)."""
    title = title.replace(" ", "").replace("\u3000", "")
    pool, plan = _candidates(title, tuple(columns), templates() if known is None else known)
    if not pool:
        return UNKNOWN
    if callable(text):
        text = text()
    text = text.replace(" ", "").replace("\u3000", "")  # marks split by a layout's spaces still count
    hits = _present(text, plan)
    best, best_score = UNKNOWN, 0.0
    for t, score, by_title, by_columns in pool:
        marks = sum(map(hits.__contains__, t.marks))
        score += marks - 2 * sum(map(hits.__contains__, t.unmarks))
        # columns alone say little (most declarations print one 指标值 column): with a mark
        if (by_title or (by_columns and marks)) and score > best_score:
            best, best_score = t.id, score
    return best


# (template, score from title and columns, title names it, columns name it)
_Candidate = tuple[Template, float, bool, bool]
# the candidates' words grouped by their core: (core, the words holding it)
_Plan = tuple[tuple[str, tuple[str, ...]], ...]
_Pool = tuple[tuple[_Candidate, ...], _Plan]
_CANDIDATES: dict[tuple[str, tuple[str, ...], int], _Pool] = {}


def _candidates(title: str, columns: tuple[str, ...], pool: tuple[Template, ...]) -> _Pool:
    """The templates a title or a column layout can name at all, with what the title and the
    columns already say for each, and the plan of their words: most forms of a batch share
    both, so per form only the marks are looked for, in a few templates."""
    k = (title, columns, id(pool))
    hit = _CANDIDATES.get(k)
    if hit is None:
        if len(_CANDIDATES) > 4096:
            _CANDIDATES.clear()
        found: list[_Candidate] = []
        for t in pool:
            hits = [w for w in t.titles if w in title]
            by_columns = bool(columns) and list(columns) in t.columns
            if hits or by_columns:
                score = (3 + max(map(len, hits)) / 10 if hits else 0.0) + (2 if by_columns else 0)
                found.append((t, score, bool(hits), by_columns))
        hit = _CANDIDATES[k] = (tuple(found), _plan(tuple(found)))
    return hit


_CORE = re.compile(r"\w+")


def _plan(pool: tuple[_Candidate, ...]) -> _Plan:
    """The distinct marks and unmarks of a pool, grouped by their longest run of word
    characters ('指标1：' and '指标1:' share '指标1'; '(50分)' and '（50分）' share '50分'): a
    word absent from the text is what costs (a full scan), and one scan of the core rules
    out every word that holds it."""
    groups: dict[str, list[str]] = {}
    for t, *_ in pool:
        for w in (*t.marks, *t.unmarks):
            core = max(_CORE.findall(w), key=len, default=w)
            if w not in groups.setdefault(core, []):
                groups[core].append(w)
    return tuple((c, tuple(ws)) for c, ws in groups.items())


def _present(text: str, plan: _Plan) -> set[str]:
    """The plan's words that occur in ``text``."""
    hits: set[str] = set()
    for core, words in plan:
        if core in text:
            for w in words:  # (a loop, not a generator: most cores hold one word)
                if w in text:
                    hits.add(w)
    return hits


__all__ = ["UNKNOWN", "Template", "by_id", "recognise", "templates"]
