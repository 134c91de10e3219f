"""Guard rails: the type comes from the content, and every file a user can get wrong
(corrupt, encrypted, a zip bomb, too many pages, a pixel bomb, a stranger's zip) is an
InputError with a one-line Chinese message, which the CLI turns into exit status 2."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

import filemaker as fm
from jixiao.errors import InputError
from jixiao.intake import from_bytes, read_path, sniff
from jixiao.readers import Limits, read_binary

pytest.importorskip("openpyxl")
pytest.importorskip("docx")
pytest.importorskip("pdfplumber")

SMALL = fm.seed_lines("000_dca73c19af058bd9")[:40]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _one_line_chinese(e: pytest.ExceptionInfo[InputError]) -> str:
    msg = str(e.value)
    assert "\n" not in msg
    assert any("\u4e00" <= ch <= "\u9fff" for ch in msg)
    return msg


def test_type_comes_from_content_not_name(tmp_path: Path) -> None:
    xlsx = fm.write_xlsx(SMALL, tmp_path / "a.xlsx")
    disguised = tmp_path / "form.pdf"  # an Excel file with the wrong extension
    disguised.write_bytes(xlsx.read_bytes())
    src = read_path(str(disguised))
    assert src.kind == "xlsx"
    assert any(ln.startswith("项目名称") for ln in src.lines)


def test_docx_and_xlsx_are_told_apart_by_their_parts(tmp_path: Path) -> None:
    data = fm.write_docx(SMALL, tmp_path / "a.bin").read_bytes()
    assert sniff(data) == "zip"
    assert from_bytes(data, "x").kind == "docx"


def test_zip_bomb_is_refused_before_opening() -> None:
    bomb = _zip(
        {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": bytes(40 * 2**20)}
    )
    assert len(bomb) < 200_000
    with pytest.raises(InputError) as e:
        from_bytes(bomb, "bomb.xlsx")
    assert "压缩炸弹" in _one_line_chinese(e)


def test_uncompressed_total_is_capped() -> None:
    data = _zip({"word/document.xml": b"<w/>" * 1000, "word/big.bin": b"ab" * 100_000})
    with pytest.raises(InputError) as e:
        read_binary(data, "big.docx", "zip", Limits(zip_max_total=100_000))
    assert "过大" in _one_line_chinese(e)


def test_encrypted_zip_member_is_refused() -> None:
    data = bytearray(_zip({"word/document.xml": b"<w/>"}))
    # set the 'encrypted' flag in the local header and the central directory entry
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.index(sig)
        flags = struct.unpack_from("<H", data, i + off)[0]
        struct.pack_into("<H", data, i + off, flags | 1)
    with pytest.raises(InputError) as e:
        from_bytes(bytes(data), "locked.docx")
    assert "加密" in _one_line_chinese(e)


def test_password_protected_office_file_is_named_as_such() -> None:
    """Office wraps an encrypted .docx/.xlsx in an OLE container: not an 'old .doc'."""
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "EncryptedPackage".encode("utf-16-le") + bytes(600)
    with pytest.raises(InputError) as e:
        read_binary(data, "locked.xlsx", "ole")
    assert "加密" in _one_line_chinese(e)
    with pytest.raises(InputError) as e:
        read_binary(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "old.doc", "ole")
    assert "旧版" in _one_line_chinese(e)


@pytest.mark.parametrize(
    ("members", "word"),
    [
        ({"hello.txt": b"hi"}, "不是 .docx 或 .xlsx"),
        ({"ppt/presentation.xml": b"<p/>"}, "演示文稿"),
    ],
)
def test_other_zips_are_refused(members: dict[str, bytes], word: str) -> None:
    with pytest.raises(InputError) as e:
        from_bytes(_zip(members), "x.zip")
    assert word in _one_line_chinese(e)


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_truncated_office_file_is_an_input_error(tmp_path: Path, kind: str) -> None:
    data = getattr(fm, f"write_{kind}")(SMALL, tmp_path / f"a.{kind}").read_bytes()
    with pytest.raises(InputError) as e:
        from_bytes(data[: len(data) // 2], f"cut.{kind}")
    _one_line_chinese(e)


def test_damaged_part_inside_a_valid_zip(tmp_path: Path) -> None:
    data = fm.write_xlsx(SMALL, tmp_path / "a.xlsx").read_bytes()
    zin = zipfile.ZipFile(io.BytesIO(data))
    members = {n: zin.read(n) for n in zin.namelist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row"  # cut XML
    with pytest.raises(InputError) as e:
        from_bytes(_zip(members), "bad.xlsx")
    _one_line_chinese(e)


def test_corrupt_pdf() -> None:
    with pytest.raises(InputError) as e:
        from_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "bad.pdf")
    assert "PDF" in _one_line_chinese(e)


def test_encrypted_pdf(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt="secret")  # a user password: cannot be opened without it
    c.drawString(100, 700, "hello")
    c.save()
    with pytest.raises(InputError) as e:
        read_path(str(path))
    assert "加密" in _one_line_chinese(e)


def test_page_limit(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    data = fm.write_pdf(fm.seed_lines("000_dca73c19af058bd9")[:60], tmp_path / "a.pdf").read_bytes()
    with pytest.raises(InputError) as e:
        read_binary(data, "long.pdf", "pdf", Limits(max_pages=1))
    assert "max_pages" in _one_line_chinese(e)


def test_size_limit() -> None:
    with pytest.raises(InputError) as e:
        read_binary(b"%PDF-1.4" + bytes(2000), "big.pdf", "pdf", Limits(max_bytes=1000))
    assert "过大" in _one_line_chinese(e)


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


def test_pixel_bomb_is_refused_from_the_header() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    with pytest.raises(InputError) as e:
        from_bytes(_png(100_000, 100_000), "huge.png")
    assert "图片过大" in _one_line_chinese(e)


def test_corrupt_image() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    with pytest.raises(InputError) as e:
        from_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "broken.png")
    _one_line_chinese(e)


def test_without_ocr_a_scan_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # the third-party package is made unimportable; our own code runs for real
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    from jixiao.readers import ocr

    ocr._engine.cache_clear()
    with pytest.raises(InputError) as e:
        from_bytes(_png(10, 10), "scan.png")
    assert "pip install 'jixiao[ocr]'" in _one_line_chinese(e)


def test_cli_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    p = subprocess.run([sys.executable, "-m", "jixiao", "extract", str(bad)], capture_output=True, timeout=120)
    assert p.returncode == 2
    err = p.stderr.decode().strip()
    assert err and "\n" not in err and "Traceback" not in err
