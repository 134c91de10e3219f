"""The local web page of ``jixiao serve`` and its JSON API (FastAPI, server-rendered).

``create_app(WebSettings(data_dir=Path("审核数据")))`` is the ASGI app; ``jixiao serve``
runs it under uvicorn on 127.0.0.1 after ``warm_up(app)``. See docs/web.md.
"""

from __future__ import annotations

from .app import create_app, warm_up
from .settings import Limits, WebSettings

__all__ = ["Limits", "WebSettings", "create_app", "warm_up"]
