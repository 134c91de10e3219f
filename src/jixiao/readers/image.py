"""Images (.png/.jpg, and whatever else Pillow opens, e.g. a multi-page .tif from a
scanner): each frame a page, read by OCR."""

from __future__ import annotations

import io

from ..errors import InputError
from . import ocr
from .limits import Limits


def read_image(data: bytes, name: str, limits: Limits) -> tuple[list[str], list[str]]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not ocr.available():
        raise InputError(f"{name}: {ocr.OCR_MISSING}")
    try:
        img = Image.open(io.BytesIO(data))
        # the header gives the size before any pixel is decoded: refuse bombs here
        w, h = img.size
        if w * h > limits.max_pixels:
            raise InputError(f"{name}: 图片过大（{w}×{h} 像素，上限 {limits.max_pixels // 1_000_000} 百万像素）")
        img.load()
    except InputError:
        raise
    except Image.DecompressionBombError as e:  # PIL's own check, on open, above ~179M pixels
        raise InputError(
            f"{name}: 图片过大（上限 {limits.max_pixels // 1_000_000} 百万像素），疑似恶意文件，已拒绝"
        ) from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise InputError(f"{name}: 图片已损坏或格式不受支持，无法读取 ({type(e).__name__})") from e
    frames = getattr(img, "n_frames", 1)
    if frames > limits.max_ocr_pages:
        raise InputError(f"{name}: 图片共 {frames} 页，超过文字识别上限 {limits.max_ocr_pages} 页")
    lines: list[str] = []
    for k in range(frames):
        img.seek(k)
        page = ImageOps.exif_transpose(img.copy())  # phone photos carry their rotation in EXIF
        if lines:
            lines.append("")  # a page break
        lines.extend(ocr.image_lines(page))
    return lines, [f"{name}: 图片已用文字识别（OCR）读取，请核对识别结果"]
