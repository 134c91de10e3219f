"""Fuzzing every reader: bytes that look like each input type (a real file's head, mutated),
through the intake and the rules engine. A reader may refuse with an ``InputError`` (one line,
exit 2 for a user); anything else is a crash. Used by a bounded test and by the long run in
``eval/fuzz_readers.py``."""

from __future__ import annotations

import io
import random
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import JixiaoError
from ..intake import from_bytes
from ..rules.engine import extract

KINDS = ("text", "html", "xlsx", "docx", "pdf", "image")


def _xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in (["项目支出绩效自评表"], ["项目名称", "某项目"], ["一级指标", "二级指标", "三级指标", "年度指标值"]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("项目支出绩效自评表")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "项目名称", "某项目"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (40, 20), 255).save(buf, format="PNG")
    return buf.getvalue()


_TEXT = "项目支出绩效自评表\n项目名称\t某项目\n一级指标\t二级指标\t三级指标\t年度指标值\n产出指标\t数量指标\t人数\t≥10人\n".encode()
_HTML = "<table><tr><td rowspan=2>项目名称</td><td colspan=3>某</td></tr><tr><td>一级指标</td></tr></table>".encode()


def seeds() -> dict[str, bytes]:
    """A small valid input of each kind (the ones whose libraries are installed)."""
    out = {"text": _TEXT, "html": _HTML, "pdf": _pdf()}
    for kind, make in (("xlsx", _xlsx), ("docx", _docx), ("image", _png)):
        try:
            out[kind] = make()
        except ImportError:
            continue
    return out


def mutate(data: bytes, rng: random.Random) -> bytes:
    """A few byte-level edits: flips, deletions, insertions, a cut, a repeated chunk."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        if not b:
            b.extend(rng.randbytes(rng.randint(1, 16)))
        elif op < 0.4:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op < 0.55:
            del b[rng.randrange(len(b))]
        elif op < 0.7:
            b.insert(rng.randrange(len(b) + 1), rng.randrange(256))
        elif op < 0.8:
            del b[rng.randrange(len(b)) :]
        else:
            i = rng.randrange(len(b))
            chunk = b[i : i + rng.randint(1, 64)]
            b[i:i] = chunk * rng.randint(1, 20)
    return bytes(b)


@dataclass
class FuzzResult:
    kind: str
    runs: int = 0
    refused: int = 0
    crashes: list[str] = field(default_factory=list)
    slowest: float = 0.0
    slowest_input: bytes = b""


def fuzz_one(data: bytes, result: FuzzResult, read: Callable[[bytes], object] | None = None) -> None:
    """Read one input; record a refusal, a crash (with its traceback's last lines) and the time."""
    t0 = time.perf_counter()
    try:
        (read or _read)(data)
    except JixiaoError:
        result.refused += 1
    except Exception:
        result.crashes.append(traceback.format_exc(limit=-3))
    dt = time.perf_counter() - t0
    result.runs += 1
    if dt > result.slowest:
        result.slowest, result.slowest_input = dt, data


def _read(data: bytes) -> object:
    return extract(from_bytes(data, "fuzz"))
