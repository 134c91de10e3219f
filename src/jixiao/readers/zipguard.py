"""Look inside a zip (xlsx/docx) before any library opens it: what it is, and whether it
is safe to unpack. The sizes come from the central directory; a member that lies about
its size cannot get past it, because Python's zipfile stops at the declared size and
then fails the CRC check (``BadZipFile``, which the readers turn into an InputError).

Bytes alone do not bound the work: 30 MB of ``<w:p/>`` is five million paragraphs, and a
merged range ``A1:XFD1048576`` a few bytes that openpyxl turns into 17 billion cells. So
``census`` streams every XML part through a parser, keeping nothing, and counts what the
library would build from it, before the library is called."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import Any

from ..errors import InputError
from .limits import MB, Limits


def inspect_zip(data: bytes, name: str, limits: Limits) -> str:
    """'xlsx' or 'docx', after checking member count, sizes, ratios and encryption."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError) as e:  # NotImplementedError: zip version
        raise InputError(f"{name}: 压缩包（xlsx/docx）已损坏，无法打开 ({e})") from e
    names = {i.filename for i in infos}
    if "word/document.xml" in names:
        kind = "docx"
    elif "xl/workbook.xml" in names:
        kind = "xlsx"
    elif any(n.endswith(".xml") and n.startswith(("ppt/", "content.xml")) for n in names) or "content.xml" in names:
        raise InputError(f"{name}: 不是 Word 或 Excel 文件（可能是演示文稿或 WPS/ODF 格式），请另存为 .docx/.xlsx")
    else:
        raise InputError(f"{name}: 是压缩包，但不是 .docx 或 .xlsx 文件 (zip without a Word/Excel document)")
    if len(infos) > limits.zip_max_members:
        raise InputError(f"{name}: 压缩包内文件过多（{len(infos)} 个），疑似恶意文件，已拒绝")
    total = 0
    for i in infos:
        if i.flag_bits & 0x1:
            raise InputError(f"{name}: 文件已加密，请先取消密码保护后另存再读取 (encrypted zip member)")
        total += i.file_size
        if i.file_size > MB and i.file_size > limits.zip_max_ratio * max(i.compress_size, 1):
            raise InputError(
                f"{name}: 压缩包内 {i.filename} 压缩比异常（{i.file_size // max(i.compress_size, 1)}:1），疑似压缩炸弹，已拒绝"
            )
        # every member, so the main document part is bounded wherever the package puts it
        if i.file_size > limits.zip_max_member:
            raise InputError(
                f"{name}: 压缩包内 {i.filename} 解压后过大（{_mb(i.file_size)}，上限 {_mb(limits.zip_max_member)}），"
                "不像绩效表文件，已拒绝；如确需读取，请在配置文件 [readers] 中调高 zip_max_member"
            )
    if total > limits.zip_max_total:
        raise InputError(
            f"{name}: 压缩包解压后过大（{_mb(total)}，上限 {_mb(limits.zip_max_total)}），"
            "不像绩效表文件，已拒绝；如确需读取，请在配置文件 [readers] 中调高 zip_max_total"
        )
    return kind


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n / MB:.2f} MB"


# -- counting what the library would build --------------------------------------------------

_SHEET_ROWS = 1_048_576
_SHEET_COLS = 16_384
_CHUNK = 1 << 20
# xlsx: a cell's or a shared string's children (<v>, <f>, <is>, rich-text runs) are part of
# one object; a merged range, a ranged hyperlink or a comment makes openpyxl build a cell
# for every cell its reference covers.
_FOLDED = frozenset({"c", "si"})
_COVERS = frozenset({"mergeCell", "hyperlink", "comment"})
_CELL_REF = re.compile(r"\$?([A-Za-z]{0,3})\$?([0-9]*)")  # openpyxl takes rows past the grid


