"""The checks as the review session runs them: the installed checks with the user's
configuration (in stages when the checker can), or a checker the caller gives."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..models import Document, Finding

if TYPE_CHECKING:
    from ..checks.runner import Stage

Checker = Callable[[list[Document]], list[Finding]]


@runtime_checkable
class StagedChecker(Protocol):
    """A checker that can also deliver its findings in stages (``jixiao.checks.check_stages``)."""

    def __call__(self, docs: list[Document]) -> list[Finding]: ...

    def stages(self, docs: list[Document], *, first_forms: int, chunk_forms: int) -> Iterator[Stage]: ...


@dataclass(frozen=True)
class CheckRunner:
    """``jixiao.checks.run_checks`` with the config file's [checks] section; ``config_json``
    names what the findings depend on, for the run cache."""

    config_json: str

    def __call__(self, docs: list[Document]) -> list[Finding]:
        from ..checks import CheckConfig, run_checks

        return run_checks(docs, CheckConfig.from_mapping(json.loads(self.config_json)))

    def stages(self, docs: list[Document], *, first_forms: int, chunk_forms: int) -> Iterator[Stage]:
        from ..checks import CheckConfig
        from ..checks.runner import check_stages

        cfg = CheckConfig.from_mapping(json.loads(self.config_json))
        return check_stages(docs, cfg, first_forms=first_forms, chunk_forms=chunk_forms)


def default_checker() -> CheckRunner | None:
    """The installed checks with the user's configuration, or None when they are missing."""
    try:
        from ..checks import run_checks  # noqa: F401
    except ImportError:
        return None
    from ..config import section

    return CheckRunner(json.dumps(section("checks"), sort_keys=True, ensure_ascii=False, default=str))
