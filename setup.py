"""Only a build hook; everything else is in pyproject.toml.

The design keeps prompts at the top level (``prompts/``, versioned beside the code); a wheel
carries them inside the package as ``jixiao/llm/prompts`` so an installed jixiao finds them
without ``JIXIAO_PROMPTS``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithPrompts(build_py):
    def run(self) -> None:
        super().run()
        src = Path(__file__).resolve().parent / "prompts"
        if src.is_dir() and not getattr(self, "editable_mode", False):
            dst = Path(self.build_lib) / "jixiao" / "llm" / "prompts"
            shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithPrompts})
