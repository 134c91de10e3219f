"""The HTML report printed to PDF with WeasyPrint.

WeasyPrint lays out HTML and CSS (paged media: A4 landscape, page numbers, table heads
repeated on every page) and draws the inline SVG charts itself, with no browser. Text is set
with Pango and fontconfig, so Chinese needs a CJK font on the machine (Debian:
fonts-noto-cjk; the page asks for Noto Sans CJK SC first) and the PDF keeps it as text.
"""

from __future__ import annotations

from ..errors import InputError


def render_pdf(page: bytes) -> bytes:
    try:
        from weasyprint import HTML
    except ImportError as e:
        raise InputError(f"导出 .pdf 需要安装 WeasyPrint：pip install 'jixiao[pdf]'（缺少 {e.name}）") from e
    except OSError as e:  # the Python package is there, Pango (libpango-1.0-0, libpangoft2-1.0-0) is not
        raise InputError(f"导出 .pdf 需要系统库 Pango：apt-get install libpango-1.0-0 libpangoft2-1.0-0（{e}）") from e
    pdf = HTML(string=page.decode("utf-8")).write_pdf()
    assert pdf is not None  # write_pdf without a target returns the bytes
    return pdf
