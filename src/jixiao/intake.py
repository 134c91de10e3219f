"""Read what the user gives us into numbered text lines: files, several files, or stdin.

Text may be UTF-8, UTF-8 with BOM, or GB18030/GBK. Binary formats (PDF, Word, Excel,
images) are recognised by their content, not their name, and handed to ``jixiao.readers``,
which turns their tables into the same tab-separated lines.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

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


def read_path(path: str) -> Source:
    """One path, or '-' for standard input."""
    if path == "-":
        data = sys.stdin.buffer.read()
        return from_bytes(data, "<stdin>")
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: 文件不存在 (no such file)")
    if p.is_dir():
        raise InputError(f"{path}: 是目录，不是文件 (is a directory)")
    try:
        size = p.stat().st_size
        if size > MAX_TEXT_BYTES * 4:
            raise InputError(f"{path}: 文件过大（{size // 1048576} MB） (file too large)")
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: 无法读取文件 ({e.strerror})") from e
    return from_bytes(data, str(path))


def from_text(text: str, name: str = "<text>") -> Source:
    """Pasted text (the web page, tests)."""
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
