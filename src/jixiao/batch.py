"""Batches as they arrive: a folder (with subfolders) or a .zip of a county's submissions is
expanded into its files, in a stable sorted order, each named by its path inside the batch
(``county.zip/教育局/表1.txt``), so findings point at the file the reviewer can open.

``expand`` only lists: it yields an ``Entry`` per file, which ``Entry.read`` turns into a
``Source`` later (in a worker process, for parallel extraction). Zip members are read into
memory one at a time and never written to disk, so a member named ``../../etc/passwd`` can
do no harm; its name is cleaned for display only.

Bounds, besides every file's own (``intake.max_input_bytes``, the readers' limits):
- an archive's file count and unpacked size, from its central directory, before any member
  is inflated (``[readers] batch_max_members``, ``batch_max_total``, shared by an archive and
  the archives inside it); a member whose compression ratio betrays a zip bomb refuses the
  whole archive;
- nesting: a zip inside a batch zip is read (a province zips its counties' zips), one level
  only; a zip inside that is listed as not read.

A zip that is an Office package (.docx/.xlsx, or a presentation / ODF file the readers name)
is one document, not a batch. Hidden files, ``__MACOSX``, Office lock files (``~$…``) and
jixiao's own review stores are skipped.

Zips made on Chinese Windows name their entries in GBK without the UTF-8 flag (bit 0x800);
Python reads those names as cp437. ``member_name`` undoes that: UTF-8 if the raw bytes are
valid UTF-8 (some tools omit the flag), else GB18030, else cp437 as the zip standard says.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import InputError
from .intake import Source, from_bytes, max_input_bytes, read_limited, read_path
from .readers.limits import MB, Limits, load_limits

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with members, an empty archive
MAX_NESTING = 1  # zips inside a batch zip that are opened in turn
_OFFICE_MARKS = ("[Content_Types].xml", "mimetype", "word/document.xml", "xl/workbook.xml")
_JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini"})
_STORE_SUFFIXES = (".jixiao.sqlite", ".jixiao.sqlite-wal", ".jixiao.sqlite-shm", ".jixiao.sqlite-journal")


@dataclass(frozen=True)
class Entry:
    """One file of the input: on disk (``path``), unpacked from a zip (``data``), or refused
    while listing (``error``, reported in its place in the order)."""

    name: str
    path: str | None = None
    data: bytes | None = None
    error: str | None = None

    def read(self) -> Source:
        if self.error is not None:
            raise InputError(self.error)
        if self.data is not None:
            return from_bytes(self.data, self.name)
        assert self.path is not None
        source = read_path(self.path)
        source.name = self.name
        return source


def sources(paths: Iterable[str], limits: Limits | None = None) -> Iterator[Source]:
    """Every file of every path read, in order (an unreadable one raises InputError)."""
    for entry in expand(paths, limits):
        yield entry.read()


def expand(paths: Iterable[str], limits: Limits | None = None) -> Iterator[Entry]:
    """Each path's files: a file is itself (a batch zip: its members), a folder every file
    under it, sorted by path; ``-`` standard input. A path that does not exist, a refused
    archive or member is an Entry with ``error`` in its place."""
    limits = limits or load_limits()
    for path in paths:
        if path == "-":
            data = read_limited(sys.stdin.buffer, "<stdin>")
            yield from _expand_bytes(data, "<stdin>", limits, depth=0)
            continue
        p = Path(path)
        if p.is_dir():
            yield from _expand_folder(p, limits)
        elif p.is_file() and is_batch_zip_file(p):
            yield from _expand_zip_file(p, path, limits)
        else:
            yield Entry(name=path, path=path)  # read_path says why a strange path cannot be read


# -- folders --------------------------------------------------------------------------------


def _expand_folder(root: Path, limits: Limits) -> Iterator[Entry]:
    found: list[tuple[str, ...]] = []  # paths under root as parts: sorted as folders nest
    problems: list[Entry] = []

    def unreadable(e: OSError) -> None:
        where = e.filename or root
        problems.append(Entry(name=str(where), error=f"{where}: 无法读取文件夹 ({e.strerror})"))

    for folder, dirs, files in os.walk(root, onerror=unreadable):  # symlinked folders are not entered
        rel = Path(folder).relative_to(root).parts
        dirs[:] = [d for d in dirs if not _skipped(d)]
        found.extend((*rel, f) for f in files if not _skipped(f))
        if len(found) > limits.batch_max_members:
            yield Entry(
                name=str(root),
                error=f"{root}: 文件夹内文件过多（超过 {limits.batch_max_members} 个），已拒绝；"
                "请分批读取，或在配置文件 [readers] 中调高 batch_max_members",
            )
            return
    yield from problems
    if not found and not problems:
        yield Entry(name=str(root), error=f"{root}: 文件夹中没有文件 (empty folder)")
    found.sort()
    for parts in found:
        path = root.joinpath(*parts)
        if is_batch_zip_file(path):
            yield from _expand_zip_file(path, str(path), limits)
        else:
            yield Entry(name=str(path), path=str(path))


def _skipped(name: str) -> bool:
    """Not a submission: hidden files, macOS and Windows leftovers, Office lock files, our stores."""
    low = name.lower()
    return name.startswith((".", "~$")) or name == "__MACOSX" or low in _JUNK_NAMES or low.endswith(_STORE_SUFFIXES)


# -- zips -----------------------------------------------------------------------------------


def is_batch_zip_file(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            if f.read(4) not in ZIP_MAGIC:
                return False
            return _is_batch(f)
    except OSError:
        return False  # read_path reports it


def _is_batch(f: IO[bytes]) -> bool:
    """A zip that is not an Office package (those are one document each)."""
    try:
        with zipfile.ZipFile(f) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError):
        return False  # the readers say it is damaged
    return not any(n in _OFFICE_MARKS or n.startswith(("ppt/", "word/", "xl/")) for n in names)


def _expand_bytes(data: bytes, name: str, limits: Limits, depth: int) -> Iterator[Entry]:
    if data[:4] in ZIP_MAGIC and _is_batch(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            yield from _expand_zip(zf, name, limits, depth, _Budget(limits))
    else:
        yield Entry(name=name, data=data)


def _expand_zip_file(path: Path, name: str, limits: Limits) -> Iterator[Entry]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError) as e:
        yield Entry(name=name, error=f"{name}: 压缩包已损坏，无法打开 ({e})")
        return
    with zf:
        yield from _expand_zip(zf, name, limits, 0, _Budget(limits))


class _Budget:
    """Files and unpacked bytes left for one batch archive and the archives inside it."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.members = limits.batch_max_members
        self.bytes = limits.batch_max_total

    def take(self, name: str, infos: list[zipfile.ZipInfo]) -> str | None:
        """Why the archive is refused, judged from its central directory, or None."""
        lim = self.limits
        files = [i for i in infos if not i.is_dir()]
        self.members -= len(files)
        if self.members < 0:
            return (
                f"{name}: 压缩包内文件过多（{len(files)} 个，上限 {lim.batch_max_members}），已拒绝；"
                "如确需读取，请在配置文件 [readers] 中调高 batch_max_members"
            )
        for i in files:
            if i.file_size > MB and i.file_size > lim.zip_max_ratio * max(i.compress_size, 1):
                ratio = i.file_size // max(i.compress_size, 1)
                return f"{name}: 压缩包内 {member_name(i)} 压缩比异常（{ratio}:1），疑似压缩炸弹，已拒绝"
        self.bytes -= sum(i.file_size for i in files)
        if self.bytes < 0:
            total = sum(i.file_size for i in files)
            return (
                f"{name}: 压缩包解压后过大（{_mb(total)}，上限 {_mb(lim.batch_max_total)}），已拒绝；"
                "如确需读取，请在配置文件 [readers] 中调高 batch_max_total"
            )
        return None


