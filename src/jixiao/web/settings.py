"""What one running web page is allowed to do: where it writes, how much it accepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import home

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Limits:
    """Upload limits. A request over ``max_request_bytes`` is refused while it streams in,
    before anything is parsed; the per-file and count limits are checked after parsing."""

    max_files: int = 20
    max_file_bytes: int = 20 * 1024 * 1024
    max_request_bytes: int = 64 * 1024 * 1024
    max_text_chars: int = 1_000_000
    keep_runs: int = 200  # older analyses are deleted from the data directory


@dataclass(frozen=True)
class WebSettings:
    data_dir: Path = field(default_factory=lambda: home() / "web")
    # The decision database. The default lives in the data directory; point it at the file a
    # terminal review uses (``jixiao review FILE --db PATH``) to finish that review here.
    db_path: Path | None = None
    limits: Limits = field(default_factory=Limits)
    # Host headers accepted (DNS rebinding guard); None accepts any (tests, --host 0.0.0.0).
    allowed_hosts: tuple[str, ...] | None = None

    @property
    def decisions_path(self) -> Path:
        return self.db_path if self.db_path is not None else self.data_dir / "decisions.jixiao.sqlite"

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"
