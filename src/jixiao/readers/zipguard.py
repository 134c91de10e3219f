"""Look inside a zip (xlsx/docx) before any library opens it: what it is, and whether it
is safe to unpack. The sizes come from the central directory; a member that lies about
its size cannot get past it, because Python's zipfile stops at the declared size and
then fails the CRC check (``BadZipFile``, which the readers turn into an InputError)."""

from __future__ import annotations

import io
import zipfile

from ..errors import InputError
from .limits import MB, Limits


def inspect_zip(data: bytes, name: str, limits: Limits) -> str:
    """'xlsx' or 'docx', after checking member count, sizes, ratios and encryption."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
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
        if i.file_size > limits.zip_max_member:
            raise InputError(
                f"{name}: 压缩包内 {i.filename} 解压后过大（{i.file_size // MB} MB），疑似压缩炸弹，已拒绝"
            )
        if i.file_size > MB and i.file_size > limits.zip_max_ratio * max(i.compress_size, 1):
            raise InputError(
                f"{name}: 压缩包内 {i.filename} 压缩比异常（{i.file_size // max(i.compress_size, 1)}:1），疑似压缩炸弹，已拒绝"
            )
    if total > limits.zip_max_total:
        raise InputError(
            f"{name}: 压缩包解压后过大（{total // MB} MB，上限 {limits.zip_max_total // MB} MB），疑似压缩炸弹，已拒绝"
        )
    return kind