def _expand_zip(zf: zipfile.ZipFile, name: str, limits: Limits, depth: int, budget: _Budget) -> Iterator[Entry]:
    infos = zf.infolist()
    refused = budget.take(name, infos)
    if refused:
        yield Entry(name=name, error=refused)
        return
    members: list[tuple[tuple[str, ...], zipfile.ZipInfo]] = []
    for info in infos:
        if info.is_dir():
            continue
        parts = clean_parts(member_name(info))
        if parts and not any(_skipped(p) for p in parts):
            members.append((parts, info))
    if not members:
        yield Entry(name=name, error=f"{name}: 压缩包中没有文件 (empty archive)")
        return
    members.sort(key=lambda item: item[0])
    limit = max_input_bytes()
    for parts, info in members:
        inner = "/".join((name, *parts))
        if info.flag_bits & 0x1:
            yield Entry(name=inner, error=f"{inner}: 文件已加密，请先解密后再读取 (encrypted zip member)")
            continue
        if info.file_size > limit:
            yield Entry(
                name=inner,
                error=f"{inner}: 文件过大（{info.file_size // MB} MB，上限 {limit // MB} MB） (file too large)",
            )
            continue
        try:
            data = zf.read(info)
        except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError, EOFError) as e:
            yield Entry(name=inner, error=f"{inner}: 压缩包内文件已损坏，无法读取 ({type(e).__name__}: {e})")
            continue
        if data[:4] in ZIP_MAGIC and _is_batch(io.BytesIO(data)):
            if depth + 1 > MAX_NESTING:
                yield Entry(
                    name=inner,
                    error=f"{inner}: 压缩包嵌套超过一层（压缩包中的压缩包里还有压缩包），未读取；请先解压后再读取 (zip nested too deep)",
                )
                continue
            with zipfile.ZipFile(io.BytesIO(data)) as nested:
                yield from _expand_zip(nested, inner, limits, depth + 1, budget)
            continue
        yield Entry(name=inner, data=data)


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n / MB:.2f} MB"


def member_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its maker wrote it (see the module's note on GBK names)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:  # already decoded some other way
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def clean_parts(name: str) -> tuple[str, ...]:
    """A member's path as folders and a file name, for display: Windows separators read as
    folders, and empty, ``.`` and ``..`` parts dropped (nothing is written, so nothing can
    escape; the name just must not pretend to)."""
    return tuple(p for p in name.replace("\\", "/").split("/") if p not in ("", ".", ".."))
