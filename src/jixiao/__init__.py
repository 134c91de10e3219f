"""jixiao (绩效): read, check and reconcile Chinese fiscal performance forms.

The Python API first; the CLI is a thin layer over it:

    from jixiao import extract_path
    doc = extract_path("fixtures/seeds/000_dca73c19af058bd9.txt")
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import extract_path, extract_source, extract_text

__all__ = ["__version__", "extract_path", "extract_source", "extract_text"]
