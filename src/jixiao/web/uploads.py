"""Turn what the browser sent (uploads, pasted text) into ``Source``s, within the limits.

Uploads are read into memory and never written to disk under their own names: the client's
file name is only a label (its directory parts, control characters and excess length are
dropped). The type is decided by the content, not by the name.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import HTTPException, UploadFile

from ..intake import Source, from_bytes, from_text, sniff
from .settings import Limits

PASTED_NAME = "粘贴文本"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def safe_name(raw: str | None, fallback: str = "上传文件") -> str:
    """A label for a client-supplied file name: its last path part, printable, ≤ 100 chars."""
    name = _CONTROL.sub("", raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", ".."):
        name = fallback
    return name[:100]


def unique_names(names: Sequence[str]) -> list[str]:
    """Two uploads with one name get 'a.txt', 'a (2).txt': findings name their file."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        if seen[n] == 1:
            out.append(n)
            continue
        stem, dot, ext = n.rpartition(".")
        out.append(f"{stem} ({seen[n]}).{ext}" if dot and stem else f"{n} ({seen[n]})")
    return out


def _refuse(status: int, message: str) -> HTTPException:
    return HTTPException(status_code=status, detail=message)


def read_uploads(files: Sequence[UploadFile | str] | None, limits: Limits, *, field: str = "file") -> list[Upload]:
    """Read every real upload (a browser sends an empty nameless part for an empty input)."""
    uploads: list[Upload] = []
    for f in files or []:
        if isinstance(f, str):
            if not f:  # an empty file input: browsers send a part without a file name
                continue
            raise _refuse(400, f"字段 {field} 应为上传文件 (expected a file upload)")
        data = f.file.read(limits.max_file_bytes + 1)
        name = safe_name(f.filename)
        if not data and not f.filename:
            continue
        if len(data) > limits.max_file_bytes:
            raise _refuse(413, f"{name}: 文件过大（上限 {limits.max_file_bytes // (1024 * 1024)} MB） (file too large)")
        uploads.append(Upload(name=name, data=data))
    if len(uploads) > limits.max_files:
        raise _refuse(413, f"文件过多：{len(uploads)} 个（上限 {limits.max_files} 个） (too many files)")
    return uploads


def content_kind(upload: Upload) -> str:
    """The type by content, refusing anything jixiao cannot read (status 415)."""
    if not upload.data:
        raise _refuse(400, f"{upload.name}: 文件为空 (empty file)")
    kind = sniff(upload.data)
    if kind == "zip":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(upload.data)).namelist())
        except zipfile.BadZipFile as e:
            raise _refuse(415, f"{upload.name}: 压缩文件已损坏 (corrupt zip container)") from e
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise _refuse(
            415, f"{upload.name}: 不支持的文件类型（只接受 docx、xlsx 等 Office 文件） (unsupported zip file)"
        )
    if kind == "ole":
        raise _refuse(
            415, f"{upload.name}: 旧版 .doc/.xls 格式不受支持，请另存为 .docx/.xlsx (old binary Office format)"
        )
    if kind == "text" and b"\x00" in upload.data[:65536]:
        raise _refuse(
            415, f"{upload.name}: 不支持的文件类型（可上传 txt、pdf、docx、xlsx、png、jpg） (unsupported binary file)"
        )
    return kind


def to_sources(
    uploads: Sequence[Upload], text: str | None, limits: Limits, *, text_name: str = PASTED_NAME
) -> list[Source]:
    """Sources for the engine: every upload (type-checked) and the pasted text, if any."""
    has_text = bool(text and text.strip())
    if not uploads and not has_text:
        raise _refuse(400, "请上传文件或粘贴报表文字 (no file and no text)")
    if has_text and len(text or "") > limits.max_text_chars:
        raise _refuse(413, f"粘贴的文字过长（上限 {limits.max_text_chars} 字） (text too long)")
    if has_text and text_name == PASTED_NAME:
        # keyed by content: review decisions on one paste must not appear on another
        text_name = f"{PASTED_NAME}-{hashlib.sha256((text or '').strip().encode('utf-8', 'replace')).hexdigest()[:8]}"
    names = unique_names([u.name for u in uploads] + ([text_name] if has_text else []))
    sources: list[Source] = []
    for upload, name in zip(uploads, names):
        content_kind(upload)
        sources.append(from_bytes(upload.data, name))
    if has_text:
        sources.append(from_text(text or "", names[-1]))
    return sources
