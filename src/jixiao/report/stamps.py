"""Times as people read them: local wall-clock time with its zone, to the minute.

    local_time("2026-12-04T08:30:00+00:00")  # '2026-12-04 16:30 UTC+08:00' on a machine in Beijing

The zone is the machine's (``datetime.astimezone()``), so a report says the time its reader
lived, and says which zone that was. The JSON export keeps ISO 8601 for programs.
"""

from __future__ import annotations

from datetime import UTC, datetime


def _zone(dt: datetime) -> str:
    off = dt.utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_time(when: datetime | str | None = None) -> str:
    """``when`` (an aware or naive-UTC datetime, or its ISO text; now when None) in the
    machine's zone as 'YYYY-MM-DD HH:MM UTC±hh:mm'; text that is not a time comes back as is."""
    if when is None:
        dt = datetime.now().astimezone()
    elif isinstance(when, str):
        if not when:
            return ""
        try:
            dt = datetime.fromisoformat(when)
        except ValueError:
            return when
    else:
        dt = when
    if dt.tzinfo is None:  # the store writes UTC; a bare time is read as UTC too
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone()
    return f"{dt:%Y-%m-%d %H:%M} {_zone(dt)}"
