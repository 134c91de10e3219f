"""The JSON report: the contract's findings, each with its decision, plus projects and a summary."""

from __future__ import annotations

import json

from .data import ReportData


def render_json(data: ReportData, generated_at: str) -> bytes:
    body = {
        "generated_at": generated_at,
        "sources": [d.source for d in data.docs],
        "summary": data.summary().as_json(),
        "projects": [p.as_json() for p in data.projects],
        "findings": [fr.as_json() for fr in data.findings],
        "stale_decisions": [d.model_dump(mode="json") for d in data.stale],
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
