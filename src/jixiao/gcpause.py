"""Pausing the cyclic garbage collector around bulk model building.

Extraction, generation, reconciliation and the review loader each build 10^4–10^5 small
acyclic objects (pydantic models, lists, strings). The cyclic collector then runs again and
again over a growing heap and finds nothing; reference counting still frees memory.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was made meanwhile is mostly long-lived results: file it in the oldest
        # generation (freeze + unfreeze moves lists, O(1)) instead of letting the first young
        # collection after re-enabling walk every object.
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()
