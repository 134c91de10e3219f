"""The rules engine (the default): see ``engine.extract``."""

from .engine import ENGINE, build_form, extract

__all__ = ["ENGINE", "build_form", "extract"]
