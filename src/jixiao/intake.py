"""Read what the user gives us into numbered text lines: files, several files, or stdin.

Text may be UTF-8, UTF-8 with BOM, or GB18030/GBK. Binary formats (PDF, Word, Excel,
images) are recognised by their content, not their name, and handed to ``jixiao.readers``,
which turns their tables into the same tab-separated lines.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

MAX_TEXT_BYTES = 64 * 1024 * 1024


@dataclass
class Source:
    """One input, as lines of tab-separated cells (line numbers are 1-based indexes + 1)."""

    name: str
    lines: list[str]
    kind: str = "text"  # text | pdf | docx | xlsx | image
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def sniff(data: bytes) -> str:
    """The file type by its first bytes."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    ):
        return "image"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # old .doc/.xls
    return "text"


def decode(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    if not data.strip():
        raise InputError(f"{name}: 输入为空 (empty input)")
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: 不是文本文件，无法读取 (binary data, not text)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: 无法识别文本编码 (neither UTF-8 nor GB18030)") from e
    return text


def from_bytes(data: bytes, name: str) -> Source:
    kind = sniff(data)
    if kind == "text":
        if len(data) > MAX_TEXT_BYTES:
            raise InputError(
                f"{name}: 文件过大（{len(data) // 1048576} MB，上限 {MAX_TEXT_BYTES // 1048576} MB） (file too large)"
            )
        text = decode(data, name)
        return Source(name=name, lines=split_lines(text), kind="text")
    if kind == "ole":  # an old .doc/.xls, or a password-protected .docx/.xlsx
        from .readers import ole_message

        raise InputError(ole_message(data, name))
    try:
        from . import readers  # optional: needs the 'files' extra
    except ImportError as e:  # pragma: no cover - depends on the install
        raise InputError(
            f"{name}: 读取 {kind} 文件需要安装可选依赖：pip install 'jixiao[files]' ({e.name} missing)"
        ) from e
    return readers.read_binary(data, name, kind)


def max_input_bytes() -> int:
    """The one size limit of every source (files, stdin, FIFOs, devices): ``JIXIAO_MAX_INPUT_MB``
    megabytes, by default 256 (a province's batch file, or a scanned PDF, fits)."""
    raw = os.environ.get("JIXIAO_MAX_INPUT_MB", "").strip()
    try:
        mb = float(raw) if raw else 256.0
    except ValueError:
        raise InputError(f"JIXIAO_MAX_INPUT_MB 的值 {raw!r} 不是数字 (invalid number)") from None
    return max(1, int(mb * 1048576))


def read_limited(stream: BinaryIO, name: str, limit: int | None = None) -> bytes:
    """At most ``limit`` bytes of a stream, read in chunks: an endless source (/dev/zero, a
    pipe that never closes) stops at the limit with a one-line error, not with the memory."""
    limit = max_input_bytes() if limit is None else limit
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise InputError(
                f"{name}: 输入超过 {limit // 1048576} MB 上限（可用 JIXIAO_MAX_INPUT_MB 调整） (input too large)"
            )


def read_path(path: str) -> Source:
    """One path, or '-' for standard input."""
    if path == "-":
        return from_bytes(read_limited(sys.stdin.buffer, "<stdin>"), "<stdin>")
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: 文件不存在 (no such file)")
    if p.is_dir():
        raise InputError(f"{path}: 是目录，不是文件 (is a directory)")
    try:
        if p.stat().st_size > max_input_bytes():
            raise InputError(f"{path}: 文件过大（{p.stat().st_size // 1048576} MB） (file too large)")
        with p.open("rb") as f:  # a device or a FIFO reports no size: the read itself is bounded
            data = read_limited(f, str(path))
    except OSError as e:
        raise InputError(f"{path}: 无法读取文件 ({e.strerror})") from e
    return from_bytes(data, str(path))


_SURROGATE = re.compile("[\ud800-\udfff]")


def from_text(text: str, name: str = "<text>") -> Source:
    """Pasted text (the web page, tests). Lone surrogates (which no encoder writes) become
    U+FFFD here, so nothing downstream fails to serialise them."""
    text = _SURROGATE.sub("\ufffd", text)
    if not text.strip():
        raise InputError(f"{name}: 输入为空 (empty input)")
    return Source(name=name, lines=split_lines(text.lstrip("\ufeff")))


def split_lines(text: str) -> list[str]:
    """Lines as a reader counts them: only newlines break (str.splitlines also breaks on
    form feeds and U+2028, which would shift every line number after them)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