class _Census:
    """The running count. ``kept`` holds the finished parts, ``n`` the part being read."""

    def __init__(self, name: str, kind: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.xlsx = kind == "xlsx"
        self.limit = limits.max_cells if self.xlsx else limits.max_elements
        self.kept = 0
        self.begin("")

    def begin(self, part: str) -> None:
        self.part = part
        self.n = 0
        self.rows = 0
        self.inside = 0  # depth inside a folded element

    def start(self, local: str, ref: str | None) -> None:
        if self.inside:
            self.inside += 1
            return
        self.n += 1
        if self.xlsx:
            if local in _FOLDED:
                self.inside = 1
            elif local == "row":
                self.rows += 1
                if self.rows > self.limits.max_rows:
                    raise InputError(
                        f"{self.name}: 工作表（{self.part}）行数过多（超过上限 {self.limits.max_rows} 行），已拒绝；"
                        "请拆分文件，或在配置文件 [readers] 中调高 max_rows"
                    )
            elif ref and local in _COVERS:
                self.n += ref_area(ref) - 1
        if self.kept + self.n > self.limit:
            if self.xlsx:
                raise InputError(
                    f"{self.name}: Excel 文件内容过多（单元格及其他记录超过 {self.limit} 个），不像绩效表，已拒绝；"
                    "请拆分文件，或在配置文件 [readers] 中调高 max_cells"
                )
            raise InputError(
                f"{self.name}: Word 文件内容过多（段落、表格等元素超过 {self.limit} 个），不像绩效表，已拒绝；"
                "请拆分文件，或在配置文件 [readers] 中调高 max_elements"
            )

    def end(self) -> None:
        if self.inside:
            self.inside -= 1

    def expat_start(self, tag: str, attrs: dict[str, str]) -> None:
        self.start(tag[tag.rfind(" ") + 1 :], attrs.get("ref"))

    def expat_end(self, tag: str) -> None:
        if self.inside:
            self.inside -= 1


def census(data: bytes, name: str, kind: str, limits: Limits) -> None:
    """Refuse (InputError) a package whose parts hold more than the limits allow: for an
    xlsx, ``max_cells`` cells and other records in all and ``max_rows`` rows in one part;
    for a docx, ``max_elements`` XML elements in all. Every member is streamed, whatever
    its name, so a sheet cannot hide at an unusual path; nothing is kept, so memory stays
    at one chunk. A member the stdlib parser (expat: openpyxl's for sheets and strings)
    stops on is counted again with lxml (openpyxl's and python-docx's for other parts), and
    the larger count kept, so a part one parser rejects and the other reads still counts."""
    tally = _Census(name, kind, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                tally.begin(info.filename)
                if not _count_expat(zf, info, tally):
                    first = tally.n
                    tally.begin(info.filename)
                    _count_lxml(zf, info, tally)
                    tally.n = max(first, tally.n)
                tally.kept += tally.n
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as e:
        what = "Excel" if kind == "xlsx" else "Word"
        raise InputError(f"{name}: {what} 文件已损坏，无法读取 ({type(e).__name__})") from e


def _count_expat(zf: zipfile.ZipFile, info: zipfile.ZipInfo, tally: _Census) -> bool:
    """True if the member parsed to its end as XML."""
    import pyexpat

    parser = pyexpat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = tally.expat_start
    if tally.xlsx:
        parser.EndElementHandler = tally.expat_end
    with zf.open(info) as f:
        try:
            while chunk := f.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except (pyexpat.ExpatError, ValueError):  # ValueError: a multi-byte encoding such as GBK
            return False
    return True


def _count_lxml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, tally: _Census) -> None:
    try:
        from lxml import etree
    except ImportError:  # then openpyxl parses everything with the stdlib, as counted
        return
    with zf.open(info) as f:
        try:
            # the settings openpyxl's and python-docx's parsers use (entities not resolved)
            for event, el in etree.iterparse(f, events=("start", "end"), resolve_entities=False, no_network=True):
                if event == "start":
                    tag: Any = el.tag
                    tally.start(tag.rpartition("}")[2] if isinstance(tag, str) else "", el.get("ref"))
                    continue
                tally.end()
                el.clear()
                parent = el.getparent()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]
        except etree.LxmlError:
            pass


def ref_area(ref: str) -> int:
    """Cells a reference covers ('A1', 'B2:D9', '$A$1:$B$2', several separated by spaces); an
    open end ('A:A', '3:3') reaches the sheet's edge; what does not parse counts 1."""
    total = 0
    for rng in ref.split():
        first, _, last = rng.partition(":")
        a, b = _cell(first), _cell(last or first)
        if a is None or b is None:
            total += 1
            continue
        cols = abs(b[0] - a[0]) + 1 if a[0] and b[0] else _SHEET_COLS
        rows = abs(b[1] - a[1]) + 1 if a[1] and b[1] else _SHEET_ROWS
        total += cols * rows
    return max(total, 1)


def _cell(s: str) -> tuple[int, int] | None:
    m = _CELL_REF.fullmatch(s)
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return col, int(m.group(2) or 0)
