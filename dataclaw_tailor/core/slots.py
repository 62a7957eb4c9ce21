"""A bound on concurrent heavy work (decoding frames, OCR), and giving its memory back when a burst ends.

Extracting a video's anchors decodes frames and runs OCR: hundreds of megabytes while it runs. Without a
bound, twelve concurrent calls decode twelve videos at once (a server went to 924 MB), and the C heap
they grew stays with the process afterwards: glibc keeps freed memory in per-thread arenas instead of
returning it. So every extraction of one service runs through its `Slots`: at most `size` at a time,
each in a worker thread, and as each one finishes the freed heap is trimmed back to the OS
(`malloc_trim`, a few milliseconds), so the peak stays near `size` extractions' worth and memory returns
near its baseline after a burst (bench/mcp_bench.py --burst measures both).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import os
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def default_size() -> int:
    """One extraction per CPU this process may run on: each keeps a core busy (decoder, OCR)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None  # glibc only
    except OSError:
        return None


def release_memory() -> None:
    """Return the C heap's free pages to the OS (a no-op where the C library has no `malloc_trim`)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class Slots:
    """At most `size` jobs at once, each in a worker thread, the heap trimmed after each.

    The bound holds per event loop (a server or a corpus run has one); `size=None` takes `default_size()`.
    """

    def __init__(self, size: int | None = None):
        if size is not None and size < 1:
            raise ValueError(f"slots: size must be at least 1, not {size}")
        self.size = size or default_size()
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)` in a worker thread once a slot is free."""
        gate = self._gates.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(self.size))
        async with gate:
            try:
                return await asyncio.to_thread(fn, *args, **kwargs)
            finally:
                await asyncio.to_thread(release_memory)
