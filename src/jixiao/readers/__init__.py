"""Readers for the files people really have: .xlsx, .docx, .pdf (text layer or scanned)
and images. Each turns its tables into the lines of tab-separated cells the engines read
(one table row per line, merged cells: the value in the first cell, the rest empty).

``jixiao.intake`` sniffs the type by content and calls ``read_binary``; every failure a
user can cause (encrypted, corrupt, too big, a zip bomb, OCR not installed) is an
``InputError`` with a one-line Chinese message.
"""

from __future__ import annotations

from ..errors import InputError
from ..intake import Source
from .limits import MB, Limits, load_limits

__all__ = ["Limits", "read_binary"]


def read_binary(data: bytes, name: str, kind: str, limits: Limits | None = None) -> Source:
    """``kind`` as ``intake.sniff`` says: 'pdf', 'zip' (docx or xlsx), 'image' or 'ole'."""
    limits = limits or load_limits()
    if len(data) > limits.max_bytes:
        raise InputError(f"{name}: 文件过大（{len(data) // MB} MB，上限 {limits.max_bytes // MB} MB）")
    if kind == "ole":
        raise InputError(ole_message(data, name))
    if kind in ("zip", "xlsx", "docx"):  # the zip's sizes are checked whoever named the kind
        from .zipguard import inspect_zip

        kind = inspect_zip(data, name, limits)
    if kind == "xlsx":
        from .xlsx import read_xlsx

        lines, notes = read_xlsx(data, name, limits)
    elif kind == "docx":
        from .docx import read_docx

        lines, notes = read_docx(data, name, limits)
    elif kind == "pdf":
        from .pdf import read_pdf

        lines, notes = read_pdf(data, name, limits)
    elif kind == "image":
        from .image import read_image

        lines, notes = read_image(data, name, limits)
    else:
        raise InputError(f"{name}: 不支持的文件类型 ({kind})")
    if not any(ln.strip() for ln in lines):
        raise InputError(f"{name}: 文件中没有读到任何文字（空白文件或无法识别） (no text found)")
    return Source(name=name, lines=lines, kind=kind, warnings=notes)


def ole_message(data: bytes, name: str) -> str:
    """An OLE container is an old .doc/.xls, or a password-protected .docx/.xlsx (Office
    wraps those in OLE with an 'EncryptedPackage' stream)."""
    if "EncryptedPackage".encode("utf-16-le") in data[: 4 * MB] or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data[: 4 * MB]:
        return f"{name}: 文件已加密，请先在 Office/WPS 中取消密码保护后另存再读取 (encrypted Office file)"
    return f"{name}: 旧版 .doc/.xls 格式不受支持，请另存为 .docx/.xlsx (old binary Office format)"
