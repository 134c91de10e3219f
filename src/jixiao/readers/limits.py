"""Limits that keep a hostile or broken file from eating the machine.

Defaults suit a reviewer's desktop; a ``[readers]`` section of the config file may change
them (keys are the field names below). They are sized so that a file inside every limit is
read in seconds and well under 1 GB, while real forms (tens of rows by about 12 columns;
a batch workbook or document of a few hundred forms) stay far inside them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..config import section
from ..errors import ConfigError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 128 * MB  # any binary input
    max_pages: int = 500  # PDF pages read from the text layer
    max_ocr_pages: int = 60  # scanned pages (OCR takes seconds per page)
    max_pixels: int = 60_000_000  # one image or rendered page (PIL's bomb limit is ~89M)
    # .docx/.xlsx, from the zip's central directory before anything is unpacked
    zip_max_members: int = 10_000
    zip_max_total: int = 64 * MB  # uncompressed bytes of all members
    zip_max_member: int = 32 * MB  # uncompressed bytes of one member (the main document part, a sheet...)
    zip_max_ratio: int = 200  # uncompressed / compressed, for members above 1 MB
    # .docx/.xlsx, counted while streaming their XML before the library builds anything
    max_rows: int = 50_000  # rows of one sheet or table
    max_cells: int = 300_000  # xlsx: cells, and the other records of a workbook (rows, strings, styles...)
    max_elements: int = 1_000_000  # docx: XML elements of all parts (paragraphs, runs, cells...)
    ocr_dpi: int = 200  # resolution scanned PDF pages are rendered at for OCR
    # a batch (.zip of forms, see jixiao.batch): files of all its archives, and their unpacked bytes
    batch_max_members: int = 200_000
    batch_max_total: int = 4096 * MB


def load_limits() -> Limits:
    """Defaults, overridden by the config file's ``[readers]`` section."""
    conf = section("readers")
    known = {f.name for f in fields(Limits)}
    unknown = sorted(set(conf) - known)
    if unknown:
        raise ConfigError(f"配置文件 [readers] 中有未知的键：{', '.join(unknown)} (unknown keys)")
    for k, v in conf.items():
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ConfigError(f"配置文件 [readers] {k} 必须是正整数 (must be a positive integer)")
    return Limits(**conf)
