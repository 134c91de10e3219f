"""The Python API: what the CLI, the web page and the review session call."""

from __future__ import annotations

from .engines import get_engine
from .intake import Source, from_text, read_path
from .models import Document


def extract_source(source: Source, engine: str = "rules") -> Document:
    return get_engine(engine)(source)


def extract_path(path: str, engine: str = "rules") -> Document:
    return extract_source(read_path(path), engine)


def extract_text(text: str, name: str = "<text>", engine: str = "rules") -> Document:
    return extract_source(from_text(text, name), engine)
